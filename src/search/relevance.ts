/**
 * How well listings match a longer text (a need's title and description against its candidate offers), with each
 * word's postings kept across writes: a write marks its listing, and the kept postings are checked again for the
 * marked listings when next used instead of being read again whole.
 */
import { bigrams, contentWords, isCjk, stem, subWords } from './segment.js'
import { prefixDocs, type Vocabulary } from './typo.js'
import { Ids } from './ids.js'
import { quote, termExpr } from './query.js'
import {
  docCount,
  kindState,
  matchingAscending,
  rowid,
  stmt,
  TABLE,
  vocabulary,
  type Kind,
  type KindState,
  type Postings,
  type Sqlite,
} from './caches.js'

export type Relevance = { score0to1: number; terms: string[] }

/** In relevance(), a word shared only through the body counts this much of one shared through the title. */
const BODY_ONLY_SHARE = 0.6
/** How many of a text's most distinctive words relevance() matches on. */
const RELEVANCE_WORDS = 8
/**
 * Kept postings hold at most this many 4-byte words in all (64 MB per kind: an id each, or a bit per rowid for a common
 * word's, see ids.ts), least recently used dropped first: a page's words are mostly rare (a few ids each), and reading a common word's postings again costs
 * milliseconds. A kind's whole index is 1.6-1.8M postings at 100k listings, under any budget; at 1M it is 16-18M,
 * the commonest word alone 238k, and with 4M kept the pages read the common words again and again (a need page at 1M,
 * in-process: p50 22 ms with 4M, 12 ms with 16M).
 */
const POSTINGS_BUDGET = 16_000_000

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
  // The connection's state once a call, passed down: asking for it checks data_version, a statement of its own.
  const ks = kindState(sqlite, kind)
  const docs = docCount(sqlite, kind, ks)
  if (keep.size === 0 || docs === 0) return out
  const t = TABLE[kind]
  const { title, body } = typeof text === 'string' ? { title: '', body: text } : text

  // Inflections of one English word (fund, funding) are one word here, matched as the first one seen.
  const words = new Map<string, { word: string; facts: WordFacts; tf: number }>()
  for (const [source, factor] of [
    [title, 2],
    [body, 1],
  ] as const) {
    for (const [word, tf] of contentWords(source)) {
      const facts = factsOf(word)
      const seen = words.get(facts.key)
      if (seen) seen.tf += tf * factor
      else words.set(facts.key, { word, facts, tf: tf * factor })
    }
  }
  let vocab: Vocabulary | undefined
  const vocabOnce = () => (vocab ??= vocabulary(sqlite, kind, ks))
  const chosen = [...words.values()]
    .map(({ word, facts, tf }) => {
      const df = docFrequency(sqlite, ks, kind, word, facts, vocabOnce)
      const idf = Math.log(1 + (docs - df + 0.5) / (df + 0.5))
      return { word, expr: facts.expr, df, weight: Math.min(tf, 2) * idf }
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
      const p = postings(sqlite, ks, kind, w.expr)
      for (const id of sorted) if (p.all.has(id)) add(id, w, titleOf(sqlite, ks, kind, w.expr, p).has(id))
    }
  } else {
    // Candidates are usually recent listings: scanning only their rowid range skips most of each word's postings.
    let [lo, hi] = [Infinity, -Infinity]
    for (const id of keep) [lo, hi] = [Math.min(lo, id), Math.max(hi, id)]
    const rowids = stmt(sqlite, `SELECT rowid FROM ${t} WHERE ${t} MATCH ? AND rowid BETWEEN ? AND ?`).pluck()
    for (const w of chosen) {
      const inTitle = new Set(rowids.all(`{title} : ${w.expr}`, rowid(lo), rowid(hi)) as number[])
      for (const id of rowids.all(w.expr, rowid(lo), rowid(hi)) as number[])
        if (keep.has(id)) add(id, w, inTitle.has(id))
    }
  }
  for (const r of out.values()) r.score0to1 = Math.min(1, r.score0to1)
  return out
}

/**
 * The listings an expression matches, kept across writes (checked again for the listings written since). For use
 * outside a transaction: inside one, a write may yet be rolled back.
 */
export function postings(sqlite: Sqlite, ks: KindState, kind: Kind, expr: string): Postings {
  const kept = ks.postings
  let p = kept.get(expr)
  if (p) {
    kept.delete(expr)
    if (p.upTo < ks.dirty.length && othersSince(ks, p.upTo) > OTHERS_CHECKED) {
      ks.postingsSize -= p.all.cost + (p.title?.cost ?? 0)
      p = undefined
    } else if (p.upTo < ks.dirty.length) recheck(sqlite, kind, expr, p, ks)
  }
  if (!p) {
    p = { all: Ids.of(matchingAscending(sqlite, kind, expr)), upTo: ks.dirty.length }
    ks.lookups.read++
    ks.postingsSize += p.all.cost
    for (const [old, q] of kept) {
      if (ks.postingsSize <= POSTINGS_BUDGET) break
      kept.delete(old)
      ks.postingsSize -= q.all.cost + (q.title?.cost ?? 0)
    }
  }
  kept.set(expr, p)
  return p
}

/** The listings whose title the word's expression matches, read with the postings' first use for a title. */
function titleOf(sqlite: Sqlite, ks: KindState, kind: Kind, expr: string, p: Postings): Ids {
  if (!p.title) {
    p.title = Ids.of(matchingAscending(sqlite, kind, `{title} : ${expr}`))
    ks.postingsSize += p.title.cost
  }
  return p.title
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
  let own: { known: ReadonlySet<number>; all: Set<number>; title?: Set<number> } | undefined
  const known = [...last.values()].some((x) => x) ? ownCopies(sqlite, kind, ks) : undefined
  if (known && known.size > 0) {
    const rows = (match: string) => {
      ks.lookups.copies++
      return new Set(
        stmt(sqlite, `SELECT rowid FROM temp.kept_${kind} WHERE kept_${kind} MATCH ? AND gen = ?`)
          .pluck()
          .all(match, ks.gen) as number[],
      )
    }
    const mine = [...last].filter(([id, m]) => m && known.has(id)).map(([id]) => id)
    own = ownMayMatch(ks, expr, mine)
      ? { known, all: rows(expr), title: p.title && rows(`{title} : ${expr}`) }
      : { known, all: new Set(), title: p.title && new Set() }
  }
  const t = TABLE[kind]
  // Not `rowid = ?`: FTS5 ignores an equality with a JS number (bound as a real) and answers for any listing. The
  // bounds as integers (caches.ts rowid): as reals FTS5 would walk the word's whole doclist for each listing.
  const one = stmt(sqlite, `SELECT 1 FROM ${t} WHERE ${t} MATCH ? AND rowid BETWEEN ? AND ?`).pluck()
  const size = p.all.cost + (p.title?.cost ?? 0)
  for (const [id, mine] of last) {
    if (!mine) {
      p.all.place(id, one.get(expr, rowid(id), rowid(id)) !== undefined)
      p.title?.place(id, one.get(`{title} : ${expr}`, rowid(id), rowid(id)) !== undefined)
    } else if (own?.known.has(id)) {
      p.all.place(id, own.all.has(id))
      p.title?.place(id, own.title!.has(id))
    }
    // Else its write was rolled back, with its copy: the index is as the postings have it.
  }
  p.upTo = ks.dirty.length
  ks.postingsSize += p.all.cost + (p.title?.cost ?? 0) - size
  ks.lookups.rechecked++
}
/**
 * Another connection's writes since which kept postings are read again whole rather than checked: each is asked of
 * the index itself, two lookups per listing, and a few hundred cost more than reading a common word's postings.
 */
const OTHERS_CHECKED = 64

function othersSince(ks: KindState, upTo: number): number {
  let n = 0
  for (let k = upTo; k < ks.dirty.length; k++) if (ks.dirty[k]! < 0) n++
  return n
}
const TEMP_EXISTS = "SELECT 1 FROM temp.sqlite_master WHERE type = 'table' AND name = ?"

/**
 * The listings whose copies (copyWritten) are of the current generation: read once per write rather than once per
 * word's postings checked again (a page checks a few dozen after each write). A write adds to `dirty` or starts a
 * new generation, and is read outside its transaction, so a rolled-back copy is not among them.
 */
function ownCopies(sqlite: Sqlite, kind: Kind, ks: KindState): ReadonlySet<number> {
  const at = `${ks.gen} ${ks.dirty.length}`
  if (ks.own?.at !== at) {
    const exists = stmt(sqlite, TEMP_EXISTS).get(`kept_${kind}`) !== undefined
    const ids = exists
      ? (stmt(sqlite, `SELECT rowid FROM temp.kept_${kind} WHERE gen = ?`).pluck().all(ks.gen) as number[])
      : []
    ks.own = { at, ids: new Set(ids) }
  }
  return ks.own.ids
}

/**
 * Whether `expr` may match one of this connection's copies `ids`, from their texts kept as written: false only when
 * no copy's text holds any word the expression names, as then FTS5 finds none of its phrases there. Asking the copies
 * costs a query on the temporary index for every kept word a page uses after each write (a page used a dozen, and
 * most writes share none of their words). Only for texts and words of lower-case ASCII letters, digits and common
 * Han characters, whose FTS5 tokens are the space-separated words as written (no folding changes them); else true.
 */
function ownMayMatch(ks: KindState, expr: string, ids: readonly number[]): boolean {
  const texts = ks.ownTexts
  if (!texts || texts.gen !== ks.gen) return true
  const words: string[] = []
  for (const [, phrase] of expr.matchAll(/"((?:[^"]|"")*)"/g))
    for (const word of phrase!.split(' ')) {
      if (!PLAIN_WORD.test(word)) return true
      words.push(word)
    }
  if (words.length === 0) return true
  for (const id of ids) {
    const text = texts.byId.get(id)
    if (text == null || words.some((w) => text.includes(w))) return true
  }
  return false
}
const PLAIN_WORD = /^[a-z0-9\u4e00-\u9fff]+$/
const PLAIN_TEXT = /^[a-z0-9\u4e00-\u9fff ]*$/

/**
 * A copy of what this connection just indexed for a listing (nothing when removed), in its transaction: rolled
 * back with it, so a copy of this generation (`gen`) is the listing as the index has it. Its text is also kept
 * (ownMayMatch), added to the listing's earlier copies' of the generation: a rolled-back write leaves an earlier
 * copy, whose words are among them.
 */
export function copyWritten(sqlite: Sqlite, kind: Kind, ks: KindState, id: number, title = '', body = ''): void {
  if (ks.ownTexts?.gen !== ks.gen) ks.ownTexts = { gen: ks.gen, byId: new Map() }
  const texts = ks.ownTexts.byId
  const text = `${title} ${body}`
  const before = texts.get(id)
  texts.set(id, before === null || !PLAIN_TEXT.test(text) ? null : `${before ?? ''} ${text}`)
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

/**
 * How often relevance() read a word's postings whole, brought kept ones up to date instead, and asked this
 * connection's copies of what it wrote while doing so.
 */
export function relevanceLookups(sqlite: Sqlite, kind: Kind): { read: number; rechecked: number; copies: number } {
  return { ...kindState(sqlite, kind).lookups }
}

/**
 * What relevance() reads of a word's text alone: the key its inflections share, its expression, and the quoted tokens
 * its document count is taken from. Each asks jieba (a Chinese word's parts, twice) and builds strings, and a match
 * page asks them for each of its text's dozen words, most of them words earlier pages asked for: so they are kept per
 * word. They depend on nothing that changes while the process runs (the text and jieba's dictionary).
 */
type WordFacts = {
  /** Inflections of one English word are one word: its stem; a Chinese word is its own key. */
  key: string
  cjk: boolean
  expr: string
  /** The word as one quoted token. */
  token: string
  /** A Chinese word of more than two characters: its parts (or bigrams) quoted, whose rarest bounds its count. */
  parts: readonly string[]
}
const wordFacts = new Map<string, WordFacts>()
let analysed = 0
/** Words kept at most: the vocabulary of a district's listings is a few tens of thousands; past that, begin again. */
const WORD_FACTS = 50_000

function factsOf(word: string): WordFacts {
  let facts = wordFacts.get(word)
  if (!facts) {
    if (wordFacts.size >= WORD_FACTS) wordFacts.clear()
    const cjk = isCjk(word)
    let parts: string[] = []
    if (cjk && Array.from(word).length > 2) {
      const sub = subWords(word)
      parts = (sub.length > 0 ? sub : bigrams(word)).map(quote)
    }
    facts = { key: cjk ? word : stem(word), cjk, expr: termExpr(word).expr, token: quote(word), parts }
    wordFacts.set(word, facts)
    analysed++
  }
  return facts
}

/** How many words relevance() has read the facts of from their text (WordFacts) since the process started. */
export function wordsAnalysed(): number {
  return analysed
}

/**
 * Roughly how many listings contain `word`, from the index vocabulary rather than a query: an English
 * word's stem prefix summed over its forms, a Chinese word's own token, else its rarest part.
 */
function docFrequency(
  sqlite: Sqlite,
  ks: KindState,
  kind: Kind,
  word: string,
  facts: WordFacts,
  vocabOf: () => Vocabulary,
): number {
  if (!facts.cjk) {
    const vocab = vocabOf()
    return word.length < 3 ? (vocab.df.get(word) ?? 0) : prefixDocs(vocab, facts.key, Infinity)
  }
  // A token's count is its postings' length: kept across writes like the words' own postings (a write marks its
  // listing, which is checked again), where a count read from the index would be stale after any write. Inside a
  // transaction, whose writes may yet be rolled back, counted in the index instead.
  const df = (quoted: string) =>
    sqlite.inTransaction
      ? (stmt(sqlite, `SELECT count(*) FROM ${TABLE[kind]} WHERE ${TABLE[kind]} MATCH ?`).pluck().get(quoted) as number)
      : postings(sqlite, ks, kind, quoted).all.size
  if (facts.parts.length === 0) return df(facts.token)
  const whole = df(facts.token)
  let rarest = Infinity
  for (const part of facts.parts) rarest = Math.min(rarest, df(part))
  return Math.max(whole, rarest)
}

function toSet(ids: Iterable<number>): ReadonlySet<number> {
  return ids instanceof Set ? (ids as ReadonlySet<number>) : new Set(ids)
}
