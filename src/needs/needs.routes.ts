import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { randomUUID } from 'node:crypto'
import * as needs from './needs.js'
import * as matching from '../matching/matching.js'
import * as matchesSvc from '../brokering/matches.js'
import { presenter } from '../matching/present.js'
import * as coverage from '../areas/coverage.js'
import { actingOrgIds, actsFor } from '../accounts/accounts.js'
import * as areas from '../areas/areas.js'
import * as topics from '../topics/topics.js'
import * as share from '../share/share.js'
import type { ChipState } from '../topics/topics.js'
import { URGENCIES } from '../db/schema.js'
import { formSchema, idParam, oneOf } from '../shared/forms.js'
import { CLOSE_REASONS } from '../db/schema.js'
import { rateLimited, redirectAfterPost, submitForm } from '../shared/http.js'
import { signedIn } from '../plugins/auth.js'
import { NotFound, type FieldErrors } from '../shared/errors.js'
import { allCategories, isActiveNeed, listingToday } from '../listings/listings.js'
import { browseQuery, NewFormQuery, categoryNames, CloseFields, formContext, fromEditForm, fromForm, needFields, newFormValues, present, RenewFields, toForm } from '../listings/forms.js'

const NeedBody = formSchema(needFields, ['orgId', 'category', 'title', 'quantity', 'areaId'])
const NeedsQuery = browseQuery({ urgency: oneOf(URGENCIES), status: oneOf(needs.STATUS_FILTERS), sort: oneOf(needs.SORTS) })

const needsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const showForm = (req: FastifyRequest, reply: FastifyReply, page: 'new' | 'edit', values: unknown, errors: FieldErrors = {}, status = 200) =>
    reply.render(`needs/${page}`, { ...formContext(app.db, req, values as ChipState), values, errors }, { status, partial: 'needs/form' })

  app.get('/needs', { config: { access: 'anyone' }, schema: { querystring: NeedsQuery }, attachValidation: true }, async (req, reply) => {
    const query = req.validationError ? {} : req.query
    const page = needs.list(app.db, query)
    const names = topics.namer(app.db, req.locale)
    return reply.render('needs/index', {
      ...page, items: page.items.map((n) => present(n, req.locale, names)), query, topicOptions: topics.options(app.db, req.locale), categoryNames: categoryNames(app.db, req.locale),
      categories: allCategories(app.db), areaOptions: areas.options(app.db, req.locale), urgencies: URGENCIES, statuses: needs.STATUS_FILTERS, sorts: needs.SORTS,
    }, { partial: 'needs/list' })
  })

  // `?orgId=`: the group just registered on the way here (orgs/new sends people back to the form they came from).
  app.get('/needs/new', { config: { access: 'signed_in' }, schema: { querystring: NewFormQuery }, attachValidation: true }, async (req, reply) => {
    if (actingOrgIds(signedIn(req)).length === 0) return reply.flash('needs.no_org').redirect('/orgs/new?next=%2Fneeds%2Fnew', 303)
    return showForm(req, reply, 'new', newFormValues(app.db, req, req.validationError ? undefined : req.query.orgId))
  })

  app.post('/needs', { config: { access: 'signed_in', ...rateLimited(app.config, 30) }, schema: { body: NeedBody }, attachValidation: true }, async (req, reply) => {
    const body = req.body
    return submitForm(req, reply, (errors, status) => showForm(req, reply, 'new', body, errors, status), () => {
      const need = needs.post(app.db, signedIn(req), fromForm(body))
      reply.flash(need.status === 'draft' ? 'needs.drafted' : 'needs.posted')
      return redirectAfterPost(req, reply, `/needs/${need.id}`)
    })
  })

  app.get('/needs/:id', { config: { access: 'anyone' }, schema: { params: idParam } }, async (req, reply) => {
    const need = needs.visible(app.db, req.user, req.params.id)
    if (!need) throw new NotFound()
    const owner = actsFor(req.user, need.orgId)
    // A met need asks for nothing more, and a draft or an ended one cannot be requested for: no buttons, and for a met one no list.
    const met = need.status === 'met'
    const active = isActiveNeed(need, listingToday(new Date()))
    const found = met ? { matches: [], total: 0, whyNot: undefined } : matching.offersForNeed(app.db, need.id)!
    const say = presenter(app.db, req.locale)
    const broker = !!req.user && coverage.brokerCovers(app.db, req.user, need.areaId)
    return reply.render('needs/show', {
      matches: found.matches.map((m) => ({ ...m, reasons: say.fit(m.reasons, m.score), quantity: Math.min(m.offer.remaining, need.remaining) })),
      matchTotal: found.total, progress: owner || broker ? matchesSvc.ofListing(app.db, { needId: need.id }) : [], canRequest: owner && active && !!found.matches.length, canPropose: broker && active, met, idem: randomUUID(),
      whyNot: found.whyNot && { ...found.whyNot, blocked: found.whyNot.blocked.map((b) => say.message(b)), unlock: found.whyNot.unlock && say.message(found.whyNot.unlock) }, need: { ...present(need, req.locale, topics.namer(app.db, req.locale)) }, owner, awaiting: needs.awaitsConfirmation(need), form: owner || broker, closeReasons: CLOSE_REASONS, today: listingToday(new Date()), categoryNames: categoryNames(app.db, req.locale), title: need.title,
      share: share.panel(app.config.baseUrl, 'need', need), help: share.help(app.db, req.user, 'need', need) })
  })

  app.get('/needs/:id/edit', { config: { access: 'signed_in' }, schema: { params: idParam } }, async (req, reply) => {
    const need = needs.findEditable(app.db, signedIn(req), req.params.id)
    if (!need) throw new NotFound()
    return showForm(req, reply, 'edit', toForm(need))
  })

  app.post('/needs/:id', { config: { access: 'signed_in' }, schema: { params: idParam, body: NeedBody }, attachValidation: true }, async (req, reply) => {
    const { id } = req.params
    const current = needs.findEditable(app.db, signedIn(req), id)
    if (!current) throw new NotFound()
    const body = req.body
    return submitForm(req, reply, (errors, status) => showForm(req, reply, 'edit', { ...body, id }, errors, status), () => {
      needs.edit(app.db, signedIn(req), id, { ...fromEditForm<needs.NeedInput>(body, current.schedule), version: body.version ?? 0 })
      reply.flash('needs.saved')
      return redirectAfterPost(req, reply, `/needs/${id}`)
    })
  })

  app.post('/needs/:id/closure', { config: { access: 'signed_in' }, schema: { params: idParam, body: formSchema(CloseFields, ['reason']) } }, async (req, reply) => {
    const { id } = req.params
    needs.close(app.db, signedIn(req), id, req.body.reason)
    reply.flash('needs.closed')
    return redirectAfterPost(req, reply, `/needs/${id}`)
  })

  app.post('/needs/:id/renewal', { config: { access: 'signed_in' }, schema: { params: idParam, body: formSchema(RenewFields) } }, async (req, reply) => {
    const { id } = req.params
    const need = needs.renew(app.db, signedIn(req), id, req.body.expiresAt)
    reply.flash('needs.renewed', { date: need.expiresAt ?? '' })
    return redirectAfterPost(req, reply, `/needs/${id}`)
  })
}

export default needsRoutes
