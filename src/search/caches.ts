/**
 * The search index's per-connection caches, shared by the index (fts.ts), query compilation (query.ts) and
 * relevance (relevance.ts): prepared statements, compiled queries, document counts and frequencies, kept postings
 * and the English vocabulary for corrections. Brought up to date when this connection or another one writes.
 */
import type Database from 'better-sqlite3'
import { changesSince, lastChange } from '../db/changes.js'
import { readVocabulary, type Vocabulary } from './typo.js'
import type { Compiled } from './query.js'
import type { Ids } from './ids.js'

export type Sqlite = Database.Database
export type Kind = 'need' | 'offer'

export const KINDS: readonly Kind[] = ['need', 'offer']
export const TABLE: Record<Kind, string> = { need: 'search_needs', offer: 'search_offers' }
/** Another connection's writes make the typo vocabulary stale; reload it at most this often. */
const VOCAB_RELOAD_MS = 10_000

/**
 * The listings a word's expression matches anywhere and in the title, as of the kind's `dirty` list up to `upTo`:
 * the listings written since are checked again when the postings are next used. The title's are read when first
 * asked for (a word's document count needs only `all`).
 */
export type Postings = { all: Ids; title?: Ids; upTo: number }
/**
 * Listings written since the oldest kept postings were read, beyond which they are all forgotten and read again when
 * next used. This connection's writes are checked against copies of themselves (relevance.ts recheck), a few
 * thousand in one small query; at 256, a site taking a write every few seconds forgot every kept list each quarter of
 * an hour, and at 1M listings reading a common word's postings again costs 10-25 ms, a page's worth many times over.
 */
export const DIRTY_KEPT = 4096

export type KindState = {
  queries: Map<string, Compiled | null>
  docs?: number
  postings: Map<string, Postings>
  /** 4-byte words held by `postings` (see relevance.ts POSTINGS_BUDGET). */
  postingsSize: number
  vocab?: Vocabulary
  hasListings?: boolean
  /** Listings written since the kept postings were read, in order (see Postings.upTo and recheck). */
  dirty: number[]
  /** Which of the temporary copies (copyWritten) are of the current `dirty` list. */
  gen: number
  lookups: { read: number; rechecked: number; copies: number }
  /** Group expressions searches named whose postings were not kept (matches.ts keptEnough). */
  named: Set<string>
  /** This connection's copied listings of generation and dirty length `at` (relevance.ts ownCopies). */
  own?: { at: string; ids: ReadonlySet<number> }
  /** The text of every copy written in generation `gen`, by listing (relevance.ts ownMayMatch). */
  ownTexts?: { gen: number; byId: Map<number, string | null> }
}
/** `seen`: the last change log entry (db/changes.ts) whose listing is in `dirty`; null without a change log. */
type State = {
  dataVersion: number
  versionOf: Database.Statement
  seen: number | null
  stmts: Map<string, Database.Statement>
  kinds: Record<Kind, KindState>
}
const states = new WeakMap<Sqlite, State>()

/**
 * The connection's caches. data_version moves only when another connection (a CLI, a second process)
 * commits: then compiled queries and counts are dropped at once, the vocabulary at most every
 * VOCAB_RELOAD_MS (reading it takes ~100 ms at 100k listings). This connection's own writes keep the
 * vocabulary current incrementally.
 */
function state(sqlite: Sqlite): State {
  let s = states.get(sqlite)
  // Prepared once per connection: a match page asks for the state a few dozen times, and sqlite.pragma() prepares
  // its statement on every call (~7% of a match page's CPU).
  const versionOf = s?.versionOf ?? sqlite.prepare('PRAGMA data_version').pluck()
  const version = versionOf.get() as number
  if (!s) {
    const kind = (): KindState => ({
      queries: new Map(),
      postings: new Map(),
      postingsSize: 0,
      named: new Set(),
      dirty: [],
      gen: 0,
      lookups: { read: 0, rechecked: 0, copies: 0 },
    })
    s = {
      dataVersion: version,
      versionOf,
      seen: logged(sqlite),
      stmts: new Map(),
      kinds: { need: kind(), offer: kind() },
    }
    states.set(sqlite, s)
  } else if (s.dataVersion !== version) {
    s.dataVersion = version
    for (const ks of Object.values(s.kinds)) {
      ks.queries.clear()
      ks.docs = undefined
      if (ks.vocab) ks.vocab.stale = true
    }
    catchUp(sqlite, s)
  }
  return s
}

/** The change log's last entry, or null when this database has none (a bare index, as in its own tests). */
function logged(sqlite: Sqlite): number | null {
  const has = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'listing_changes'").get()
  return has ? lastChange(sqlite) : null
}

/**
 * Another connection wrote: the listings it changed, from the change log, are checked again in the kept
 * postings. Without the log, or when it no longer reaches back to what was seen, they are all read again.
 */
function catchUp(sqlite: Sqlite, s: State): void {
  const entries = s.seen === null ? null : changesSince(sqlite, s.seen, DIRTY_KEPT + 1)
  const complete =
    entries !== null && entries.length <= DIRTY_KEPT && (entries.length === 0 || entries[0]![0] === s.seen! + 1)
  if (!complete) {
    for (const ks of Object.values(s.kinds)) {
      ks.postings.clear()
      ks.postingsSize = 0
      ks.dirty = []
      // A new generation, as when dirtied() forgets: the copies and the ids read of them (ownCopies) were of the
      // old dirty list, and the new one reaching the same length would take them for its own.
      ks.gen++
    }
    s.seen = logged(sqlite)
    return
  }
  for (const [seq, kind, id] of entries) {
    if ((kind === 'need' || kind === 'offer') && s.kinds[kind].postings.size > 0) dirtied(s.kinds[kind], -id)
    s.seen = seq
  }
}

/** After schema changes: statements and everything cached refer to tables that are gone. */
export function forget(sqlite: Sqlite): void {
  states.delete(sqlite)
}

export function stmt(sqlite: Sqlite, sql: string): Database.Statement {
  const s = states.get(sqlite) ?? state(sqlite)
  let st = s.stmts.get(sql)
  if (!st) {
    st = sqlite.prepare(sql)
    s.stmts.set(sql, st)
  }
  return st
}

/**
 * Every rowid an FTS5 expression matches, ascending: read as one JSON value rather than a row at a time, which at
 * 1M listings took 26 ms instead of 36 for 志愿者's 144k rowids (1.5 instead of 3.0 ms for its 14k at 100k). The
 * subquery's ORDER BY keeps the order: SQLite does not flatten an ordered subquery into an aggregate, and aggregates
 * its rows as the subquery yields them.
 */
export function matchingAscending(sqlite: Sqlite, kind: Kind, match: string): number[] {
  const t = TABLE[kind]
  const json = stmt(
    sqlite,
    `SELECT json_group_array(rowid) FROM (SELECT rowid FROM ${t} WHERE ${t} MATCH ? ORDER BY rowid)`,
  )
    .pluck()
    .get(match) as string
  return JSON.parse(json) as number[]
}

export function kindState(sqlite: Sqlite, kind: Kind): KindState {
  return state(sqlite).kinds[kind]
}

/** `ks`: the kind's state when the caller has just asked for it (each ask checks data_version, a statement). */
export function docCount(sqlite: Sqlite, kind: Kind, ks = kindState(sqlite, kind)): number {
  ks.docs ??= stmt(sqlite, `SELECT count(*) FROM ${TABLE[kind]}_docsize`).pluck().get() as number
  return ks.docs
}

/** `ks` as for docCount. */
export function vocabulary(sqlite: Sqlite, kind: Kind, ks = kindState(sqlite, kind)): Vocabulary {
  if (ks.vocab && !(ks.vocab.stale && Date.now() - ks.vocab.loadedAt > VOCAB_RELOAD_MS)) return ks.vocab
  const rows = stmt(sqlite, `SELECT term, doc FROM ${TABLE[kind]}_vocab WHERE term >= 'a' AND term < '{'`)
    .raw()
    .iterate()
  return (ks.vocab = readVocabulary(rows as Iterable<[string, number]>, Date.now()))
}

/**
 * Marks a listing's kept postings for a check (`id` negative for another connection's write); past DIRTY_KEPT,
 * forgets them all instead. Whether anything is kept is for the caller to ask first.
 */
export function dirtied(ks: KindState, id: number): void {
  if (ks.dirty.length >= DIRTY_KEPT) {
    ks.postings.clear()
    ks.postingsSize = 0
    ks.dirty = []
    ks.gen++
  } else ks.dirty.push(id)
}

/**
 * A rowid bound for FTS5, as an integer: better-sqlite3 binds a JS number as a real, which FTS5 ignores as a rowid
 * bound (SQLite still filters the rows, so the answer is the same) and walks the whole doclist instead of seeking
 * to the range: at 1M listings a ranking window of 志愿者 cost 9 ms that way, 2.5 ms with the range seeked.
 */
export function rowid(id: number): bigint {
  return BigInt(id)
}
