import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import * as checkins from './checkins.js'
import * as partnerships from './partnerships.js'
import { PARTNERSHIP_END_REASONS } from '../db/schema.js'
import { formSchema, idParam, oneOf, text } from '../shared/forms.js'
import { rateLimited, redirectAfterPost } from '../shared/http.js'
import { signedIn } from '../plugins/auth.js'
import { checkinAnswer } from './matches.pages.js'

const CheckinBody = formSchema(
  { answer: oneOf(checkins.ANSWERS), reason: oneOf(['', ...checkins.REASONS]), note: text(checkins.NOTE_MAX) },
  ['answer'],
)
const EndBody = formSchema({ reason: oneOf(PARTNERSHIP_END_REASONS), note: text(partnerships.END_NOTE_MAX) }, [
  'reason',
])

/** The follow-up's answer on the match page, and partnerships begun from a match or ended from an organization's page. */
const checkinsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/matches/:id/checkins',
    { config: { access: 'signed_in', ...rateLimited(app.config, 30) }, schema: { params: idParam, body: CheckinBody } },
    async (req, reply) => {
      const { id } = req.params
      const { answer, reason, note } = req.body
      const done = checkins.answer(app.db, signedIn(req), id, { answer, reason: reason || undefined, note })
      const { flash, to } = checkinAnswer(id, done)
      return redirectAfterPost(req, reply.flash(flash), to)
    },
  )

  app.post(
    '/matches/:id/partnership',
    { config: { access: 'broker' }, schema: { params: idParam, body: formSchema({}) } },
    async (req, reply) => {
      const { id } = req.params
      checkins.markPartnership(app.db, signedIn(req), id)
      reply.flash('partnership.started')
      return redirectAfterPost(req, reply, `/matches/${id}#checkin`)
    },
  )

  app.post(
    '/partnerships/:id/ending',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: EndBody } },
    async (req, reply) => {
      const user = signedIn(req)
      const p = partnerships.end(app.db, user, req.params.id, { reason: req.body.reason, note: req.body.note })
      reply.flash('partnership.ended')
      const own = user.orgIds.includes(p.holderOrgId) ? p.holderOrgId : p.groupOrgId
      return redirectAfterPost(req, reply, `/orgs/${own}#partnerships`)
    },
  )
}

export default checkinsRoutes
