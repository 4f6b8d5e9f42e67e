import type { FastifyPluginAsync } from 'fastify'
import { eq, inArray } from 'drizzle-orm'
import { needs, offers, organizations } from '../db/schema.js'
import * as matching from './matching.js'
import * as areas from '../areas/areas.js'
import * as needsSvc from '../needs/needs.js'
import * as offersSvc from '../offers/offers.js'
import { presenter } from './present.js'
import * as topics from '../topics/topics.js'
import { idParam, str } from '../shared/forms.js'
import { allCategories } from '../listings/listings.js'
import { NotFound, ValidationError } from '../shared/errors.js'
import { pathCovered } from '../areas/coverage.js'

/** Ranked matches and allocations as JSON, in the caller's language (Accept-Language or the lang cookie). */
const matchingApi: FastifyPluginAsync = async (app) => {
  const orgRef = (ids: number[]) => new Map((ids.length ? app.db.select({ id: organizations.id, ref: organizations.ref, name: organizations.name }).from(organizations).where(inArray(organizations.id, ids)).all() : []).map((o) => [o.id, { ref: o.ref, name: o.name }]))

  // A listing's matches are shown to whoever may see the listing: a draft only to its organization's members.
  app.get('/api/v1/needs/:id/matches', { config: { access: 'anyone' }, schema: { params: idParam } }, async (req) => {
    const need = needsSvc.visible(app.db, req.user, (req.params as { id: number }).id)
    const found = need && matching.offersForNeed(app.db, need.id)
    if (!found) throw new NotFound()
    const say = presenter(app.db, req.locale)
    const names = topics.namer(app.db, req.locale)
    const rows = new Map(app.db.select({ id: offers.id, ref: offers.ref, topics: offers.topics }).from(offers).where(inArray(offers.id, found.matches.map((m) => m.offer.id).concat(0))).all().map((o) => [o.id, o]))
    const own = app.db.select({ topics: needs.topics }).from(needs).where(eq(needs.id, found.need.id)).get()
    const orgs = orgRef(found.matches.map((m) => m.offer.orgId))
    return {
      need: { id: found.need.id, category: found.need.category, topics: names(own?.topics), quantity: found.need.quantity, unit: found.need.unit },
      matches: found.matches.map((m) => ({ offer: { id: m.offer.id, ref: rows.get(m.offer.id)?.ref ?? null, title: m.offer.title, topics: names(rows.get(m.offer.id)?.topics), org: orgs.get(m.offer.orgId) }, score: m.score, reasons: say.reasons(m.reasons) })),
      why_not: found.whyNot ? found.whyNot.blocked.map((b) => ({ constraint: b.constraint, offers: b.offers, text: say.message(b) })) : [],
      ...(found.whyNot?.unlock ? { unlock: { constraint: found.whyNot.unlock.constraint, offers: found.whyNot.unlock.offers, text: say.message(found.whyNot.unlock) } } : {}),
    }
  })

  app.get('/api/v1/offers/:id/matches', { config: { access: 'anyone' }, schema: { params: idParam } }, async (req) => {
    const offer = offersSvc.visible(app.db, req.user, (req.params as { id: number }).id)
    const found = offer && matching.needsForOffer(app.db, offer.id)
    if (!found) throw new NotFound()
    const say = presenter(app.db, req.locale)
    const names = topics.namer(app.db, req.locale)
    const rows = new Map(app.db.select({ id: needs.id, ref: needs.ref, topics: needs.topics }).from(needs).where(inArray(needs.id, found.matches.map((m) => m.need.id).concat(0))).all().map((n) => [n.id, n]))
    const own = app.db.select({ topics: offers.topics }).from(offers).where(eq(offers.id, found.offer.id)).get()
    const orgs = orgRef(found.matches.map((m) => m.need.orgId))
    return {
      offer: { id: found.offer.id, category: found.offer.category, topics: names(own?.topics), remaining: found.offer.remaining, unit: found.offer.unit },
      needs: found.matches.map((m) => ({ need: { id: m.need.id, ref: rows.get(m.need.id)?.ref ?? null, title: m.need.title, topics: names(rows.get(m.need.id)?.topics), org: orgs.get(m.need.orgId) }, score: m.score, reasons: say.reasons(m.reasons) })),
      why_not: [],
    }
  })

  app.post('/api/v1/allocations', {
    config: { access: 'broker' },
    schema: { body: { type: ['object', 'null'], additionalProperties: false, properties: { area: str(60), category: str(40) } } },
  }, async (req, reply) => {
    const body = (req.body ?? {}) as { area?: string; category?: string }
    let areaIds = req.user!.brokerAreaIds
    if (body.area) {
      const area = areas.byRef(app.db, body.area)
      // Only within the broker's own areas: an area outside them is not theirs to allocate.
      if (!area || !pathCovered(req.user!.brokerAreaIds, area.path)) throw new ValidationError({ area: { key: 'validation.area_missing' } })
      areaIds = [area.id]
    }
    const run = matching.runAllocation(app.db, req.user!, { areaIds, category: body.category ?? null })
    const p = run.proposal
    const say = presenter(app.db, req.locale)
    const units = new Map(allCategories(app.db).map((c) => [c.code, c.unit]))
    const fairness = (f: typeof p.fairness) => ({
      organizations: f.organizations, organizations_with_nothing: f.organizationsWithNothing, gini: f.gini,
      fair_share: f.fairShare, groups: f.groups, groups_served: f.groupsServed,
    })
    // Coverage is per category, each in its unit; the top-level demand/allocated sums are kept for v1 callers.
    const byCategory = Object.fromEntries(Object.entries(p.coverage.byCategory).map(([code, c]) => [code, { ...c, unit: units.get(code) ?? null }]))
    return reply.code(201).send({
      id: run.id,
      coverage: { demand: p.coverage.demand, allocated: p.coverage.allocated, by_category: byCategory },
      fairness: fairness(p.fairness),
      baseline: { allocated: run.baseline.coverage.allocated, by_category: run.baseline.coverage.byCategory, ...fairness(run.baseline.fairness) },
      assignments: p.assignments.map((a) => ({ need: a.needId, offer: a.offerId, quantity: a.quantity, score: a.score, reasons: say.reasons(a.reasons) })),
      ms: run.ms,
    })
  })
}

export default matchingApi
