import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static, type TSchema } from 'typebox'
import { count, namedTopics, nullable } from '../shared/json.js'
import * as needs from '../needs/needs.js'
import * as needQueries from '../needs/need-queries.js'
import * as offers from '../offers/offers.js'
import * as offerQueries from '../offers/offer-queries.js'
import { CLOSE_REASONS, FOCUS_GROUPS, TRUST_LEVELS, URGENCIES } from '../db/schema.js'
import { bool, codes, date, fields, id32, idParam, int, listOf, oneOf, str, text } from '../shared/forms.js'
import { signedIn } from '../plugins/auth.js'
import { NotFound, ValidationError } from '../shared/errors.js'
import { MAX_QUANTITY } from './listings.js'
import { hsdsServices } from '../interchange/hsds-export.js'
import type { HsdsService } from '../interchange/hsds.js'
import { LOCALES } from '../i18n/i18n.js'
import * as topics from '../topics/topics.js'

type NeedRow = Omit<ReturnType<typeof needQueries.list>['items'][number], 'titleParts'>
type OfferRow = Omit<ReturnType<typeof offerQueries.list>['items'][number], 'titleParts'>

/** The public shape of a listing: stable field names, refs for cross-system links, nothing private. */
type Names = ReturnType<typeof topics.namer>
const common = (r: NeedRow | OfferRow, names: Names) => ({
  id: r.id,
  ref: r.ref,
  title: r.title,
  category: r.category,
  topics: names(r.topics),
  quantity: r.quantity,
  remaining: r.remaining,
  unit: r.unit,
  status: r.status,
  org: { ref: r.orgRef, name: r.orgName, id: r.orgId },
  from: r.fromDate,
  until: r.untilDate,
  schedule: r.schedule,
  expires_at: r.expiresAt,
  created_at: r.createdAt,
})
/** Listing JSON in the caller's language (topic names): `needJson(names)(row)`. */
export const needJson = (names: Names) => (n: NeedRow & { description?: string; place?: string }) => ({
  ...common(n, names),
  area: n.areaRef,
  urgency: n.urgency,
  beneficiaries: n.beneficiaries,
  ...(n.description !== undefined ? { description: n.description, place: n.place } : {}),
})
export const offerJson = (names: Names) => (o: OfferRow & { description?: string }) => ({
  ...common(o, names),
  serves: o.areaRef,
  conditions: { min_trust: o.minTrust, focus: o.focus },
  ...(o.description !== undefined ? { description: o.description } : {}),
})

// Response schemas of the JSON above, field for field (src/shared/json.ts says why every field is listed).
const optionalText = nullable(Type.String())
const commonJson = {
  id: count,
  ref: optionalText,
  title: Type.String(),
  category: Type.String(),
  topics: namedTopics,
  quantity: count,
  remaining: count,
  unit: Type.String(),
  status: Type.String(),
  org: Type.Object({ ref: optionalText, name: Type.String(), id: count }),
  from: optionalText,
  until: optionalText,
  schedule: optionalText,
  expires_at: optionalText,
  created_at: Type.String(),
}
export const NeedJson = Type.Object({
  ...commonJson,
  area: optionalText,
  urgency: Type.String(),
  beneficiaries: nullable(count),
  description: Type.Optional(Type.String()),
  place: Type.Optional(Type.String()),
})
export const OfferJson = Type.Object({
  ...commonJson,
  serves: optionalText,
  conditions: Type.Object({ min_trust: Type.String(), focus: Type.Array(Type.String()) }),
  description: Type.Optional(Type.String()),
})
const pageOf = <S extends TSchema>(item: S) =>
  Type.Object({ items: Type.Array(item), total: count, page: count, pages: count })
// HSDS services are the published standard's shape, checked against its JSON Schema (test/integration/interchange/hsds.test.ts):
// described here down to the page, each service written as built.
const HsdsPageJson = Type.Object({
  total_items: count,
  total_pages: count,
  page_number: count,
  size: count,
  first_page: Type.Boolean(),
  last_page: Type.Boolean(),
  empty: Type.Boolean(),
  contents: Type.Array(Type.Unsafe<HsdsService>({})),
})
const SearchJson = Type.Object({ needs: Type.Array(NeedJson), offers: Type.Array(OfferJson) })

const closed = { additionalProperties: false }
const listFields = {
  category: str(40),
  area: str(60),
  q: str(100),
  ref: str(60),
  topic: str(60),
  page: int(1, 100_000),
  per_page: int(1, 100),
}
const NeedsQuery = fields({ ...listFields, urgency: oneOf(URGENCIES) }, [], closed)
const OffersQuery = fields(listFields, [], closed)
const HsdsQuery = fields({ page: int(1, 100_000), per_page: int(1, 100), lang: oneOf(LOCALES) }, [], closed)
const SearchQuery = fields({ q: str(100, 1), limit: int(1, 50) }, ['q'])
const commonBody = {
  org_id: id32,
  category: str(40, 1),
  title: str(120, 2),
  description: text(4000),
  quantity: int(1, MAX_QUANTITY),
  unit: str(20),
  from: date,
  until: date,
  schedule: str(200),
  expires_at: date,
  draft: bool(),
  version: int(1, 1e9),
  // Topic codes of the category; absent: inferred from the text (on PUT, chosen ones are kept); []: none.
  topics: codes(20),
}
const needBody = {
  ...commonBody,
  area_id: id32,
  place: str(200),
  urgency: oneOf(URGENCIES),
  beneficiaries: int(1, 1_000_000),
}
const offerBody = { ...commonBody, serves_area_id: id32, min_trust: oneOf(TRUST_LEVELS), focus: listOf(FOCUS_GROUPS) }
const needRequired = ['org_id', 'category', 'title', 'quantity', 'area_id'] as const
const offerRequired = ['org_id', 'category', 'title', 'quantity', 'serves_area_id'] as const
const NeedBody = fields(needBody, needRequired, closed)
const NeedPutBody = fields(needBody, [...needRequired, 'version'], closed)
const OfferBody = fields(offerBody, offerRequired, closed)
const OfferPutBody = fields(offerBody, [...offerRequired, 'version'], closed)
const CloseBody = fields({ reason: oneOf(CLOSE_REASONS) }, ['reason'], closed)

type CommonBody = Static<typeof OfferBody> | Static<typeof NeedBody>
const commonInput = (b: CommonBody) => ({
  orgId: b.org_id,
  category: b.category,
  title: b.title,
  description: b.description,
  quantity: b.quantity,
  unit: b.unit,
  fromDate: b.from,
  untilDate: b.until,
  schedule: b.schedule,
  expiresAt: b.expires_at,
  draft: b.draft,
  topics: b.topics,
})
/** The services name fields as the web forms do; an API client sent them, and must be told about them, as the API spells them. */
const API_FIELD: Record<string, string> = {
  orgId: 'org_id',
  fromDate: 'from',
  untilDate: 'until',
  expiresAt: 'expires_at',
  areaId: 'area_id',
  servesAreaId: 'serves_area_id',
  minTrust: 'min_trust',
}
function inApiTerms<T>(write: () => T): T {
  try {
    return write()
  } catch (err) {
    if (err instanceof ValidationError)
      throw new ValidationError(Object.fromEntries(Object.entries(err.fields).map(([f, p]) => [API_FIELD[f] ?? f, p])))
    throw err
  }
}
const needInput = (b: Static<typeof NeedBody>): needs.NeedInput => ({
  ...commonInput(b),
  areaId: b.area_id,
  place: b.place,
  urgency: b.urgency,
  beneficiaries: b.beneficiaries,
})
const offerInput = (b: Static<typeof OfferBody>): offers.OfferInput => ({
  ...commonInput(b),
  servesAreaId: b.serves_area_id,
  minTrust: b.min_trust,
  focus: b.focus,
})

/**
 * JSON API v1 for needs and offers. Reads are public (open listings only, like the web); writes take an
 * API bearer token and run through the same services, so the same rules and scoping apply.
 */
const listingsApi: FastifyPluginAsyncTypebox = async (app) => {
  const query = (q: Static<typeof OffersQuery>) => ({
    category: q.category,
    areaRef: q.area,
    q: q.q,
    ref: q.ref,
    topic: q.topic,
    page: q.page,
    pageSize: q.per_page,
  })
  const names = (req: { locale: string }) => topics.namer(app.db, req.locale)

  app.get(
    '/api/v1/needs',
    { config: { access: 'anyone' }, schema: { querystring: NeedsQuery, response: { 200: pageOf(NeedJson) } } },
    async (req) => {
      const page = needQueries.list(app.db, { ...query(req.query), urgency: req.query.urgency })
      return { items: page.items.map(needJson(names(req))), total: page.total, page: page.page, pages: page.pages }
    },
  )
  app.get(
    '/api/v1/offers',
    { config: { access: 'anyone' }, schema: { querystring: OffersQuery, response: { 200: pageOf(OfferJson) } } },
    async (req) => {
      const page = offerQueries.list(app.db, query(req.query))
      return { items: page.items.map(offerJson(names(req))), total: page.total, page: page.page, pages: page.pages }
    },
  )
  // Public like the lists above: active offers only, nothing private. HSDS's own page shape, for a city directory's importer.
  app.get(
    '/api/v1/hsds/services',
    { config: { access: 'anyone' }, schema: { querystring: HsdsQuery, response: { 200: HsdsPageJson } } },
    async (req) => {
      const q = req.query
      return hsdsServices(app.db, { baseUrl: app.config.baseUrl, locale: q.lang, page: q.page, perPage: q.per_page })
    },
  )
  app.get(
    '/api/v1/needs/:id',
    { config: { access: 'anyone' }, schema: { params: idParam, response: { 200: NeedJson } } },
    async (req) => {
      const need = needQueries.visible(app.db, req.user, req.params.id)
      if (!need) throw new NotFound()
      return needJson(names(req))(need)
    },
  )
  app.get(
    '/api/v1/offers/:id',
    { config: { access: 'anyone' }, schema: { params: idParam, response: { 200: OfferJson } } },
    async (req) => {
      const offer = offerQueries.visible(app.db, req.user, req.params.id)
      if (!offer) throw new NotFound()
      return offerJson(names(req))(offer)
    },
  )
  app.get(
    '/api/v1/search',
    { config: { access: 'anyone' }, schema: { querystring: SearchQuery, response: { 200: SearchJson } } },
    async (req) => {
      const { q, limit = 20 } = req.query
      return {
        needs: needQueries.list(app.db, { q, pageSize: limit }).items.map(needJson(names(req))),
        offers: offerQueries.list(app.db, { q, pageSize: limit }).items.map(offerJson(names(req))),
      }
    },
  )

  app.post(
    '/api/v1/needs',
    { config: { access: 'signed_in' }, schema: { body: NeedBody, response: { 201: NeedJson } } },
    async (req, reply) => {
      const need = inApiTerms(() => needs.post(app.db, signedIn(req), needInput(req.body)))
      return reply.code(201).send(needJson(names(req))(needQueries.get(app.db, need.id)!))
    },
  )
  app.put(
    '/api/v1/needs/:id',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: NeedPutBody, response: { 200: NeedJson } } },
    async (req) => {
      const { id } = req.params
      inApiTerms(() => needs.edit(app.db, signedIn(req), id, { ...needInput(req.body), version: req.body.version }))
      return needJson(names(req))(needQueries.get(app.db, id)!)
    },
  )
  app.post(
    '/api/v1/needs/:id/closure',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: CloseBody, response: { 200: NeedJson } } },
    async (req) => {
      const { id } = req.params
      needs.close(app.db, signedIn(req), id, req.body.reason)
      return needJson(names(req))(needQueries.get(app.db, id)!)
    },
  )
  app.post(
    '/api/v1/offers',
    { config: { access: 'signed_in' }, schema: { body: OfferBody, response: { 201: OfferJson } } },
    async (req, reply) => {
      const offer = inApiTerms(() => offers.post(app.db, signedIn(req), offerInput(req.body)))
      return reply.code(201).send(offerJson(names(req))(offerQueries.get(app.db, offer.id)!))
    },
  )
  app.put(
    '/api/v1/offers/:id',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: OfferPutBody, response: { 200: OfferJson } } },
    async (req) => {
      const { id } = req.params
      inApiTerms(() => offers.edit(app.db, signedIn(req), id, { ...offerInput(req.body), version: req.body.version }))
      return offerJson(names(req))(offerQueries.get(app.db, id)!)
    },
  )
  app.post(
    '/api/v1/offers/:id/closure',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: CloseBody, response: { 200: OfferJson } } },
    async (req) => {
      const { id } = req.params
      offers.close(app.db, signedIn(req), id, req.body.reason)
      return offerJson(names(req))(offerQueries.get(app.db, id)!)
    },
  )
}

export default listingsApi
