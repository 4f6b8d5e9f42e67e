import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { randomUUID } from 'node:crypto'
import * as offers from './offers.js'
import * as offerQueries from './offer-queries.js'
import { fields, formSchema, idParam, oneOf, str } from '../shared/forms.js'
import { rateLimited, redirectAfterPost, submitForm } from '../shared/http.js'
import { NotFound, type FieldErrors } from '../shared/errors.js'
import {
  browseQuery,
  NewFormQuery,
  CloseFields,
  fromEditForm,
  offerFields,
  OfferForm,
  RenewFields,
} from '../listings/forms.js'
import {
  listingFormView,
  listPageView,
  loadListingForm,
  loadListPage,
  toForm,
  type FormValues,
} from '../listings/listings.pages.js'
import { signedIn } from '../plugins/auth.js'
import { loadNewOffer, loadOfferPage, newOfferStart, offerPageView, postOffer } from './offers.pages.js'

// A new offer may answer an invitation to give (inventory/invitations.ts): the link's secret rides along.
const NewOfferBody = formSchema({ ...offerFields, give: str(100) }, [
  'orgId',
  'category',
  'title',
  'quantity',
  'servesAreaId',
])
const NewOfferQuery = fields({ ...NewFormQuery.properties, give: str(100) })
const OffersQuery = browseQuery({ status: oneOf(offerQueries.STATUS_FILTERS), sort: oneOf(offerQueries.SORTS) })

const offersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const showForm = (
    req: FastifyRequest,
    reply: FastifyReply,
    page: 'new' | 'edit',
    values: FormValues,
    errors: FieldErrors = {},
    status = 200,
  ) => {
    const data = loadListingForm(app.db, signedIn(req), req.locale, values)
    return reply.render(`offers/${page}`, listingFormView(data, req.locale, values, errors), {
      status,
      partial: 'offers/form',
    })
  }

  app.get(
    '/offers',
    { config: { access: 'anyone' }, schema: { querystring: OffersQuery }, attachValidation: true },
    async (req, reply) => {
      const data = loadListPage(app.db, req.locale, req.validationError ? {} : req.query, offerQueries.list)
      return reply.render('offers/index', listPageView('offer', data, req.locale), { partial: 'offers/list' })
    },
  )

  // `?orgId=`: the group just registered on the way here (orgs/new sends people back to the form they came from).
  app.get(
    '/offers/new',
    { config: { access: 'signed_in' }, schema: { querystring: NewOfferQuery }, attachValidation: true },
    async (req, reply) => {
      const start = newOfferStart(loadNewOffer(app.db, signedIn(req), req.validationError ? {} : req.query))
      if (start.expired) reply.flash('inventory.give.expired')
      if (start.redirect !== undefined) return reply.flash('needs.no_org').redirect(start.redirect, 303)
      return showForm(req, reply, 'new', start.values)
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
      const refill = (errors: FieldErrors, status: number) => showForm(req, reply, 'new', req.body, errors, status)
      return submitForm(req, reply, refill, () => {
        const offer = postOffer(app.db, signedIn(req), req.body)
        reply.flash(offer.status === 'draft' ? 'offers.drafted' : 'offers.posted')
        return redirectAfterPost(req, reply, `/offers/${offer.id}`)
      })
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
    { config: { access: 'signed_in' }, schema: { params: idParam, body: OfferForm }, attachValidation: true },
    async (req, reply) => {
      const { id } = req.params
      const current = offers.findEditable(app.db, signedIn(req), id)
      if (!current) throw new NotFound()
      const refill = (errors: FieldErrors, status: number) =>
        showForm(req, reply, 'edit', { ...req.body, id }, errors, status)
      return submitForm(req, reply, refill, () => {
        offers.edit(app.db, signedIn(req), id, fromEditForm(req.body, current.schedule))
        return redirectAfterPost(req, reply.flash('offers.saved'), `/offers/${id}`)
      })
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
