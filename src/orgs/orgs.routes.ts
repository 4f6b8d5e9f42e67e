import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import * as orgs from './orgs.js'
import * as invitations from '../inventory/invitations.js'
import * as members from '../members/members.js'
import * as matchesSvc from '../brokering/matches.js'
import * as capacity from '../capacity/capacity.js'
import * as partnerships from '../brokering/partnerships.js'
import { PARTNERSHIP_END_REASONS } from '../db/schema.js'
import * as areas from '../areas/areas.js'
import { FOCUS_GROUPS, ORG_KINDS } from '../db/schema.js'
import { formSchema, idParam, int, listOf, oneOf, str, text } from '../shared/forms.js'
import { redirectAfterPost, submitForm } from '../shared/http.js'
import { NotFound, type FieldErrors } from '../shared/errors.js'
import * as coverage from '../areas/coverage.js'

/** The forms that send someone to register a group first, and get them back with it chosen. */
const NEXT_FORMS = ['/needs/new', '/offers/new'] as const
// `give`: an invitation to give (inventory/invitations.ts) carried through registration back to its offer form.
const NewOrgQuery = { type: 'object', properties: { next: oneOf(NEXT_FORMS), give: str(100) } }

const OrgBody = formSchema({
  name: str(80, 2), kind: oneOf(ORG_KINDS), areaId: int(1, 2_147_483_647), registered: oneOf(['on', 'true', '1']),
  focus: listOf(FOCUS_GROUPS), members: int(1, 100_000), description: text(2000),
  contactPhone: { type: 'string', maxLength: 30, pattern: '^[0-9+()\\- ]*$' }, contactEmail: { type: 'string', format: 'email', maxLength: 254 },
  version: int(1, 1e9), next: oneOf(NEXT_FORMS), give: str(100),
}, ['name', 'kind', 'areaId'])
const OrgsQuery = { type: 'object', properties: { kind: oneOf(ORG_KINDS), area: int(1, 2_147_483_647), q: str(80), page: int(1, 100_000) } }

type OrgBodyT = orgs.OrgInput & { registered?: string; version?: number; next?: string; give?: string }
const toInput = ({ next: _next, give: _give, ...b }: OrgBodyT): orgs.OrgInput => ({ ...b, registered: b.registered !== undefined })

const orgsRoutes: FastifyPluginAsync = async (app) => {
  const formData = (req: FastifyRequest) => ({ form: true, kinds: ORG_KINDS, focusGroups: FOCUS_GROUPS, areaOptions: areas.options(app.db, req.locale) })

  app.get('/orgs', { config: { access: 'anyone' }, schema: { querystring: OrgsQuery }, attachValidation: true }, async (req, reply) => {
    const query = req.validationError ? {} : (req.query as orgs.OrgQuery)
    return reply.render('orgs/index', { ...orgs.list(app.db, query), query, kinds: ORG_KINDS, areaOptions: areas.options(app.db, req.locale) }, { partial: 'orgs/list' })
  })

  app.get('/orgs/new', { config: { access: 'signed_in' }, schema: { querystring: NewOrgQuery }, attachValidation: true }, async (req, reply) => {
    const q = req.validationError ? {} : (req.query as { next?: string; give?: string })
    // Invited to give: the group starts as the prospect the broker wrote down (its name and community).
    const invited = q.give ? invitations.find(app.db, q.give) : undefined
    const from = invited ? { name: invited.prospect.name, areaId: invited.prospect.areaId, give: q.give } : {}
    return reply.render('orgs/new', { ...formData(req), values: { kind: 'community_group', focus: [], next: q.next, ...from } })
  })

  app.post('/orgs', { config: { access: 'signed_in' }, schema: { body: OrgBody }, attachValidation: true }, async (req, reply) => {
    const body = req.body as OrgBodyT
    const showForm = (errors: FieldErrors, status: number) => reply.render('orgs/new', { ...formData(req), errors, values: body }, { status, partial: 'orgs/form' })
    return submitForm(req, reply, showForm, () => {
      const org = orgs.register(app.db, req.user!, toInput(body))
      if (body.next) return redirectAfterPost(req, reply.flash('orgs.created_back'), `${body.next}?orgId=${org.id}${body.give ? `&give=${encodeURIComponent(body.give)}` : ''}`)
      reply.flash('orgs.created')
      return redirectAfterPost(req, reply, `/orgs/${org.id}`)
    })
  })

  /** Who answers for the group, and what this visitor may do about its people (members/ does the work). */
  const groupPanel = (user: FastifyRequest['user'], id: number, areaId: number) => ({
    canManagePeople: members.canManage(user, id),
    lookedAfterByMe: !!user?.lookedAfterOrgIds.includes(id) && !user.orgIds.includes(id),
    canAssist: !!user && user.role === 'broker' && coverage.brokerCovers(app.db, user, areaId),
    canJoin: !!user && !user.orgIds.includes(id) && !user.memberOrgIds.includes(id),
    joinPending: !!user && !!members.openRequestOf(app.db, user.id, id),
    isMember: !!user?.memberOrgIds.includes(id),
    unanswered: !matchesSvc.answeredFor(app.db, id),
  })

  app.get('/orgs/:id', { config: { access: 'anyone' }, schema: { params: idParam } }, async (req, reply) => {
    const { id } = req.params as { id: number }
    const org = orgs.get(app.db, id)
    if (!org) throw new NotFound()
    const user = req.user
    return reply.render('orgs/show', {
      org, title: org.name, leaders: orgs.leaders(app.db, id), canEdit: !!user?.orgIds.includes(id), ...groupPanel(user ?? null, id, org.areaId),
      canVouch: !!user && org.trust === 'self_declared' && coverage.brokerCovers(app.db, user, org.areaId),
      canEndorse: user?.role === 'admin' && org.trust !== 'endorsed',
      // The capacity record is internal: undefined (nothing shown) for visitors and other organizations.
      capacity: capacity.section(app.db, user ?? null, id),
      partnerships: partnerships.forOrg(app.db, user ?? null, org), partnershipReasons: PARTNERSHIP_END_REASONS,
    })
  })

  // `trust` is the saved one: a vouched or endorsed organization is told that changing its kind or area withdraws that.
  const showEdit = (req: FastifyRequest, reply: FastifyReply, trust: orgs.Trust, values: unknown, errors: FieldErrors = {}, status = 200) =>
    reply.render('orgs/edit', { ...formData(req), values, errors, trustAtStake: trust !== 'self_declared', trust }, { status, partial: 'orgs/form' })

  app.get('/orgs/:id/edit', { config: { access: 'signed_in' }, schema: { params: idParam } }, async (req, reply) => {
    const org = orgs.findEditable(app.db, req.user!, (req.params as { id: number }).id)
    if (!org) throw new NotFound()
    return showEdit(req, reply, org.trust, org)
  })

  app.post('/orgs/:id', { config: { access: 'signed_in' }, schema: { params: idParam, body: OrgBody }, attachValidation: true }, async (req, reply) => {
    const { id } = req.params as { id: number }
    const org = orgs.findEditable(app.db, req.user!, id)
    if (!org) throw new NotFound()
    const body = req.body as OrgBodyT
    return submitForm(req, reply, (errors, status) => showEdit(req, reply, org.trust, { ...body, id }, errors, status), () => {
      const { trustReset } = orgs.update(app.db, req.user!, id, { ...toInput(body), version: body.version ?? 0 })
      reply.flash(trustReset ? 'orgs.saved_trust_reset' : 'orgs.saved')
      return redirectAfterPost(req, reply, `/orgs/${id}`)
    })
  })

  // Trust changes are resources of their own: a vouching, an endorsement.
  app.post('/orgs/:id/vouching', { config: { access: 'broker' }, schema: { params: idParam, body: formSchema({}) } }, async (req, reply) => {
    const { id } = req.params as { id: number }
    orgs.vouch(app.db, req.user!, id)
    reply.flash('orgs.vouched')
    return redirectAfterPost(req, reply, `/orgs/${id}`)
  })

  app.post('/orgs/:id/endorsement', { config: { access: 'admin' }, schema: { params: idParam, body: formSchema({}) } }, async (req, reply) => {
    const { id } = req.params as { id: number }
    orgs.endorse(app.db, req.user!, id)
    reply.flash('orgs.endorsed')
    return redirectAfterPost(req, reply, `/orgs/${id}`)
  })
}

export default orgsRoutes
