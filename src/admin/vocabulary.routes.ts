import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import * as topics from '../topics/topics.js'
import { loadVocabulary, vocabularyView, type VocabularyForms } from './vocabulary.pages.js'
import { Type } from 'typebox'
import { formSchema, oneOf, str } from '../shared/forms.js'
import { redirectAfterPost, submitForm } from '../shared/http.js'
import type { FieldErrors } from '../shared/errors.js'
import { signedIn } from '../plugins/auth.js'

const TopicBody = formSchema({ category: str(40, 1), zh: str(40, 1), en: str(60, 1) }, ['category', 'zh', 'en'])
const SynonymBody = formSchema(
  { topic: Type.String({ pattern: '^[a-z0-9_]{1,60}$' }), lang: oneOf(['zh', 'en']), term: str(40, 1) },
  ['topic', 'lang', 'term'],
)

/** The topic vocabulary per category: admins add a topic or a synonym (logged) and re-tag the listings. */
const vocabularyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const show = (req: FastifyRequest, reply: FastifyReply, forms: VocabularyForms = {}, status = 200) =>
    reply.render('admin/vocabulary', vocabularyView(loadVocabulary(app.db, req.locale), req.locale, req.t, forms), {
      status,
    })

  app.get('/admin/topics', { config: { access: 'admin' } }, async (req, reply) => show(req, reply))

  app.post(
    '/admin/topics',
    { config: { access: 'admin' }, schema: { body: TopicBody }, attachValidation: true },
    async (req, reply) => {
      const { body } = req
      const refill = (errors: FieldErrors, status: number) =>
        show(req, reply, { topic: body, topicErrors: errors }, status)
      return submitForm(req, reply, refill, () => {
        const code = topics.addTopic(app.db, signedIn(req).id, body)
        reply.flash('vocab.topic_added', { topic: `${body.zh} / ${body.en}`, code })
        return redirectAfterPost(req, reply, '/admin/topics')
      })
    },
  )

  app.post(
    '/admin/topics/synonyms',
    { config: { access: 'admin' }, schema: { body: SynonymBody }, attachValidation: true },
    async (req, reply) => {
      const { body } = req
      const refill = (errors: FieldErrors, status: number) =>
        show(req, reply, { synonym: body, synonymErrors: errors }, status)
      return submitForm(req, reply, refill, () => {
        topics.addSynonym(app.db, signedIn(req).id, body)
        return redirectAfterPost(req, reply.flash('vocab.synonym_added', { term: body.term }), '/admin/topics')
      })
    },
  )

  app.post(
    '/admin/topics/retag',
    { config: { access: 'admin' }, schema: { body: formSchema({}) } },
    async (req, reply) => {
      const changed = topics.retagAll(app.db)
      reply.flash('vocab.retagged', { changed })
      return redirectAfterPost(req, reply, '/admin/topics')
    },
  )
}

export default vocabularyRoutes
