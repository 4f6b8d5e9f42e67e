import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { randomUUID } from 'node:crypto'
import * as needs from './needs.js'
import { actingOrgIds } from '../accounts/accounts.js'
import * as areas from '../areas/areas.js'
import * as topics from '../topics/topics.js'
import type { ChipState } from '../topics/topics.js'
import { URGENCIES } from '../db/schema.js'
import { formSchema, idParam, oneOf } from '../shared/forms.js'
import { rateLimited, redirectAfterPost, submitForm } from '../shared/http.js'
import { signedIn } from '../plugins/auth.js'
import { loadNeedPage, needPageView } from './needs.pages.js'
import { NotFound, type FieldErrors } from '../shared/errors.js'
import { allCategories } from '../listings/listings.js'
import {
  browseQuery,
  NewFormQuery,
  categoryNames,
  CloseFields,
  formContext,
  fromEditForm,
  fromForm,
  needFields,
  newFormValues,
  present,
  RenewFields,
  toForm,
} from '../listings/forms.js'

const NeedBody = formSchema(needFields, ['orgId', 'category', 'title', 'quantity', 'areaId'])
const NeedsQuery = browseQuery({
  urgency: oneOf(URGENCIES),
  status: oneOf(needs.STATUS_FILTERS),
  sort: oneOf(needs.SORTS),
})

const needsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const showForm = (
    req: FastifyRequest,
    reply: FastifyReply,
    page: 'new' | 'edit',
    values: unknown,
    errors: FieldErrors = {},
    status = 200,
  ) =>
    reply.render(
      `needs/${page}`,
      { ...formContext(app.db, req, values as ChipState), values, errors },
      { status, partial: 'needs/form' },
    )

  app.get(
    '/needs',
    { config: { access: 'anyone' }, schema: { querystring: NeedsQuery }, attachValidation: true },
    async (req, reply) => {
      const query = req.validationError ? {} : req.query
      const page = needs.list(app.db, query)
      const names = topics.namer(app.db, req.locale)
      return reply.render(
        'needs/index',
        {
          ...page,
          items: page.items.map((n) => present(n, req.locale, names)),
          query,
          topicOptions: topics.options(app.db, req.locale),
          categoryNames: categoryNames(app.db, req.locale),
          categories: allCategories(app.db),
          areaOptions: areas.options(app.db, req.locale),
          urgencies: URGENCIES,
          statuses: needs.STATUS_FILTERS,
          sorts: needs.SORTS,
        },
        { partial: 'needs/list' },
      )
    },
  )

  // `?orgId=`: the group just registered on the way here (orgs/new sends people back to the form they came from).
  app.get(
    '/needs/new',
    { config: { access: 'signed_in' }, schema: { querystring: NewFormQuery }, attachValidation: true },
    async (req, reply) => {
      if (actingOrgIds(signedIn(req)).length === 0)
        return reply.flash('needs.no_org').redirect('/orgs/new?next=%2Fneeds%2Fnew', 303)
      return showForm(req, reply, 'new', newFormValues(app.db, req, req.validationError ? undefined : req.query.orgId))
    },
  )

  app.post(
    '/needs',
    {
      config: { access: 'signed_in', ...rateLimited(app.config, 30) },
      schema: { body: NeedBody },
      attachValidation: true,
    },
    async (req, reply) => {
      const body = req.body
      return submitForm(
        req,
        reply,
        (errors, status) => showForm(req, reply, 'new', body, errors, status),
        () => {
          const need = needs.post(app.db, signedIn(req), fromForm(body))
          reply.flash(need.status === 'draft' ? 'needs.drafted' : 'needs.posted')
          return redirectAfterPost(req, reply, `/needs/${need.id}`)
        },
      )
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
    { config: { access: 'signed_in' }, schema: { params: idParam, body: NeedBody }, attachValidation: true },
    async (req, reply) => {
      const { id } = req.params
      const current = needs.findEditable(app.db, signedIn(req), id)
      if (!current) throw new NotFound()
      const body = req.body
      return submitForm(
        req,
        reply,
        (errors, status) => showForm(req, reply, 'edit', { ...body, id }, errors, status),
        () => {
          needs.edit(app.db, signedIn(req), id, {
            ...fromEditForm<needs.NeedInput>(body, current.schedule),
            version: body.version ?? 0,
          })
          reply.flash('needs.saved')
          return redirectAfterPost(req, reply, `/needs/${id}`)
        },
      )
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
