/**
 * Query compilation: what a typed query becomes as an FTS5 expression (topic vocabulary terms and their synonyms,
 * Chinese compounds by what jieba knows of them, English stems and typo corrections), cached per connection.
 */
import { categoryMarker, categoryOf, expandQuery } from './expand.js'
import { bigrams, isCjk, queryTerms, stem, subWords } from './segment.js'
import { closeWords } from './typo.js'
import { kindState, stmt, TABLE, vocabulary, type Kind, type Sqlite } from './caches.js'

/** How many tokens may stand between the parts of a compound query word (垃圾 … 分类) for them to count. */
const COMPOUND_NEAR = 8

export type Group = { expr: string; terms: string[]; cjk: boolean }
/**
 * strict: every word of a script matching; loose: any word, searched when nothing matches strict (left out when it is
 * the same expression). Which one is searched (`match`) and how many listings it matches (`total`) are found by the
 * first search that needs them (fts.ts) and kept until the next write.
 */
export type Compiled = { strict: string; loose?: string; groups: Group[]; match?: string; total?: number }

/** A phrase that FTS5 reads as literal text: tokens only hold letters and digits, but quote anyway. */
export const quote = (s: string) => `"${s.replaceAll('"', '""')}"`

/**
 * The FTS5 expression for one word, without typo correction. Each alternative is a posting list that bm25
 * reads for every matching row, so the expressions stay as short as the matching allows, without phrases.
 */
export function termExpr(word: string): Group {
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

export function compiled(sqlite: Sqlite, kind: Kind, q: string): Compiled | undefined {
  const queries = kindState(sqlite, kind).queries
  const key = q.trim()
  const cached = queries.get(key)
  if (cached !== undefined) return cached ?? undefined
  const result = compile(sqlite, kind, key)
  // Not kept from inside a transaction: what it counts and corrects against may yet be rolled back, and a rollback
  // empties no cache.
  if (sqlite.inTransaction) return result
  if (queries.size >= 500) queries.clear()
  queries.set(key, result ?? null)
  return result
}

/** What a query says before any index is asked: its vocabulary terms' groups and its other words, as written. */
type Parsed = { terms: Group[]; words: { word: string; group: Group; category?: string }[] }
// A search page compiles each query for needs and for offers; segmenting it is the same work both times.
const parsedQueries = new Map<string, Parsed>()

function parse(q: string): Parsed {
  let parsed = parsedQueries.get(q)
  if (parsed) return parsed
  const terms: Group[] = []
  // Vocabulary terms first, whole ("first aid", 手机课): the words themselves or any word for their topics.
  const expanded = expandQuery(q.slice(0, 500))
  for (const term of expanded.terms) {
    const words = queryTerms(term.text)
    if (words.length === 0) continue
    const literal =
      isCjk(term.text) && !/\s/.test(term.text) ? termExpr(term.text) : allOf(words.map((w) => termExpr(w)))
    terms.push({
      expr: `(${[literal.expr, ...term.markers.map(quote)].join(' OR ')})`,
      terms: literal.terms,
      cjk: literal.cjk,
    })
  }
  const words = queryTerms(expanded.rest).map((word) => ({ word, group: termExpr(word), category: categoryOf(word) }))
  if (parsedQueries.size >= 64) parsedQueries.clear()
  parsedQueries.set(q, (parsed = { terms, words }))
  return parsed
}

/** The groups of each script: the strict expression asks every group of one script to match. */
export function scripts(groups: Group[]): Group[][] {
  return [groups.filter((g) => !g.cjk), groups.filter((g) => g.cjk)].filter((gs) => gs.length > 0)
}

function compile(sqlite: Sqlite, kind: Kind, q: string): Compiled | undefined {
  const groups: Group[] = []
  const add = (g: Group) => {
    if (groups.length < 12 && !groups.some((x) => x.expr === g.expr)) groups.push(g)
  }
  const parsed = parse(q)
  for (const g of parsed.terms) add(g)
  // A pasted paragraph is not a query; at most 12 groups keep the expression bounded.
  for (const { word, group, category } of parsed.words) {
    let g = group
    if (!g.cjk && /^[a-z]{4,}$/.test(word)) {
      const fixes = corrections(sqlite, kind, word)
      if (fixes.length > 0) {
        const exprs = [g.expr, ...fixes.map((f) => `${quote(stem(f))}*`)]
        g = { expr: `(${exprs.join(' OR ')})`, terms: [word, ...fixes], cjk: false }
      }
    }
    if (category) g = { ...g, expr: `(${g.expr} OR ${quote(categoryMarker(category))})` }
    add(g)
  }
  if (groups.length === 0) return undefined
  const all = (gs: Group[]) => (gs.length === 1 ? gs[0].expr : `(${gs.map((g) => g.expr).join(' AND ')})`)
  const strict = scripts(groups).map(all).join(' OR ')
  const loose = groups.map((g) => g.expr).join(' OR ')
  // Not counted here: fts.ts counts from the groups' kept postings when a search first needs to know.
  return strict === loose ? { strict, groups } : { strict, loose, groups }
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
