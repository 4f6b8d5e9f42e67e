/**
 * The list pages' index, kept in memory per connection: every need and every offer (any status) as the few
 * fields a list filters and sorts on, in each list order, whole, per category and per area, and how many there are
 * of each sort (tally.ts). A page with filters never asked before sums its total from the tally, walks its
 * category's list or merges its areas' lists up to its last row, and reads its 20 rows by primary key, where
 * counting and walking SQL indexes cost 5–20 ms at 100k listings whenever a write had emptied the memo.
 *
 * It is patched from the change log (db/changes.ts), whoever wrote: a write re-reads the listings it touched,
 * nothing else. A log that dropped entries this connection never saw, or many changes at once, reads
 * everything again (0.5–1 s at 100k listings; a server reads it first in slices after it listens, warmSome). What counts as active is decided per request from `today`
 * with the rules of listings.ts, so the date moving on needs no re-read.
 */
import type Database from 'better-sqlite3'
import { changesSince, lastChange } from '../db/changes.js'
import { compile, dayOf, filterKey, URGENCY_RANK, type Filter } from './filter.js'
import { Tally } from './tally.js'

export type { Filter } from './filter.js'

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

const COLUMNS: Record<Kind, string> = {
  need: 'id, status, category, area_id, urgency, expires_at, until_date, remaining, created_at, topics, org_id FROM needs',
  offer:
    'id, status, category, serves_area_id, NULL, expires_at, until_date, remaining, created_at, topics, org_id FROM offers',
}

/**
 * Listings in slots of typed arrays (a pass over 50k of them reads a few hundred kilobytes, not 50k scattered
 * objects), and each order as a list of slots. Text keys are kept for sorting only.
 */
class Directory {
  size = 0
  readonly slotOf = new Map<number, number>()
  /**
   * slotOf again, as slot + 1 by id (0: none), for ids under SLOT_INDEX_IDS: a list page with a query tests every
   * listing the words match (140k for a common word at 1M listings), and a Map lookup each cost a tenth of the page.
   */
  private slotIndex = new Int32Array(1024)
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
  /** order → slots sorted by it; the same per category code and per area. */
  readonly all = new Map<string, number[]>()
  readonly byCategory = new Map<number, Map<string, number[]>>()
  readonly byArea = new Map<number, Map<string, number[]>>()
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
  /** Every listing's sort as of its day (tally.ts), for the totals of filters without a rare one; made when first asked. */
  private tally?: Tally

  code(kind: 'status' | 'category', value: string): number {
    const map = this.codes[kind]
    let c = map.get(value)
    if (c === undefined) {
      map.set(value, (c = map.size))
      this.totals.clear()
      this.tally = undefined
    }
    return c
  }

  /**
   * How many listings pass the filter, and its test: summed from the tally when no rare filter is set, else from
   * `totals`, or one pass over `lists` that is then kept.
   */
  counted(f: Filter, lists: readonly (readonly number[])[]): { passes: (s: number) => boolean; total: number } {
    if (f.ids === undefined && f.orgId === undefined && f.topic === undefined) {
      const { passes, accepts, category, urgency } = compile(this, f)
      const today = dayOf(f.today)
      if (this.tally?.today !== today) {
        // A new day moves listings between sorts: everyone is sorted again, once a day.
        this.tally = new Tally(today, this.codes.category.size, this.codes.status.size)
        for (const s of this.slotOf.values()) this.tally.add(this, s, 1)
      }
      return { passes, total: this.tally.count(f.areas, category, accepts, urgency) }
    }
    const key = filterKey(f)
    let known = this.totals.get(key)
    if (known) {
      // Least recently used goes first.
      this.totals.delete(key)
      this.totals.set(key, known)
      return known
    }
    const { passes } = compile(this, f)
    let total = 0
    for (const list of lists) for (const s of list) if (passes(s)) total++
    if (this.totals.size >= TOTALS_KEPT) this.totals.delete(this.totals.keys().next().value!)
    this.totals.set(key, (known = { passes, total }))
    return known
  }

  private recount(s: number, by: 1 | -1) {
    for (const t of this.totals.values()) if (t.passes(s)) t.total += by
  }

  /** The slot of listing `id`, if it has one. */
  slotFor(id: number): number | undefined {
    if (id < 0 || id >= SLOT_INDEX_IDS) return this.slotOf.get(id)
    const s = (this.slotIndex[id] ?? 0) - 1
    return s < 0 ? undefined : s
  }

  private index(id: number, value: number) {
    if (id < 0 || id >= SLOT_INDEX_IDS) return
    if (id >= this.slotIndex.length) {
      let n = this.slotIndex.length
      while (n <= id) n *= 2
      const grown = new Int32Array(Math.min(n, SLOT_INDEX_IDS))
      grown.set(this.slotIndex)
      this.slotIndex = grown
    }
    this.slotIndex[id] = value
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
    this.index(r[0], s + 1)
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

  /** Every ordered list slot `s` is in, as its category and area are now. */
  private lists(s: number): [(a: number, b: number) => number, number[]][] {
    const own = (by: Map<number, Map<string, number[]>>, key: number) => {
      let lists = by.get(key)
      if (!lists) by.set(key, (lists = new Map(this.orders.map(([o]) => [o, []]))))
      return lists
    }
    const category = own(this.byCategory, this.category[s]!)
    const area = own(this.byArea, this.area[s]!)
    return this.orders.flatMap(
      ([order, compare]) =>
        [
          [compare, this.all.get(order)!],
          [compare, category.get(order)!],
          [compare, area.get(order)!],
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
    const into = (by: Map<number, Map<string, number[]>>, key: number, s: number) => {
      let own = by.get(key)
      if (!own) by.set(key, (own = new Map()))
      let list = own.get(order)
      if (!list) own.set(order, (list = []))
      list.push(s)
    }
    for (const s of sorted) {
      into(this.byCategory, this.category[s]!, s)
      into(this.byArea, this.area[s]!, s)
    }
    if (this.ordersSorted === this.orders.length) this.unsorted = []
    return this.ordersSorted === this.orders.length
  }

  remove(id: number) {
    const s = this.slotOf.get(id)
    if (s === undefined) return
    this.recount(s, -1)
    this.tally?.add(this, s, -1)
    for (const [compare, list] of this.lists(s)) list.splice(position(list, s, compare), 1)
    this.slotOf.delete(id)
    this.index(id, 0)
    this.topics[s] = null
    this.free.push(s)
  }

  put(r: Row) {
    this.remove(r[0])
    const s = this.write(r)
    for (const [compare, list] of this.lists(s)) list.splice(position(list, s, compare), 0, s)
    this.recount(s, 1)
    this.tally?.add(this, s, 1)
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

/** Ids below this are found through an array (4 bytes an id up to the largest); larger ones through the Map. */
const SLOT_INDEX_IDS = 1 << 23

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
  const compare = dir.orders.find(([o]) => o === order)?.[1]
  if (!list || !compare) return { ids: [], total: 0 }
  // A few areas' listings are read from their own lists, merged in order: at 1M listings over a hundred places a
  // community's page walked and counted its whole category (70k listings a kind) to keep one in a hundred.
  const byArea = f.areas && areaLists(dir, f.areas, order)
  const lists = byArea && byArea.size * AREA_LISTS_SHARE < list.length ? byArea.lists : [list]
  const { passes, total } = dir.counted(f, lists)
  const ids: number[] = []
  if (offset >= total) return { ids, total }
  let seen = 0
  for (const s of lists.length === 1 ? lists[0]! : merged(lists, compare)) {
    if (!passes(s)) continue
    if (seen++ >= offset) {
      ids.push(dir.id[s]!)
      if (ids.length >= limit) break
    }
  }
  return { ids, total }
}

/** Below this share of the list a filter would walk (its category's or everyone's), its areas' own lists are walked. */
const AREA_LISTS_SHARE = 2
/** Beyond this many areas, merging their lists costs more per row than testing the rows of one list. */
const AREA_LISTS_MAX = 32

/** The areas' lists in `order`, and how many slots they hold; undefined when there are too many to merge. */
function areaLists(
  dir: Directory,
  areas: ReadonlySet<number>,
  order: string,
): { lists: number[][]; size: number } | undefined {
  if (areas.size > AREA_LISTS_MAX) return undefined
  const lists: number[][] = []
  let size = 0
  for (const a of areas) {
    const list = dir.byArea.get(a)?.get(order)
    if (!list || list.length === 0) continue
    lists.push(list)
    size += list.length
  }
  return { lists, size }
}

/** Slots of sorted, disjoint lists in one order: the smallest head each time (a few lists, so no heap). */
function* merged(lists: readonly number[][], compare: (a: number, b: number) => number): Generator<number> {
  const at = new Array<number>(lists.length).fill(0)
  for (;;) {
    let best = -1
    for (let i = 0; i < lists.length; i++) {
      if (at[i]! < lists[i]!.length && (best < 0 || compare(lists[i]![at[i]!]!, lists[best]![at[best]!]!) < 0)) best = i
    }
    if (best < 0) return
    yield lists[best]![at[best]!++]!
  }
}

/** How many filters' totals a directory keeps: each costs every write one test. */
const TOTALS_KEPT = 1024

/** Whether a listing passes the filters (for text search among them); false for an id it does not know. */
export function keeps(sqlite: Sqlite, kind: Kind, f: Filter): (id: number) => boolean {
  const dir = current(sqlite)[kind]
  const { passes } = compile(dir, f)
  return (id) => {
    const s = dir.slotFor(id)
    return s !== undefined && passes(s)
  }
}

/** Forgets this connection's directory (tests that rewrite rows behind the log's back). */
export function forget(sqlite: Sqlite) {
  kept.delete(sqlite)
  warming.delete(sqlite)
}
