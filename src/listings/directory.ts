/**
 * The list pages' index, kept in memory per connection: every need and every offer (any status) as the few fields a
 * list filters and sorts on, in each list order, whole, per category and per area, and how many there are of each sort
 * (tally.ts). That structure is directory-lists.ts; this module keeps it current and pages through it. A page with
 * filters never asked before sums its total from the tally, walks its category's list or merges its areas' lists up to
 * its last row, and reads its 20 rows by primary key, where counting and walking SQL indexes cost 5–20 ms at 100k
 * listings whenever a write had emptied the memo.
 *
 * It is patched from the change log (db/changes.ts), whoever wrote: a write re-reads the listings it touched, nothing
 * else. A log that dropped entries this connection never saw, or many changes at once, reads everything again (0.5–1 s
 * at 100k listings; a server reads it first in slices after it listens, warmSome). What counts as active is decided per
 * request from `today` with the rules of listings.ts, so the date moving on needs no re-read.
 */
import type Database from 'better-sqlite3'
import { changesSince, lastChange } from '../db/changes.js'
import { Directory, type Kind, type Row } from './directory-lists.js'
import { compile, type Filter } from './filter.js'
import { listingToday } from './listings.js'

export type { Filter } from './filter.js'

type Sqlite = Database.Database

const COLUMNS: Record<Kind, string> = {
  need: 'id, status, category, area_id, urgency, expires_at, until_date, remaining, created_at, topics, org_id FROM needs',
  offer:
    'id, status, category, serves_area_id, NULL, expires_at, until_date, remaining, created_at, topics, org_id FROM offers',
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
  /** Kinds whose tally of the day is made. */
  tallied: Set<Kind>
}
const warming = new WeakMap<Sqlite, Warming>()
const KINDS = ['need', 'offer'] as const

function begin(sqlite: Sqlite): Warming {
  // The log's position first: a change written while the rows are read is then applied again, which is harmless.
  const seq = lastChange(sqlite)
  return {
    dirs: { need: new Directory('need', seq), offer: new Directory('offer', seq) },
    after: { need: 0, offer: 0 },
    tallied: new Set(),
  }
}

/** Reads, sorts and tallies until `deadline` (performance.now()); true when the directory is whole. */
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
  // The day's tallies too, one a step, which the first list page would otherwise make (pages ask for today's).
  for (const kind of KINDS) {
    if (w.tallied.has(kind)) continue
    w.dirs[kind].tallied(listingToday(new Date()))
    w.tallied.add(kind)
    if (performance.now() >= deadline) return false
  }
  return true
}

/**
 * One slice of reading the list pages' directory, for a server that warms it after it listens: at 100k listings
 * reading it whole held the first list page after a restart, and every request behind it, for 0.5–2 s (and ten
 * times that at 1M). Reads `rows` listings at a time by id until `deadline`, then sorts one order per step, then
 * makes each kind's tally of the day (tally.ts) in a step of its own; says whether the directory is kept now. Writes
 * between slices are in the change log since it began: the first page that uses it re-reads what they touched, as
 * after any write. A page asked before it is whole finishes it itself.
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
