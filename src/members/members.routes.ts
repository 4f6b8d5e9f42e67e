import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import * as members from './members.js'
import * as invitations from './invitations.js'
import * as joining from './join-requests.js'
import {
  afterRemoval,
  invitationLink,
  invitationView,
  loadPeople,
  peopleView,
  refusalView,
  type PeopleExtra,
} from './members.pages.js'
import * as needs from '../needs/needs.js'
import { fields, formSchema, idParam, int, oneOf, secret, text } from '../shared/forms.js'
import { signedIn } from '../plugins/auth.js'
import { redirectAfterPost, submitForm } from '../shared/http.js'
import { NotFound, type FieldErrors } from '../shared/errors.js'
import { assistedNeedFormView, loadAssistedNeedForm } from '../needs/needs.pages.js'

const id32 = int(1, 2_147_483_647)
const twoIds = <const K extends string>(second: K) =>
  fields({ id: id32, [second]: id32 } as { id: typeof id32 } & Record<K, typeof id32>, ['id', second])
const InviteBody = formSchema(
  { role: oneOf(members.GROUP_ROLES), email: { type: 'string', format: 'email', maxLength: 254 } },
  ['role'],
)
const RoleBody = formSchema({ role: oneOf(members.GROUP_ROLES) }, ['role'])
const HandOverBody = formSchema({ userId: id32 }, ['userId'])
const JoinBody = formSchema({ message: text(500) })
const DecisionBody = formSchema({ decision: oneOf(['approve', 'decline']) }, ['decision'])
const TokenQuery = fields({ token: secret(100) })
const TokenBody = formSchema({ token: secret(100, 1) }, ['token'])

/** A group's people (leaders, or the broker looking after it), invitations, requests to join. */
const membersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const showPeople = (req: FastifyRequest, reply: FastifyReply, orgId: number, extra: PeopleExtra = {}, status = 200) =>
    reply.render('orgs/people', peopleView(loadPeople(app.db, signedIn(req), orgId), signedIn(req), req.t, extra), {
      status,
    })
  // A write refused on the people page: the page again, with what went wrong.
  const refusedOn =
    (req: FastifyRequest, reply: FastifyReply, orgId: number) => (errors: FieldErrors, status: number) =>
      showPeople(req, reply, orgId, { errors }, status)
  // Someone leaving a group they cannot manage has no people page to be shown the refusal on.
  const refusedOnErrorPage = (req: FastifyRequest, reply: FastifyReply) => (errors: FieldErrors, status: number) =>
    reply.render('error', refusalView(errors, status, req.t), { status })

  app.get('/orgs/:id/people', { config: { access: 'signed_in' }, schema: { params: idParam } }, async (req, reply) =>
    showPeople(req, reply, req.params.id),
  )

  app.post(
    '/orgs/:id/invitations',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: InviteBody }, attachValidation: true },
    async (req, reply) => {
      const { id } = req.params
      const refill = (errors: FieldErrors, status: number) =>
        showPeople(req, reply, id, { errors, values: req.body }, status)
      return submitForm(req, reply, refill, () => {
        const { role, email } = req.body
        const { token } = invitations.invite(app.db, signedIn(req), id, { role, email, locale: req.locale })
        if (!email) return showPeople(req, reply, id, { link: invitationLink(app.config.baseUrl, token) })
        return redirectAfterPost(req, reply.flash('members.invited_by_email', { email }), `/orgs/${id}/people`)
      })
    },
  )

  app.post(
    '/orgs/:id/invitations/:invitationId/revocation',
    { config: { access: 'signed_in' }, schema: { params: twoIds('invitationId'), body: formSchema({}) } },
    async (req, reply) => {
      const { id, invitationId } = req.params
      invitations.revoke(app.db, signedIn(req), id, invitationId)
      reply.flash('members.revoked')
      return redirectAfterPost(req, reply, `/orgs/${id}/people`)
    },
  )

  app.post(
    '/orgs/:id/people/:userId',
    { config: { access: 'signed_in' }, schema: { params: twoIds('userId'), body: RoleBody }, attachValidation: true },
    async (req, reply) => {
      const { id, userId } = req.params
      return submitForm(req, reply, refusedOn(req, reply, id), () => {
        members.setRole(app.db, signedIn(req), id, userId, req.body.role)
        return redirectAfterPost(req, reply.flash('members.role_changed'), `/orgs/${id}/people`)
      })
    },
  )

  app.post(
    '/orgs/:id/people/:userId/removal',
    { config: { access: 'signed_in' }, schema: { params: twoIds('userId'), body: formSchema({}) } },
    async (req, reply) => {
      const { id, userId } = req.params
      const leaving = userId === signedIn(req).id
      const manages = members.canManage(req.user, id)
      const refuse = leaving && !manages ? refusedOnErrorPage(req, reply) : refusedOn(req, reply, id)
      return submitForm(req, reply, refuse, () => {
        members.remove(app.db, signedIn(req), id, userId)
        const { flash, url } = afterRemoval(id, leaving)
        return redirectAfterPost(req, reply.flash(flash), url)
      })
    },
  )

  app.post(
    '/orgs/:id/handover',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: HandOverBody }, attachValidation: true },
    async (req, reply) => {
      const { id } = req.params
      return submitForm(req, reply, refusedOn(req, reply, id), () => {
        members.handOver(app.db, signedIn(req), id, req.body.userId)
        return redirectAfterPost(req, reply.flash('members.handed_over'), `/orgs/${id}`)
      })
    },
  )

  app.post(
    '/orgs/:id/join-requests',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: JoinBody }, attachValidation: true },
    async (req, reply) => {
      const id = req.params.id
      if (req.validationError) throw new NotFound()
      joining.requestToJoin(app.db, signedIn(req), id, req.body.message ?? '')
      reply.flash('members.join_requested')
      return redirectAfterPost(req, reply, `/orgs/${id}`)
    },
  )

  app.post(
    '/orgs/:id/join-requests/:requestId',
    {
      config: { access: 'signed_in' },
      schema: { params: twoIds('requestId'), body: DecisionBody },
      attachValidation: true,
    },
    async (req, reply) => {
      const { id, requestId } = req.params
      return submitForm(req, reply, refusedOn(req, reply, id), () => {
        const approve = req.body.decision === 'approve'
        joining.decide(app.db, signedIn(req), id, requestId, approve)
        return redirectAfterPost(
          req,
          reply.flash(approve ? 'members.join_approved' : 'members.join_declined'),
          `/orgs/${id}/people`,
        )
      })
    },
  )

  // The invitation link: anyone may open it; joining needs an account (sign in or sign up, then come back).
  const showInvitation = (
    req: FastifyRequest,
    reply: FastifyReply,
    token: string | undefined,
    status = 200,
    problem?: string,
  ) => {
    const v = invitationView(
      token ? invitations.lookUp(app.db, token) : undefined,
      req.user,
      token,
      req.t,
      status,
      problem,
    )
    return reply.render('orgs/invitation', v.data, { status: v.status })
  }

  app.get(
    '/invitations',
    { config: { access: 'anyone' }, schema: { querystring: TokenQuery }, attachValidation: true },
    async (req, reply) => {
      return showInvitation(req, reply, req.validationError ? undefined : req.query.token)
    },
  )

  app.post(
    '/invitations',
    { config: { access: 'signed_in' }, schema: { body: TokenBody }, attachValidation: true },
    async (req, reply) => {
      if (req.validationError) return showInvitation(req, reply, undefined, 422)
      const token = req.body.token
      try {
        const joined = invitations.accept(app.db, signedIn(req), token)
        reply.flash(joined.role === 'leader' ? 'members.joined_leader' : 'members.joined_member')
        return redirectAfterPost(req, reply, `/orgs/${joined.orgId}`)
      } catch (err) {
        if (err instanceof invitations.InvitationUnusable)
          return showInvitation(req, reply, token, 410, err.problem.key)
        throw err
      }
    },
  )

  // 代填: a broker enters a need for a group in their area; with leaders it waits for a leader's confirmation.
  app.get('/orgs/:id/needs/new', { config: { access: 'broker' }, schema: { params: idParam } }, async (req, reply) => {
    const data = loadAssistedNeedForm(app.db, signedIn(req), req.params.id, req.locale)
    if (!data) throw new NotFound()
    return reply.render('needs/new', assistedNeedFormView(data, req.locale))
  })

  app.post(
    '/needs/:id/confirmation',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: formSchema({}) } },
    async (req, reply) => {
      const id = req.params.id
      needs.confirm(app.db, signedIn(req), id)
      reply.flash('members.assisted.confirmed')
      return redirectAfterPost(req, reply, `/needs/${id}`)
    },
  )
}

export default membersRoutes
