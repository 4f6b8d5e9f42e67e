import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import * as orgs from './orgs.js'
import { afterRegistering, loadOrg, newOrgValues, orgFormData, orgFormView, orgView } from './orgs.pages.js'
import * as areas from '../areas/areas.js'
import { FOCUS_GROUPS, ORG_KINDS } from '../db/schema.js'
import { fields, formSchema, idParam, int, listOf, oneOf, str, text } from '../shared/forms.js'
import { signedIn } from '../plugins/auth.js'
import { redirectAfterPost, submitForm } from '../shared/http.js'
import { NotFound, type FieldErrors } from '../shared/errors.js'

/** The forms that send someone to register a group first, and get them back with it chosen. */
const NEXT_FORMS = ['/needs/new', '/offers/new'] as const
// `give`: an invitation to give (inventory/invitations.ts) carried through registration back to its offer form.
const NewOrgQuery = fields({ next: oneOf(NEXT_FORMS), give: str(100) })

const OrgBody = formSchema(
  {
    name: str(80, 2),
    kind: oneOf(ORG_KINDS),
    areaId: int(1, 2_147_483_647),
    registered: oneOf(['on', 'true', '1']),
    focus: listOf(FOCUS_GROUPS),
    members: int(1, 100_000),
    description: text(2000),
    contactPhone: Type.String({ maxLength: 30, pattern: '^[0-9+()\\- ]*$' }),
    contactEmail: Type.String({ format: 'email', maxLength: 254 }),
    version: int(1, 1e9),
    next: oneOf(NEXT_FORMS),
    give: str(100),
  },
  ['name', 'kind', 'areaId'],
)
const OrgsQuery = fields({ kind: oneOf(ORG_KINDS), area: int(1, 2_147_483_647), q: str(80), page: int(1, 100_000) })

type OrgBodyT = Static<typeof OrgBody>
const toInput = ({ next: _next, give: _give, ...b }: OrgBodyT): orgs.OrgInput => ({
  ...b,
  registered: b.registered !== undefined,
})
const toEdit = (b: OrgBodyT) => ({ ...toInput(b), version: b.version ?? 0 })

const orgsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // `trust` (editing only) is the saved one.
  const showForm = (
    req: FastifyRequest,
    reply: FastifyReply,
    page: 'new' | 'edit',
    values: object,
    {
      errors = {} as FieldErrors,
      status = 200,
      trust,
    }: { errors?: FieldErrors; status?: number; trust?: orgs.Trust } = {},
  ) =>
    reply.render(`orgs/${page}`, orgFormView(orgFormData(app.db, req.locale), values, errors, trust), {
      status,
      partial: 'orgs/form',
    })

  app.get(
    '/orgs',
    { config: { access: 'anyone' }, schema: { querystring: OrgsQuery }, attachValidation: true },
    async (req, reply) => {
      const query: orgs.OrgQuery = req.validationError ? {} : req.query
      const data = {
        ...orgs.list(app.db, query),
        query,
        kinds: ORG_KINDS,
        areaOptions: areas.options(app.db, req.locale),
      }
      return reply.render('orgs/index', data, { partial: 'orgs/list' })
    },
  )

  app.get(
    '/orgs/new',
    { config: { access: 'signed_in' }, schema: { querystring: NewOrgQuery }, attachValidation: true },
    async (req, reply) => {
      const q = req.validationError ? {} : req.query
      return reply.render('orgs/new', orgFormView(orgFormData(app.db, req.locale), newOrgValues(app.db, q)))
    },
  )

  app.post(
    '/orgs',
    { config: { access: 'signed_in' }, schema: { body: OrgBody }, attachValidation: true },
    async (req, reply) => {
      const refill = (errors: FieldErrors, status: number) => showForm(req, reply, 'new', req.body, { errors, status })
      return submitForm(req, reply, refill, () => {
        const org = orgs.register(app.db, signedIn(req), toInput(req.body))
        const { flash, url } = afterRegistering(org.id, req.body)
        return redirectAfterPost(req, reply.flash(flash), url)
      })
    },
  )

  app.get('/orgs/:id', { config: { access: 'anyone' }, schema: { params: idParam } }, async (req, reply) =>
    reply.render('orgs/show', orgView(loadOrg(app.db, req.user, req.params.id))),
  )

  app.get('/orgs/:id/edit', { config: { access: 'signed_in' }, schema: { params: idParam } }, async (req, reply) => {
    const org = orgs.findEditable(app.db, signedIn(req), req.params.id)
    if (!org) throw new NotFound()
    return showForm(req, reply, 'edit', org, { trust: org.trust })
  })

  app.post(
    '/orgs/:id',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: OrgBody }, attachValidation: true },
    async (req, reply) => {
      const { id } = req.params
      const org = orgs.findEditable(app.db, signedIn(req), id)
      if (!org) throw new NotFound()
      const refill = (errors: FieldErrors, status: number) =>
        showForm(req, reply, 'edit', { ...req.body, id }, { errors, status, trust: org.trust })
      return submitForm(req, reply, refill, () => {
        const { trustReset } = orgs.update(app.db, signedIn(req), id, toEdit(req.body))
        return redirectAfterPost(req, reply.flash(trustReset ? 'orgs.saved_trust_reset' : 'orgs.saved'), `/orgs/${id}`)
      })
    },
  )

  // Trust changes are resources of their own: a vouching, an endorsement.
  app.post(
    '/orgs/:id/vouching',
    { config: { access: 'broker' }, schema: { params: idParam, body: formSchema({}) } },
    async (req, reply) => {
      const { id } = req.params
      orgs.vouch(app.db, signedIn(req), id)
      reply.flash('orgs.vouched')
      return redirectAfterPost(req, reply, `/orgs/${id}`)
    },
  )

  app.post(
    '/orgs/:id/endorsement',
    { config: { access: 'admin' }, schema: { params: idParam, body: formSchema({}) } },
    async (req, reply) => {
      const { id } = req.params
      orgs.endorse(app.db, signedIn(req), id)
      reply.flash('orgs.endorsed')
      return redirectAfterPost(req, reply, `/orgs/${id}`)
    },
  )
}

export default orgsRoutes
