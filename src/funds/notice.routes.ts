import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { signedIn } from '../plugins/auth.js'
import * as notice from './notice.js'
import { loadNotice, noticeView } from './notice.pages.js'
import { formSchema, idParam, int, str, text } from '../shared/forms.js'
import { rateLimited, redirectAfterPost, submitForm } from '../shared/http.js'
import { NotFound, type FieldErrors } from '../shared/errors.js'

const id = int(1, 2_147_483_647)
const AnnounceBody = formSchema({ days: int(1, notice.MAX_DAYS), version: id })
const ObjectionBody = formSchema(
  {
    name: str(notice.NAME_MAX, 1),
    contact: str(notice.CONTACT_MAX),
    body: text(notice.BODY_MAX, 1),
    applicationId: id,
  },
  ['name', 'body'],
)
const AnswerBody = formSchema({ answer: text(notice.ANSWER_MAX, 1) }, ['answer'])

type Body = Record<string, string | number | undefined>

/** The notice page: public once published; before that, only those who run the call see it, with the form that publishes it. */
const noticeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const show = (
    req: FastifyRequest,
    reply: FastifyReply,
    callId: number,
    errors: FieldErrors = {},
    status = 200,
    form: Body = {},
  ) => reply.render('funds/notice', noticeView(loadNotice(app.db, req.user, callId), req.t, errors, form), { status })

  app.get(
    '/calls/:id/notice',
    { config: { access: 'anyone' }, schema: { params: idParam }, attachValidation: true },
    async (req, reply) => {
      if (req.validationError) throw new NotFound()
      return show(req, reply, req.params.id)
    },
  )

  /** A form on the notice page: refused, the page again with what to fix (and what was typed); else `act`. */
  const submit = (req: FastifyRequest, reply: FastifyReply, callId: number, act: () => FastifyReply, form?: Body) =>
    submitForm(req, reply, (errors, status) => show(req, reply, callId, errors, status, form), act)

  app.post(
    '/calls/:id/notice',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: AnnounceBody }, attachValidation: true },
    async (req, reply) => {
      const callId = req.params.id
      return submit(req, reply, callId, () => {
        notice.announce(app.db, signedIn(req), callId, { days: req.body.days, version: req.body.version })
        reply.flash('fundwork.notice.published')
        return redirectAfterPost(req, reply, `/calls/${callId}/notice`)
      })
    },
  )

  // Anyone may object, a visitor included: so the budget per address is small.
  app.post(
    '/calls/:id/objections',
    {
      config: { access: 'anyone', ...rateLimited(app.config, 5) },
      schema: { params: idParam, body: ObjectionBody },
      attachValidation: true,
    },
    async (req, reply) => {
      const callId = req.params.id
      const act = () => {
        const { name, contact, body, applicationId } = req.body
        const o = notice.object(app.db, req.user, callId, { name, contact, body, applicationId })
        reply.flash('fundwork.objection.recorded')
        return redirectAfterPost(req, reply, `/calls/${callId}/notice#objection-${o.id}`)
      }
      return submit(req, reply, callId, act, req.body)
    },
  )

  app.post(
    '/objections/:id/answer',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: AnswerBody }, attachValidation: true },
    async (req, reply) => {
      const objectionId = req.params.id
      const callId = notice.callOfObjection(app.db, objectionId)
      if (!callId) throw new NotFound()
      return submit(req, reply, callId, () => {
        notice.answer(app.db, signedIn(req), objectionId, req.body.answer)
        reply.flash('fundwork.objection.answered')
        return redirectAfterPost(req, reply, `/calls/${callId}/notice#objection-${objectionId}`)
      })
    },
  )
}

export default noticeRoutes
