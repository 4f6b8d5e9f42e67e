/**
 * The list pages' index, kept in memory per connection: every need and every offer (any status) as the few
 * fields a list filters and sorts on, in each list order, whole and per category. A page with filters never
 * asked before costs one pass over its category's entries in memory and one primary-key read of its 20 rows,
 * where counting and walking SQL indexes cost 5–20 ms at 100k listings whenever a write had emptied the memo.
 *
 * It is patched from the change log (db/changes.ts), whoever wrote: a write re-reads the listings it touched,
 * nothing else. A log that dropped entries this connection never saw, or many changes at once, reads
 * everything again (0.5–1 s at 100k listings; a server reads it first in slices after it listens, warmSome). What counts as active is decided per request from `today`
 * with the rules of listings.ts, so the date moving on needs no re-read.
 */
import type Database from 'better-sqlite3'
import { changesSince, lastChange } from '../db/changes.js'
import { ACTIVE_NEED_STATUSES, ACTIVE_OFFER_STATUSES } from './listings.js'

type Sqlite = Database.Database
export type Kind = 'need' | 'offer'

/** A listing as a list filters and sorts it: the row's own fields (see COLUMNS). */
type Row = [
  id: number,
  status: string,
  category: string,
  area: number,
  urgency: string | null,
  expiresAt: string | null,
  untilDate: string | null,
  remaining: number,
  createdAt: string,
  topics: string | null,
  orgId: number,
]

export interface Filter {
  /** The list's status filter; undefined is 'active'. */
  status?: string
  today: string
  category?: string
  /** Areas whose listings pass (a need's place, an offer's served area); undefined: any. */
  areas?: ReadonlySet<number>
  urgency?: string
  /** Listings among these ids only (a ref's, looked up by the caller: the change log does not follow refs). */
  ids?: ReadonlySet<number>
  orgId?: number
  topic?: string
}

const COLUMNS: Record<Kind, string> = {
  need: 'id, status, category, area_id, urgency, expires_at, until_date, remaining, created_at, topics, org_id FROM needs',
  offer:
    'id, status, category, serves_area_id, NULL, expires_at, until_date, remaining, created_at, topics, org_id FROM offers',
}
const URGENCY_RANK: Record<string, number> = { high: 2, normal: 1 }
/** A date (or the date part of a time) as yyyymmdd, so "on or after today" is one integer comparison; none: never ends. */
const NEVER = 99_999_999
const dayOf = (d: string | null) =>
  d === null ? NEVER : Number(d.slice(0, 4)) * 10_000 + Number(d.slice(5, 7)) * 100 + Number(d.slice(8, 10))

/**
 * Listings in slots of typed arrays (a pass over 50k of them reads a few hundred kilobytes, not 50k scattered
 * objects), and each order as a list of slots. Text keys are kept for sorting only.
 */
class Directory {
  size = 0
  readonly slotOf = new Map<number, number>()
  private free: number[] = []
  id = new Int32Array(1024)
  status = new Uint8Array(1024)
  category = new Uint8Array(1024)
  area = new Int32Array(1024)
  urgency = new Int8Array(1024)
  expires = new Int32Array(1024)
  until = new Int32Array(1024)
  remaining = new Float64Array(1024)
  orgId = new Int32Array(1024)
  createdAt: string[] = []
  expiresAt: (string | null)[] = []
  topics: (readonly string[] | null)[] = []
  readonly codes = { status: new Map<string, number>(), category: new Map<string, number>() }
  /** order → slots sorted by it; the same per category code. */
  readonly all = new Map<string, number[]>()
  readonly byCategory = new Map<number, Map<string, number[]>>()
  readonly orders: [string, (a: number, b: number) => number][]

  constructor(
    readonly kind: Kind,
    public seq: number,
  ) {
    const text = (a: string | null, b: string | null) =>
      a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1
    // needs.ts and offers.ts's orders, key for key; SQLite compares text byte by byte, and these keys are ASCII.
    const newest = (a: number, b: number) => text(this.createdAt[b]!, this.createdAt[a]!) || this.id[b]! - this.id[a]!
    const deadline = (a: number, b: number) => text(this.expiresAt[a]!, this.expiresAt[b]!) || this.id[a]! - this.id[b]!
    this.orders =
      kind === 'need'
        ? [
            ['newest', newest],
            ['deadline', deadline],
            ['urgency', (a, b) => this.urgency[b]! - this.urgency[a]! || newest(a, b)],
          ]
        : [
            ['newest', newest],
            ['deadline', deadline],
            ['capacity', (a, b) => this.remaining[b]! - this.remaining[a]! || this.id[b]! - this.id[a]!],
          ]
    for (const [order] of this.orders) this.all.set(order, [])
  }

  /**
   * Each filter's total, kept across writes: put and remove adjust every one, so a later page of the same filter, in
   * any order, counts nothing and stops at its last row. A filter is compiled against the codes and arrays as they
   * are, so a new code or grown arrays drop them all.
   */
  private readonly totals = new Map<string, { passes: (s: number) => boolean; total: number }>()

  code(kind: 'status' | 'category', value: string): number {
    const map = this.codes[kind]
    let c = map.get(value)
    if (c === undefined) {
      map.set(value, (c = map.size))
      this.totals.clear()
    }
    return c
  }

  /** How many listings pass the filter, and its test: from `totals`, or one pass that is then kept. */
  counted(f: Filter, list: readonly number[]): { passes: (s: number) => boolean; total: number } {
    const key = filterKey(f)
    let known = this.totals.get(key)
    if (known) {
      // Least recently used goes first.
      this.totals.delete(key)
      this.totals.set(key, known)
      return known
    }
    const passes = compile(this, f)
    let total = 0
    for (const s of list) if (passes(s)) total++
    if (this.totals.size >= TOTALS_KEPT) this.totals.delete(this.totals.keys().next().value!)
    this.totals.set(key, (known = { passes, total }))
    return known
  }

  private recount(s: number, by: 1 | -1) {
    for (const t of this.totals.values()) if (t.passes(s)) t.total += by
  }

  private slot(): number {
    const s = this.free.pop() ?? this.size++
    if (s >= this.id.length) {
      this.totals.clear()
      const grow = <T extends Int32Array | Uint8Array | Int8Array | Float64Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2)
        b.set(a)
        return b
      }
      this.id = grow(this.id)
      this.status = grow(this.status)
      this.category = grow(this.category)
      this.area = grow(this.area)
      this.urgency = grow(this.urgency)
      this.expires = grow(this.expires)
      this.until = grow(this.until)
      this.remaining = grow(this.remaining)
      this.orgId = grow(this.orgId)
    }
    return s
  }

  private write(r: Row): number {
    const s = this.slot()
    this.slotOf.set(r[0], s)
    this.id[s] = r[0]
    this.status[s] = this.code('status', r[1])
    this.category[s] = this.code('category', r[2])
    this.area[s] = r[3]
    this.urgency[s] = r[4] ? (URGENCY_RANK[r[4]] ?? 0) : 0
    this.expires[s] = dayOf(r[5])
    this.until[s] = dayOf(r[6])
    this.remaining[s] = r[7]
    this.createdAt[s] = r[8]
    this.expiresAt[s] = r[5]
    this.topics[s] = r[9] ? (JSON.parse(r[9]) as string[]) : null
    this.orgId[s] = r[10]
    return s
  }

  private lists(category: number): [(a: number, b: number) => number, number[]][] {
    let own = this.byCategory.get(category)
    if (!own) this.byCategory.set(category, (own = new Map(this.orders.map(([o]) => [o, []]))))
    return this.orders.flatMap(
      ([order, compare]) =>
        [
          [compare, this.all.get(order)!],
          [compare, own.get(order)!],
        ] as [(a: number, b: number) => number, number[]][],
    )
  }

  /** Slots written by append and not yet in the orders' lists. */
  private unsorted: number[] = []
  /** How many of `orders` sortNext has filled from `unsorted`. */
  private ordersSorted = 0

  /** Reading everything afresh: rows are appended (a chunk at a time when warming), then each order sorted once. */
  append(rows: Row[]) {
    for (const r of rows) this.unsorted.push(this.write(r))
  }

  /** Sorts the appended rows into the next order; true once every order is done. */
  sortNext(): boolean {
    if (this.ordersSorted === this.orders.length) return true
    const [order, compare] = this.orders[this.ordersSorted++]!
    const sorted = this.unsorted.sort(compare).slice()
    this.all.set(order, sorted)
    for (const s of sorted) {
      let own = this.byCategory.get(this.category[s]!)
      if (!own) this.byCategory.set(this.category[s]!, (own = new Map()))
      let list = own.get(order)
      if (!list) own.set(order, (list = []))
      list.push(s)
    }
    if (this.ordersSorted === this.orders.length) this.unsorted = []
    return this.ordersSorted === this.orders.length
  }

  remove(id: number) {
    const s = this.slotOf.get(id)
    if (s === undefined) return
    this.recount(s, -1)
    for (const [compare, list] of this.lists(this.category[s]!)) list.splice(position(list, s, compare), 1)
    this.slotOf.delete(id)
    this.topics[s] = null
    this.free.push(s)
  }

  put(r: Row) {
    this.remove(r[0])
    const s = this.write(r)
    for (const [compare, list] of this.lists(this.category[s]!)) list.splice(position(list, s, compare), 0, s)
    this.recount(s, 1)
  }
}

/** Where slot `s` is, or would go, in a list sorted by `compare` (every order ends on the id: positions are unique). */
function position(list: number[], s: number, compare: (a: number, b: number) => number): number {
  let lo = 0,
    hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compare(list[mid]!, s) < 0) lo = mid + 1
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

/** A directory being read a chunk of rows at a time (warmSome), from the log's position when it began. */
interface Warming {
  dirs: Record<Kind, Directory>
  /** Per kind, the last id read; Infinity once every row is. */
  after: Record<Kind, number>
}
const warming = new WeakMap<Sqlite, Warming>()
const KINDS = ['need', 'offer'] as const

function begin(sqlite: Sqlite): Warming {
  // The log's position first: a change written while the rows are read is then applied again, which is harmless.
  const seq = lastChange(sqlite)
  return {
    dirs: { need: new Directory('need', seq), offer: new Directory('offer', seq) },
    after: { need: 0, offer: 0 },
  }
}

/** Reads and sorts until `deadline` (performance.now()); true when the directory is whole. */
function advance(sqlite: Sqlite, w: Warming, deadline: number, rows: number): boolean {
  for (const kind of KINDS) {
    const chunk = stmt(sqlite, `SELECT ${COLUMNS[kind]} WHERE id > ? ORDER BY id LIMIT ?`)
    while (w.after[kind] !== Infinity) {
      const got = chunk.all(w.after[kind], rows) as Row[]
      w.dirs[kind].append(got)
      w.after[kind] = got.length < rows ? Infinity : got.at(-1)![0]
      if (performance.now() >= deadline) return false
    }
  }
  for (const kind of KINDS) while (!w.dirs[kind].sortNext()) if (performance.now() >= deadline) return false
  return true
}

/**
 * One slice of reading the list pages' directory, for a server that warms it after it listens: at 100k listings
 * reading it whole held the first list page after a restart, and every request behind it, for 0.5–2 s (and ten
 * times that at 1M). Reads `rows` listings at a time by id until `deadline`, then sorts one order per step; says
 * whether the directory is kept now. Writes between slices are in the change log since it began: the first page
 * that uses it re-reads what they touched, as after any write. A page asked before it is whole finishes it itself.
 */
export function warmSome(sqlite: Sqlite, deadline: number, rows = 5000): boolean {
  if (kept.has(sqlite)) return true
  let w = warming.get(sqlite)
  if (!w) warming.set(sqlite, (w = begin(sqlite)))
  if (!advance(sqlite, w, deadline, rows)) return false
  warming.delete(sqlite)
  kept.set(sqlite, w.dirs)
  return true
}

function build(sqlite: Sqlite): Record<Kind, Directory> {
  const w = begin(sqlite)
  advance(sqlite, w, Infinity, 100_000)
  return w.dirs
}

function current(sqlite: Sqlite): Record<Kind, Directory> {
  // Inside a transaction the log may hold entries that a rollback takes back (and their numbers are reused):
  // read everything as the transaction sees it, and keep nothing.
  if (sqlite.inTransaction) return build(sqlite)
  if (!kept.has(sqlite)) warmSome(sqlite, Infinity)
  const dirs = kept.get(sqlite)!
  const seq = dirs.need.seq
  const changes = changesSince(sqlite, seq, PATCH_LIMIT + 1)
  if (changes.length === 0) return dirs
  if (changes.length > PATCH_LIMIT || changes[0]![0] !== seq + 1) {
    forget(sqlite)
    warmSome(sqlite, Infinity)
    return kept.get(sqlite)!
  }
  const touched = { need: new Set<number>(), offer: new Set<number>() }
  for (const [, kind, id] of changes) if (kind === 'need' || kind === 'offer') touched[kind].add(id)
  for (const kind of ['need', 'offer'] as const) {
    const one = stmt(sqlite, `SELECT ${COLUMNS[kind]} WHERE id = ?`)
    for (const id of touched[kind]) {
      const row = one.get(id) as Row | undefined
      if (row) dirs[kind].put(row)
      else dirs[kind].remove(id)
    }
  }
  dirs.need.seq = dirs.offer.seq = changes.at(-1)![0]
  return dirs
}

/** Past this many changes at once, reading everything again is cheaper than patching. */
const PATCH_LIMIT = 5000

/**
 * A list's filters compiled against one directory: the status rules of listings.ts (needs.ts / offers.ts
 * statusCondition), then the rest. A value the directory never saw (a category nobody posted in) passes nothing.
 */
function compile(dir: Directory, f: Filter): (s: number) => boolean {
  const today = dayOf(f.today)
  const status = f.status ?? 'active'
  const codeOf = (v: string) => dir.codes.status.get(v) ?? -1
  // Status codes as a mask; 'expired' also takes active listings whose expiry has passed.
  const active = new Uint8Array(256),
    allowed = new Uint8Array(256)
  for (const c of (dir.kind === 'need' ? ACTIVE_NEED_STATUSES : ACTIVE_OFFER_STATUSES).map(codeOf))
    if (c >= 0) active[c] = 1
  const expiredMode = status === 'expired'
  const expiredCode = codeOf('expired')
  if (status === 'active') allowed.set(active)
  else if (codeOf(status) >= 0) allowed[codeOf(status)] = 1
  const current = status === 'active' || (dir.kind === 'need' && (status === 'open' || status === 'partly_met'))
  const positive = status === 'active' && dir.kind === 'need'
  const category = f.category === undefined ? -1 : (dir.codes.category.get(f.category) ?? -2)
  let areas: Uint8Array | undefined
  if (f.areas) {
    areas = new Uint8Array(Math.max(0, ...f.areas) + 1)
    for (const a of f.areas) areas[a] = 1
  }
  const urgency = f.urgency === undefined ? -1 : (URGENCY_RANK[f.urgency] ?? 0)
  const { ids, orgId, topic } = f
  const rare = ids !== undefined || orgId !== undefined || topic !== undefined
  const st = dir.status,
    expires = dir.expires,
    until = dir.until,
    remaining = dir.remaining,
    cat = dir.category,
    area = dir.area,
    urg = dir.urgency
  // One flat test, called once per listing of the pass: no closures inside, so the engine inlines it.
  return (s) => {
    if (category !== -1 && cat[s] !== category) return false
    if (areas !== undefined && areas[area[s]!] !== 1) return false
    const c = st[s]!
    if (expiredMode) {
      if (c !== expiredCode && !(active[c] === 1 && expires[s]! < today)) return false
    } else {
      if (allowed[c] !== 1) return false
      if (current && (expires[s]! < today || until[s]! < today)) return false
      if (positive && remaining[s]! <= 0) return false
    }
    if (urgency !== -1 && urg[s] !== urgency) return false
    if (rare) {
      if (ids !== undefined && !ids.has(dir.id[s]!)) return false
      if (orgId !== undefined && dir.orgId[s] !== orgId) return false
      if (topic !== undefined && !(dir.topics[s]?.includes(topic) ?? false)) return false
    }
    return true
  }
}

/** One page of ids in `order` and how many pass in all. */
export function page(
  sqlite: Sqlite,
  kind: Kind,
  f: Filter,
  order: string,
  limit: number,
  offset: number,
): { ids: number[]; total: number } {
  const dir = current(sqlite)[kind]
  const category = f.category === undefined ? undefined : dir.codes.category.get(f.category)
  const list =
    f.category === undefined
      ? dir.all.get(order)
      : category === undefined
        ? []
        : dir.byCategory.get(category)?.get(order)
  if (!list) return { ids: [], total: 0 }
  const { passes, total } = dir.counted(f, list)
  const ids: number[] = []
  if (offset >= total) return { ids, total }
  let seen = 0
  for (const s of list) {
    if (!passes(s)) continue
    if (seen++ >= offset) {
      ids.push(dir.id[s]!)
      if (ids.length >= limit) break
    }
  }
  return { ids, total }
}

/** How many filters' totals a directory keeps: each costs every write one test. */
const TOTALS_KEPT = 1024

/** The filter's identity for its kept total: every field compile reads. */
function filterKey(f: Filter): string {
  const set = (xs: ReadonlySet<number> | undefined) => (xs ? [...xs].sort((a, b) => a - b).join(',') : '*')
  return [
    f.status ?? 'active',
    f.today,
    f.category ?? '*',
    set(f.areas),
    f.urgency ?? '*',
    set(f.ids),
    f.orgId ?? '*',
    f.topic ?? '*',
  ].join('|')
}

/** Whether a listing passes the filters (for text search among them); false for an id it does not know. */
export function keeps(sqlite: Sqlite, kind: Kind, f: Filter): (id: number) => boolean {
  const dir = current(sqlite)[kind]
  const passes = compile(dir, f)
  return (id) => {
    const s = dir.slotOf.get(id)
    return s !== undefined && passes(s)
  }
}

/** Forgets this connection's directory (tests that rewrite rows behind the log's back). */
export function forget(sqlite: Sqlite) {
  kept.delete(sqlite)
  warming.delete(sqlite)
}
