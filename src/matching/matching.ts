/**
 * The matcher's shell: loads needs and offers as the pure core's views, asks the search index for text
 * relevance, calls the core, and names areas for the reasons. No ranking or allocation logic lives here.
 */
import { and, eq, inArray, like, or, sql, type SQL } from 'drizzle-orm'
import { sqliteOf, type Db } from '../db/client.js'
import { allocationRuns, areas, feedback, matches, needs, offers, organizations } from '../db/schema.js'
import * as fts from '../db/fts.js'
import * as areasSvc from '../areas/areas.js'
import { isoDate } from '../shared/time.js'
import type { CurrentUser } from '../accounts/accounts.js'
import { prepareNeed, prepareOffer, rankNeeds, rankOffers, scoreFit } from './rank.js'
import { violations } from './feasibility.js'
import { whyNot, type WhyNot } from './why-not.js'
import { allocate, firstComeFirstServed, type Allocation } from './allocate.js'
import { feasiblePairs } from './pairs.js'
import type { NeedView, OfferView, OrgView } from './types.js'

const RESERVING = ['accepted', 'delivered', 'reviewed'] as const
const DELIVERED = ['delivered', 'reviewed'] as const

const pathIds = (path: string) => path.split('/').filter(Boolean).map(Number)

/** Matches received so far by each organization: the fewer, the more the matcher favours it. */
function matchesReceived(db: Db, orgIds: number[]): Map<number, number> {
  if (orgIds.length === 0) return new Map()
  const rows = db.select({ orgId: needs.orgId, n: sql<number>`count(*)` }).from(matches).innerJoin(needs, eq(needs.id, matches.needId))
    .where(and(inArray(needs.orgId, orgIds), inArray(matches.state, [...RESERVING]))).groupBy(needs.orgId).all()
  return new Map(rows.map((r) => [r.orgId, r.n]))
}

/** Each holder's record: deliveries and the mean rating the receiving side gave. */
function trackRecords(db: Db, orgIds: number[]): Map<number, { delivered: number; rating: number | null }> {
  if (orgIds.length === 0) return new Map()
  const rows = db.select({ orgId: offers.orgId, delivered: sql<number>`count(DISTINCT ${matches.id})`, rating: sql<number | null>`avg(${feedback.rating})` })
    .from(matches).innerJoin(offers, eq(offers.id, matches.offerId))
    .leftJoin(feedback, and(eq(feedback.matchId, matches.id), eq(feedback.side, 'need')))
    .where(and(inArray(offers.orgId, orgIds), inArray(matches.state, [...DELIVERED]))).groupBy(offers.orgId).all()
  return new Map(rows.map((r) => [r.orgId, { delivered: r.delivered, rating: r.rating === null ? null : Math.round(r.rating * 10) / 10 }]))
}

const needColumns = {
  id: needs.id, orgId: needs.orgId, category: needs.category, unit: needs.unit, remaining: needs.remaining, fromDate: needs.fromDate,
  untilDate: needs.untilDate, schedule: needs.schedule, urgency: needs.urgency, beneficiaries: needs.beneficiaries, createdAt: needs.createdAt,
  areaPath: areas.path, title: needs.title, description: needs.description, place: needs.place,
  orgName: organizations.name, trust: organizations.trust, focus: organizations.focus, members: organizations.members,
}
const offerColumns = {
  id: offers.id, orgId: offers.orgId, orgName: organizations.name, category: offers.category, unit: offers.unit, remaining: offers.remaining,
  quantity: offers.quantity, fromDate: offers.fromDate, untilDate: offers.untilDate, schedule: offers.schedule, servesPath: areas.path,
  minTrust: offers.minTrust, focus: offers.focus, createdAt: offers.createdAt, title: offers.title, description: offers.description,
}

function loadNeeds(db: Db, where: SQL | undefined) {
  const rows = db.select(needColumns).from(needs).innerJoin(organizations, eq(organizations.id, needs.orgId)).innerJoin(areas, eq(areas.id, needs.areaId)).where(where).all()
  const received = matchesReceived(db, [...new Set(rows.map((r) => r.orgId))])
  return rows.map((r) => {
    const org: OrgView = { id: r.orgId, name: r.orgName, trust: r.trust, focus: r.focus, matchesReceived: received.get(r.orgId) ?? 0, members: r.members }
    const view: NeedView = {
      id: r.id, orgId: r.orgId, org, category: r.category, unit: r.unit, quantity: r.remaining, from: r.fromDate, until: r.untilDate,
      schedule: r.schedule, areaPath: pathIds(r.areaPath), urgency: r.urgency, beneficiaries: r.beneficiaries, createdAt: r.createdAt,
    }
    return { view, title: r.title, text: { title: r.title, body: `${r.description}\n${r.place}` } }
  })
}

function loadOffers(db: Db, where: SQL | undefined) {
  const rows = db.select(offerColumns).from(offers).innerJoin(organizations, eq(organizations.id, offers.orgId)).innerJoin(areas, eq(areas.id, offers.servesAreaId)).where(where).all()
  const tracks = trackRecords(db, [...new Set(rows.map((r) => r.orgId))])
  return rows.map((r) => {
    const view: OfferView = {
      id: r.id, orgId: r.orgId, orgName: r.orgName, category: r.category, unit: r.unit, remaining: r.remaining, quantity: r.quantity,
      from: r.fromDate, until: r.untilDate, schedule: r.schedule, servesPath: pathIds(r.servesPath), minTrust: r.minTrust, focus: r.focus,
      createdAt: r.createdAt, track: tracks.get(r.orgId) ?? { delivered: 0, rating: null },
    }
    return { view, title: r.title, text: { title: r.title, body: r.description } }
  })
}

const activeNeeds = (today: string) => and(inArray(needs.status, ['open', 'partly_met']), sql`(${needs.expiresAt} IS NULL OR ${needs.expiresAt} >= ${today})`, sql`${needs.remaining} > 0`)
const activeOffers = (today: string) => and(eq(offers.status, 'open'), sql`(${offers.expiresAt} IS NULL OR ${offers.expiresAt} >= ${today})`, sql`${offers.remaining} > 0`)

export interface RankedOffer { offer: { id: number; title: string; orgId: number; orgName: string; remaining: number; unit: string }; score: number; reasons: ReturnType<typeof rankOffers>[number]['reasons'] }

/**
 * Offers that fit a need, best first, with reasons; and, when none fits, why not. Candidates are narrowed
 * in SQL (same category, capacity left, serving an area above the need's place); the pure core checks the rest.
 */
export function offersForNeed(db: Db, needId: number, { limit = 20, now = new Date() } = {}) {
  const [need] = loadNeeds(db, eq(needs.id, needId))
  if (!need) return undefined
  const today = isoDate(now)
  const open = need.view.quantity > 0
  const candidates = open
    ? loadOffers(db, and(activeOffers(today), eq(offers.category, need.view.category), inArray(offers.servesAreaId, need.view.areaPath))).filter((c) => violations(need.view, c.view).length === 0)
    : []
  const relevance = candidates.length ? fts.relevance(sqliteOf(db), 'offer', need.text, candidates.map((c) => c.view.id)) : new Map()
  const fits = rankOffers(need.view, candidates.map((c) => ({ offer: c.view, relevance: relevance.get(c.view.id)?.score0to1 ?? 0, terms: relevance.get(c.view.id)?.terms ?? [] })))
  const byId = new Map(candidates.map((c) => [c.view.id, c]))
  const ranked = fits.slice(0, limit).map((f) => {
    const c = byId.get(f.offerId)!
    return { offer: { id: c.view.id, title: c.title, orgId: c.view.orgId, orgName: c.view.orgName, remaining: c.view.remaining, unit: c.view.unit }, score: f.score, reasons: f.reasons }
  })
  let why: (WhyNot & { otherCategories: number }) | undefined
  if (open && fits.length === 0) {
    // Only offers in the same category can ever be unlocked; the others are counted, not examined.
    const sameCategory = loadOffers(db, and(activeOffers(today), eq(offers.category, need.view.category))).map((c) => c.view)
    const otherCategories = db.select({ n: sql<number>`count(*)` }).from(offers).where(and(activeOffers(today), sql`${offers.category} <> ${need.view.category}`)).get()?.n ?? 0
    why = { ...whyNot(need.view, sameCategory), otherCategories }
  }
  return { need: need.view, total: fits.length, matches: ranked, whyNot: why }
}

/** Needs an offer could serve, best first; under-resourced organizations rise through the fairness factor. */
export function needsForOffer(db: Db, offerId: number, { limit = 20, now = new Date() } = {}) {
  const [offer] = loadOffers(db, eq(offers.id, offerId))
  if (!offer) return undefined
  const today = isoDate(now)
  const served = db.select({ path: areas.path }).from(areas).where(eq(areas.id, offer.view.servesPath.at(-1) ?? 0)).get()
  const candidates = offer.view.remaining > 0 && served
    ? loadNeeds(db, and(activeNeeds(today), eq(needs.category, offer.view.category), like(areas.path, `${served.path}%`))).filter((c) => violations(c.view, offer.view).length === 0)
    : []
  const relevance = candidates.length ? fts.relevance(sqliteOf(db), 'need', offer.text, candidates.map((c) => c.view.id)) : new Map()
  const fits = rankNeeds(offer.view, candidates.map((c) => ({ need: c.view, relevance: relevance.get(c.view.id)?.score0to1 ?? 0, terms: relevance.get(c.view.id)?.terms ?? [] })))
  const byId = new Map(candidates.map((c) => [c.view.id, c]))
  const ranked = fits.slice(0, limit).map((f) => {
    const c = byId.get(f.needId)!
    return { need: { id: c.view.id, title: c.title, orgId: c.view.orgId, orgName: c.view.org.name, remaining: c.view.quantity, unit: c.view.unit, areaId: c.view.areaPath.at(-1)! }, score: f.score, reasons: f.reasons }
  })
  return { offer: offer.view, total: fits.length, matches: ranked }
}

/**
 * One need and one offer as the matcher sees them: which hard constraints the pair breaks, and its score
 * and reasons now (a match keeps them as they were when it was made).
 */
export function assessPair(db: Db, needId: number, offerId: number) {
  const [need] = loadNeeds(db, eq(needs.id, needId))
  const [offer] = loadOffers(db, eq(offers.id, offerId))
  if (!need || !offer) return undefined
  const rel = fts.relevance(sqliteOf(db), 'offer', need.text, [offer.view.id]).get(offer.view.id)
  const fit = scoreFit(prepareNeed(need.view), prepareOffer(offer.view), rel?.score0to1 ?? 0, rel?.terms ?? [])
  return { need: need.view, offer: offer.view, violations: violations(need.view, offer.view), score: fit.score, reasons: fit.reasons }
}

/** The broker's part of the district: needs placed in it, offers serving anywhere in it or above it. */
function allocationScope(db: Db, areaIds: number[], category: string | null, today: string) {
  const scopeAreas = areaIds.map((id) => areasSvc.get(db, id)).filter((a): a is NonNullable<typeof a> => !!a)
  if (scopeAreas.length === 0) return { needs: [], offers: [] }
  const within = or(...scopeAreas.map((a) => like(areas.path, `${a.path}%`)))
  const above = [...new Set(scopeAreas.flatMap((a) => areasSvc.pathIds(a)))]
  const cat = (col: typeof needs.category | typeof offers.category) => (category ? eq(col, category) : undefined)
  return {
    needs: loadNeeds(db, and(activeNeeds(today), cat(needs.category), within)),
    offers: loadOffers(db, and(activeOffers(today), cat(offers.category), or(within, inArray(offers.servesAreaId, above)))),
  }
}

/** Runs the allocation and first-come-first-served on the same data, and keeps the proposal for review. */
export function runAllocation(db: Db, broker: CurrentUser, params: { areaIds: number[]; category: string | null }, now = new Date()) {
  const scope = allocationScope(db, params.areaIds, params.category, isoDate(now))
  const needViews = scope.needs.map((n) => n.view), offerViews = scope.offers.map((o) => o.view)
  const started = performance.now()
  const proposal = allocate(needViews, offerViews)
  const ms = Math.round(performance.now() - started)
  const baseline = firstComeFirstServed(needViews, offerViews)
  const result = { proposal: compact(proposal), baseline: { coverage: baseline.coverage, fairness: baseline.fairness }, ms }
  const run = db.insert(allocationRuns).values({ brokerId: broker.id, params, result, createdAt: now.toISOString() }).returning().get()
  return { id: run.id, ...result }
}

function compact(a: Allocation) {
  return { assignments: a.assignments, coverage: a.coverage, fairness: a.fairness, unserved: a.unserved }
}

export type StoredRun = ReturnType<typeof runAllocation>

/** Scoped lookup: a broker sees only their own runs. */
export function findRun(db: Db, broker: CurrentUser, id: number) {
  const run = db.select().from(allocationRuns).where(and(eq(allocationRuns.id, id), eq(allocationRuns.brokerId, broker.id))).get()
  return run && { ...run, result: run.result as Omit<StoredRun, 'id'> }
}


/** Open needs in these areas that no open offer can serve at all: the first queue on a broker's desk. */
export function needsWithoutOffers(db: Db, areaIds: number[], now = new Date()): number[] {
  const scope = allocationScope(db, areaIds, null, isoDate(now))
  const index = feasiblePairs(scope.needs.map((n) => n.view), scope.offers.map((o) => o.view))
  return index.needs.filter((_, i) => index.pairStart[i + 1] === index.pairStart[i]).map((n) => n.id)
}
