import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import * as members from './members.js'
import { invitationView, loadPeople, peopleView, type PeopleExtra } from './members.pages.js'
import * as orgs from '../orgs/orgs.js'
import * as needs from '../needs/needs.js'
import { formSchema, idParam, int, oneOf, secret, text } from '../shared/forms.js'
import { redirectAfterPost, submitForm } from '../shared/http.js'
import { NotFound, type FieldErrors } from '../shared/errors.js'
import { formContext, newFormValues } from '../listings/forms.js'
import type * as topics from '../topics/topics.js'

const id32 = int(1, 2_147_483_647)
const twoIds = (second: string) => ({ type: 'object', required: ['id', second], properties: { id: id32, [second]: id32 } }) as const
const InviteBody = formSchema({ role: oneOf(members.GROUP_ROLES), email: { type: 'string', format: 'email', maxLength: 254 } }, ['role'])
const RoleBody = formSchema({ role: oneOf(members.GROUP_ROLES) }, ['role'])
const HandOverBody = formSchema({ userId: id32 }, ['userId'])
const JoinBody = formSchema({ message: text(500) })
const DecisionBody = formSchema({ decision: oneOf(['approve', 'decline']) }, ['decision'])
const TokenQuery = { type: 'object', properties: { token: secret(100) } }
const TokenBody = formSchema({ token: secret(100, 1) }, ['token'])

type Body = Record<string, any>

/** A group's people (leaders, or the broker looking after it), invitations, requests to join. */
const membersRoutes: FastifyPluginAsync = async (app) => {
  const baseUrl = app.config.baseUrl.replace(/\/+$/, '')
  const showPeople = (req: FastifyRequest, reply: FastifyReply, orgId: number, extra: PeopleExtra = {}, status = 200) =>
    reply.render('orgs/people', peopleView(loadPeople(app.db, req.user!, orgId), req.user!, req.t, extra), { status })
  const orgParam = (req: FastifyRequest) => (req.params as { id: number }).id

  app.get('/orgs/:id/people', { config: { access: 'signed_in' }, schema: { params: idParam } }, async (req, reply) => showPeople(req, reply, orgParam(req)))

  app.post('/orgs/:id/invitations', { config: { access: 'signed_in' }, schema: { params: idParam, body: InviteBody }, attachValidation: true }, async (req, reply) => {
    const orgId = orgParam(req)
    const b = req.body as Body
    return submitForm(req, reply, (errors, status) => showPeople(req, reply, orgId, { errors, values: b }, status), () => {
      const { token } = members.invite(app.db, req.user!, orgId, { role: b.role, email: b.email, locale: req.locale })
      if (b.email) {
        reply.flash('members.invited_by_email', { email: b.email })
        return redirectAfterPost(req, reply, `/orgs/${orgId}/people`)
      }
      // The secret is shown once, on this answer: it is kept only as a hash.
      return showPeople(req, reply, orgId, { link: `${baseUrl}/invitations?token=${token}` })
    })
  })

  app.post('/orgs/:id/invitations/:invitationId/revocation', { config: { access: 'signed_in' }, schema: { params: twoIds('invitationId'), body: formSchema({}) } }, async (req, reply) => {
    const { id, invitationId } = req.params as { id: number; invitationId: number }
    members.revoke(app.db, req.user!, id, invitationId)
    reply.flash('members.revoked')
    return redirectAfterPost(req, reply, `/orgs/${id}/people`)
  })

  app.post('/orgs/:id/people/:userId', { config: { access: 'signed_in' }, schema: { params: twoIds('userId'), body: RoleBody }, attachValidation: true }, async (req, reply) => {
    const { id, userId } = req.params as { id: number; userId: number }
    return submitForm(req, reply, (errors, status) => showPeople(req, reply, id, { errors }, status), () => {
      members.setRole(app.db, req.user!, id, userId, (req.body as Body).role)
      reply.flash('members.role_changed')
      return redirectAfterPost(req, reply, `/orgs/${id}/people`)
    })
  })

  app.post('/orgs/:id/people/:userId/removal', { config: { access: 'signed_in' }, schema: { params: twoIds('userId'), body: formSchema({}) } }, async (req, reply) => {
    const { id, userId } = req.params as { id: number; userId: number }
    const leaving = userId === req.user!.id
    // Someone leaving a group they cannot manage has no people page to be shown the refusal on.
    const refuse = (errors: FieldErrors, status: number) => (leaving && !members.canManage(req.user, id)
      ? reply.code(status).render('error', { message: req.t(errors._?.key ?? 'error.bad_request'), status }, { status })
      : showPeople(req, reply, id, { errors }, status))
    return submitForm(req, reply, refuse, () => {
      members.remove(app.db, req.user!, id, userId)
      reply.flash(leaving ? 'members.left' : 'members.removed')
      return redirectAfterPost(req, reply, leaving ? `/orgs/${id}` : `/orgs/${id}/people`)
    })
  })

  app.post('/orgs/:id/handover', { config: { access: 'signed_in' }, schema: { params: idParam, body: HandOverBody }, attachValidation: true }, async (req, reply) => {
    const id = orgParam(req)
    return submitForm(req, reply, (errors, status) => showPeople(req, reply, id, { errors }, status), () => {
      members.handOver(app.db, req.user!, id, (req.body as Body).userId)
      reply.flash('members.handed_over')
      return redirectAfterPost(req, reply, `/orgs/${id}`)
    })
  })

  app.post('/orgs/:id/join-requests', { config: { access: 'signed_in' }, schema: { params: idParam, body: JoinBody }, attachValidation: true }, async (req, reply) => {
    const id = orgParam(req)
    if (req.validationError) throw new NotFound()
    members.requestToJoin(app.db, req.user!, id, (req.body as Body).message ?? '')
    reply.flash('members.join_requested')
    return redirectAfterPost(req, reply, `/orgs/${id}`)
  })

  app.post('/orgs/:id/join-requests/:requestId', { config: { access: 'signed_in' }, schema: { params: twoIds('requestId'), body: DecisionBody }, attachValidation: true }, async (req, reply) => {
    const { id, requestId } = req.params as { id: number; requestId: number }
    return submitForm(req, reply, (errors, status) => showPeople(req, reply, id, { errors }, status), () => {
      const approve = (req.body as Body).decision === 'approve'
      members.decide(app.db, req.user!, id, requestId, approve)
      reply.flash(approve ? 'members.join_approved' : 'members.join_declined')
      return redirectAfterPost(req, reply, `/orgs/${id}/people`)
    })
  })

  // The invitation link: anyone may open it; joining needs an account (sign in or sign up, then come back).
  const showInvitation = (req: FastifyRequest, reply: FastifyReply, token: string | undefined, status = 200, problem?: string) => {
    const v = invitationView(token ? members.lookUp(app.db, token) : undefined, req.user, token, req.t, status, problem)
    return reply.render('orgs/invitation', v.data, { status: v.status })
  }

  app.get('/invitations', { config: { access: 'anyone' }, schema: { querystring: TokenQuery }, attachValidation: true }, async (req, reply) => {
    return showInvitation(req, reply, req.validationError ? undefined : (req.query as { token?: string }).token)
  })

  app.post('/invitations', { config: { access: 'signed_in' }, schema: { body: TokenBody }, attachValidation: true }, async (req, reply) => {
    if (req.validationError) return showInvitation(req, reply, undefined, 422)
    const token = (req.body as Body).token as string
    try {
      const joined = members.accept(app.db, req.user!, token)
      reply.flash(joined.role === 'leader' ? 'members.joined_leader' : 'members.joined_member')
      return redirectAfterPost(req, reply, `/orgs/${joined.orgId}`)
    } catch (err) {
      if (err instanceof members.InvitationUnusable) return showInvitation(req, reply, token, 410, err.problem.key)
      throw err
    }
  })

  // 代填: a broker enters a need for a group in their area; with leaders it waits for a leader's confirmation.
  app.get('/orgs/:id/needs/new', { config: { access: 'broker' }, schema: { params: idParam } }, async (req, reply) => {
    const id = orgParam(req)
    const org = orgs.get(app.db, id)
    if (!org || !needs.entersFor(app.db, req.user!, id)) throw new NotFound()
    const values = { ...newFormValues(app.db, req), orgId: id, areaId: org.areaId }
    return reply.render('needs/new', { ...formContext(app.db, req, values as topics.ChipState), values, errors: {}, assisting: org })
  })

  app.post('/needs/:id/confirmation', { config: { access: 'signed_in' }, schema: { params: idParam, body: formSchema({}) } }, async (req, reply) => {
    const id = orgParam(req)
    needs.confirm(app.db, req.user!, id)
    reply.flash('members.assisted.confirmed')
    return redirectAfterPost(req, reply, `/needs/${id}`)
  })
}

export default membersRoutes
