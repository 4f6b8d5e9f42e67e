/**
 * What the match pages, the alerts and the map ask of the kept views (kept-views.ts): the listings that fit one
 * listing, whether each of many is fitted by anything, a category's index, who can serve whom, and how many offers
 * each category has. Part of the shell: with matching.ts, rows.ts and view-rows.ts, one of the modules here that read
 * the database. Inside a transaction nothing kept is used as it is: the asked category is read afresh, or the kept
 * views are used with the listings the transaction changed read again.
 */
import { sqliteOf, type Db, type Sqlite } from '../db/client.js'
import { activeNeedText, availableOfferText } from '../listings/listings.js'
import { NeedIndex, OfferIndex } from './candidates.js'
import { isFeasible } from './feasibility.js'
import { current, keptNeeds, keptOffers, pending, readSome, tallyOf, type ServingSnapshot } from './kept-views.js'
import type { NeedView, OfferView, OrgView } from './types.js'
import {
  areaPaths,
  NEED_COLUMNS,
  needView,
  OFFER_COLUMNS,
  offerView,
  orgView,
  stmt,
  type NeedRow,
  type OfferRow,
  type OrgRow,
} from './view-rows.js'

/** The available offers that fit the need (isFeasible), ordered by id. */
export function offersFor(db: Db, need: NeedView, today: string): OfferView[] {
  const sqlite = sqliteOf(db)
  const p = sqlite.inTransaction ? pending(sqlite, today) : undefined
  const index = p?.k.offers.get(need.category)
  if (!p || !index) return offerIndex(db, need.category, today).fitting(need)
  const out = index.fitting(need).filter((o) => !p.offers.has(o.id))
  for (const view of offersNow(sqlite, p.offers, p.k.pathOf, today))
    if (view.category === need.category && isFeasible(need, view)) out.push(view)
  return out.sort((a, b) => a.id - b.id)
}

/** The active needs the offer fits (isFeasible), ordered by id. */
export function needsFor(db: Db, offer: OfferView, today: string): NeedView[] {
  const sqlite = sqliteOf(db)
  const p = sqlite.inTransaction ? pending(sqlite, today) : undefined
  const index = p?.k.needs.get(offer.category)
  if (!p || !index) return needIndex(db, offer.category, today).fitting(offer)
  const out = index.fitting(offer).filter((n) => !p.needs.has(n.id))
  for (const view of needsNow(sqlite, p.needs, p.k.pathOf, today))
    if (view.category === offer.category && isFeasible(view, offer)) out.push(view)
  return out.sort((a, b) => a.id - b.id)
}

/** Of these offers (changed since the kept views were patched, or one a job asks about), the ones available now, as views. */
export function offersNow(sqlite: Sqlite, ids: Iterable<number>, pathOf: (areaId: number) => number[], today: string) {
  const offerRow = stmt(sqlite, `SELECT ${OFFER_COLUMNS} FROM offers WHERE id = ? AND ${availableOfferText('offers')}`)
  const views: OfferView[] = []
  for (const id of ids) {
    const row = offerRow.get(id, today) as OfferRow | undefined
    if (row) views.push(offerView(row, pathOf))
  }
  return views
}

/** Of these needs (changed since the kept views were patched, or one a job asks about), the ones active now, as views. */
export function needsNow(sqlite: Sqlite, ids: Iterable<number>, pathOf: (areaId: number) => number[], today: string) {
  const needRow = stmt(sqlite, `SELECT ${NEED_COLUMNS} FROM needs WHERE id = ? AND ${activeNeedText('needs')}`)
  const orgRow = stmt(sqlite, 'SELECT id, trust, focus, members FROM organizations WHERE id = ?')
  const views: NeedView[] = []
  for (const id of ids) {
    const row = needRow.get(id, today) as NeedRow | undefined
    const org = row && (orgRow.get(row[1]) as OrgRow | undefined)
    if (row && org) views.push(needView(row, orgView(org), pathOf))
  }
  return views
}

/**
 * For each need, whether an available offer that `accept` takes fits it (isFeasible). The new-fit alerts ask this of
 * every need a new offer fits ("did anything else fit it before?"), thousands of needs at 1M listings: listing every
 * fit of each took 12 s for one offer at 100k, with the server waiting. So each need stops at the first offer found,
 * trying first the one the serving tally names for it, when the tally is kept and counted.
 */
export function offerFitsEach(
  db: Db,
  needList: readonly NeedView[],
  today: string,
  accept: (offerId: number) => boolean,
): boolean[] {
  const sqlite = sqliteOf(db)
  const p = sqlite.inTransaction ? pending(sqlite, today) : undefined
  const k = sqlite.inTransaction ? p?.k : current(sqlite, today)
  const changed = p?.offers ?? NOTHING
  // Offers changed since the kept views were patched: read once, asked of every need.
  const fresh = p ? offersNow(sqlite, changed, p.k.pathOf, today) : []
  const read = new Map<string, OfferIndex>()
  return needList.map((need) => {
    const category = need.category
    let index = k && (sqlite.inTransaction ? k.offers.get(category) : keptOffers(sqlite, k, category))
    const kept = index !== undefined
    if (!index) {
      // Nothing kept to patch (inside a transaction): the category is read afresh once for all the needs.
      index = read.get(category) ?? offerIndex(db, category, today)
      read.set(category, index)
    }
    const skip = kept ? changed : NOTHING
    const tally = kept ? k!.serving.get(category) : undefined
    const witness = tally?.complete && !p?.needs.has(need.id) ? tally.witnessOf(need.id) : undefined
    if (witness !== undefined && !skip.has(witness) && accept(witness)) return true
    let found = false
    const ix = index
    ix.candidateLists(need, (list) => {
      for (const o of list)
        if (!skip.has(o.id) && ix.has(o) && isFeasible(need, o) && accept(o.id)) return (found = true)
      return false
    })
    if (!found && kept) found = fresh.some((o) => o.category === category && isFeasible(need, o) && accept(o.id))
    return found
  })
}

/** For each offer, whether an active need that `accept` takes is one it fits: offerFitsEach from the other side. */
export function needFitsEach(
  db: Db,
  offerList: readonly OfferView[],
  today: string,
  accept: (needId: number) => boolean,
): boolean[] {
  const sqlite = sqliteOf(db)
  const p = sqlite.inTransaction ? pending(sqlite, today) : undefined
  const k = sqlite.inTransaction ? p?.k : current(sqlite, today)
  const changed = p?.needs ?? NOTHING
  const fresh = p ? needsNow(sqlite, changed, p.k.pathOf, today) : []
  const read = new Map<string, NeedIndex>()
  return offerList.map((offer) => {
    const category = offer.category
    let index = k && (sqlite.inTransaction ? k.needs.get(category) : keptNeeds(sqlite, k, category))
    const kept = index !== undefined
    if (!index) {
      index = read.get(category) ?? needIndex(db, category, today)
      read.set(category, index)
    }
    const skip = kept ? changed : NOTHING
    const tally = kept ? k!.serving.get(category) : undefined
    if (tally?.complete && !p?.offers.has(offer.id))
      for (const witness of tally.witnessesOf(offer.id)) if (!skip.has(witness) && accept(witness)) return true
    let found = false
    const ix = index
    ix.candidateLists(offer, (list) => {
      for (const n of list)
        if (!skip.has(n.id) && ix.has(n) && isFeasible(n, offer) && accept(n.id)) return (found = true)
      return false
    })
    if (!found && kept) found = fresh.some((n) => n.category === category && isFeasible(n, offer) && accept(n.id))
    return found
  })
}

const NOTHING: ReadonlySet<number> = new Set()

/** A category's available offers, indexed; never changed by a caller. */
export function offerIndex(db: Db, category: string, today: string): OfferIndex {
  const sqlite = sqliteOf(db)
  if (sqlite.inTransaction) {
    const index = new OfferIndex()
    const pathOf = areaPaths(sqlite)
    for (const row of stmt(
      sqlite,
      `SELECT ${OFFER_COLUMNS} FROM offers WHERE category = ? AND ${availableOfferText('offers')}`,
    ).all(category, today) as OfferRow[]) {
      index.put(offerView(row, pathOf))
    }
    return index
  }
  return keptOffers(sqlite, current(sqlite, today), category)
}

/** A category's active needs, indexed; never changed by a caller. */
export function needIndex(db: Db, category: string, today: string): NeedIndex {
  const sqlite = sqliteOf(db)
  if (sqlite.inTransaction) {
    const index = new NeedIndex()
    const pathOf = areaPaths(sqlite)
    const orgs = new Map<number, OrgView>()
    for (const row of stmt(
      sqlite,
      `SELECT ${NEED_COLUMNS} FROM needs WHERE category = ? AND ${activeNeedText('needs')}`,
    ).all(category, today) as NeedRow[]) {
      let org = orgs.get(row[1])
      if (!org) {
        const o = stmt(sqlite, 'SELECT id, trust, focus, members FROM organizations WHERE id = ?').get(row[1]) as
          OrgRow | undefined
        if (!o) continue
        orgs.set(row[1], (org = orgView(o)))
      }
      index.put(needView(row, org, pathOf))
    }
    return index
  }
  return keptNeeds(sqlite, current(sqlite, today), category)
}

/**
 * Who can serve whom across the district: every active need and available offer, with each category's tally
 * (serving.ts), counted once when first asked and then patched with the indexes, one changed listing at a time.
 * The same object until something changes. Undefined inside a transaction, where nothing kept is used.
 */
export function keptServing(db: Db, today: string): ServingSnapshot | undefined {
  const sqlite = sqliteOf(db)
  if (sqlite.inTransaction) return undefined
  const k = current(sqlite, today)
  const categories = stmt(sqlite, 'SELECT code FROM categories ORDER BY code').all() as [string][]
  if (k.snapshot && categories.every(([c]) => k.serving.get(c)?.complete)) return k.snapshot
  const needs: NeedView[] = [],
    offers: OfferView[] = []
  for (const [category] of categories) {
    const offerList = keptOffers(sqlite, k, category),
      needList = keptNeeds(sqlite, k, category)
    // What countServingSome has not counted yet is counted now.
    tallyOf(k, category).countSome(needList, offerList, Infinity)
    for (const n of needList.all()) needs.push(n)
    for (const o of offerList.all()) offers.push(o)
  }
  return (k.snapshot = { needs, offers, tallies: k.serving })
}

/**
 * One slice of keptServing's work, for a server that counts after it listens: reads a few hundred listings of
 * a category into its index, or counts a category's needs, until `deadline` (performance.now()), and says
 * whether keptServing now answers without counting. Writes between slices patch what was read and counted, as
 * they patch the rest. A page that asks before the end reads or counts what is left itself.
 */
export function countServingSome(db: Db, today: string, deadline: number, rows = 200): boolean {
  const sqlite = sqliteOf(db)
  if (sqlite.inTransaction) return false
  const k = current(sqlite, today)
  for (const [category] of stmt(sqlite, 'SELECT code FROM categories ORDER BY code').all() as [string][]) {
    while (!k.offers.has(category)) {
      readSome(sqlite, k, 'offer', category, rows, deadline)
      if (performance.now() >= deadline) return false
    }
    while (!k.needs.has(category)) {
      readSome(sqlite, k, 'need', category, rows, deadline)
      if (performance.now() >= deadline) return false
    }
    if (!tallyOf(k, category).countSome(k.needs.get(category)!, k.offers.get(category)!, deadline)) return false
  }
  return true
}

/**
 * A category's offers indexed, and how many available offers the other categories have: why-not's inputs, from one
 * look at the kept views (offerIndex and offerCounts each look, and a look is a statement of the change log).
 */
export function offersAround(db: Db, category: string, today: string): { index: OfferIndex; elsewhere: number } {
  const sqlite = sqliteOf(db)
  if (sqlite.inTransaction) {
    let elsewhere = 0
    for (const [c, n] of offerCounts(db, today)) if (c !== category) elsewhere += n
    return { index: offerIndex(db, category, today), elsewhere }
  }
  const k = current(sqlite, today)
  let elsewhere = 0
  for (const [c] of stmt(sqlite, 'SELECT code FROM categories ORDER BY code').all() as [string][])
    if (c !== category) elsewhere += keptOffers(sqlite, k, c).size
  return { index: keptOffers(sqlite, k, category), elsewhere }
}

/**
 * How many available offers each category has, from the kept indexes (a category not read yet is read now): counting
 * them in SQL for every need page without matches cost ~0.8 ms, and any write to offers threw the count away.
 * Inside a transaction, counted in SQL, as nothing kept is used there.
 */
function offerCounts(db: Db, today: string): ReadonlyMap<string, number> {
  const sqlite = sqliteOf(db)
  if (sqlite.inTransaction)
    return new Map(
      stmt(sqlite, `SELECT category, count(*) FROM offers WHERE ${availableOfferText('offers')} GROUP BY category`).all(
        today,
      ) as [string, number][],
    )
  const k = current(sqlite, today)
  const counts = new Map<string, number>()
  for (const [category] of stmt(sqlite, 'SELECT code FROM categories ORDER BY code').all() as [string][]) {
    const n = keptOffers(sqlite, k, category).size
    if (n > 0) counts.set(category, n)
  }
  return counts
}
