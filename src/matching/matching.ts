/**
 * The matcher's shell: loads needs and offers as the pure core's views, asks the search index for text
 * relevance, calls the core, and names areas for the reasons. No ranking or allocation logic lives here.
 */
import { and, eq, inArray, or, type SQL } from 'drizzle-orm'
import type Database from 'better-sqlite3'
import { sqliteOf, type Db, type Sqlite } from '../db/client.js'
import { allocationRuns, areas, needs, offers, organizations } from '../db/schema.js'
import * as fts from '../search/fts.js'
import * as areasSvc from '../areas/areas.js'
import { activeNeed, activeNeedText, availableOffer, availableOfferText, listingToday } from '../listings/listings.js'
import type { CurrentUser } from '../accounts/accounts.js'
import { prepareNeed, prepareOffer, rankNeeds, rankOffers, scoreFit } from './rank.js'
import { violations } from './feasibility.js'
import { whyNot, type WhyNot } from './why-not.js'
import { allocate } from './allocate.js'
import { firstComeFirstServed, type Allocation } from './outcome.js'
import { feasiblePairs } from './pairs.js'
import { subjectList } from './subject.js'
import { serving } from './serving.js'
import { remember } from '../db/memo.js'
import {
  focusOf,
  keptServing,
  needsFor,
  NO_TRACK,
  offerCounts,
  offerIndex,
  offersFor,
  type ServingSnapshot,
} from './views.js'
import type { NeedView, OfferView, OrgView } from './types.js'
import { unanswered } from '../members/answering.js'
import { pathIds } from '../areas/paths.js'
import { searchText } from '../listings/search-text.js'
import { pathCovered } from '../areas/coverage.js'
import { ValidationError } from '../shared/errors.js'

const RESERVING = ['accepted', 'delivered', 'reviewed'] as const
const DELIVERED = ['delivered', 'reviewed'] as const

// ---------------------------------------------------------------------------------------------------------
// Candidates in bulk. A match page reads thousands of candidate rows and an allocation tens of thousands, so
// they are read with raw prepared statements (plain SQL; only `.raw()` and the statement cache are
// better-sqlite3's) and only the columns the pure core reads: drizzle's query building and row mapping, the
// title and description, and a join per row for an organization's name cost several times the query itself
// (4k offers: ~45 ms → ~8 ms). Names and titles are read for the top N shown; history (track records, matches
// received) for the candidates that pass the hard constraints. The indexes offers_candidates and needs_candidates
// (schema.ts) find the rows; only topics and keywords (what a listing is about, variable-length JSON that would
// bloat the index) are read from the table, for the candidates found.

const statements = new WeakMap<Sqlite, Map<string, Database.Statement>>()
function prepared(db: Db, text: string): Database.Statement {
  const sqlite = sqliteOf(db)
  let cache = statements.get(sqlite)
  if (!cache) statements.set(sqlite, (cache = new Map()))
  let st = cache.get(text)
  if (!st) {
    // Candidate areas and organizations make IN lists of many lengths; a burst of new ones must not grow the cache without end.
    if (cache.size >= 200) cache.clear()
    cache.set(text, (st = sqliteOf(db).prepare(text).raw()))
  }
  return st
}
const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ')
/**
 * An id list padded (with its first id again) to a power of two, so lists of a few hundred lengths share
 * a dozen statements rather than each preparing its own.
 */
function padded(ids: number[]): number[] {
  let n = 8
  while (n < ids.length) n *= 2
  return ids.length === n || ids.length === 0 ? ids : [...ids, ...Array<number>(n - ids.length).fill(ids[0]!)]
}

/**
 * Matches received so far by every organization: the fewer, the more the matcher favours it. The same for every
 * page until a match changes (a need's organization never changes), so computed once for all organizations.
 */
function matchesReceived(db: Db): ReadonlyMap<number, number> {
  return remember(
    sqliteOf(db),
    'matching.received',
    () => {
      const rows = prepared(
        db,
        `SELECT needs.org_id, count(*) FROM matches JOIN needs ON needs.id = matches.need_id
      WHERE matches.state IN (${marks(RESERVING.length)}) GROUP BY needs.org_id`,
      ).all(...RESERVING) as [number, number][]
      return new Map(rows)
    },
    ['matches'],
  )
}

type Track = OfferView['track']
/**
 * Every holder's record: deliveries and the mean rating the receiving side gave. Like matchesReceived, one answer
 * for every page until a match or a rating changes (an offer's organization never changes).
 */
function trackRecords(db: Db): ReadonlyMap<number, Track> {
  return remember(
    sqliteOf(db),
    'matching.tracks',
    () => {
      // count(*) counts matches: feedback_match_side lets the join add at most one row to each.
      const rows = prepared(
        db,
        `SELECT offers.org_id, count(*), avg(feedback.rating) FROM matches
      JOIN offers ON offers.id = matches.offer_id LEFT JOIN feedback ON feedback.match_id = matches.id AND feedback.side = 'need'
      WHERE matches.state IN (${marks(DELIVERED.length)}) GROUP BY offers.org_id`,
      ).all(...DELIVERED) as [number, number, number | null][]
      return new Map(
        rows.map(([orgId, delivered, rating]): [number, Track] => [
          orgId,
          Object.freeze({ delivered, rating: rating === null ? null : Math.round(rating * 10) / 10 }),
        ]),
      )
    },
    ['matches', 'feedback'],
  )
}

const needColumns = {
  id: needs.id,
  orgId: needs.orgId,
  category: needs.category,
  unit: needs.unit,
  remaining: needs.remaining,
  fromDate: needs.fromDate,
  untilDate: needs.untilDate,
  schedule: needs.schedule,
  urgency: needs.urgency,
  beneficiaries: needs.beneficiaries,
  createdAt: needs.createdAt,
  areaPath: areas.path,
  title: needs.title,
  description: needs.description,
  place: needs.place,
  orgName: organizations.name,
  trust: organizations.trust,
  focus: organizations.focus,
  members: organizations.members,
  topics: needs.topics,
  keywords: needs.keywords,
}
const offerColumns = {
  id: offers.id,
  orgId: offers.orgId,
  orgName: organizations.name,
  category: offers.category,
  unit: offers.unit,
  remaining: offers.remaining,
  quantity: offers.quantity,
  fromDate: offers.fromDate,
  untilDate: offers.untilDate,
  schedule: offers.schedule,
  servesPath: areas.path,
  minTrust: offers.minTrust,
  focus: offers.focus,
  createdAt: offers.createdAt,
  title: offers.title,
  description: offers.description,
  topics: offers.topics,
  keywords: offers.keywords,
}

function loadNeeds(db: Db, where: SQL | undefined) {
  const rows = db
    .select(needColumns)
    .from(needs)
    .innerJoin(organizations, eq(organizations.id, needs.orgId))
    .innerJoin(areas, eq(areas.id, needs.areaId))
    .where(where)
    .all()
  const received = matchesReceived(db)
  return rows.map((r) => {
    const org: OrgView = {
      id: r.orgId,
      name: r.orgName,
      trust: r.trust,
      focus: r.focus,
      matchesReceived: received.get(r.orgId) ?? 0,
      members: r.members,
    }
    const view: NeedView = {
      id: r.id,
      orgId: r.orgId,
      org,
      category: r.category,
      unit: r.unit,
      quantity: r.remaining,
      from: r.fromDate,
      until: r.untilDate,
      schedule: r.schedule,
      areaPath: pathIds(r.areaPath),
      urgency: r.urgency,
      beneficiaries: r.beneficiaries,
      createdAt: r.createdAt,
      topics: subjectList(r.topics),
      keywords: subjectList(r.keywords),
    }
    return { view, title: r.title, text: searchText(r) }
  })
}

function loadOffers(db: Db, where: SQL | undefined) {
  const rows = db
    .select(offerColumns)
    .from(offers)
    .innerJoin(organizations, eq(organizations.id, offers.orgId))
    .innerJoin(areas, eq(areas.id, offers.servesAreaId))
    .where(where)
    .all()
  const tracks = trackRecords(db)
  return rows.map((r) => {
    const view: OfferView = {
      id: r.id,
      orgId: r.orgId,
      orgName: r.orgName,
      category: r.category,
      unit: r.unit,
      remaining: r.remaining,
      quantity: r.quantity,
      from: r.fromDate,
      until: r.untilDate,
      schedule: r.schedule,
      servesPath: pathIds(r.servesPath),
      minTrust: r.minTrust,
      focus: r.focus,
      createdAt: r.createdAt,
      track: tracks.get(r.orgId) ?? { delivered: 0, rating: null },
      topics: subjectList(r.topics),
      keywords: subjectList(r.keywords),
    }
    return { view, title: r.title, text: searchText(r) }
  })
}

/**
 * The need a page is about, whatever its status, as loadNeeds reads it: one prepared statement, since drizzle
 * building and mapping the query costs more than the query on a page that otherwise reads from memory.
 */
function pageNeed(db: Db, id: number) {
  const row = prepared(
    db,
    `SELECT needs.id, needs.org_id, needs.category, needs.unit, needs.remaining, needs.from_date, needs.until_date, needs.schedule,
    areas.path, needs.urgency, needs.beneficiaries, needs.created_at, needs.title, needs.description, needs.place, organizations.name, organizations.trust,
    organizations.focus, organizations.members, needs.topics, needs.keywords
    FROM needs JOIN organizations ON organizations.id = needs.org_id JOIN areas ON areas.id = needs.area_id WHERE needs.id = ?`,
  ).get(id) as
    | [
        number,
        number,
        string,
        string,
        number,
        string | null,
        string | null,
        string | null,
        string,
        NeedView['urgency'],
        number | null,
        string,
        string,
        string,
        string,
        string,
        OrgView['trust'],
        string,
        number | null,
        string | null,
        string | null,
      ]
    | undefined
  if (!row) return undefined
  const [
    ,
    orgId,
    category,
    unit,
    remaining,
    from,
    until,
    schedule,
    path,
    urgency,
    beneficiaries,
    createdAt,
    title,
    description,
    place,
    orgName,
    trust,
    focus,
    members,
    topics,
    keywords,
  ] = row
  const org: OrgView = {
    id: orgId,
    name: orgName,
    trust,
    focus: [...focusOf(focus)],
    matchesReceived: matchesReceived(db).get(orgId) ?? 0,
    members,
  }
  const view: NeedView = {
    id,
    orgId,
    org,
    category,
    unit,
    quantity: remaining,
    from,
    until,
    schedule,
    areaPath: pathIds(path),
    urgency,
    beneficiaries,
    createdAt,
    topics: subjectList(topics),
    keywords: subjectList(keywords),
  }
  return { view, title, text: searchText({ title, description, place }) }
}

/** The offer a page is about, whatever its status, as loadOffers reads it (see pageNeed). */
function pageOffer(db: Db, id: number) {
  const row = prepared(
    db,
    `SELECT offers.id, offers.org_id, organizations.name, offers.category, offers.unit, offers.remaining, offers.quantity, offers.from_date,
    offers.until_date, offers.schedule, areas.path, offers.min_trust, offers.focus, offers.created_at, offers.title, offers.description, offers.topics, offers.keywords
    FROM offers JOIN organizations ON organizations.id = offers.org_id JOIN areas ON areas.id = offers.serves_area_id WHERE offers.id = ?`,
  ).get(id) as
    | [
        number,
        number,
        string,
        string,
        string,
        number,
        number,
        string | null,
        string | null,
        string | null,
        string,
        OfferView['minTrust'],
        string,
        string,
        string,
        string,
        string | null,
        string | null,
      ]
    | undefined
  if (!row) return undefined
  const [
    ,
    orgId,
    orgName,
    category,
    unit,
    remaining,
    quantity,
    from,
    until,
    schedule,
    path,
    minTrust,
    focus,
    createdAt,
    title,
    description,
    topics,
    keywords,
  ] = row
  const view: OfferView = {
    id,
    orgId,
    orgName,
    category,
    unit,
    remaining,
    quantity,
    from,
    until,
    schedule,
    servesPath: pathIds(path),
    minTrust,
    focus: [...focusOf(focus)],
    createdAt,
    track: trackRecords(db).get(orgId) ?? { delivered: 0, rating: null },
    topics: subjectList(topics),
    keywords: subjectList(keywords),
  }
  return { view, title, text: searchText({ title, description }) }
}

// What the matcher reads: active needs and available offers (listings.ts defines both).
const activeNeeds = activeNeed
const activeOffers = availableOffer

/** Every area's root → area ids. */
function areaIndex(db: Db) {
  return remember(
    sqliteOf(db),
    'matching.areas',
    () => {
      const rows = prepared(db, 'SELECT id, path FROM areas').all() as [number, string][]
      const paths = new Map(rows.map(([id, path]) => [id, { path, ids: pathIds(path) }]))
      return { path: (id: number) => paths.get(id)?.ids ?? [] }
    },
    ['areas'],
  )
}

/** The offers with their holders' track records (trackRecords): copies, since the views are shared (views.ts). */
function withTracks(db: Db, views: readonly OfferView[]): OfferView[] {
  const tracks = trackRecords(db)
  return views.map((v) => ({ ...v, track: tracks.get(v.orgId) ?? NO_TRACK }))
}

/** The needs with their organizations' matches received (matchesReceived): copies, since the views are shared. */
function withMatchesReceived(db: Db, views: readonly NeedView[]): NeedView[] {
  const received = matchesReceived(db)
  return views.map((v) => ({ ...v, org: { ...v.org, matchesReceived: received.get(v.orgId) ?? 0 } }))
}

/** Titles and holders' names of the offers shown. */
function offerNames(db: Db, ids: number[]): Map<number, { title: string; orgName: string }> {
  return names(db, 'offers', ids)
}

/** Titles and organizations' names of the needs shown. */
function needNames(db: Db, ids: number[]): Map<number, { title: string; orgName: string }> {
  return names(db, 'needs', ids)
}

function names(db: Db, table: 'needs' | 'offers', ids: number[]): Map<number, { title: string; orgName: string }> {
  if (ids.length === 0) return new Map()
  const list = padded(ids)
  const rows = prepared(
    db,
    `SELECT ${table}.id, ${table}.title, organizations.name FROM ${table} JOIN organizations ON organizations.id = ${table}.org_id
    WHERE ${table}.id IN (${marks(list.length)})`,
  ).all(...list) as [number, string, string][]
  return new Map(rows.map(([id, title, orgName]) => [id, { title, orgName }]))
}

/**
 * Every organization nobody answers for (members/answering.ts), for all organizations at once: the same for every
 * match page until a membership, an account, a broker's areas, an organization or an area changes.
 */
function unansweredOrgs(db: Db): ReadonlySet<number> {
  return remember(
    sqliteOf(db),
    'matching.unanswered',
    () => {
      const ids = prepared(db, 'SELECT id FROM organizations')
        .all()
        .map((r) => (r as [number])[0])
      const out = new Set<number>()
      for (let at = 0; at < ids.length; at += 8192)
        for (const id of unanswered(db, ids.slice(at, at + 8192))) out.add(id)
      return out
    },
    ['memberships', 'users', 'broker_areas', 'organizations', 'areas'],
  )
}

/**
 * Offers that fit a need, best first, with reasons; and, when none fits, why not. Candidates are narrowed
 * in SQL (same category, capacity left, serving an area above the need's place); the pure core checks the rest.
 */
export function offersForNeed(db: Db, needId: number, { limit = 20, now = new Date() } = {}) {
  const need = pageNeed(db, needId)
  if (!need) return undefined
  const today = listingToday(now)
  const open = need.view.quantity > 0
  const candidates = open ? withTracks(db, offersFor(db, need.view, today)) : []
  const relevance = candidates.length
    ? fts.relevance(
        sqliteOf(db),
        'offer',
        need.text,
        candidates.map((o) => o.id),
      )
    : new Map()
  // Every candidate is scored; only the shown ones get their reasons written. Offers of groups nobody answers
  // for come after the others (a tie-break after fit: what fits is unchanged), so a request reaches a person.
  const nobody = unansweredOrgs(db)
  const rank = (list: OfferView[], n: number) =>
    n <= 0 || list.length === 0
      ? []
      : rankOffers(
          need.view,
          list.map((o) => ({
            offer: o,
            relevance: relevance.get(o.id)?.score0to1 ?? 0,
            terms: relevance.get(o.id)?.terms ?? [],
          })),
          undefined,
          n,
        )
  const answerable = candidates.filter((o) => !nobody.has(o.orgId))
  const first = rank(answerable, limit)
  const shown = [
    ...first,
    ...rank(
      candidates.filter((o) => nobody.has(o.orgId)),
      limit - first.length,
    ),
  ]
  const byId = new Map(candidates.map((o) => [o.id, o]))
  const names = offerNames(
    db,
    shown.map((f) => f.offerId),
  )
  const ranked = shown.map((f) => {
    const o = byId.get(f.offerId)!
    const { title, orgName } = names.get(o.id)!
    return {
      offer: {
        id: o.id,
        title,
        orgId: o.orgId,
        orgName,
        remaining: o.remaining,
        unit: o.unit,
        unanswered: nobody.has(o.orgId),
      },
      score: f.score,
      reasons: f.reasons,
    }
  })
  let why: (WhyNot & { otherCategories: number }) | undefined
  if (open && candidates.length === 0) {
    // Only offers in the same category can ever be unlocked; the others are counted, not examined.
    // why-not reads the hard constraints only, so these views go without names and track records.
    const index = offerIndex(db, need.view.category, today)
    let otherCategories = 0
    for (const [category, n] of offerCounts(db, today)) if (category !== need.view.category) otherCategories += n
    why = { ...whyNot(need.view, index.all(), index.relation(need.view)), otherCategories }
  }
  return { need: need.view, total: candidates.length, matches: ranked, whyNot: why }
}

/** Needs an offer could serve, best first; under-resourced organizations rise through the fairness factor. */
export function needsForOffer(db: Db, offerId: number, { limit = 20, now = new Date() } = {}) {
  const offer = pageOffer(db, offerId)
  if (!offer) return undefined
  const today = listingToday(now)
  const candidates = offer.view.remaining > 0 ? withMatchesReceived(db, needsFor(db, offer.view, today)) : []
  const relevance = candidates.length
    ? fts.relevance(
        sqliteOf(db),
        'need',
        offer.text,
        candidates.map((n) => n.id),
      )
    : new Map()
  const shown = rankNeeds(
    offer.view,
    candidates.map((n) => ({
      need: n,
      relevance: relevance.get(n.id)?.score0to1 ?? 0,
      terms: relevance.get(n.id)?.terms ?? [],
    })),
    undefined,
    limit,
  )
  const byId = new Map(candidates.map((n) => [n.id, n]))
  const names = needNames(
    db,
    shown.map((f) => f.needId),
  )
  const ranked = shown.map((f) => {
    const n = byId.get(f.needId)!
    const { title, orgName } = names.get(n.id)!
    return {
      need: {
        id: n.id,
        title,
        orgId: n.orgId,
        orgName,
        remaining: n.quantity,
        unit: n.unit,
        areaId: n.areaPath.at(-1)!,
      },
      score: f.score,
      reasons: f.reasons,
    }
  })
  return { offer: offer.view, total: candidates.length, matches: ranked }
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
  return {
    need: need.view,
    offer: offer.view,
    violations: violations(need.view, offer.view),
    score: fit.score,
    reasons: fit.reasons,
  }
}

/** The broker's part of the district: needs placed in it, offers serving anywhere in it or above it. */
function allocationScope(db: Db, areaIds: number[], category: string | null, today: string) {
  const scopeAreas = areaIds.map((id) => areasSvc.get(db, id)).filter((a): a is NonNullable<typeof a> => !!a)
  if (scopeAreas.length === 0) return { needs: [], offers: [] }
  const within = or(...scopeAreas.map((a) => areasSvc.withinSql(areas.path, a.path)))
  const above = [...new Set(scopeAreas.flatMap((a) => pathIds(a.path)))]
  const cat = (col: typeof needs.category | typeof offers.category) => (category ? eq(col, category) : undefined)
  return {
    needs: loadNeeds(db, and(activeNeeds(today), cat(needs.category), within)),
    offers: loadOffers(
      db,
      and(activeOffers(today), cat(offers.category), or(within, inArray(offers.servesAreaId, above))),
    ),
  }
}

/** Runs the allocation and first-come-first-served on the same data, and keeps the proposal for review. */
export function runAllocation(
  db: Db,
  broker: CurrentUser,
  params: { areaIds: number[]; category: string | null },
  now = new Date(),
) {
  const scope = allocationScope(db, params.areaIds, params.category, listingToday(now))
  const needViews = scope.needs.map((n) => n.view),
    offerViews = scope.offers.map((o) => o.view)
  const started = performance.now()
  const proposal = allocate(needViews, offerViews)
  const ms = Math.round(performance.now() - started)
  const baseline = firstComeFirstServed(needViews, offerViews)
  // Each row carries its reasons as a proposal made from it would (assessPair), for the broker to judge.
  const assignments = proposal.assignments.map((a) => {
    const pair = assessPair(db, a.needId, a.offerId)
    return { ...a, reasons: pair?.reasons ?? [], fitScore: pair?.score ?? a.score }
  })
  const result = {
    proposal: { ...compact(proposal), assignments },
    baseline: {
      coverage: baseline.coverage,
      fairness: baseline.fairness,
      unservedOrgIds: baseline.unserved.map((u) => u.orgId),
    },
    ms,
  }
  const run = db
    .insert(allocationRuns)
    .values({ brokerId: broker.id, params, result, createdAt: now.toISOString() })
    .returning()
    .get()
  return { id: run.id, ...result }
}

function compact(a: Allocation) {
  return { assignments: a.assignments, coverage: a.coverage, fairness: a.fairness, unserved: a.unserved }
}

export type StoredRun = ReturnType<typeof runAllocation>

/** Scoped lookup: a broker sees only their own runs. */
export function findRun(db: Db, broker: CurrentUser, id: number) {
  const run = db
    .select()
    .from(allocationRuns)
    .where(and(eq(allocationRuns.id, id), eq(allocationRuns.brokerId, broker.id)))
    .get()
  return run && { ...run, result: run.result as Omit<StoredRun, 'id'> }
}

/** Open needs in these areas that no open offer can serve at all: the first queue on a broker's desk. */
export function needsWithoutOffers(db: Db, areaIds: number[], now = new Date()): number[] {
  const scope = allocationScope(db, areaIds, null, listingToday(now))
  const index = feasiblePairs(
    scope.needs.map((n) => n.view),
    scope.offers.map((o) => o.view),
  )
  return index.needs.filter((_, i) => index.pairStart[i + 1] === index.pairStart[i]).map((n) => n.id)
}

type NeedFact = {
  id: number
  orgId: number
  category: string
  remaining: number
  areaId: number
  createdAt: string
  served: boolean
}
type OfferFact = {
  id: number
  category: string
  remaining: number
  servesAreaId: number
  createdAt: string
  places: readonly number[]
}
export interface ServingFacts {
  needs: readonly NeedFact[]
  offers: readonly OfferFact[]
}

// Each view's facts, kept while what the tally says of it is unchanged: a write changes few of 100k.
const factsOf = new WeakMap<ServingSnapshot, ServingFacts>()
const needFacts = new WeakMap<NeedView, NeedFact>()
const offerFacts = new WeakMap<OfferView, OfferFact>()

/**
 * Who can serve whom across the whole district today, for the map, the agenda and the desk: every active need
 * with whether some available offer fits it, and every available offer with the places where it fits at least
 * one need (serving.ts, the one fit). From the kept views (views.ts keptServing), whose counts a write patches
 * for the listings it touched: at 100k listings, working it all out again after each write took seconds.
 */
export function servingFacts(db: Db, today: string): ServingFacts {
  const kept = keptServing(db, today)
  if (!kept) return recomputedServing(db, today)
  let facts = factsOf.get(kept)
  if (!facts) {
    const tally = (category: string) => kept.tallies.get(category)!
    factsOf.set(
      kept,
      (facts = {
        needs: kept.needs.map((n) => {
          const served = tally(n.category).served(n.id)
          let f = needFacts.get(n)
          if (f?.served !== served) {
            f = {
              id: n.id,
              orgId: n.orgId,
              category: n.category,
              remaining: n.quantity,
              areaId: n.areaPath.at(-1) ?? 0,
              createdAt: n.createdAt,
              served,
            }
            needFacts.set(n, f)
          }
          return f
        }),
        offers: kept.offers.map((o) => {
          const places = tally(o.category).placesOf(o.id)
          let f = offerFacts.get(o)
          if (f?.places !== places) {
            f = {
              id: o.id,
              category: o.category,
              remaining: o.remaining,
              servesAreaId: o.servesPath.at(-1) ?? 0,
              createdAt: o.createdAt,
              places,
            }
            offerFacts.set(o, f)
          }
          return f
        }),
      }),
    )
  }
  return facts
}

/**
 * servingFacts read afresh, inside a transaction (whose reads may yet be rolled back, so nothing kept is used):
 * only the columns the covering indexes needs_candidates and offers_candidates hold, areas and organizations
 * once into maps.
 */
function recomputedServing(db: Db, today: string): ServingFacts {
  const sqlite = sqliteOf(db)
  type NeedRow = [
    number,
    number,
    string,
    string,
    number,
    string | null,
    string | null,
    string | null,
    number,
    string,
    string | null,
    string | null,
  ]
  const needRows = sqlite
    .prepare(
      `SELECT id, org_id, category, unit, remaining, from_date, until_date, schedule, area_id, created_at, topics, keywords
    FROM needs WHERE ${activeNeedText()}`,
    )
    .raw()
    .all(today) as NeedRow[]
  type OfferRow = [
    number,
    number,
    string,
    string,
    number,
    number,
    string | null,
    string | null,
    string | null,
    number,
    OfferView['minTrust'],
    string,
    string,
    string | null,
    string | null,
  ]
  const offerRows = sqlite
    .prepare(
      `SELECT id, org_id, category, unit, remaining, quantity, from_date, until_date, schedule, serves_area_id, min_trust, focus, created_at, topics, keywords
    FROM offers WHERE ${availableOfferText()}`,
    )
    .raw()
    .all(today) as OfferRow[]
  const areaOf = areaIndex(db)
  const orgs = new Map(
    (
      sqlite.prepare('SELECT id, trust, focus FROM organizations').raw().all() as [number, OrgView['trust'], string][]
    ).map(([id, trust, focus]): [number, OrgView] => [
      id,
      { id, name: '', trust, focus: focusOf(focus), matchesReceived: 0, members: null },
    ]),
  )
  const offerViews: OfferView[] = offerRows.map(
    ([
      id,
      orgId,
      category,
      unit,
      remaining,
      quantity,
      from,
      until,
      schedule,
      servesAreaId,
      minTrust,
      focus,
      createdAt,
      topics,
      keywords,
    ]) => ({
      id,
      orgId,
      orgName: '',
      category,
      unit,
      remaining,
      quantity,
      from,
      until,
      schedule,
      servesPath: areaOf.path(servesAreaId),
      minTrust,
      focus: focusOf(focus),
      createdAt,
      track: NO_TRACK,
      topics: subjectList(topics),
      keywords: subjectList(keywords),
    }),
  )
  const needRowsKnown = needRows.filter((r) => orgs.has(r[1]))
  const needViews: NeedView[] = needRowsKnown.map(
    ([id, orgId, category, unit, remaining, from, until, schedule, areaId, createdAt, topics, keywords]) => ({
      id,
      orgId,
      org: orgs.get(orgId)!,
      category,
      unit,
      quantity: remaining,
      from,
      until,
      schedule,
      areaPath: areaOf.path(areaId),
      urgency: 'normal',
      beneficiaries: null,
      createdAt,
      topics: subjectList(topics),
      keywords: subjectList(keywords),
    }),
  )
  const found = serving(needViews, offerViews)
  return {
    needs: needRowsKnown.map((r, i) => ({
      id: r[0],
      orgId: r[1],
      category: r[2],
      remaining: r[4],
      areaId: r[8],
      createdAt: r[9],
      served: found.needServed[i] === 1,
    })),
    offers: offerRows.map((r, j) => ({
      id: r[0],
      category: r[2],
      remaining: r[4],
      servesAreaId: r[9],
      createdAt: r[12],
      places: found.offerPlaces[j]!,
    })),
  }
}

/**
 * Every available offer that fits an active need now, as ids: the same candidates and hard constraints as
 * offersForNeed, without scoring (the "new fit" alerts ask who fits, not who is best).
 */
export function offersFitting(db: Db, needId: number, now = new Date()): number[] {
  const need = pageNeed(db, needId)
  if (!need || need.view.quantity <= 0) return []
  return offersFor(db, need.view, listingToday(now)).map((o) => o.id)
}

/** Every active need that an offer fits now, as ids: needsForOffer's candidates and constraints, without scoring. */
export function needsFitting(db: Db, offerId: number, now = new Date()): number[] {
  const offer = pageOffer(db, offerId)
  if (!offer || offer.view.remaining <= 0) return []
  return needsFor(db, offer.view, listingToday(now)).map((n) => n.id)
}

// ---------------------------------------------------------------------------------------------------------
// What the JSON API names ranked listings by, beyond the core's views: refs, topics, organizations.

/** Refs and topic codes of these needs or offers, by id. */
export function listingLabels(
  db: Db,
  kind: 'need' | 'offer',
  ids: number[],
): Map<number, { ref: string | null; topics: string[] | null }> {
  const t = kind === 'need' ? needs : offers
  if (!ids.length) return new Map()
  return new Map(
    db
      .select({ id: t.id, ref: t.ref, topics: t.topics })
      .from(t)
      .where(inArray(t.id, ids))
      .all()
      .map((r) => [r.id, r]),
  )
}

/** Refs and names of these organizations, by id. */
export function orgLabels(db: Db, ids: number[]): Map<number, { ref: string | null; name: string }> {
  if (!ids.length) return new Map()
  const rows = db
    .select({ id: organizations.id, ref: organizations.ref, name: organizations.name })
    .from(organizations)
    .where(inArray(organizations.id, ids))
    .all()
  return new Map(rows.map((o) => [o.id, { ref: o.ref, name: o.name }]))
}

/** Where a broker allocates: all their areas, or one of them named by ref (an area outside them is not theirs). */
export function allocationAreas(db: Db, broker: CurrentUser, areaRef: string | undefined): number[] {
  if (!areaRef) return broker.brokerAreaIds
  const area = areasSvc.byRef(db, areaRef)
  if (!area || !pathCovered(broker.brokerAreaIds, area.path))
    throw new ValidationError({ area: { key: 'validation.area_missing' } })
  return [area.id]
}

/** The areas a broker picked for a run from the web form, among their own; none picked (or none theirs): all theirs. */
export function pickedAreas(broker: CurrentUser, chosen: number[] | undefined): number[] {
  const picked = (chosen ?? []).filter((id) => broker.brokerAreaIds.includes(id))
  return picked.length ? picked : broker.brokerAreaIds
}
