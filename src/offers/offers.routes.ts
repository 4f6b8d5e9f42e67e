import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { randomUUID } from 'node:crypto'
import * as offers from './offers.js'
import { actingOrgIds } from '../accounts/accounts.js'
import * as areas from '../areas/areas.js'
import * as topics from '../topics/topics.js'
import * as invitations from '../inventory/invitations.js'
import type { ChipState } from '../topics/topics.js'
import { fields, formSchema, idParam, oneOf, str } from '../shared/forms.js'
import { rateLimited, redirectAfterPost, submitForm } from '../shared/http.js'
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
  offerFields,
  newFormValues,
  present,
  RenewFields,
  toForm,
} from '../listings/forms.js'
import { signedIn } from '../plugins/auth.js'
import { loadOfferPage, offerPageView } from './offers.pages.js'

const OfferBody = formSchema(offerFields, ['orgId', 'category', 'title', 'quantity', 'servesAreaId'])
// A new offer may answer an invitation to give (inventory/invitations.ts): the link's secret rides along.
const NewOfferBody = formSchema({ ...offerFields, give: str(100) }, [
  'orgId',
  'category',
  'title',
  'quantity',
  'servesAreaId',
])
const NewOfferQuery = fields({ ...NewFormQuery.properties, give: str(100) })
const OffersQuery = browseQuery({ status: oneOf(offers.STATUS_FILTERS), sort: oneOf(offers.SORTS) })

const offersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const showForm = (
    req: FastifyRequest,
    reply: FastifyReply,
    page: 'new' | 'edit',
    values: unknown,
    errors: FieldErrors = {},
    status = 200,
  ) =>
    reply.render(
      `offers/${page}`,
      { ...formContext(app.db, req, values as ChipState), values, errors },
      { status, partial: 'offers/form' },
    )

  app.get(
    '/offers',
    { config: { access: 'anyone' }, schema: { querystring: OffersQuery }, attachValidation: true },
    async (req, reply) => {
      const query = req.validationError ? {} : req.query
      const page = offers.list(app.db, query)
      const names = topics.namer(app.db, req.locale)
      return reply.render(
        'offers/index',
        {
          ...page,
          items: page.items.map((n) => present(n, req.locale, names)),
          query,
          topicOptions: topics.options(app.db, req.locale),
          categoryNames: categoryNames(app.db, req.locale),
          categories: allCategories(app.db),
          areaOptions: areas.options(app.db, req.locale),
          statuses: offers.STATUS_FILTERS,
          sorts: offers.SORTS,
        },
        { partial: 'offers/list' },
      )
    },
  )

  // `?orgId=`: the group just registered on the way here (orgs/new sends people back to the form they came from).
  app.get(
    '/offers/new',
    { config: { access: 'signed_in' }, schema: { querystring: NewOfferQuery }, attachValidation: true },
    async (req, reply) => {
      const q: typeof req.query = req.validationError ? {} : req.query
      const invited = q.give ? invitations.find(app.db, q.give) : undefined
      if (q.give && !invited) reply.flash('inventory.give.expired')
      if (actingOrgIds(signedIn(req)).length === 0)
        return reply
          .flash('needs.no_org')
          .redirect(`/orgs/new?next=%2Foffers%2Fnew${invited ? `&give=${encodeURIComponent(q.give!)}` : ''}`, 303)
      const values = newFormValues(app.db, req, q.orgId)
      return showForm(
        req,
        reply,
        'new',
        invited ? { ...values, ...invitations.offerDefaults(invited.prospect), give: q.give } : values,
      )
    },
  )

  app.post(
    '/offers',
    {
      config: { access: 'signed_in', ...rateLimited(app.config, 30) },
      schema: { body: NewOfferBody },
      attachValidation: true,
    },
    async (req, reply) => {
      const body = req.body
      return submitForm(
        req,
        reply,
        (errors, status) => showForm(req, reply, 'new', body, errors, status),
        () => {
          const user = signedIn(req)
          const give = typeof body.give === 'string' && body.give ? body.give : undefined
          const offer = offers.post(
            app.db,
            user,
            fromForm({ ...body, give: undefined }),
            new Date(),
            give
              ? (tx, o) => {
                  invitations.redeem(tx, user, give, o)
                }
              : undefined,
          )
          reply.flash(offer.status === 'draft' ? 'offers.drafted' : 'offers.posted')
          return redirectAfterPost(req, reply, `/offers/${offer.id}`)
        },
      )
    },
  )

  app.get('/offers/:id', { config: { access: 'anyone' }, schema: { params: idParam } }, async (req, reply) => {
    const data = loadOfferPage(app.db, req.user, req.params.id, req.locale, app.config.baseUrl)
    if (!data) throw new NotFound()
    return reply.render('offers/show', offerPageView(data, req.t, randomUUID()))
  })

  app.get('/offers/:id/edit', { config: { access: 'signed_in' }, schema: { params: idParam } }, async (req, reply) => {
    const offer = offers.findEditable(app.db, signedIn(req), req.params.id)
    if (!offer) throw new NotFound()
    return showForm(req, reply, 'edit', toForm(offer))
  })

  app.post(
    '/offers/:id',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: OfferBody }, attachValidation: true },
    async (req, reply) => {
      const { id } = req.params
      const current = offers.findEditable(app.db, signedIn(req), id)
      if (!current) throw new NotFound()
      const body = req.body
      return submitForm(
        req,
        reply,
        (errors, status) => showForm(req, reply, 'edit', { ...body, id }, errors, status),
        () => {
          offers.edit(app.db, signedIn(req), id, {
            ...fromEditForm<offers.OfferInput>(body, current.schedule),
            version: body.version ?? 0,
          })
          reply.flash('offers.saved')
          return redirectAfterPost(req, reply, `/offers/${id}`)
        },
      )
    },
  )

  app.post(
    '/offers/:id/closure',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: formSchema(CloseFields, ['reason']) } },
    async (req, reply) => {
      const { id } = req.params
      offers.close(app.db, signedIn(req), id, req.body.reason)
      reply.flash('offers.closed')
      return redirectAfterPost(req, reply, `/offers/${id}`)
    },
  )

  app.post(
    '/offers/:id/renewal',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: formSchema(RenewFields) } },
    async (req, reply) => {
      const { id } = req.params
      const offer = offers.renew(app.db, signedIn(req), id, req.body.expiresAt)
      reply.flash('offers.renewed', { date: offer.expiresAt ?? '' })
      return redirectAfterPost(req, reply, `/offers/${id}`)
    },
  )
}

export default offersRoutes
