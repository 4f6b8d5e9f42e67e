/**
 * The matcher's views of every active need and available offer, kept per connection between requests in candidate
 * indexes (candidates.ts) and patched from the change log (db/changes.ts): a write re-reads the one listing (or
 * organization) it touched, instead of every view of its table being read again on the next page. views.ts asks it.
 *
 * A category is read when a page first asks for it. A new day re-reads only the listings it makes or unmakes active
 * (those whose last day lies between); everything is read again when an area moves (paths), or when this connection
 * fell more than the log keeps behind. Inside a transaction nothing kept is patched (what it reads may yet be rolled
 * back): `pending` says what changed since, for a lookup to re-read just those.
 */
import type { Sqlite } from '../db/client.js'
import { changesSince, lastChange } from '../db/changes.js'
import { activeNeedText, availableOfferText } from '../listings/listings.js'
import { NeedIndex, OfferIndex } from './candidates.js'
import { ServingTally } from './serving.js'
import type { NeedView, OfferView, OrgView } from './types.js'
import {
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

export interface Kept {
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
export function keptOffers(sqlite: Sqlite, k: Kept, category: string): OfferIndex {
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
export function keptNeeds(sqlite: Sqlite, k: Kept, category: string): NeedIndex {
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
  // Most pages follow no write: the log's last number (one row of sqlite_sequence) says so for a quarter of what asking
  // the log for the entries after k.seq costs (~5 against ~20 us a page, twice on some).
  if (today === k.today && lastChange(sqlite) === k.seq) return k
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

export function current(sqlite: Sqlite, today: string): Kept {
  const k = kept.get(sqlite)
  return k ? patch(sqlite, k, today) : build(sqlite, today)
}

/**
 * Inside a transaction, what changed since the kept views were patched (the transaction's own writes included),
 * so a lookup can answer from the kept views and re-read only those listings, without keeping anything; undefined
 * when that is not possible (nothing kept for today, an area changed, the log has a gap or too much).
 */
export function pending(
  sqlite: Sqlite,
  today: string,
): { k: Kept; offers: Set<number>; needs: Set<number> } | undefined {
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

export function tallyOf(k: Kept, category: string): ServingTally {
  let tally = k.serving.get(category)
  if (!tally) k.serving.set(category, (tally = ServingTally.begin()))
  return tally
}

/**
 * The category's next `rows` listings of one side, by id, into k.loading (until `deadline`); once none are left the index is the
 * category's (keptOffers/keptNeeds take it over).
 */
export function readSome(
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
