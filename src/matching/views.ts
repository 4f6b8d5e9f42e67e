/**
 * Every active need and available offer as the matcher's views, in candidate indexes (candidates.ts), kept per
 * connection between requests and patched from the change log (db/changes.ts): a write re-reads the one listing
 * (or organization) it touched, instead of every view of its table being read again on the next page. Part of
 * the shell: with matching.ts, rows.ts and view-rows.ts (how a row becomes a view), one of the modules here that
 * read the database.
 *
 * A category is read when a page first asks for it. A new day re-reads only the listings it makes or unmakes active
 * (those whose last day lies between); everything is read again when an area moves (paths), or when this connection
 * fell more than the log keeps behind. Inside a transaction nothing kept is used or patched (what it reads may yet be
 * rolled back): the asked category is read afresh, as before.
 */
import { sqliteOf, type Db, type Sqlite } from '../db/client.js'
import { changesSince, lastChange } from '../db/changes.js'
import { activeNeedText, availableOfferText } from '../listings/listings.js'
import { NeedIndex, OfferIndex } from './candidates.js'
import { isFeasible } from './feasibility.js'
import { ServingTally } from './serving.js'
import type { NeedView, OfferView, OrgView } from './types.js'
import {
  areaPaths,
  keepsPaths,
  NEED_COLUMNS,
  needView,
  OFFER_COLUMNS,
  offerView,
  orgView,
  readPaths,
  stmt,
  type NeedRow,
  type OfferRow,
  type OrgRow,
} from './view-rows.js'

interface Kept {
  today: string
  /** The last change applied. */
  seq: number
  paths: Map<number, number[]>
  pathOf: (areaId: number) => number[]
  offers: Map<string, OfferIndex>
  needs: Map<string, NeedIndex>
  orgs: Map<number, OrgView>
  offerCategory: Map<number, string>
  needCategory: Map<number, string>
  needsOfOrg: Map<number, Set<number>>
  /** Who can serve whom per category (serving.ts), once the map, the agenda or the desk asked: patched with the indexes. */
  serving: Map<string, ServingTally>
  /** The last answer of keptServing, until the next change. */
  snapshot?: ServingSnapshot
  /** A category's index being read a few rows at a time by id (countServingSome), the last read `after`. */
  loading?: Loading
}

type Loading = { category: string; after: number } & (
  { kind: 'offer'; index: OfferIndex } | { kind: 'need'; index: NeedIndex }
)

/**
 * The offers of the category being read, patched like the rest (a listing not read yet that a write put there is
 * read again, replacing itself).
 */
function loadingOffers(k: Kept, category: string): OfferIndex | undefined {
  const l = k.loading
  return l?.kind === 'offer' && l.category === category ? l.index : undefined
}

function loadingNeeds(k: Kept, category: string): NeedIndex | undefined {
  const l = k.loading
  return l?.kind === 'need' && l.category === category ? l.index : undefined
}

export interface ServingSnapshot {
  /** Every active need and available offer, by category. */
  needs: readonly NeedView[]
  offers: readonly OfferView[]
  tallies: ReadonlyMap<string, ServingTally>
}

const kept = new WeakMap<Sqlite, Kept>()

/** Past this many changes at once, reading everything again is cheaper than patching. */
const PATCH_LIMIT = 5000

// A category is read when a page first asks for it; until then its changes are not patched in (it will be read as it is).
// A tally is kept only while both of its category's indexes are, so each change reaches it through these four.
function putOffer(k: Kept, row: OfferRow): void {
  const index = k.offers.get(row[2]) ?? loadingOffers(k, row[2])
  if (!index) return
  dropOffer(k, row[0])
  const view = offerView(row, k.pathOf)
  index.put(view)
  k.offerCategory.set(view.id, view.category)
  k.serving.get(view.category)?.addOffer(view, k.needs.get(view.category)!)
}

function putNeed(k: Kept, row: NeedRow, org: OrgView): void {
  const index = k.needs.get(row[2]) ?? loadingNeeds(k, row[2])
  if (!index) return
  dropNeed(k, row[0])
  const view = needView(row, org, k.pathOf)
  index.put(view)
  k.needCategory.set(view.id, view.category)
  k.serving.get(view.category)?.addNeed(view, k.offers.get(view.category)!)
  let ofOrg = k.needsOfOrg.get(view.orgId)
  if (!ofOrg) k.needsOfOrg.set(view.orgId, (ofOrg = new Set()))
  ofOrg.add(view.id)
}

function dropOffer(k: Kept, id: number): void {
  const category = k.offerCategory.get(id)
  if (category === undefined) return
  const old = (k.offers.get(category) ?? loadingOffers(k, category))?.remove(id)
  k.offerCategory.delete(id)
  if (old) k.serving.get(category)?.removeOffer(old, k.needs.get(category)!, k.offers.get(category)!)
}

function dropNeed(k: Kept, id: number): void {
  const category = k.needCategory.get(id)
  if (category === undefined) return
  const old = (k.needs.get(category) ?? loadingNeeds(k, category))?.remove(id)
  if (old) k.needsOfOrg.get(old.orgId)?.delete(id)
  k.needCategory.delete(id)
  if (old) k.serving.get(category)?.removeNeed(old, k.needs.get(category)!, k.offers.get(category)!)
}

function build(sqlite: Sqlite, today: string): Kept {
  // The log's position first: a change written while the rows are read is then applied again, which is harmless.
  const seq = lastChange(sqlite)
  const k: Kept = {
    today,
    seq,
    paths: readPaths(sqlite),
    pathOf: (id) => k.paths.get(id) ?? [],
    offers: new Map(),
    needs: new Map(),
    orgs: new Map(),
    offerCategory: new Map(),
    needCategory: new Map(),
    needsOfOrg: new Map(),
    serving: new Map(),
  }
  for (const row of stmt(sqlite, 'SELECT id, trust, focus, members FROM organizations').all() as OrgRow[])
    k.orgs.set(row[0], orgView(row))
  kept.set(sqlite, k)
  return k
}

/**
 * The category's offers, read when first asked for (a day's first page of a category pays for it); what
 * countServingSome already read of it is kept and the rest read now.
 */
function keptOffers(sqlite: Sqlite, k: Kept, category: string): OfferIndex {
  let index = k.offers.get(category)
  if (!index) {
    const l = k.loading?.kind === 'offer' && k.loading.category === category ? k.loading : undefined
    k.loading = l ? undefined : k.loading
    k.offers.set(category, (index = l?.index ?? new OfferIndex()))
    for (const row of stmt(
      sqlite,
      `SELECT ${OFFER_COLUMNS} FROM offers WHERE category = ? AND ${availableOfferText('offers')} AND id > ?`,
    ).all(category, k.today, l?.after ?? 0) as OfferRow[])
      putOffer(k, row)
  }
  return index
}

/** The category's needs, as keptOffers. */
function keptNeeds(sqlite: Sqlite, k: Kept, category: string): NeedIndex {
  let index = k.needs.get(category)
  if (!index) {
    const l = k.loading?.kind === 'need' && k.loading.category === category ? k.loading : undefined
    k.loading = l ? undefined : k.loading
    k.needs.set(category, (index = l?.index ?? new NeedIndex()))
    for (const row of stmt(
      sqlite,
      `SELECT ${NEED_COLUMNS} FROM needs WHERE category = ? AND ${activeNeedText('needs')} AND id > ?`,
    ).all(category, k.today, l?.after ?? 0) as NeedRow[]) {
      const org = orgOf(sqlite, k, row[1])
      if (org) putNeed(k, row, org)
    }
  }
  return index
}

function orgOf(sqlite: Sqlite, k: Kept, id: number): OrgView | undefined {
  let org = k.orgs.get(id)
  if (!org) {
    const row = stmt(sqlite, 'SELECT id, trust, focus, members FROM organizations WHERE id = ?').get(id) as
      OrgRow | undefined
    if (row) k.orgs.set(id, (org = orgView(row)))
  }
  return org
}

/**
 * Re-reads what changed since the last call: the listings touched, and the needs of the organizations touched;
 * on a new day, also the listings whose last day lies between the two (the only ones a day makes or unmakes active).
 */
function patch(sqlite: Sqlite, k: Kept, today: string): Kept {
  const changes = changesSince(sqlite, k.seq, PATCH_LIMIT + 1)
  // A gap means the log dropped entries this connection never saw.
  if (changes.length > PATCH_LIMIT || (changes.length > 0 && changes[0]![0] !== k.seq + 1)) return build(sqlite, today)
  const offerIds = new Set<number>(),
    needIds = new Set<number>(),
    orgIds = new Set<number>()
  if (today !== k.today) {
    // Active on one day and not on the other, by listings.ts's own definition read for both days.
    const moved = (table: string, active: string) =>
      stmt(
        sqlite,
        `SELECT id FROM ${table} WHERE (${active.replaceAll('?', '@was')}) IS NOT (${active.replaceAll('?', '@now')})`,
      ).all({ was: k.today, now: today }) as [number][]
    const offers = moved('offers', availableOfferText('offers'))
    const needs = moved('needs', activeNeedText('needs'))
    if (offers.length + needs.length > PATCH_LIMIT) return build(sqlite, today)
    for (const [id] of offers) offerIds.add(id)
    for (const [id] of needs) needIds.add(id)
    k.today = today
  }
  if (changes.length === 0 && offerIds.size === 0 && needIds.size === 0) return k
  let areas = false
  for (const [, kind, id] of changes) {
    if (kind === 'area') areas = true
    else (kind === 'offer' ? offerIds : kind === 'need' ? needIds : orgIds).add(id)
  }
  if (areas) {
    // A renamed or a new area moves no listing; a moved or deleted one may, so then everything is read again.
    const paths = readPaths(sqlite)
    if (!keepsPaths(k.paths, paths)) return build(sqlite, today)
    k.paths = paths
  }
  k.snapshot = undefined
  for (const id of orgIds) {
    k.orgs.delete(id)
    for (const needId of k.needsOfOrg.get(id) ?? []) needIds.add(needId)
  }
  const offerRow = stmt(sqlite, `SELECT ${OFFER_COLUMNS} FROM offers WHERE id = ? AND ${availableOfferText('offers')}`)
  for (const id of offerIds) {
    dropOffer(k, id)
    const row = offerRow.get(id, k.today) as OfferRow | undefined
    if (row) putOffer(k, row)
  }
  const needRow = stmt(sqlite, `SELECT ${NEED_COLUMNS} FROM needs WHERE id = ? AND ${activeNeedText('needs')}`)
  for (const id of needIds) {
    dropNeed(k, id)
    const row = needRow.get(id, k.today) as NeedRow | undefined
    const org = row && orgOf(sqlite, k, row[1])
    if (row && org) putNeed(k, row, org)
  }
  if (changes.length > 0) k.seq = changes.at(-1)![0]
  return k
}

function current(sqlite: Sqlite, today: string): Kept {
  const k = kept.get(sqlite)
  return k ? patch(sqlite, k, today) : build(sqlite, today)
}

/**
 * Inside a transaction, what changed since the kept views were patched (the transaction's own writes included),
 * so a lookup can answer from the kept views and re-read only those listings, without keeping anything; undefined
 * when that is not possible (nothing kept for today, an area changed, the log has a gap or too much).
 */
function pending(sqlite: Sqlite, today: string): { k: Kept; offers: Set<number>; needs: Set<number> } | undefined {
  const k = kept.get(sqlite)
  if (!k || k.today !== today) return undefined
  const changes = changesSince(sqlite, k.seq, PATCH_LIMIT + 1)
  if (changes.length > PATCH_LIMIT || (changes.length > 0 && changes[0]![0] !== k.seq + 1)) return undefined
  const offers = new Set<number>(),
    needs = new Set<number>()
  for (const [, kind, id] of changes) {
    if (kind === 'area') return undefined
    if (kind === 'offer') offers.add(id)
    else if (kind === 'need') needs.add(id)
    else for (const needId of k.needsOfOrg.get(id) ?? []) needs.add(needId)
  }
  return { k, offers, needs }
}

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

/** Of these offers (changed since the kept views were patched), the ones available now, as views. */
function offersNow(sqlite: Sqlite, ids: Iterable<number>, pathOf: (areaId: number) => number[], today: string) {
  const offerRow = stmt(sqlite, `SELECT ${OFFER_COLUMNS} FROM offers WHERE id = ? AND ${availableOfferText('offers')}`)
  const views: OfferView[] = []
  for (const id of ids) {
    const row = offerRow.get(id, today) as OfferRow | undefined
    if (row) views.push(offerView(row, pathOf))
  }
  return views
}

/** Of these needs (changed since the kept views were patched), the ones active now, as views. */
function needsNow(sqlite: Sqlite, ids: Iterable<number>, pathOf: (areaId: number) => number[], today: string) {
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

function tallyOf(k: Kept, category: string): ServingTally {
  let tally = k.serving.get(category)
  if (!tally) k.serving.set(category, (tally = ServingTally.begin()))
  return tally
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
 * The category's next `rows` listings of one side, by id, into k.loading (until `deadline`); once none are left the index is the
 * category's (keptOffers/keptNeeds take it over).
 */
function readSome(
  sqlite: Sqlite,
  k: Kept,
  kind: Loading['kind'],
  category: string,
  rows: number,
  deadline: number,
): void {
  let l = k.loading
  if (l?.kind !== kind || l.category !== category)
    k.loading = l =
      kind === 'offer'
        ? { kind, category, index: new OfferIndex(), after: 0 }
        : { kind, category, index: new NeedIndex(), after: 0 }
  // By primary key (+category: not through the category's index, which would sort the category for each slice).
  const read =
    kind === 'offer'
      ? (stmt(
          sqlite,
          `SELECT ${OFFER_COLUMNS} FROM offers WHERE id > ? AND +category = ? AND ${availableOfferText('offers')} ORDER BY id LIMIT ?`,
        ).all(l.after, category, k.today, rows) as OfferRow[])
      : (stmt(
          sqlite,
          `SELECT ${NEED_COLUMNS} FROM needs WHERE id > ? AND +category = ? AND ${activeNeedText('needs')} ORDER BY id LIMIT ?`,
        ).all(l.after, category, k.today, rows) as NeedRow[])
  if (read.length < rows) {
    // The last few: the category's own read takes over the index and reads what is left.
    if (kind === 'offer') keptOffers(sqlite, k, category)
    else keptNeeds(sqlite, k, category)
    return
  }
  // Filing a listing costs more than reading it: the rest of the rows are read again by the next slice.
  for (const row of read) {
    l.after = row[0]
    if (kind === 'offer') putOffer(k, row as OfferRow)
    else {
      const org = orgOf(sqlite, k, row[1])
      if (org) putNeed(k, row as NeedRow, org)
    }
    if (performance.now() >= deadline) return
  }
}

/**
 * How many available offers each category has, from the kept indexes (a category not read yet is read now): counting
 * them in SQL for every need page without matches cost ~0.8 ms, and any write to offers threw the count away.
 * Inside a transaction, counted in SQL, as nothing kept is used there.
 */
export function offerCounts(db: Db, today: string): ReadonlyMap<string, number> {
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
