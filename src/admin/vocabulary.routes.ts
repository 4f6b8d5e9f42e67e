import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import * as topics from '../topics/topics.js'
import { allCategories } from '../listings/listings.js'
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
  const show = (
    req: FastifyRequest,
    reply: FastifyReply,
    forms: { topic?: unknown; synonym?: unknown; topicErrors?: FieldErrors; synonymErrors?: FieldErrors } = {},
    status = 200,
  ) => {
    const vocab = topics.vocabulary(app.db)
    const added = new Set(topics.additions(app.db).map((a) => `${a.topic}|${a.kind === 'topic' ? '' : a.term}`))
    const categories = allCategories(app.db).map((c) => ({
      code: c.code,
      name: req.locale === 'en' ? c.nameEn : c.nameZh,
      topics: topics.topicsOf(vocab, c.code).map((t) => ({
        ...t,
        added: added.has(`${t.code}|`),
        synonyms: t.synonyms.map((term) => ({ term, added: added.has(`${t.code}|${term}`) })),
      })),
    }))
    return reply.render(
      'admin/vocabulary',
      {
        categories,
        topicOptions: topics.options(app.db, req.locale),
        categoryNames: Object.fromEntries(categories.map((c) => [c.code, c.name])),
        topicValues: forms.topic ?? {},
        synonymValues: forms.synonym ?? {},
        topicErrors: forms.topicErrors ?? {},
        synonymErrors: forms.synonymErrors ?? {},
        title: req.t('vocab.title'),
      },
      { status },
    )
  }

  app.get('/admin/topics', { config: { access: 'admin' } }, async (req, reply) => show(req, reply))

  app.post(
    '/admin/topics',
    { config: { access: 'admin' }, schema: { body: TopicBody }, attachValidation: true },
    async (req, reply) => {
      const body = req.body
      return submitForm(
        req,
        reply,
        (errors, status) => show(req, reply, { topic: body, topicErrors: errors }, status),
        () => {
          if (!allCategories(app.db).some((c) => c.code === body.category))
            return show(req, reply, { topic: body, topicErrors: { category: { key: 'validation.choose' } } }, 422)
          const code = topics.addTopic(app.db, signedIn(req).id, body)
          reply.flash('vocab.topic_added', { topic: `${body.zh} / ${body.en}`, code })
          return redirectAfterPost(req, reply, '/admin/topics')
        },
      )
    },
  )

  app.post(
    '/admin/topics/synonyms',
    { config: { access: 'admin' }, schema: { body: SynonymBody }, attachValidation: true },
    async (req, reply) => {
      const body = req.body
      return submitForm(
        req,
        reply,
        (errors, status) => show(req, reply, { synonym: body, synonymErrors: errors }, status),
        () => {
          topics.addSynonym(app.db, signedIn(req).id, body)
          reply.flash('vocab.synonym_added', { term: body.term })
          return redirectAfterPost(req, reply, '/admin/topics')
        },
      )
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
