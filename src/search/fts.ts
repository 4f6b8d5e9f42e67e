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
import type Database from 'better-sqlite3'
import { categoryMarker, categoryOf, expandQuery, markerTokens } from './expand.js'
import { changesSince, lastChange } from '../db/changes.js'
import { bigrams, contentWords, indexTokens, isCjk, queryTerms, stem, subWords } from './segment.js'
import { addWritten, closeWords, prefixDocs, readVocabulary, type Vocabulary } from './typo.js'

type Sqlite = Database.Database
export type Kind = 'need' | 'offer'
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
export type Relevance = { score0to1: number; terms: string[] }

const KINDS: readonly Kind[] = ['need', 'offer']
const TABLE: Record<Kind, string> = { need: 'search_needs', offer: 'search_offers' }
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
/** In relevance(), a word shared only through the body counts this much of one shared through the title. */
const BODY_ONLY_SHARE = 0.6
/** How many of a text's most distinctive words relevance() matches on. */
const RELEVANCE_WORDS = 8
/** How many tokens may stand between the parts of a compound query word (垃圾 … 分类) for them to count. */
const COMPOUND_NEAR = 8
/** Another connection's writes make the typo vocabulary stale; reload it at most this often. */
const VOCAB_RELOAD_MS = 10_000

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
  wrote(sqlite, kind, id)
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
  const everything = matchCount(sqlite, t, query)

  if (opts.ids === undefined) {
    const page = { hits: [] as SearchHit[], total: everything, terms }
    if (limit === 0 || offset >= everything) return page
    if (everything <= RANK_WINDOW) {
      page.hits = (stmt(sqlite, `${ranked}${order} LIMIT ? OFFSET ?`).all(query.match, limit, offset) as Row[]).map(hit)
      return page
    }
    // Window w holds the matches at newest-first positions [w·W, (w+1)·W); its rowids bound a range scan.
    const nth = stmt(sqlite, `SELECT rowid FROM ${t} WHERE ${t} MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?`).pluck()
    const inRange = stmt(sqlite, `${ranked} AND rowid BETWEEN ? AND ?${order} LIMIT ? OFFSET ?`)
    for (let at = offset; at < Math.min(offset + limit, everything);) {
      const first = Math.floor(at / RANK_WINDOW) * RANK_WINDOW
      const last = Math.min(first + RANK_WINDOW, everything) - 1
      const take = Math.min(offset + limit, last + 1) - at
      const [hi, lo] = [nth.get(query.match, first) as number, nth.get(query.match, last) as number]
      page.hits.push(...(inRange.all(query.match, lo, hi, take, at - first) as Row[]).map(hit))
      at += take
    }
    return page
  }

  const keep = candidates(opts.ids)
  if ((keep as ReadonlySet<number>).size === 0) return { hits: [], total: 0, terms }
  const newestFirst = matchingRowids(sqlite, t, query)
  const total = newestFirst.reduce((n, id) => (keep.has(id) ? n + 1 : n), 0)
  const page = { hits: [] as SearchHit[], total, terms }
  if (limit === 0 || offset >= total) return page
  if (everything <= RANK_WINDOW) {
    const rows = stmt(sqlite, `${ranked}${order}`).all(query.match) as Row[]
    page.hits = rows
      .filter((r) => keep.has(r.id))
      .slice(offset, offset + limit)
      .map(hit)
    return page
  }
  // The same windows as without candidates (positions among all matches, so each range scan ranks at most
  // RANK_WINDOW rows), keeping only the candidates; windows before the page are skipped by counting.
  const inRange = stmt(sqlite, `${ranked} AND rowid BETWEEN ? AND ?${order}`)
  let before = 0 // candidates in the windows already passed
  for (let first = 0; first < everything && page.hits.length < limit; first += RANK_WINDOW) {
    const last = Math.min(first + RANK_WINDOW, everything) - 1
    let inWindow = 0
    for (let i = first; i <= last; i++) if (keep.has(newestFirst[i])) inWindow++
    if (before + inWindow > offset) {
      const rows = inRange.all(query.match, newestFirst[last], newestFirst[first]) as Row[]
      const inKeep = rows.filter((r) => keep.has(r.id))
      const from = Math.max(0, offset - before)
      page.hits.push(...inKeep.slice(from, from + limit - page.hits.length).map(hit))
    }
    before += inWindow
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
  const t = TABLE[kind]
  if (opts.ids === undefined) return matchCount(sqlite, t, query)
  const keep = toSet(opts.ids)
  if (keep.size === 0) return 0
  return matchingRowids(sqlite, t, query).reduce((n, id) => (keep.has(id) ? n + 1 : n), 0)
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

function toSet(ids: Iterable<number>): ReadonlySet<number> {
  return ids instanceof Set ? (ids as ReadonlySet<number>) : new Set(ids)
}

/** Counted once per compiled query, which is dropped at the next write. */
function matchCount(sqlite: Sqlite, t: string, query: Compiled): number {
  query.total ??= stmt(sqlite, `SELECT count(*) FROM ${t} WHERE ${t} MATCH ?`).pluck().get(query.match) as number
  return query.total
}

/**
 * All matching rowids, newest first. Reading them without ranking is cheap (~0.1 µs each); filtering
 * candidates in SQL with `rowid IN (…)` is not, since FTS5 restarts the whole query for every id.
 */
function matchingRowids(sqlite: Sqlite, t: string, query: Compiled): number[] {
  const sql = `SELECT rowid FROM ${t} WHERE ${t} MATCH ? ORDER BY rowid DESC`
  return stmt(sqlite, sql).pluck().all(query.match) as number[]
}

/**
 * How well each listing in `ids` (of `kind`) matches a longer text, e.g. a need's title and description
 * against candidate offers. Takes the text's most distinctive words (rare in the index, frequent in the
 * text, words of its title counting double) and scores each listing by the share of those words it
 * contains, weighted the same way; a word found only in a listing's body counts 0.6 of one in its title.
 * Scores are absolute (not scaled to the best candidate), so they compare across needs and candidates.
 * Listings sharing no word are left out of the map: treat a missing id as 0.
 */
export function relevance(
  sqlite: Sqlite,
  kind: Kind,
  text: string | { title: string; body: string },
  ids: Iterable<number>,
): Map<number, Relevance> {
  const out = new Map<number, Relevance>()
  const keep = toSet(ids)
  const docs = docCount(sqlite, kind)
  if (keep.size === 0 || docs === 0) return out
  const t = TABLE[kind]
  const { title, body } = typeof text === 'string' ? { title: '', body: text } : text

  // Inflections of one English word (fund, funding) are one word here, matched as the first one seen.
  const words = new Map<string, { word: string; tf: number }>()
  for (const [source, factor] of [
    [title, 2],
    [body, 1],
  ] as const) {
    for (const [word, tf] of contentWords(source)) {
      const key = isCjk(word) ? word : stem(word)
      const seen = words.get(key)
      if (seen) seen.tf += tf * factor
      else words.set(key, { word, tf: tf * factor })
    }
  }
  const chosen = [...words.values()]
    .map(({ word, tf }) => {
      const df = docFrequency(sqlite, kind, word)
      const idf = Math.log(1 + (docs - df + 0.5) / (df + 0.5))
      return { word, expr: termExpr(word).expr, df, weight: Math.min(tf, 2) * idf }
    })
    // A word no listing uses cannot match; one in most listings says nothing about fit.
    .filter((w) => w.df > 0 && w.df <= docs / 2)
    .sort((a, b) => b.weight - a.weight || (a.word < b.word ? -1 : 1))
    .slice(0, RELEVANCE_WORDS)
  const total = chosen.reduce((sum, w) => sum + w.weight, 0)
  if (total === 0) return out

  const add = (id: number, w: (typeof chosen)[number], inTitle: boolean) => {
    const r = out.get(id) ?? { score0to1: 0, terms: [] }
    r.score0to1 += (w.weight / total) * (inTitle ? 1 : BODY_ONLY_SHARE)
    r.terms.push(w.word)
    out.set(id, r)
  }
  if (!sqlite.inTransaction) {
    // Each word's postings, kept until the index changes: a short text's words include common ones (地点, 联系)
    // whose postings are a third of the index, and most match pages ask for them.
    const sorted = [...keep].sort((a, b) => a - b)
    for (const w of chosen) {
      const p = postings(sqlite, kind, w.expr)
      for (const id of sorted) if (holds(p.all, id)) add(id, w, holds(p.title, id))
    }
  } else {
    // Candidates are usually recent listings: scanning only their rowid range skips most of each word's postings.
    let [lo, hi] = [Infinity, -Infinity]
    for (const id of keep) [lo, hi] = [Math.min(lo, id), Math.max(hi, id)]
    const rowids = stmt(sqlite, `SELECT rowid FROM ${t} WHERE ${t} MATCH ? AND rowid BETWEEN ? AND ?`).pluck()
    for (const w of chosen) {
      const inTitle = new Set(rowids.all(`{title} : ${w.expr}`, lo, hi) as number[])
      for (const id of rowids.all(w.expr, lo, hi) as number[]) if (keep.has(id)) add(id, w, inTitle.has(id))
    }
  }
  for (const r of out.values()) r.score0to1 = Math.min(1, r.score0to1)
  return out
}

/**
 * Roughly how many listings contain `word`, from the index vocabulary rather than a query: an English
 * word's stem prefix summed over its forms, a Chinese word's own token, else its rarest part.
 */
/**
 * The listings (rowids, ascending) a word's expression matches anywhere and in the title, as of the kind's
 * `dirty` list up to `upTo`: the listings written since are checked again when the postings are next used.
 */
type Postings = { all: Int32Array; title: Int32Array; upTo: number }
const POSTINGS_KEPT = 400
/**
 * Listings written since the oldest kept postings were read, beyond which the postings are read again whole:
 * checking a listing costs two indexed lookups per word, reading a common word's postings a few milliseconds.
 */
const DIRTY_KEPT = 256

function postings(sqlite: Sqlite, kind: Kind, expr: string): Postings {
  const ks = kindState(sqlite, kind)
  const kept = ks.postings
  const t = TABLE[kind]
  let p = kept.get(expr)
  if (p) {
    kept.delete(expr)
    if (p.upTo < ks.dirty.length) recheck(sqlite, kind, expr, p, ks)
  } else {
    const rowids = stmt(sqlite, `SELECT rowid FROM ${t} WHERE ${t} MATCH ? ORDER BY rowid`).pluck()
    p = {
      all: Int32Array.from(rowids.all(expr) as number[]),
      title: Int32Array.from(rowids.all(`{title} : ${expr}`) as number[]),
      upTo: ks.dirty.length,
    }
    ks.lookups.read++
    if (kept.size >= POSTINGS_KEPT) kept.delete(kept.keys().next().value!)
  }
  kept.set(expr, p)
  return p
}

/**
 * Brings kept postings up to date with the listings written since they were read. This connection's writes
 * (positive ids in `dirty`) are matched against their own text, copied at write time into a small temporary
 * index (see copyWritten): asking the whole index about one listing costs a common word's whole doclist. Another
 * connection's (negative ids) are asked of the index, as only the change log's ids are known of them.
 */
function recheck(sqlite: Sqlite, kind: Kind, expr: string, p: Postings, ks: KindState): void {
  const last = new Map<number, boolean>() // listing → whether its last write was this connection's
  for (let k = p.upTo; k < ks.dirty.length; k++) last.set(Math.abs(ks.dirty[k]!), ks.dirty[k]! > 0)
  let own: { known: Set<number>; all: Set<number>; title: Set<number> } | undefined
  if ([...last.values()].some((x) => x) && stmt(sqlite, TEMP_EXISTS).get(`kept_${kind}`) !== undefined) {
    const rows = (where: string, ...args: unknown[]) =>
      new Set(
        stmt(sqlite, `SELECT rowid FROM temp.kept_${kind} WHERE ${where} gen = ?`)
          .pluck()
          .all(...args, ks.gen) as number[],
      )
    own = {
      known: rows(''),
      all: rows(`kept_${kind} MATCH ? AND`, expr),
      title: rows(`kept_${kind} MATCH ? AND`, `{title} : ${expr}`),
    }
  }
  const t = TABLE[kind]
  // Not `rowid = ?`: FTS5 ignores an equality with a JS number (bound as a real) and answers for any listing.
  const one = stmt(sqlite, `SELECT 1 FROM ${t} WHERE ${t} MATCH ? AND rowid BETWEEN ? AND ?`).pluck()
  for (const [id, mine] of last) {
    if (!mine) {
      p.all = place(p.all, id, one.get(expr, id, id) !== undefined)
      p.title = place(p.title, id, one.get(`{title} : ${expr}`, id, id) !== undefined)
    } else if (own?.known.has(id)) {
      p.all = place(p.all, id, own.all.has(id))
      p.title = place(p.title, id, own.title.has(id))
    }
    // Else its write was rolled back, with its copy: the index is as the postings have it.
  }
  p.upTo = ks.dirty.length
  ks.lookups.rechecked++
}
const TEMP_EXISTS = "SELECT 1 FROM temp.sqlite_master WHERE type = 'table' AND name = ?"

/**
 * A copy of what this connection just indexed for a listing (nothing when removed), in its transaction: rolled
 * back with it, so a copy of this generation (`gen`) is the listing as the index has it.
 */
function copyWritten(sqlite: Sqlite, kind: Kind, ks: KindState, id: number, title = '', body = ''): void {
  sqlite.exec(
    `CREATE VIRTUAL TABLE IF NOT EXISTS temp.kept_${kind} USING fts5(title, body, gen UNINDEXED, ` +
      `prefix='1', tokenize='unicode61 remove_diacritics 2')`,
  )
  stmt(sqlite, `DELETE FROM temp.kept_${kind} WHERE rowid = ?`).run(BigInt(id))
  stmt(sqlite, `INSERT INTO temp.kept_${kind} (rowid, title, body, gen) VALUES (?, ?, ?, ?)`).run(
    BigInt(id),
    title,
    body,
    ks.gen,
  )
}

/** `sorted` with `id` in it or not, as `inside` says; the same array when nothing changes. */
function place(sorted: Int32Array, id: number, inside: boolean): Int32Array {
  let lo = 0,
    hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (sorted[mid]! < id) lo = mid + 1
    else hi = mid
  }
  const there = lo < sorted.length && sorted[lo] === id
  if (there === inside) return sorted
  const out = new Int32Array(sorted.length + (inside ? 1 : -1))
  out.set(sorted.subarray(0, lo))
  if (inside) {
    out[lo] = id
    out.set(sorted.subarray(lo), lo + 1)
  } else out.set(sorted.subarray(lo + 1), lo)
  return out
}

/**
 * Marks a listing's kept postings for a check (`id` negative for another connection's write); past DIRTY_KEPT,
 * forgets them all instead. Whether anything is kept is for the caller to ask first.
 */
function dirtied(ks: KindState, id: number): void {
  if (ks.dirty.length >= DIRTY_KEPT) {
    ks.postings.clear()
    ks.dirty = []
    ks.gen++
  } else ks.dirty.push(id)
}

/** How often relevance() read a word's postings whole, and brought kept ones up to date instead. */
export function relevanceLookups(sqlite: Sqlite, kind: Kind): { read: number; rechecked: number } {
  return { ...kindState(sqlite, kind).lookups }
}

function holds(sorted: Int32Array, id: number): boolean {
  let lo = 0,
    hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (sorted[mid]! < id) lo = mid + 1
    else hi = mid
  }
  return lo < sorted.length && sorted[lo] === id
}

function docFrequency(sqlite: Sqlite, kind: Kind, word: string): number {
  if (!isCjk(word)) {
    const vocab = vocabulary(sqlite, kind)
    return word.length < 3 ? (vocab.df.get(word) ?? 0) : prefixDocs(vocab, stem(word), Infinity)
  }
  // Read from the index, kept until it changes (as docs is): a match page asks for words many others asked for.
  // Not inside a transaction, whose writes may yet be rolled back.
  if (sqlite.inTransaction) return countDocs(sqlite, kind, word)
  const known = kindState(sqlite, kind).dfs
  let df = known.get(word)
  if (df === undefined) {
    if (known.size >= 20_000) known.clear()
    known.set(word, (df = countDocs(sqlite, kind, word)))
  }
  return df
}

function countDocs(sqlite: Sqlite, kind: Kind, word: string): number {
  const lookup = stmt(sqlite, `SELECT doc FROM ${TABLE[kind]}_vocab WHERE term = ?`).pluck()
  const df = (token: string) => (lookup.get(token) as number | undefined) ?? 0
  if (Array.from(word).length <= 2) return df(word)
  const parts = subWords(word)
  return Math.max(df(word), Math.min(...(parts.length > 0 ? parts : bigrams(word)).map(df)))
}

// ---------------------------------------------------------------------------------------------------------
// Query compilation

type Group = { expr: string; terms: string[]; cjk: boolean }
type Compiled = { match: string; groups: Group[]; total?: number }

/** A phrase that FTS5 reads as literal text: tokens only hold letters and digits, but quote anyway. */
const quote = (s: string) => `"${s.replaceAll('"', '""')}"`

/**
 * The FTS5 expression for one word, without typo correction. Each alternative is a posting list that bm25
 * reads for every matching row, so the expressions stay as short as the matching allows, without phrases.
 */
function termExpr(word: string): Group {
  if (isCjk(word)) {
    const chars = Array.from(word)
    // One character: any word starting with it. Two: the word or bigram itself.
    if (chars.length === 1) return { expr: `${quote(word)}*`, terms: [word], cjk: true }
    if (chars.length === 2) return { expr: quote(word), terms: [word], cjk: true }
    // Longer, by what jieba knows of it:
    // - nothing (a name): all its bigrams;
    // - overlapping parts (志愿者 → 志愿, 愿者): a dictionary word, which the index stores whole wherever
    //   it occurs, so the one token (one posting list for bm25 to read, not two);
    // - parts side by side covering it (活动中心 → 活动 + 中心): the parts, which also find them apart;
    // - parts leaving characters out (排练场 → 排练): the word itself or its parts.
    const parts = subWords(word)
    const all = (xs: string[]) => (xs.length === 1 ? quote(xs[0]) : `(${xs.map(quote).join(' AND ')})`)
    if (parts.length === 0) return { expr: all(bigrams(word)), terms: [word], cjk: true }
    const covered = new Set(parts.flatMap((p) => Array.from(p, (_, k) => word.indexOf(p) + k)))
    const partChars = parts.reduce((n, p) => n + p.length, 0)
    if (partChars > covered.size) return { expr: quote(word), terms: [word], cjk: true }
    // The compound as written is the adjacent run of its bigrams; its parts count only near each other (a
    // few words apart, in one field), so 垃圾分类 finds 垃圾的分类 but not a title about 垃圾 over a body
    // about sorting clothes, and the phrase's (rare, so heavy) weight ranks listings that say it first.
    const phrase = quote(bigrams(word).join(' '))
    const parted = parts.length > 1 ? `NEAR(${parts.map(quote).join(' ')}, ${COMPOUND_NEAR})` : all(parts)
    if (covered.size === word.length) return { expr: `(${phrase} OR ${parted})`, terms: [word, ...parts], cjk: true }
    return { expr: `(${phrase} OR ${quote(word)} OR ${parted})`, terms: [word, ...parts], cjk: true }
  }
  if (word.length < 3 || /^\d+$/.test(word)) return { expr: quote(word), terms: [word], cjk: false }
  return { expr: `${quote(stem(word))}*`, terms: [word], cjk: false }
}

/** Several words that must all match, as one group (a multi-word term's literal form). */
function allOf(gs: Group[]): Group {
  if (gs.length === 1) return gs[0]
  return {
    expr: `(${gs.map((g) => g.expr).join(' AND ')})`,
    terms: gs.flatMap((g) => g.terms),
    cjk: gs.every((g) => g.cjk),
  }
}

function compiled(sqlite: Sqlite, kind: Kind, q: string): Compiled | undefined {
  const queries = kindState(sqlite, kind).queries
  const key = q.trim()
  const cached = queries.get(key)
  if (cached !== undefined) return cached ?? undefined
  const result = compile(sqlite, kind, key)
  if (queries.size >= 500) queries.clear()
  queries.set(key, result ?? null)
  return result
}

function compile(sqlite: Sqlite, kind: Kind, q: string): Compiled | undefined {
  const t = TABLE[kind]
  const groups: Group[] = []
  const add = (g: Group) => {
    if (groups.length < 12 && !groups.some((x) => x.expr === g.expr)) groups.push(g)
  }
  // Vocabulary terms first, whole ("first aid", 手机课): the words themselves or any word for their topics.
  const { terms, rest } = expandQuery(q.slice(0, 500))
  for (const term of terms) {
    const words = queryTerms(term.text)
    if (words.length === 0) continue
    const literal =
      isCjk(term.text) && !/\s/.test(term.text) ? termExpr(term.text) : allOf(words.map((w) => termExpr(w)))
    add({
      expr: `(${[literal.expr, ...term.markers.map(quote)].join(' OR ')})`,
      terms: literal.terms,
      cjk: literal.cjk,
    })
  }
  // A pasted paragraph is not a query; at most 12 groups keep the expression bounded.
  for (const word of queryTerms(rest)) {
    let g = termExpr(word)
    if (!g.cjk && /^[a-z]{4,}$/.test(word)) {
      const fixes = corrections(sqlite, kind, word)
      if (fixes.length > 0) {
        const exprs = [g.expr, ...fixes.map((f) => `${quote(stem(f))}*`)]
        g = { expr: `(${exprs.join(' OR ')})`, terms: [word, ...fixes], cjk: false }
      }
    }
    const category = categoryOf(word)
    if (category) g = { ...g, expr: `(${g.expr} OR ${quote(categoryMarker(category))})` }
    add(g)
  }
  if (groups.length === 0) return undefined
  const all = (gs: Group[]) => (gs.length === 1 ? gs[0].expr : `(${gs.map((g) => g.expr).join(' AND ')})`)
  const scripts = [groups.filter((g) => !g.cjk), groups.filter((g) => g.cjk)].filter((gs) => gs.length > 0)
  const strict = scripts.map(all).join(' OR ')
  const loose = groups.map((g) => g.expr).join(' OR ')
  if (strict === loose) return { match: strict, groups }
  const hasAny = stmt(sqlite, `SELECT 1 FROM ${t} WHERE ${t} MATCH ? LIMIT 1`).get(strict)
  return { match: hasAny ? strict : loose, groups }
}

// ---------------------------------------------------------------------------------------------------------
// Typo correction against the index vocabulary

/**
 * Vocabulary words close to `word` when the word itself (as a stem prefix) finds fewer than 3 listings (typo.ts).
 * Counted in the index itself, not the cached vocabulary, so a word that just became common is trusted.
 */
function corrections(sqlite: Sqlite, kind: Kind, word: string): string[] {
  const t = TABLE[kind]
  const own = stmt(sqlite, `SELECT count(*) FROM (SELECT 1 FROM ${t} WHERE ${t} MATCH ? LIMIT 3)`)
    .pluck()
    .get(`${quote(stem(word))}*`) as number
  return own >= 3 ? [] : closeWords(vocabulary(sqlite, kind), word, own)
}

// ---------------------------------------------------------------------------------------------------------
// Per-connection caches: prepared statements, compiled queries, English vocabulary

type KindState = {
  queries: Map<string, Compiled | null>
  docs?: number
  dfs: Map<string, number>
  postings: Map<string, Postings>
  vocab?: Vocabulary
  hasListings?: boolean
  /** Listings written since the kept postings were read, in order (see Postings.upTo and recheck). */
  dirty: number[]
  /** Which of the temporary copies (copyWritten) are of the current `dirty` list. */
  gen: number
  lookups: { read: number; rechecked: number }
}
/** `seen`: the last change log entry (db/changes.ts) whose listing is in `dirty`; null without a change log. */
type State = {
  dataVersion: number
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
  const version = sqlite.pragma('data_version', { simple: true }) as number
  let s = states.get(sqlite)
  if (!s) {
    const kind = (): KindState => ({
      queries: new Map(),
      dfs: new Map(),
      postings: new Map(),
      dirty: [],
      gen: 0,
      lookups: { read: 0, rechecked: 0 },
    })
    s = { dataVersion: version, seen: logged(sqlite), stmts: new Map(), kinds: { need: kind(), offer: kind() } }
    states.set(sqlite, s)
  } else if (s.dataVersion !== version) {
    s.dataVersion = version
    for (const ks of Object.values(s.kinds)) {
      ks.queries.clear()
      ks.docs = undefined
      ks.dfs.clear()
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
      ks.dirty = []
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
function forget(sqlite: Sqlite): void {
  states.delete(sqlite)
}

function stmt(sqlite: Sqlite, sql: string): Database.Statement {
  const s = states.get(sqlite) ?? state(sqlite)
  let st = s.stmts.get(sql)
  if (!st) {
    st = sqlite.prepare(sql)
    s.stmts.set(sql, st)
  }
  return st
}

function kindState(sqlite: Sqlite, kind: Kind): KindState {
  return state(sqlite).kinds[kind]
}

function docCount(sqlite: Sqlite, kind: Kind): number {
  const ks = kindState(sqlite, kind)
  ks.docs ??= stmt(sqlite, `SELECT count(*) FROM ${TABLE[kind]}_docsize`).pluck().get() as number
  return ks.docs
}

function vocabulary(sqlite: Sqlite, kind: Kind): Vocabulary {
  const ks = kindState(sqlite, kind)
  if (ks.vocab && !(ks.vocab.stale && Date.now() - ks.vocab.loadedAt > VOCAB_RELOAD_MS)) return ks.vocab
  const rows = stmt(sqlite, `SELECT term, doc FROM ${TABLE[kind]}_vocab WHERE term >= 'a' AND term < '{'`)
    .raw()
    .iterate()
  return (ks.vocab = readVocabulary(rows as Iterable<[string, number]>, Date.now()))
}

/** Keeps this connection's caches current after it wrote a listing made of `tokens` (or removed one). */
function wrote(sqlite: Sqlite, kind: Kind, id: number, title?: string, body?: string): void {
  const ks = kindState(sqlite, kind)
  ks.queries.clear() // match-all-or-any and corrections depend on what is indexed
  ks.docs = undefined
  ks.dfs.clear()
  // Kept postings are checked again when next used, not dropped: most writes touch none of a page's words.
  if (ks.postings.size > 0) {
    copyWritten(sqlite, kind, ks, id, title, body)
    dirtied(ks, id)
  }
  const tokens = title === undefined ? '' : `${title} ${body}`
  if (ks.vocab && tokens) addWritten(ks.vocab, tokens)
}
