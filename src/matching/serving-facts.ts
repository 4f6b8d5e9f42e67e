/**
 * Who can serve whom across the whole district, for the map, the agenda and the desk: from the kept tallies
 * (views.ts keptServing), or read afresh inside a transaction.
 */
import { sqliteOf, type Db } from '../db/client.js'
import { activeNeedText, availableOfferText, listingToday } from '../listings/listings.js'
import { inSlices, type SliceFigures } from '../shared/slices.js'
import { subjectList } from './subject.js'
import { serving } from './serving.js'
import type { ServingSnapshot } from './kept-views.js'
import { countServingSome, keptServing } from './views.js'
import { focusOf, NO_TRACK, OFFER_COLUMNS, type OfferRow } from './view-rows.js'
import type { NeedView, OfferView, OrgView } from './types.js'
import { areaIndex } from './rows.js'

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
 * servingFacts counted now, in one go: the first count of who can serve whom takes seconds at 100k listings (after
 * it, a write patches only what it touched). The same connection's pages then answer from it.
 */
export function countServing(db: Db, now = new Date()): ServingFacts {
  return servingFacts(db, listingToday(now))
}

const counts = new WeakMap<Db, Promise<SliceFigures>>()

/**
 * Who can serve whom counted by a server that already listens (server.ts): in slices of about `sliceMs` of work
 * (views.ts countServingSome), each run when the event loop has nothing else to do, so requests are answered all
 * the while. Made at once before listening, the count held every request for 12 s at 100k listings, each restart.
 * A page that needs the count before it is done either waits for it (servingCounted) or, asking servingFacts,
 * counts what is left itself: either way it answers as it would after. Stops when the database closes.
 */
export function countServingInSlices(
  db: Db,
  opts: { sliceMs?: number; rows?: number; now?: () => Date } = {},
): Promise<SliceFigures> {
  const sqlite = sqliteOf(db)
  const now = opts.now ?? (() => new Date())
  const done = inSlices((deadline) => countServingSome(db, listingToday(now()), deadline, opts.rows), {
    sliceMs: opts.sliceMs,
    stop: () => (sqlite.open ? undefined : 'the database closed'),
  })
  counts.set(db, done)
  return done
}

/** Settles when the count countServingInSlices is making for this database is done; at once when there is none. */
export async function servingCounted(db: Db): Promise<void> {
  await counts.get(db)
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
  const offerRows = sqlite
    .prepare(`SELECT ${OFFER_COLUMNS} FROM offers WHERE ${availableOfferText()}`)
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
