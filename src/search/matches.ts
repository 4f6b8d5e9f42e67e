/**
 * Which listings a compiled query (query.ts) matches, and how many, for fts.ts's pages and totals: combined from
 * its groups' kept postings (relevance.ts) when they are kept or cheap to read, else asked of FTS5. Deciding here
 * between a query's strict and loose expression sets `query.match` and `query.total` once per compiled query.
 */
import { scripts, type Compiled, type Group } from './query.js'
import { postings } from './relevance.js'
import { Ids } from './ids.js'
import { kindState, matchingAscending, stmt, TABLE, type Kind, type KindState, type Sqlite } from './caches.js'

/**
 * Totals are counted from the query's groups' postings, read when not kept, while the largest listing id is at most
 * this. Reading a common group's ids costs about 0.1 µs each, three times what counting it in FTS5 costs: 1-3 ms at
 * 100k listings, 10-25 ms at 1M. Beyond, a group is read only when a query names it again (see READ_AGAIN).
 */
const READ_POSTINGS_SPAN = 250_000
/**
 * Past READ_POSTINGS_SPAN, how many groups one query may read: groups that earlier queries named (most do: the
 * traffic bench's first 2,000 queries name 426 groups, and 86% of them name only groups named before), so one read
 * serves the many queries naming it again, and a query of many common words reads two, not all (reading every group
 * on first sight, a first query of four common words took 1.7 s at 1M). Counted in FTS5 while any group is missing.
 */
const READ_AGAIN = 2
/** Group expressions remembered as named, per kind, before the list starts again. */
const NAMED_KEPT = 4096

/**
 * How many listings the query matches, deciding first whether that is its strict or its loose expression; once per
 * compiled query, which is dropped at the next write. From each group's kept postings when that is cheap (see
 * READ_POSTINGS_SPAN), which every query naming the group shares (relevance.ts): a count(*) per query walked its
 * doclists once more before ranking them, and a pasted title's loose OR twice more (strict counted, then loose).
 */
export function matchCount(sqlite: Sqlite, kind: Kind, query: Compiled): number {
  if (query.total !== undefined) return query.total
  const t = TABLE[kind]
  const ks = kindState(sqlite, kind)
  // Inside a transaction its own writes may yet be rolled back: counted as the transaction sees the index.
  const fromPostings = !sqlite.inTransaction && keptEnough(sqlite, kind, ks, query.groups)
  const count = (loose: boolean): number => {
    if (!fromPostings) {
      return stmt(sqlite, `SELECT count(*) FROM ${t} WHERE ${t} MATCH ?`)
        .pluck()
        .get(loose ? query.loose : query.strict) as number
    }
    const kept = (g: Group) => postings(sqlite, ks, kind, g.expr).all
    return Ids.countInAny(loose ? query.groups.map((g) => [kept(g)]) : scripts(query.groups).map((gs) => gs.map(kept)))
  }
  const strict = count(false)
  if (strict > 0 || query.loose === undefined) {
    query.match = query.strict
    return (query.total = strict)
  }
  query.match = query.loose
  return (query.total = count(true))
}

/**
 * Whether every group's postings are kept, or may be read (see READ_POSTINGS_SPAN and READ_AGAIN): reads the groups
 * earlier queries named, up to READ_AGAIN, even when the query is then counted in FTS5, so the next one finds them.
 */
function keptEnough(sqlite: Sqlite, kind: Kind, ks: KindState, groups: readonly Group[]): boolean {
  const missing = groups.filter((g) => !ks.postings.has(g.expr))
  if (missing.length === 0) return true
  const t = TABLE[kind]
  const span =
    (stmt(sqlite, `SELECT rowid FROM ${t} ORDER BY rowid DESC LIMIT 1`).pluck().get() as number | undefined) ?? 0
  if (span <= READ_POSTINGS_SPAN) return true
  let read = 0
  for (const g of missing) {
    if (ks.named.has(g.expr) && read < READ_AGAIN) {
      postings(sqlite, ks, kind, g.expr)
      read++
    } else {
      if (ks.named.size >= NAMED_KEPT) ks.named.clear()
      ks.named.add(g.expr)
    }
  }
  return groups.every((g) => ks.postings.has(g.expr))
}

/**
 * All rowids the query matches (its strict or else its loose expression, as matchCount decides), newest first. From
 * the groups' kept postings when matchCount would count from them (see keptEnough): reading the rowids from FTS5 cost
 * ~0.2 µs each even as one JSON value (26 ms for 志愿者's 144k at 1M listings, on every list page with it and a
 * filter), combining kept postings a few milliseconds at most. Else read from the index; filtering candidates in SQL
 * with `rowid IN (…)` is not cheaper, since FTS5 restarts the whole query for every id. A query not yet counted is
 * counted by reading them.
 */
export function matchingRowids(sqlite: Sqlite, kind: Kind, query: Compiled): ArrayLike<number> {
  const ks = kindState(sqlite, kind)
  if (!sqlite.inTransaction && keptEnough(sqlite, kind, ks, query.groups)) {
    const kept = (g: Group) => postings(sqlite, ks, kind, g.expr).all
    const inAny = (loose: boolean) =>
      Ids.inAny(loose ? query.groups.map((g) => [kept(g)]) : scripts(query.groups).map((gs) => gs.map(kept)))
    const strict = query.match === query.loose && query.total !== undefined ? undefined : inAny(false)
    const matches = strict && (strict.size > 0 || query.loose === undefined) ? strict : inAny(true)
    query.match = matches === strict ? query.strict : query.loose
    query.total = matches.size
    return matches.descending()
  }
  const read = (match: string) => matchingAscending(sqlite, kind, match).reverse()
  if (query.total !== undefined) return read(query.match!)
  const strict = read(query.strict)
  const rowids = strict.length > 0 || query.loose === undefined ? strict : read(query.loose)
  query.match = rowids === strict ? query.strict : query.loose
  query.total = rowids.length
  return rowids
}
