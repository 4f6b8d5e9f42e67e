/**
 * Full-text search over needs and offers: SQLite FTS5 over jieba-segmented text.
 *
 * Everything SQLite-specific about search lives here, behind functions that speak in listing ids, so a
 * PostgreSQL adapter can replace this file without touching the services. Segmentation (src/search/segment.ts)
 * and highlighting (src/search/highlight.ts) are database-free.
 *
 * How the app combines text search with its own filters and pagination: filter first, in its own SQL, down to
 * candidate ids, then hand them over: `searchPage(sqlite, 'need', q, { ids, limit, offset })` returns the page's
 * hits (best first) and the total for the pager in one pass. Without filters, leave `ids` out. Load the rows
 * with `inArray(needs.id, hitIds)` and keep the hits' order.
 * (SQLite-only detail, for debugging rather than for services: the index tables are `search_needs` and
 * `search_offers`, contentless FTS5 tables whose rowid is the listing id. Joining them in SQL does not make
 * filtered search cheaper: FTS5 restarts its query for every joined id.)
 */
import { markerTokens } from './expand.js'
import { indexTokens } from './segment.js'
import { addWritten } from './typo.js'
import { compiled } from './query.js'
import { copyWritten } from './relevance.js'
import { matchCount, matchingRowids } from './matches.js'
import { dirtied, forget, kindState, KINDS, stmt, TABLE, type Kind, type Sqlite } from './caches.js'

export type { Kind } from './caches.js'
/**
 * category: the listing's; when left out it is read from the needs/offers row of that id, if that table exists
 * (call indexDoc after writing the row). It is indexed as a marker that category words (场地, training) find.
 */
export type SearchDoc = { kind: Kind; id: number; title: string; body: string; category?: string }
/** score: bm25, higher is better, comparable only within one query. terms: the words to highlight. */
export type SearchHit = { id: number; score: number; terms: string[] }
/** ids: the candidates, as ids or as a test (a list page's filters, decided in memory without listing every id). */
export type SearchOptions = { limit?: number; offset?: number; ids?: Iterable<number> | Candidates }
export type Candidates = { has(id: number): boolean }
/** total: all matches (among `ids` if given), for the pager. terms: what was searched for, corrections included. */
export type SearchPage = { hits: SearchHit[]; total: number; terms: string[] }

/** Bump when indexTokens or the table definition changes: ensureSearchIndex then rebuilds the tables empty. */
const SCHEME_VERSION = 3
// A word in the title says what the listing is about; the same word in the body may be an aside.
const RANK = 'bm25(%t, 4.0, 1.0)'
/**
 * Queries matching more listings than this are ranked by bm25 within windows of this many, newest first.
 * bm25 costs about a microsecond per matching row (mostly reading the row's length), so ranking all 13k
 * matches of 志愿者 at 100k listings takes 10+ ms, a window of 1000 about one.
 */
const RANK_WINDOW = 1000

// ---------------------------------------------------------------------------------------------------------
// Schema

/**
 * Creates the index tables if they are missing, or rebuilds them (empty) if they were made by an older
 * version of the tokenization. Idempotent; call it when the database opens, after migrations. Returns the
 * kinds whose index was created: on an existing database their listings are not indexed yet. Pass `load`
 * (the listings of a kind, as id/title/body) to have those filled here, e.g.
 * `ensureSearchIndex(sqlite, (kind) => kind === 'need' ? allNeedsAsDocs() : allOffersAsDocs())`.
 */
export function ensureSearchIndex(
  sqlite: Sqlite,
  load?: (kind: Kind) => Iterable<{ id: number; title: string; body: string }>,
): { created: Kind[] } {
  const created: Kind[] = []
  sqlite.transaction(() => {
    sqlite.exec('CREATE TABLE IF NOT EXISTS search_meta (name TEXT PRIMARY KEY, version INTEGER NOT NULL)')
    for (const kind of KINDS) {
      const t = TABLE[kind]
      const row = sqlite.prepare('SELECT version FROM search_meta WHERE name = ?').get(t) as
        { version: number } | undefined
      const exists = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t)
      if (row?.version === SCHEME_VERSION && exists) continue
      sqlite.exec(`DROP TABLE IF EXISTS ${t}_vocab; DROP TABLE IF EXISTS ${t};`)
      // Contentless: the segmented text is never shown (highlighting works on the listing's own text), so
      // storing it would double the file for nothing. contentless_delete makes upserts and deletes possible
      // without handing back the old text. The one-character prefix index serves one-character Chinese queries;
      // English prefixes are stems of 3+ letters, which FTS5 reads term by term quickly enough.
      sqlite.exec(
        `CREATE VIRTUAL TABLE ${t} USING fts5(title, body, content='', contentless_delete=1, ` +
          `prefix='1', tokenize='unicode61 remove_diacritics 2');` +
          `CREATE VIRTUAL TABLE ${t}_vocab USING fts5vocab(${t}, 'row');`,
      )
      sqlite.prepare('INSERT OR REPLACE INTO search_meta (name, version) VALUES (?, ?)').run(t, SCHEME_VERSION)
      created.push(kind)
    }
  })()
  forget(sqlite)
  if (load) for (const kind of created) reindex(sqlite, kind, load(kind))
  return { created }
}

// ---------------------------------------------------------------------------------------------------------
// Writes

/** Adds or replaces one listing in the index. Call it in the same transaction as the listing's own write. */
export function indexDoc(sqlite: Sqlite, doc: SearchDoc): void {
  const title = indexTokens(doc.title)
  const body = indexedBody(sqlite, doc)
  stmt(sqlite, `INSERT OR REPLACE INTO ${TABLE[doc.kind]} (rowid, title, body) VALUES (?, ?, ?)`).run(
    doc.id,
    title,
    body,
  )
  merge(sqlite, doc.kind)
  wrote(sqlite, doc.kind, doc.id, title, body)
}

/**
 * The body's tokens and the listing's markers: its category, and the topics its words name (see
 * src/search/expand.ts). Markers go in the body, where a match weighs a quarter of the title's: a listing
 * using the searched word itself ranks above one found only through a synonym or its category.
 */
function indexedBody(sqlite: Sqlite, doc: SearchDoc): string {
  const category = doc.category ?? categoryOfListing(sqlite, doc.kind, doc.id)
  const markers = markerTokens(`${doc.title}\n${doc.body}`, category)
  const body = indexTokens(doc.body)
  return markers ? `${body} ${markers}` : body
}

const LISTINGS: Record<Kind, string> = { need: 'needs', offer: 'offers' }

function categoryOfListing(sqlite: Sqlite, kind: Kind, id: number): string | undefined {
  const ks = kindState(sqlite, kind)
  ks.hasListings ??=
    sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(LISTINGS[kind]) !== undefined
  if (!ks.hasListings) return undefined
  return (
    (stmt(sqlite, `SELECT category FROM ${LISTINGS[kind]} WHERE id = ?`).pluck().get(id) as string | undefined) ??
    undefined
  )
}

/** Takes a listing out of the index (withdrawn, deleted). Removing an id that is not there is fine. */
export function removeDoc(sqlite: Sqlite, kind: Kind, id: number): void {
  stmt(sqlite, `DELETE FROM ${TABLE[kind]} WHERE rowid = ?`).run(id)
  merge(sqlite, kind)
  wrote(sqlite, kind, id)
}

/**
 * Each write transaction adds a segment to the index and FTS5's automerge lets them pile up (a copy of the 100k bench
 * file: 1 segment a kind, 9 and 16 after 440 writes as the bench sends them), and every statement reads every segment
 * for every phrase (its match, and bm25's document counts): a search's two pages (needs, offers) cost 6.1-6.5 ms there,
 * 5.0-5.6 ms with this (8 and 8 segments; the two files asked in turn, query by query). Merging up to MERGE_PAGES leaf
 * pages after each write costs 0.07-0.16 ms a write; merging every level cost ~9 ms.
 */
const MERGE_PAGES = 16

function merge(sqlite: Sqlite, kind: Kind): void {
  const t = TABLE[kind]
  stmt(sqlite, `INSERT INTO ${t} (${t}, rank) VALUES ('merge', ${MERGE_PAGES})`).run()
}

/**
 * Replaces a kind's whole index with `docs`, in one transaction, and compacts it. For start-up after
 * ensureSearchIndex reported the kind as created, and for repairs.
 */
export function reindex(
  sqlite: Sqlite,
  kind: Kind,
  docs: Iterable<{ id: number; title: string; body: string }>,
): number {
  const t = TABLE[kind]
  let n = 0
  sqlite.transaction(() => {
    sqlite.prepare(`INSERT INTO ${t} (${t}) VALUES ('delete-all')`).run()
    const insert = sqlite.prepare(`INSERT INTO ${t} (rowid, title, body) VALUES (?, ?, ?)`)
    for (const d of docs) {
      insert.run(d.id, indexTokens(d.title), indexedBody(sqlite, { ...d, kind }))
      n++
    }
    sqlite.prepare(`INSERT INTO ${t} (${t}) VALUES ('optimize')`).run()
  })()
  forget(sqlite)
  return n
}

// ---------------------------------------------------------------------------------------------------------
// Reads

/**
 * One page of listings matching `q`, best first, and how many match in all.
 *
 * Every query word must match, Chinese words and English words being alternatives for each other
 * ("音响 speakers" finds either); if nothing matches all words, listings matching any of them are returned
 * instead. English words match as stem prefixes ("rehears", "volunteers" → volunteer*) and are corrected
 * against the index's vocabulary when they find (almost) nothing ("rehersal" → rehearsal). An empty or
 * stop-word-only query matches nothing.
 *
 * Ranking is bm25, a title match worth four body matches. A query matching more than RANK_WINDOW listings
 * is ranked window by window: the newest 1000 matches by bm25, then the next older 1000, and so on. Pages
 * stay consistent, and on a listing board the recent listings are the ones still open.
 */
export function searchPage(sqlite: Sqlite, kind: Kind, q: string, opts: SearchOptions = {}): SearchPage {
  const query = compiled(sqlite, kind, q)
  if (!query) return { hits: [], total: 0, terms: [] }
  const limit = Math.max(0, Math.floor(opts.limit ?? 20))
  const offset = Math.max(0, Math.floor(opts.offset ?? 0))
  const t = TABLE[kind]
  const terms = query.groups.flatMap((g) => g.terms)
  const hit = (r: Row): SearchHit => ({ id: r.id, score: r.score, terms: [...terms] })
  const ranked = `SELECT rowid AS id, -${RANK.replace('%t', t)} AS score FROM ${t} WHERE ${t} MATCH ?`
  const order = ' ORDER BY score DESC, rowid DESC'
  const windowed = stmt(
    sqlite,
    `SELECT id, score FROM (${ranked} ORDER BY rowid DESC LIMIT ? OFFSET ?)${order.replace('rowid', 'id')} LIMIT ? OFFSET ?`,
  )

  if (opts.ids === undefined) {
    const everything = matchCount(sqlite, kind, query)
    const page = { hits: [] as SearchHit[], total: everything, terms }
    if (limit === 0 || offset >= everything) return page
    if (everything <= RANK_WINDOW) {
      page.hits = (stmt(sqlite, `${ranked}${order} LIMIT ? OFFSET ?`).all(query.match, limit, offset) as Row[]).map(hit)
      return page
    }
    // Window w holds the matches at newest-first positions [w·W, (w+1)·W), ranked in one statement: each statement
    // over the index pays for its prefix terms' merged doclists (a stem like "for"* merges every word it starts),
    // so finding the window's bounds first and then ranking between them cost three passes instead of one.
    for (let at = offset; at < Math.min(offset + limit, everything);) {
      const first = Math.floor(at / RANK_WINDOW) * RANK_WINDOW
      const last = Math.min(first + RANK_WINDOW, everything) - 1
      const take = Math.min(offset + limit, last + 1) - at
      page.hits.push(...(windowed.all(query.match, RANK_WINDOW, first, take, at - first) as Row[]).map(hit))
      at += take
    }
    return page
  }

  const keep = candidates(opts.ids)
  if ((keep as ReadonlySet<number>).size === 0) return { hits: [], total: 0, terms }
  const newestFirst = matchingRowids(sqlite, kind, query)
  const everything = newestFirst.length
  const keptAt = positionsKept(newestFirst, keep)
  const total = keptAt.length
  const page = { hits: [] as SearchHit[], total, terms }
  if (limit === 0 || offset >= total) return page
  if (everything <= RANK_WINDOW) {
    // The plain statement's scan (rowid order, as `ranked ORDER BY score` scans: see the windows below for why the
    // scan must be the same), scoring only the candidates: bm25 reads a row's length (its docsize row) and
    // instances, ~1-15 µs a row at 1M listings where the matches lie far apart, and a filter keeps a few of them.
    const wanted = keptAt.map((i) => newestFirst[i]!)
    const rows = stmt(
      sqlite,
      `SELECT id, score FROM (SELECT rowid AS id, CASE WHEN rowid IN (SELECT value FROM json_each(?)) ` +
        `THEN -${RANK.replace('%t', t)} END AS score FROM ${t} WHERE ${t} MATCH ? ORDER BY rowid) ` +
        `WHERE score IS NOT NULL`,
    ).all(JSON.stringify(wanted), query.match) as Row[]
    page.hits = rows
      .sort((a, b) => b.score - a.score || b.id - a.id)
      .slice(offset, offset + limit)
      .map(hit)
    return page
  }
  // The same windows as without candidates, keeping only the candidates; windows before the page, and windows without
  // candidates, are skipped by counting. All the windows the page needs are ranked by one statement, the scan the
  // plain windows make (newest first from the top, no rowid bounds: FTS5's bm25 of a row can depend on the rows its
  // scan passed before, so a range scan ranked some windows differently), scoring only the candidates in them: each
  // statement's bm25 first reads the whole doclist of every phrase in the query, 10-20 ms at 1M listings for a pasted
  // title, and a sparse filter (a community's listings of one category) needed a statement for each of 10-20 windows.
  const windowOf = new Map<number, number>() // candidate in a needed window → its window's start
  let before = 0 // candidates in the windows already passed
  let taken = 0 // hits the needed windows give the page
  let end = 0 // newest-first position just past the last needed window
  let skipped = 0 // candidates in the windows before the first needed one
  // Windows without candidates change nothing: only those holding some are visited, in order.
  for (let k = 0; k < keptAt.length && taken < limit;) {
    const first = Math.floor(keptAt[k]! / RANK_WINDOW) * RANK_WINDOW
    const last = Math.min(first + RANK_WINDOW, everything) - 1
    let n = 0 // candidates in this window
    while (k + n < keptAt.length && keptAt[k + n]! <= last) n++
    if (before + n > offset) {
      if (end === 0) skipped = before
      for (let j = k; j < k + n; j++) windowOf.set(newestFirst[keptAt[j]!]!, first)
      taken += Math.min(before + n - Math.max(offset, before), limit - taken)
      end = last + 1
    }
    before += n
    k += n
  }
  const scored = stmt(
    sqlite,
    `SELECT id, score FROM (SELECT rowid AS id, CASE WHEN rowid IN (SELECT value FROM json_each(?)) ` +
      `THEN -${RANK.replace('%t', t)} END AS score FROM ${t} WHERE ${t} MATCH ? ORDER BY rowid DESC LIMIT ?) ` +
      `WHERE score IS NOT NULL`,
  ).all(JSON.stringify([...windowOf.keys()]), query.match, end) as Row[]
  const windows = new Map<number, Row[]>()
  for (const r of scored) {
    const first = windowOf.get(r.id)!
    const rows = windows.get(first)
    if (rows) rows.push(r)
    else windows.set(first, [r])
  }
  before = skipped
  for (const rows of windows.values()) {
    rows.sort((a, b) => b.score - a.score || b.id - a.id)
    const from = Math.max(0, offset - before)
    page.hits.push(...rows.slice(from, from + limit - page.hits.length).map(hit))
    before += rows.length
  }
  return page
}

/** The hits of searchPage alone. */
export function search(sqlite: Sqlite, kind: Kind, q: string, opts: SearchOptions = {}): SearchHit[] {
  return searchPage(sqlite, kind, q, opts).hits
}

/** The total of searchPage alone, without ranking anything. */
export function countMatches(sqlite: Sqlite, kind: Kind, q: string, opts: { ids?: Iterable<number> } = {}): number {
  const query = compiled(sqlite, kind, q)
  if (!query) return 0
  if (opts.ids === undefined) return matchCount(sqlite, kind, query)
  const keep = toSet(opts.ids)
  if (keep.size === 0) return 0
  return countKept(matchingRowids(sqlite, kind, query), keep)
}

/** What `search` looks for, corrections included: for a "searched for …" line, or to highlight a listing
 * shown outside a result list. */
export function searchTerms(sqlite: Sqlite, kind: Kind, q: string): string[] {
  return compiled(sqlite, kind, q)?.groups.flatMap((g) => g.terms) ?? []
}

type Row = { id: number; score: number }

function candidates(ids: Iterable<number> | Candidates): Candidates {
  return typeof (ids as Candidates).has === 'function' ? (ids as Candidates) : new Set(ids as Iterable<number>)
}

/**
 * The newest-first positions of the matches among the candidates, ascending: one test a match, where the total and then
 * the windows tested them in a pass each (the test asks the list pages' directory; a common word matches 144k listings
 * at 1M, 3-7 ms a pass).
 */
function positionsKept(newestFirst: ArrayLike<number>, keep: Candidates): number[] {
  const at: number[] = []
  for (let i = 0; i < newestFirst.length; i++) if (keep.has(newestFirst[i]!)) at.push(i)
  return at
}

function countKept(rowids: ArrayLike<number>, keep: Candidates): number {
  let n = 0
  for (let i = 0; i < rowids.length; i++) if (keep.has(rowids[i]!)) n++
  return n
}

function toSet(ids: Iterable<number>): ReadonlySet<number> {
  return ids instanceof Set ? (ids as ReadonlySet<number>) : new Set(ids)
}

/** Keeps this connection's caches current after it wrote a listing made of `tokens` (or removed one). */
function wrote(sqlite: Sqlite, kind: Kind, id: number, title?: string, body?: string): void {
  const ks = kindState(sqlite, kind)
  ks.queries.clear() // match-all-or-any and corrections depend on what is indexed
  ks.docs = undefined
  // Kept postings are checked again when next used, not dropped: most writes touch none of a page's words.
  if (ks.postings.size > 0) {
    copyWritten(sqlite, kind, ks, id, title, body)
    dirtied(ks, id)
  }
  const tokens = title === undefined ? '' : `${title} ${body}`
  if (ks.vocab && tokens) addWritten(ks.vocab, tokens)
}
