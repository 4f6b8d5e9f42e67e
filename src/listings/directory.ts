/**
 * The list pages' index, kept in memory per connection: every need and every offer (any status) as the few
 * fields a list filters and sorts on, in each list order, whole and per category. A page with filters never
 * asked before costs one pass over its category's entries in memory and one primary-key read of its 20 rows,
 * where counting and walking SQL indexes cost 5–20 ms at 100k listings whenever a write had emptied the memo.
 *
 * It is patched from the change log (db/changes.ts), whoever wrote: a write re-reads the listings it touched,
 * nothing else. A log that dropped entries this connection never saw, or many changes at once, reads
 * everything again (~100 ms at 100k listings). What counts as active is decided per request from `today`
 * with the rules of listings.ts, so the date moving on needs no re-read.
 */
import type Database from 'better-sqlite3'
import { changesSince, ensureChangeLog, lastChange } from '../db/changes.js'
import { ACTIVE_NEED_STATUSES, ACTIVE_OFFER_STATUSES } from './listings.js'

type Sqlite = Database.Database
export type Kind = 'need' | 'offer'

export interface Entry {
  id: number
  status: string
  category: string
  /** A need's place; an offer's served area. */
  area: number
  /** Needs: 2 high, 1 normal, 0 low, as the urgency order ranks them. Offers: 0. */
  urgency: number
  urgencyCode: string | null
  expiresAt: string | null
  untilDate: string | null
  remaining: number
  createdAt: string
  topics: readonly string[] | null
  orgId: number
  ref: string | null
}

export interface Filter {
  /** The list's status filter; undefined is 'active'. */
  status?: string
  today: string
  category?: string
  /** Areas whose listings pass (a need's place, an offer's served area); undefined: any. */
  areas?: ReadonlySet<number>
  urgency?: string
  ref?: string
  orgId?: number
  topic?: string
}

type Compare = (a: Entry, b: Entry) => number
// The orders of needs.ts and offers.ts's ORDER, in the same keys: SQLite compares text byte by byte, and every key
// here is ASCII, which JavaScript compares the same way.
const text = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1)
const ORDERS: Record<Kind, Record<string, Compare>> = {
  need: {
    newest: (a, b) => text(b.createdAt, a.createdAt) || b.id - a.id,
    deadline: (a, b) => text(a.expiresAt, b.expiresAt) || a.id - b.id,
    urgency: (a, b) => b.urgency - a.urgency || text(b.createdAt, a.createdAt) || b.id - a.id,
  },
  offer: {
    newest: (a, b) => text(b.createdAt, a.createdAt) || b.id - a.id,
    deadline: (a, b) => text(a.expiresAt, b.expiresAt) || a.id - b.id,
    capacity: (a, b) => b.remaining - a.remaining || b.id - a.id,
  },
}

const URGENCY_RANK: Record<string, number> = { high: 2, normal: 1 }
const COLUMNS: Record<Kind, string> = {
  need: 'id, status, category, area_id, urgency, expires_at, until_date, remaining, created_at, topics, org_id, ref FROM needs',
  offer: "id, status, category, serves_area_id, NULL, expires_at, until_date, remaining, created_at, topics, org_id, ref FROM offers",
}
type Row = [number, string, string, number, string | null, string | null, string | null, number, string, string | null, number, string | null]
const entry = (r: Row): Entry => ({
  id: r[0], status: r[1], category: r[2], area: r[3], urgencyCode: r[4], urgency: r[4] ? URGENCY_RANK[r[4]] ?? 0 : 0, expiresAt: r[5], untilDate: r[6],
  remaining: r[7], createdAt: r[8], topics: r[9] ? (JSON.parse(r[9]) as string[]) : null, orgId: r[10], ref: r[11],
})

/** Past this many changes at once, reading everything again is cheaper than patching. */
const PATCH_LIMIT = 5000

class Directory {
  readonly byId = new Map<number, Entry>()
  /** order → entries sorted by it; the same per category. */
  readonly all = new Map<string, Entry[]>()
  readonly byCategory = new Map<string, Map<string, Entry[]>>()
  constructor(readonly kind: Kind, public seq: number) {
    for (const order of Object.keys(ORDERS[kind])) this.all.set(order, [])
  }

  private lists(category: string): [Compare, Entry[]][] {
    let own = this.byCategory.get(category)
    if (!own) {
      own = new Map(Object.keys(ORDERS[this.kind]).map((o) => [o, []]))
      this.byCategory.set(category, own)
    }
    const out: [Compare, Entry[]][] = []
    for (const [order, compare] of Object.entries(ORDERS[this.kind])) out.push([compare, this.all.get(order)!], [compare, own.get(order)!])
    return out
  }

  fill(entries: Entry[]) {
    for (const e of entries) this.byId.set(e.id, e)
    for (const [order, compare] of Object.entries(ORDERS[this.kind])) {
      const sorted = [...entries].sort(compare)
      this.all.set(order, sorted)
      for (const e of sorted) {
        let own = this.byCategory.get(e.category)
        if (!own) this.byCategory.set(e.category, (own = new Map()))
        let list = own.get(order)
        if (!list) own.set(order, (list = []))
        list.push(e)
      }
    }
  }

  remove(id: number) {
    const old = this.byId.get(id)
    if (!old) return
    this.byId.delete(id)
    for (const [compare, list] of this.lists(old.category)) list.splice(position(list, old, compare), 1)
  }

  put(e: Entry) {
    this.remove(e.id)
    this.byId.set(e.id, e)
    for (const [compare, list] of this.lists(e.category)) list.splice(position(list, e, compare), 0, e)
  }
}

/** Where `e` is, or would go, in a list sorted by `compare` (every order ends on the id: positions are unique). */
function position(list: Entry[], e: Entry, compare: Compare): number {
  let lo = 0, hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compare(list[mid]!, e) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

const kept = new WeakMap<Sqlite, Record<Kind, Directory>>()
const statements = new WeakMap<Sqlite, Map<string, Database.Statement>>()
function stmt(sqlite: Sqlite, sql: string): Database.Statement {
  let map = statements.get(sqlite)
  if (!map) statements.set(sqlite, (map = new Map()))
  let st = map.get(sql)
  if (!st) map.set(sql, (st = sqlite.prepare(sql).raw()))
  return st
}

function build(sqlite: Sqlite): Record<Kind, Directory> {
  ensureChangeLog(sqlite)
  // The log's position first: a change written while the rows are read is then applied again, which is harmless.
  const seq = lastChange(sqlite)
  const dirs = { need: new Directory('need', seq), offer: new Directory('offer', seq) }
  for (const kind of ['need', 'offer'] as const) dirs[kind].fill((stmt(sqlite, `SELECT ${COLUMNS[kind]}`).all() as Row[]).map(entry))
  kept.set(sqlite, dirs)
  return dirs
}

function current(sqlite: Sqlite): Record<Kind, Directory> {
  const dirs = kept.get(sqlite)
  if (!dirs) return build(sqlite)
  const seq = dirs.need.seq
  const changes = changesSince(sqlite, seq, PATCH_LIMIT + 1)
  if (changes.length === 0) return dirs
  if (changes.length > PATCH_LIMIT || changes[0]![0] !== seq + 1) return build(sqlite)
  const touched = { need: new Set<number>(), offer: new Set<number>() }
  for (const [, kind, id] of changes) if (kind === 'need' || kind === 'offer') touched[kind].add(id)
  for (const kind of ['need', 'offer'] as const) {
    const one = stmt(sqlite, `SELECT ${COLUMNS[kind]} WHERE id = ?`)
    for (const id of touched[kind]) {
      const row = one.get(id) as Row | undefined
      if (row) dirs[kind].put(entry(row))
      else dirs[kind].remove(id)
    }
  }
  dirs.need.seq = dirs.offer.seq = changes.at(-1)![0]
  return dirs
}

const isCurrent = (e: Entry, today: string) => (e.expiresAt === null || e.expiresAt >= today) && (e.untilDate === null || e.untilDate >= today)
const lapsed = (e: Entry, today: string) => e.expiresAt !== null && e.expiresAt < today
const NEED_ACTIVE = new Set<string>(ACTIVE_NEED_STATUSES)
const OFFER_ACTIVE = new Set<string>(ACTIVE_OFFER_STATUSES)

/** A list's filters as one test per entry: the status rules of needs.ts / offers.ts statusCondition, and the rest. */
export function predicate(kind: Kind, f: Filter): (e: Entry) => boolean {
  const { today } = f
  const status = f.status ?? 'active'
  const active = kind === 'need' ? NEED_ACTIVE : OFFER_ACTIVE
  const byStatus: (e: Entry) => boolean =
    status === 'active' ? (kind === 'need' ? (e) => active.has(e.status) && e.remaining > 0 && isCurrent(e, today) : (e) => active.has(e.status) && isCurrent(e, today))
    : status === 'expired' ? (e) => e.status === 'expired' || (active.has(e.status) && lapsed(e, today))
    : kind === 'need' && (status === 'open' || status === 'partly_met') ? (e) => e.status === status && isCurrent(e, today)
    : (e) => e.status === status
  const { category, areas, urgency, ref, orgId, topic } = f
  return (e) => byStatus(e)
    && (category === undefined || e.category === category)
    && (areas === undefined || areas.has(e.area))
    && (urgency === undefined || e.urgencyCode === urgency)
    && (ref === undefined || e.ref === ref)
    && (orgId === undefined || e.orgId === orgId)
    && (topic === undefined || (e.topics?.includes(topic) ?? false))
}

/** One page of ids in `order` and how many pass in all. */
export function page(sqlite: Sqlite, kind: Kind, f: Filter, order: string, limit: number, offset: number): { ids: number[]; total: number } {
  const dir = current(sqlite)[kind]
  const list = (f.category === undefined ? dir.all.get(order) : dir.byCategory.get(f.category)?.get(order)) ?? []
  const passes = predicate(kind, f)
  const ids: number[] = []
  let total = 0
  for (let k = 0; k < list.length; k++) {
    const e = list[k]!
    if (!passes(e)) continue
    if (total >= offset && ids.length < limit) ids.push(e.id)
    total++
  }
  return { ids, total }
}

/** Whether a listing passes the filters (for text search among them); false for an id it does not know. */
export function keeps(sqlite: Sqlite, kind: Kind, f: Filter): (id: number) => boolean {
  const dir = current(sqlite)[kind]
  const passes = predicate(kind, f)
  return (id) => {
    const e = dir.byId.get(id)
    return e !== undefined && passes(e)
  }
}

/** Forgets this connection's directory (tests that rewrite rows behind the log's back). */
export function forget(sqlite: Sqlite) {
  kept.delete(sqlite)
}
