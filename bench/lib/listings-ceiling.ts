import path from 'node:path'
import Fastify, { type FastifyRequest } from 'fastify'
import fastifyView from '@fastify/view'
import { createHandlebars, partialsIn } from '../../src/plugins/view.js'
import { openDb } from '../../src/db/client.js'
import { URGENCIES, CLOSE_REASONS } from '../../src/db/schema.js'
import * as needs from '../../src/needs/needs.js'
import * as offers from '../../src/offers/offers.js'
import * as areas from '../../src/areas/areas.js'
import * as matching from '../../src/matching/matching.js'
import { presenter } from '../../src/matching/present.js'
import { allCategories } from '../../src/listings/listings.js'
import { categoryNames, present } from '../../src/listings/forms.js'
import { isoDate } from '../../src/shared/time.js'
import { translate } from '../../src/i18n/i18n.js'
import { ROOT } from './paths.js'

/**
 * The listing pages' ceiling: bare Fastify + handlebars rendering the app's own templates with the very
 * data the real page shows. Each URL's data is computed once, by the same services the routes call, on
 * its first request (the bench's check), and served from memory after that: the same list items, the
 * same bytes, without the database, search, matcher, sessions, CSRF, security headers or access policy.
 */
export default async function listingsCeiling(opts: Record<string, unknown>) {
  if (typeof opts.dbPath !== 'string') throw new Error('listings-ceiling needs { dbPath }')
  const { db } = openDb(opts.dbPath, ROOT)
  const locale = 'zh-CN' as const
  const memo = new Map<string, Record<string, unknown>>()
  const once = (req: FastifyRequest, build: () => Record<string, unknown>) => {
    let data = memo.get(req.url)
    if (!data) memo.set(req.url, (data = { ...build(), locale, otherLocale: 'en', path: req.url }))
    return data
  }

  const app = Fastify({ logger: false })
  const root = path.join(ROOT, 'views')
  await app.register(fastifyView, { engine: { handlebars: createHandlebars() }, root, production: true, options: { partials: partialsIn(path.join(root, 'partials')) } })

  app.get('/needs', async (req, reply) => reply.view('pages/needs/index.hbs', once(req, () => {
    const { category, area, q, page } = req.query as Record<string, string | undefined>
    const query = { category, area: area ? Number(area) : undefined, q, page: page ? Number(page) : undefined }
    const found = needs.list(db, query)
    return {
      ...found, items: found.items.map((n) => present(n, locale)), query, categoryNames: categoryNames(db, locale),
      categories: allCategories(db), areaOptions: areas.options(db, locale), urgencies: URGENCIES, statuses: needs.STATUS_FILTERS, sorts: needs.SORTS,
    }
  }), { layout: 'layouts/main.hbs' }))

  app.get('/search', async (req, reply) => reply.view('pages/search.hbs', once(req, () => {
    const q = (req.query as { q?: string }).q?.trim() ?? ''
    const n = needs.list(db, { q, pageSize: 10 }), o = offers.list(db, { q, pageSize: 10 })
    return {
      q, categoryNames: categoryNames(db, locale), title: q,
      needs: { ...n, items: n.items.map((x) => present(x, locale)) }, offers: { ...o, items: o.items.map((x) => present(x, locale)) },
    }
  }), { layout: 'layouts/main.hbs' }))

  app.get('/needs/:id', async (req, reply) => reply.view('pages/needs/show.hbs', once(req, () => {
    const need = needs.get(db, Number((req.params as { id: string }).id))!
    const found = matching.offersForNeed(db, need.id)!
    const say = presenter(db, locale)
    return {
      matches: found.matches.map((m) => ({ ...m, reasons: say.reasons(m.reasons), quantity: Math.min(m.offer.remaining, need.remaining) })),
      matchTotal: found.total, canRequest: false, canPropose: false, idem: 'x', whyNot: undefined, need: present(need, locale), owner: false,
      form: false, closeReasons: CLOSE_REASONS, today: isoDate(new Date()), categoryNames: categoryNames(db, locale), title: need.title,
    }
  }), { layout: 'layouts/main.hbs' }))

  app.get('/offers/:id', async (req, reply) => reply.view('pages/offers/show.hbs', once(req, () => {
    const offer = offers.get(db, Number((req.params as { id: string }).id))!
    const found = matching.needsForOffer(db, offer.id)!
    const say = presenter(db, locale)
    return {
      matches: found.matches.map((m) => ({ ...m, reasons: say.reasons(m.reasons), quantity: Math.min(m.need.remaining, offer.remaining), canPropose: false })),
      matchTotal: found.total, canPledge: false, idem: 'x', offer: { ...present(offer, locale), focusText: offer.focus.map((f) => translate(locale, `focus.${f}`)).join('、') }, owner: false, form: false,
      closeReasons: CLOSE_REASONS, today: isoDate(new Date()), categoryNames: categoryNames(db, locale), title: offer.title,
    }
  }), { layout: 'layouts/main.hbs' }))
  return app
}
