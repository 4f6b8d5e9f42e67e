/**
 * One kind's listings (needs or offers) as the list pages filter and sort them: each listing's few fields in a slot of
 * typed arrays, each list order as a list of slots (whole, per category, per area), and the totals of filters asked
 * before, adjusted on every put and remove. directory.ts keeps one per connection and patches it from the change log;
 * this is the structure itself, which knows no database.
 */
import { compile, dayOf, filterKey, URGENCY_RANK, type Filter } from './filter.js'
import { Tally } from './tally.js'

export type Kind = 'need' | 'offer'

/** A listing as a list filters and sorts it: the row's own fields (directory.ts reads them, COLUMNS). */
export type Row = [
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

/**
 * Listings in slots of typed arrays (a pass over 50k of them reads a few hundred kilobytes, not 50k scattered
 * objects), and each order as a list of slots. Text keys are kept for sorting only.
 */
export class Directory {
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
   * The tally as of `today` (yyyy-mm-dd), made when a day first asks: a new day moves listings between sorts, so
   * everyone is sorted again, once a day (at 1M listings, tens of milliseconds: warmSome makes the first one).
   */
  tallied(today: string): Tally {
    const day = dayOf(today)
    if (this.tally?.today !== day) {
      this.tally = new Tally(day, this.codes.category.size, this.codes.status.size)
      for (const s of this.slotOf.values()) this.tally.add(this, s, 1)
    }
    return this.tally
  }

  /**
   * How many listings pass the filter, and its test: summed from the tally when no rare filter is set, else from
   * `totals`, or one pass over `lists` that is then kept.
   */
  counted(f: Filter, lists: readonly (readonly number[])[]): { passes: (s: number) => boolean; total: number } {
    if (f.ids === undefined && f.orgId === undefined && f.topic === undefined) {
      const { passes, accepts, category, urgency } = compile(this, f)
      return { passes, total: this.tallied(f.today).count(f.areas, category, accepts, urgency) }
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

/** Ids below this are found through an array (4 bytes an id up to the largest); larger ones through the Map. */
const SLOT_INDEX_IDS = 1 << 23

/** How many filters' totals a directory keeps: each costs every write one test. */
const TOTALS_KEPT = 1024
