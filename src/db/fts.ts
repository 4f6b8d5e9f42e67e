/**
 * Full-text search over needs and offers: SQLite FTS5 over jieba-segmented text.
 *
 * Everything SQLite-specific about search lives here, behind functions that speak in listing ids, so a
 * PostgreSQL adapter can replace this file without touching the services. Segmentation (src/search/segment.ts)
 * and highlighting (src/search/highlight.ts) are database-free.
 *
 * How the app combines text search with its own filters and pagination: filter first, in its own SQL, down to
 * candidate ids, then hand them over — `search(sqlite, 'need', q, { ids, limit, offset })` for the page and
 * `countMatches(sqlite, 'need', q, { ids })` for the total. Without filters, leave `ids` out. Hits come back
 * best first as ids; load the rows with `inArray(needs.id, ids)` and keep this order.
 * (SQLite-only detail, for debugging rather than for services: the index tables are `search_needs` and
 * `search_offers`, contentless FTS5 tables whose rowid is the listing id.)
 */
import type Database from 'better-sqlite3'
import { bigrams, contentWords, indexTokens, isCjk, queryTerms, stem, subWords } from '../search/segment.js'

type Sqlite = Database.Database
export type Kind = 'need' | 'offer'
export type SearchDoc = { kind: Kind; id: number; title: string; body: string }
/** score: bm25, higher is better, only comparable within one query. terms: the query words this listing matched. */
export type SearchHit = { id: number; score: number; terms: string[] }
export type SearchOptions = { limit?: number; offset?: number; ids?: Iterable<number> }
export type Relevance = { score0to1: number; terms: string[] }

const KINDS: readonly Kind[] = ['need', 'offer']
const TABLE: Record<Kind, string> = { need: 'search_needs', offer: 'search_offers' }
/** Bump when indexTokens or the table definition changes: ensureSearchIndex then rebuilds the tables empty. */
const SCHEME_VERSION = 1
// A word in the title says what the listing is about; the same word in the body may be an aside.
const RANK = 'bm25(%t, 4.0, 1.0)'
/** In relevance(), a word shared only through the body counts this much of one shared through the title. */
const BODY_ONLY_SHARE = 0.6
/** How many of a text's most distinctive words relevance() matches on. */
const RELEVANCE_WORDS = 8
/** Up to this many ids go into SQL as a json array; past it, matching rows are filtered in memory. */
const IDS_IN_SQL = 5000

// ---------------------------------------------------------------------------------------------------------
// Schema

/**
 * Creates the index tables if they are missing, or rebuilds them (empty) if they were made by an older
 * version of the tokenization. Idempotent; call it when the database opens. Returns the kinds whose index
 * is new and empty: fill those from the listing tables with `reindex` (on an existing database the listings
 * are already there; on a fresh one there is nothing to do).
 */
export function ensureSearchIndex(sqlite: Sqlite): { created: Kind[] } {
  const created: Kind[] = []
  sqlite.transaction(() => {
    sqlite.exec('CREATE TABLE IF NOT EXISTS search_meta (name TEXT PRIMARY KEY, version INTEGER NOT NULL)')
    for (const kind of KINDS) {
      const t = TABLE[kind]
      const row = sqlite.prepare('SELECT version FROM search_meta WHERE name = ?').get(t) as
        | { version: number }
        | undefined
      const exists = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t)
      if (row?.version === SCHEME_VERSION && exists) continue
      sqlite.exec(`DROP TABLE IF EXISTS ${t}_vocab; DROP TABLE IF EXISTS ${t};`)
      // Contentless: the segmented text is never shown (highlighting works on the listing's own text), so
      // storing it would double the file for nothing. contentless_delete makes upserts and deletes possible
      // without handing back the old text. Prefix indexes keep "rehears*" and one-character Chinese fast.
      sqlite.exec(
        `CREATE VIRTUAL TABLE ${t} USING fts5(title, body, content='', contentless_delete=1, ` +
          `prefix='1 2 3', tokenize='unicode61 remove_diacritics 2');` +
          `CREATE VIRTUAL TABLE ${t}_vocab USING fts5vocab(${t}, 'row');`,
      )
      sqlite.prepare('INSERT OR REPLACE INTO search_meta (name, version) VALUES (?, ?)').run(t, SCHEME_VERSION)
      created.push(kind)
    }
  })()
  forget(sqlite)
  return { created }
}

// ---------------------------------------------------------------------------------------------------------
// Writes

/** Adds or replaces one listing in the index. Call it in the same transaction as the listing's own write. */
export function indexDoc(sqlite: Sqlite, doc: SearchDoc): void {
  const title = indexTokens(doc.title)
  const body = indexTokens(doc.body)
  stmt(sqlite, `INSERT OR REPLACE INTO ${TABLE[doc.kind]} (rowid, title, body) VALUES (?, ?, ?)`).run(
    doc.id,
    title,
    body,
  )
  wrote(sqlite, doc.kind, `${title} ${body}`)
}

/** Takes a listing out of the index (withdrawn, deleted). Removing an id that is not there is fine. */
export function removeDoc(sqlite: Sqlite, kind: Kind, id: number): void {
  stmt(sqlite, `DELETE FROM ${TABLE[kind]} WHERE rowid = ?`).run(id)
  wrote(sqlite, kind, '')
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
      insert.run(d.id, indexTokens(d.title), indexTokens(d.body))
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
 * Listings matching `q`, best first. Every query word must match (Chinese words and English words are
 * alternatives for each other: "音响 speakers" finds either); if nothing matches all words, listings matching
 * any of them are returned instead. English words match as prefixes and with crude stemming ("rehears",
 * "volunteers" → volunteer*), and are corrected against the index's vocabulary when they find (almost)
 * nothing ("rehersal" → rehearsal). An empty or stop-word-only query matches nothing.
 */
export function search(sqlite: Sqlite, kind: Kind, q: string, opts: SearchOptions = {}): SearchHit[] {
  const query = compiled(sqlite, kind, q)
  if (!query) return []
  const limit = Math.max(0, Math.floor(opts.limit ?? 20))
  const offset = Math.max(0, Math.floor(opts.offset ?? 0))
  if (limit === 0) return []
  const t = TABLE[kind]
  const select = `SELECT rowid AS id, -${RANK.replace('%t', t)} AS score FROM ${t} WHERE ${t} MATCH ?`
  const order = ' ORDER BY score DESC, rowid DESC'
  let rows: { id: number; score: number }[]
  const ids = opts.ids === undefined ? undefined : [...opts.ids]
  if (ids === undefined) {
    rows = stmt(sqlite, `${select}${order} LIMIT ? OFFSET ?`).all(query.match, limit, offset) as typeof rows
  } else if (ids.length === 0) {
    return []
  } else if (ids.length <= IDS_IN_SQL) {
    rows = stmt(sqlite, `${select} AND rowid IN (SELECT value FROM json_each(?))${order} LIMIT ? OFFSET ?`).all(
      query.match,
      JSON.stringify(ids),
      limit,
      offset,
    ) as typeof rows
  } else {
    const keep = new Set(ids)
    rows = (stmt(sqlite, `${select}${order}`).all(query.match) as typeof rows)
      .filter((r) => keep.has(r.id))
      .slice(offset, offset + limit)
  }
  const terms = matchedTerms(sqlite, t, query, rows.map((r) => r.id))
  return rows.map((r) => ({ id: r.id, score: r.score, terms: terms.get(r.id) ?? [] }))
}

/** How many listings `search` would page through for the same q and ids. */
export function countMatches(sqlite: Sqlite, kind: Kind, q: string, opts: { ids?: Iterable<number> } = {}): number {
  const query = compiled(sqlite, kind, q)
  if (!query) return 0
  const t = TABLE[kind]
  const ids = opts.ids === undefined ? undefined : [...opts.ids]
  if (ids === undefined) {
    return (stmt(sqlite, `SELECT count(*) AS n FROM ${t} WHERE ${t} MATCH ?`).get(query.match) as { n: number }).n
  }
  if (ids.length === 0) return 0
  if (ids.length <= IDS_IN_SQL) {
    const sql = `SELECT count(*) AS n FROM ${t} WHERE ${t} MATCH ? AND rowid IN (SELECT value FROM json_each(?))`
    return (stmt(sqlite, sql).get(query.match, JSON.stringify(ids)) as { n: number }).n
  }
  const keep = new Set(ids)
  const all = stmt(sqlite, `SELECT rowid AS id FROM ${t} WHERE ${t} MATCH ?`).pluck().all(query.match) as number[]
  return all.filter((id) => keep.has(id)).length
}

/** The words `search` will look for, after stemming is left aside and typos are corrected: for a "no results
 * for …, searched for …" line, or to highlight a listing shown outside a result list. */
export function searchTerms(sqlite: Sqlite, kind: Kind, q: string): string[] {
  return compiled(sqlite, kind, q)?.groups.flatMap((g) => g.terms) ?? []
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
  const keep = new Set(ids)
  const state = kindState(sqlite, kind)
  if (keep.size === 0 || state.docs === 0) return out
  const t = TABLE[kind]
  const { title, body } = typeof text === 'string' ? { title: '', body: text } : text

  // Inflections of one English word (fund, funding) are one word here, matched as the first one seen.
  const words = new Map<string, { word: string; expr: string; tf: number }>()
  for (const [source, factor] of [[title, 2], [body, 1]] as const) {
    for (const [word, tf] of contentWords(source)) {
      const key = isCjk(word) ? word : stem(word)
      const seen = words.get(key)
      if (seen) seen.tf += tf * factor
      else words.set(key, { word, expr: termExpr(word).expr, tf: tf * factor })
    }
  }
  const count = stmt(sqlite, `SELECT count(*) AS n FROM ${t} WHERE ${t} MATCH ?`)
  const chosen = [...words.values()]
    .map(({ word, expr, tf }) => {
      const df = (count.get(expr) as { n: number }).n
      const idf = Math.log(1 + (state.docs - df + 0.5) / (df + 0.5))
      return { expr, word, weight: Math.min(tf, 2) * idf, df }
    })
    // A word no listing uses cannot match; one in most listings says nothing about fit.
    .filter((w) => w.df > 0 && w.df <= state.docs / 2)
    .sort((a, b) => b.weight - a.weight || (a.word < b.word ? -1 : 1))
    .slice(0, RELEVANCE_WORDS)
  const total = chosen.reduce((sum, w) => sum + w.weight, 0)
  if (total === 0) return out

  const rowids = stmt(sqlite, `SELECT rowid FROM ${t} WHERE ${t} MATCH ?`).pluck()
  for (const w of chosen) {
    const inTitle = new Set(rowids.all(`{title} : ${w.expr}`) as number[])
    for (const id of rowids.all(w.expr) as number[]) {
      if (!keep.has(id)) continue
      const r = out.get(id) ?? { score0to1: 0, terms: [] }
      r.score0to1 += (w.weight / total) * (inTitle.has(id) ? 1 : BODY_ONLY_SHARE)
      r.terms.push(w.word)
      out.set(id, r)
    }
  }
  for (const r of out.values()) r.score0to1 = Math.min(1, r.score0to1)
  return out
}

// ---------------------------------------------------------------------------------------------------------
// Query compilation

type Group = { expr: string; terms: string[]; cjk: boolean }
type Compiled = { match: string; groups: Group[] }

/** A phrase that FTS5 reads as literal text: tokens only hold letters and digits, but quote anyway. */
const quote = (s: string) => `"${s.replaceAll('"', '""')}"`

/** The FTS5 expression for one word, without typo correction. */
function termExpr(word: string): Group {
  if (isCjk(word)) {
    const chars = Array.from(word)
    // One character: any word starting with it. Two: the word or bigram itself. Longer: the word as jieba
    // cut it, or its bigrams in a row (jieba cut the listing differently), or all of its parts
    // (活动中心 → 活动 AND 中心; 排练场 → 排练).
    if (chars.length === 1) return { expr: `${quote(word)}*`, terms: [word], cjk: true }
    if (chars.length === 2) return { expr: quote(word), terms: [word], cjk: true }
    const parts = subWords(word)
    const alternatives = [quote(word), quote(bigrams(word).join(' '))]
    if (parts.length > 0) alternatives.push(parts.length === 1 ? quote(parts[0]) : `(${parts.map(quote).join(' AND ')})`)
    return { expr: `(${alternatives.join(' OR ')})`, terms: [word, ...parts], cjk: true }
  }
  if (word.length < 3 || /^\d+$/.test(word)) return { expr: quote(word), terms: [word], cjk: false }
  // The exact word and the stem prefix are both listed so an exact match scores twice.
  return { expr: `(${quote(word)} OR ${quote(stem(word))}*)`, terms: [word], cjk: false }
}

function compiled(sqlite: Sqlite, kind: Kind, q: string): Compiled | undefined {
  const state = kindState(sqlite, kind)
  const key = q.trim()
  if (state.queries.has(key)) return state.queries.get(key) ?? undefined
  const result = compile(sqlite, kind, state, key)
  if (state.queries.size >= 500) state.queries.clear()
  state.queries.set(key, result ?? null)
  return result
}

function compile(sqlite: Sqlite, kind: Kind, state: KindState, q: string): Compiled | undefined {
  const groups: Group[] = []
  for (const word of queryTerms(q)) {
    let g = termExpr(word)
    if (!g.cjk && /^[a-z]{4,}$/.test(word)) {
      const fixes = corrections(state, word)
      if (fixes.length > 0) {
        const exprs = [g.expr, ...fixes.map((f) => `${quote(f)} OR ${quote(stem(f))}*`)]
        g = { expr: `(${exprs.join(' OR ')})`, terms: [word, ...fixes], cjk: false }
      }
    }
    if (!groups.some((x) => x.expr === g.expr)) groups.push(g)
    if (groups.length === 12) break // a pasted paragraph is not a query; keep the expression bounded
  }
  if (groups.length === 0) return undefined
  const all = (gs: Group[]) => (gs.length === 1 ? gs[0].expr : `(${gs.map((g) => g.expr).join(' AND ')})`)
  const scripts = [groups.filter((g) => !g.cjk), groups.filter((g) => g.cjk)].filter((gs) => gs.length > 0)
  const strict = scripts.map(all).join(' OR ')
  const loose = groups.map((g) => g.expr).join(' OR ')
  if (strict === loose) return { match: strict, groups }
  const t = TABLE[kind]
  const hasAny = stmt(sqlite, `SELECT 1 FROM ${t} WHERE ${t} MATCH ? LIMIT 1`).get(strict)
  return { match: hasAny ? strict : loose, groups }
}

/** For each listing on a page, the groups (query words) it matched. */
function matchedTerms(sqlite: Sqlite, t: string, query: Compiled, ids: number[]): Map<number, string[]> {
  const out = new Map<number, string[]>()
  if (ids.length === 0) return out
  if (query.groups.length === 1) {
    for (const id of ids) out.set(id, [...query.groups[0].terms])
    return out
  }
  const sql = `SELECT rowid FROM ${t} WHERE ${t} MATCH ? AND rowid IN (SELECT value FROM json_each(?))`
  const json = JSON.stringify(ids)
  for (const g of query.groups) {
    for (const id of stmt(sqlite, sql).pluck().all(g.expr, json) as number[]) {
      const terms = out.get(id) ?? []
      terms.push(...g.terms)
      out.set(id, terms)
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------
// Typo correction against the index vocabulary

/**
 * Vocabulary words close to `word` when the word itself (as a stem prefix) finds fewer than 3 listings:
 * "rehersal" → ["rehearsal"]. Candidates share the first letter (typos there are rare, and the restriction
 * keeps the scan to a few hundred words at 100k listings) and are within 1 edit (2 for words of 8+
 * letters), and must be far more common than the word; the closest, then most common, three win.
 */
function corrections(state: KindState, word: string): string[] {
  const own = prefixDocs(state, stem(word), 3)
  if (own >= 3) return []
  const max = word.length >= 8 ? 2 : 1
  const found: { w: string; d: number; df: number }[] = []
  for (let len = word.length - max; len <= word.length + max; len++) {
    for (const w of state.buckets.get(`${word[0]}${len}`) ?? []) {
      if (w === word) continue
      const df = state.latin.get(w) ?? 0
      if (df <= own * 5) continue
      const d = editDistance(word, w, max)
      if (d <= max) found.push({ w, d, df })
    }
  }
  if (found.length === 0) return []
  const best = Math.min(...found.map((f) => f.d))
  return found
    .filter((f) => f.d === best)
    .sort((a, b) => b.df - a.df || (a.w < b.w ? -1 : 1))
    .slice(0, 3)
    .map((f) => f.w)
}

/** Documents containing a word starting with `prefix`, counted up to `cap` (summed df, an over-estimate). */
function prefixDocs(state: KindState, prefix: string, cap: number): number {
  const sorted = sortedWords(state)
  let n = 0
  for (let i = lowerBound(sorted, prefix); i < sorted.length && n < cap && sorted[i].startsWith(prefix); i++) n += state.latin.get(sorted[i]) ?? 0
  return n
}

/** Optimal-string-alignment distance (a transposition is one edit), giving up once it exceeds `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1
  let prev2: number[] = []
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1)
      cur.push(v)
      if (v < rowMin) rowMin = v
    }
    if (rowMin > max) return max + 1
    prev2 = prev
    prev = cur
  }
  return prev[b.length]
}

// ---------------------------------------------------------------------------------------------------------
// Per-connection caches: prepared statements, English vocabulary, compiled queries

type KindState = {
  docs: number
  latin: Map<string, number> // English word → listings containing it
  buckets: Map<string, string[]> // first letter + length → words: the typo candidates
  sorted?: string[] // the same words in order, for prefix counts; built on first need
  queries: Map<string, Compiled | null>
}
type State = { dataVersion: number; stmts: Map<string, Database.Statement>; kinds: Partial<Record<Kind, KindState>> }
const states = new WeakMap<Sqlite, State>()

/** The connection's caches, dropped first if another connection has committed since we last looked. */
function state(sqlite: Sqlite): State {
  let s = states.get(sqlite)
  // data_version moves only when another connection (a CLI, a second process) commits; this connection's
  // own writes keep the caches current incrementally, so a search never reloads the vocabulary after an insert.
  const version = sqlite.pragma('data_version', { simple: true }) as number
  if (!s) {
    s = { dataVersion: version, stmts: new Map(), kinds: {} }
    states.set(sqlite, s)
  } else if (s.dataVersion !== version) {
    s.dataVersion = version
    s.kinds = {}
  }
  return s
}

function forget(sqlite: Sqlite): void {
  const s = states.get(sqlite)
  if (s) s.kinds = {}
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
  const s = state(sqlite)
  const existing = s.kinds[kind]
  if (existing) return existing
  const t = TABLE[kind]
  const latin = new Map<string, number>()
  const buckets = new Map<string, string[]>()
  const rows = sqlite.prepare(`SELECT term, doc FROM ${t}_vocab WHERE term >= 'a' AND term < '{'`).raw().iterate()
  for (const [term, doc] of rows as Iterable<[string, number]>) {
    if (!/^[a-z]+$/.test(term)) continue
    latin.set(term, doc)
    addToBucket(buckets, term)
  }
  const docs = (sqlite.prepare(`SELECT count(*) AS n FROM ${t}_docsize`).get() as { n: number }).n
  const loaded: KindState = { docs, latin, buckets, queries: new Map() }
  s.kinds[kind] = loaded
  return loaded
}

function sortedWords(ks: KindState): string[] {
  ks.sorted ??= [...ks.latin.keys()].sort()
  return ks.sorted
}

function lowerBound(sorted: string[], w: string): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (sorted[mid] < w) lo = mid + 1
    else hi = mid
  }
  return lo
}

function addToBucket(buckets: Map<string, string[]>, w: string): void {
  const key = `${w[0]}${w.length}`
  const list = buckets.get(key)
  if (list) list.push(w)
  else buckets.set(key, [w])
}

/** Keeps a loaded vocabulary current after this connection wrote a listing made of `tokens`. */
function wrote(sqlite: Sqlite, kind: Kind, tokens: string): void {
  const ks = state(sqlite).kinds[kind]
  if (!ks) return
  ks.queries.clear() // "match all words or else any" and corrections depend on what is indexed
  if (!tokens) return
  ks.docs++
  for (const w of new Set(tokens.split(' '))) {
    if (!/^[a-z]+$/.test(w)) continue
    const df = ks.latin.get(w)
    // An upsert may count a listing twice and a removal is not subtracted: the counts only decide whether
    // a word is rare enough to correct, and a stale word simply matches nothing.
    ks.latin.set(w, (df ?? 0) + 1)
    if (df !== undefined) continue
    addToBucket(ks.buckets, w)
    ks.sorted?.splice(lowerBound(ks.sorted, w), 0, w)
  }
}
