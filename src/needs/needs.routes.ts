import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { randomUUID } from 'node:crypto'
import * as needs from './needs.js'
import * as needQueries from './need-queries.js'
import { actingOrgIds } from '../accounts/accounts.js'
import { URGENCIES } from '../db/schema.js'
import { formSchema, idParam, oneOf } from '../shared/forms.js'
import { rateLimited, redirectAfterPost, submitForm } from '../shared/http.js'
import { signedIn } from '../plugins/auth.js'
import { loadNeedPage, needPageView } from './needs.pages.js'
import { NotFound, type FieldErrors } from '../shared/errors.js'
import {
  browseQuery,
  NewFormQuery,
  CloseFields,
  fromEditForm,
  fromForm,
  NeedForm,
  RenewFields,
} from '../listings/forms.js'
import {
  listingFormView,
  listPageView,
  loadListingForm,
  loadListPage,
  loadNewListingValues,
  toForm,
  type FormValues,
} from '../listings/listings.pages.js'

const NeedsQuery = browseQuery({
  urgency: oneOf(URGENCIES),
  status: oneOf(needQueries.STATUS_FILTERS),
  sort: oneOf(needQueries.SORTS),
})

const needsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const showForm = (
    req: FastifyRequest,
    reply: FastifyReply,
    page: 'new' | 'edit',
    values: FormValues,
    errors: FieldErrors = {},
    status = 200,
  ) => {
    const data = loadListingForm(app.db, signedIn(req), req.locale, values)
    return reply.render(`needs/${page}`, listingFormView(data, req.locale, values, errors), {
      status,
      partial: 'needs/form',
    })
  }

  app.get(
    '/needs',
    { config: { access: 'anyone' }, schema: { querystring: NeedsQuery }, attachValidation: true },
    async (req, reply) => {
      const data = loadListPage(app.db, req.locale, req.validationError ? {} : req.query, needQueries.list)
      return reply.render('needs/index', listPageView('need', data, req.locale), { partial: 'needs/list' })
    },
  )

  // `?orgId=`: the group just registered on the way here (orgs/new sends people back to the form they came from).
  app.get(
    '/needs/new',
    { config: { access: 'signed_in' }, schema: { querystring: NewFormQuery }, attachValidation: true },
    async (req, reply) => {
      if (actingOrgIds(signedIn(req)).length === 0)
        return reply.flash('needs.no_org').redirect('/orgs/new?next=%2Fneeds%2Fnew', 303)
      const orgId = req.validationError ? undefined : req.query.orgId
      return showForm(req, reply, 'new', loadNewListingValues(app.db, signedIn(req), orgId))
    },
  )

  app.post(
    '/needs',
    {
      config: { access: 'signed_in', ...rateLimited(app.config, 30) },
      schema: { body: NeedForm },
      attachValidation: true,
    },
    async (req, reply) => {
      const refill = (errors: FieldErrors, status: number) => showForm(req, reply, 'new', req.body, errors, status)
      return submitForm(req, reply, refill, () => {
        const need = needs.post(app.db, signedIn(req), fromForm(req.body))
        reply.flash(need.status === 'draft' ? 'needs.drafted' : 'needs.posted')
        return redirectAfterPost(req, reply, `/needs/${need.id}`)
      })
    },
  )

  app.get('/needs/:id', { config: { access: 'anyone' }, schema: { params: idParam } }, async (req, reply) => {
    const data = loadNeedPage(app.db, req.user, req.params.id, req.locale, app.config.baseUrl)
    if (!data) throw new NotFound()
    return reply.render('needs/show', needPageView(data, randomUUID()))
  })

  app.get('/needs/:id/edit', { config: { access: 'signed_in' }, schema: { params: idParam } }, async (req, reply) => {
    const need = needs.findEditable(app.db, signedIn(req), req.params.id)
    if (!need) throw new NotFound()
    return showForm(req, reply, 'edit', toForm(need))
  })

  app.post(
    '/needs/:id',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: NeedForm }, attachValidation: true },
    async (req, reply) => {
      const { id } = req.params
      const current = needs.findEditable(app.db, signedIn(req), id)
      if (!current) throw new NotFound()
      const refill = (errors: FieldErrors, status: number) =>
        showForm(req, reply, 'edit', { ...req.body, id }, errors, status)
      return submitForm(req, reply, refill, () => {
        needs.edit(app.db, signedIn(req), id, fromEditForm(req.body, current.schedule))
        return redirectAfterPost(req, reply.flash('needs.saved'), `/needs/${id}`)
      })
    },
  )

  app.post(
    '/needs/:id/closure',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: formSchema(CloseFields, ['reason']) } },
    async (req, reply) => {
      const { id } = req.params
      needs.close(app.db, signedIn(req), id, req.body.reason)
      reply.flash('needs.closed')
      return redirectAfterPost(req, reply, `/needs/${id}`)
    },
  )

  app.post(
    '/needs/:id/renewal',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: formSchema(RenewFields) } },
    async (req, reply) => {
      const { id } = req.params
      const need = needs.renew(app.db, signedIn(req), id, req.body.expiresAt)
      reply.flash('needs.renewed', { date: need.expiresAt ?? '' })
      return redirectAfterPost(req, reply, `/needs/${id}`)
    },
  )
}

export default needsRoutes
