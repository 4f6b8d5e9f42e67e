import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import * as matching from './matching.js'
import * as allocations from './allocations.js'
import * as labels from './labels.js'
import * as needQueries from '../needs/need-queries.js'
import * as offerQueries from '../offers/offer-queries.js'
import { presenter } from './present.js'
import * as topics from '../topics/topics.js'
import { fields, idParam, str } from '../shared/forms.js'
import { count, namedTopics, nullable } from '../shared/json.js'
import { allCategories } from '../listings/listings.js'
import { NotFound } from '../shared/errors.js'
import { signedIn } from '../plugins/auth.js'
import type { Db } from '../db/client.js'
import type { Locale } from '../i18n/i18n.js'

type NeedFound = NonNullable<ReturnType<typeof matching.offersForNeed>>
type OfferFound = NonNullable<ReturnType<typeof matching.needsForOffer>>
type Run = Awaited<ReturnType<typeof allocations.runAllocation>>

/** A need's ranked offers as the API shows them: refs, topics and organizations named, reasons in words. */
function needMatchesJson(db: Db, locale: Locale, found: NeedFound) {
  const say = presenter(db, locale)
  const names = topics.namer(db, locale)
  const rows = labels.listingLabels(
    db,
    'offer',
    found.matches.map((m) => m.offer.id),
  )
  const own = labels.listingLabels(db, 'need', [found.need.id]).get(found.need.id)
  const orgs = labels.orgLabels(
    db,
    found.matches.map((m) => m.offer.orgId),
  )
  const entry = (b: { constraint: string; offers: number; key: string; params: Record<string, string | number> }) => ({
    constraint: b.constraint,
    offers: b.offers,
    text: say.message(b),
  })
  return {
    need: {
      id: found.need.id,
      category: found.need.category,
      topics: names(own?.topics),
      quantity: found.need.quantity,
      unit: found.need.unit,
    },
    matches: found.matches.map((m) => ({
      offer: {
        id: m.offer.id,
        ref: rows.get(m.offer.id)?.ref ?? null,
        title: m.offer.title,
        topics: names(rows.get(m.offer.id)?.topics),
        org: orgs.get(m.offer.orgId),
      },
      score: m.score,
      reasons: say.reasons(m.reasons),
    })),
    why_not: found.whyNot ? found.whyNot.blocked.map(entry) : [],
    ...(found.whyNot?.unlock ? { unlock: entry(found.whyNot.unlock) } : {}),
  }
}

/** An offer's ranked needs, the same way. */
function offerMatchesJson(db: Db, locale: Locale, found: OfferFound) {
  const say = presenter(db, locale)
  const names = topics.namer(db, locale)
  const rows = labels.listingLabels(
    db,
    'need',
    found.matches.map((m) => m.need.id),
  )
  const own = labels.listingLabels(db, 'offer', [found.offer.id]).get(found.offer.id)
  const orgs = labels.orgLabels(
    db,
    found.matches.map((m) => m.need.orgId),
  )
  return {
    offer: {
      id: found.offer.id,
      category: found.offer.category,
      topics: names(own?.topics),
      remaining: found.offer.remaining,
      unit: found.offer.unit,
    },
    needs: found.matches.map((m) => ({
      need: {
        id: m.need.id,
        ref: rows.get(m.need.id)?.ref ?? null,
        title: m.need.title,
        topics: names(rows.get(m.need.id)?.topics),
        org: orgs.get(m.need.orgId),
      },
      score: m.score,
      reasons: say.reasons(m.reasons),
    })),
    why_not: [],
  }
}

/** An allocation run: coverage per category in its unit, fairness beside first come first served's, the assignments. */
function allocationJson(db: Db, locale: Locale, run: Run) {
  const p = run.proposal
  const say = presenter(db, locale)
  const units = new Map(allCategories(db).map((c) => [c.code, c.unit]))
  const fairness = (f: typeof p.fairness) => ({
    organizations: f.organizations,
    organizations_with_nothing: f.organizationsWithNothing,
    gini: f.gini,
    fair_share: f.fairShare,
    groups: f.groups,
    groups_served: f.groupsServed,
  })
  // Coverage is per category, each in its unit; the top-level demand/allocated sums are kept for v1 callers.
  const byCategory = Object.fromEntries(
    Object.entries(p.coverage.byCategory).map(([code, c]) => [code, { ...c, unit: units.get(code) ?? null }]),
  )
  return {
    id: run.id,
    coverage: { demand: p.coverage.demand, allocated: p.coverage.allocated, by_category: byCategory },
    fairness: fairness(p.fairness),
    baseline: {
      allocated: run.baseline.coverage.allocated,
      by_category: run.baseline.coverage.byCategory,
      ...fairness(run.baseline.fairness),
    },
    assignments: p.assignments.map((a) => ({
      need: a.needId,
      offer: a.offerId,
      quantity: a.quantity,
      score: a.score,
      reasons: say.reasons(a.reasons),
    })),
    ms: run.ms,
  }
}

// Response schemas, field for field (src/shared/json.ts says why).
const Reasons = Type.Array(Type.Object({ factor: Type.String(), contribution: Type.Number(), text: Type.String() }))
const Org = Type.Optional(Type.Object({ ref: nullable(Type.String()), name: Type.String() }))
const Ranked = { id: count, ref: nullable(Type.String()), title: Type.String(), topics: namedTopics, org: Org }
const WhyNotEntry = Type.Object({ constraint: Type.String(), offers: count, text: Type.String() })
const NeedMatchesJson = Type.Object({
  need: Type.Object({ id: count, category: Type.String(), topics: namedTopics, quantity: count, unit: Type.String() }),
  matches: Type.Array(Type.Object({ offer: Type.Object(Ranked), score: Type.Number(), reasons: Reasons })),
  why_not: Type.Array(WhyNotEntry),
  unlock: Type.Optional(WhyNotEntry),
})
const OfferMatchesJson = Type.Object({
  offer: Type.Object({
    id: count,
    category: Type.String(),
    topics: namedTopics,
    remaining: count,
    unit: Type.String(),
  }),
  needs: Type.Array(Type.Object({ need: Type.Object(Ranked), score: Type.Number(), reasons: Reasons })),
  why_not: Type.Array(WhyNotEntry),
})
const Amounts = { demand: Type.Number(), allocated: Type.Number() }
const Fairness = {
  organizations: count,
  organizations_with_nothing: count,
  gini: Type.Number(),
  fair_share: Type.Number(),
  groups: count,
  groups_served: count,
}
const AllocationJson = Type.Object({
  id: count,
  coverage: Type.Object({
    ...Amounts,
    by_category: Type.Record(Type.String(), Type.Object({ ...Amounts, unit: nullable(Type.String()) })),
  }),
  fairness: Type.Object(Fairness),
  baseline: Type.Object({
    allocated: Type.Number(),
    by_category: Type.Record(Type.String(), Type.Object(Amounts)),
    ...Fairness,
  }),
  assignments: Type.Array(
    Type.Object({ need: count, offer: count, quantity: Type.Number(), score: Type.Number(), reasons: Reasons }),
  ),
  ms: Type.Number(),
})
const AllocationFields = fields({ area: str(60), category: str(40) }, [], { additionalProperties: false })
// No body at all is a run over all the broker's areas: null is taken as well as an object.
const AllocationBody = Type.Unsafe<Static<typeof AllocationFields> | null>({
  ...AllocationFields,
  type: ['object', 'null'],
})

/** Ranked matches and allocations as JSON, in the caller's language (Accept-Language or the lang cookie). */
const matchingApi: FastifyPluginAsyncTypebox = async (app) => {
  // A listing's matches are shown to whoever may see the listing: a draft only to its organization's members.
  app.get(
    '/api/v1/needs/:id/matches',
    { config: { access: 'anyone' }, schema: { params: idParam, response: { 200: NeedMatchesJson } } },
    async (req) => {
      const need = needQueries.visible(app.db, req.user, req.params.id)
      const found = need && matching.offersForNeed(app.db, need.id)
      if (!found) throw new NotFound()
      return needMatchesJson(app.db, req.locale, found)
    },
  )

  app.get(
    '/api/v1/offers/:id/matches',
    { config: { access: 'anyone' }, schema: { params: idParam, response: { 200: OfferMatchesJson } } },
    async (req) => {
      const offer = offerQueries.visible(app.db, req.user, req.params.id)
      const found = offer && matching.needsForOffer(app.db, offer.id)
      if (!found) throw new NotFound()
      return offerMatchesJson(app.db, req.locale, found)
    },
  )

  app.post(
    '/api/v1/allocations',
    { config: { access: 'broker' }, schema: { body: AllocationBody, response: { 201: AllocationJson } } },
    async (req, reply) => {
      const broker = signedIn(req)
      const body = req.body ?? {}
      const areaIds = allocations.allocationAreas(app.db, broker, body.area)
      const run = await allocations.runAllocation(app.db, broker, { areaIds, category: body.category ?? null })
      return reply.code(201).send(allocationJson(app.db, req.locale, run))
    },
  )
}

export default matchingApi
