import { and, type SQL } from 'drizzle-orm'
import { sqliteOf, type Db } from '../db/client.js'
import * as fts from '../db/fts.js'
import { remember, type Source } from '../db/memo.js'
import { highlight, type Segment } from '../search/highlight.js'
import { PAGE_SIZE } from './listings.js'

export interface Page<T> {
  items: T[]
  total: number
  page: number
  pages: number
  terms: string[]
}

interface BrowseSpec<T extends { id: number; title: string }> {
  kind: fts.Kind
  where: SQL | undefined
  /** True when `where` narrows beyond "active listings", so text search must be restricted to its ids. */
  narrowed: boolean
  orderBy: SQL[]
  q?: string
  page?: number
  pageSize?: number
  count: (where: SQL | undefined) => number
  ids: (where: SQL | undefined) => number[]
  /** Loads full rows for ids, in any order. */
  load: (ids: number[]) => T[]
  /** Loads one page of rows by the SQL order, without text search. */
  loadPage: (where: SQL | undefined, orderBy: SQL[], limit: number, offset: number) => T[]
}

/**
 * One browse path for needs and offers: SQL filters first, then, when there is a query, the search index
 * ranks what is left (the index holds only active listings, so an unfiltered search needs no id list).
 */
export function browse<T extends { id: number; title: string }>(db: Db, spec: BrowseSpec<T>): Page<T & { titleParts: Segment[] }> {
  const pageSize = spec.pageSize ?? PAGE_SIZE
  const page = Math.max(1, spec.page ?? 1)
  const offset = (page - 1) * pageSize
  const q = spec.q?.trim()
  const plain = (items: T[]) => items.map((item) => ({ ...item, titleParts: [{ text: item.title, hit: false }] }))
  if (!q) {
    const total = spec.count(spec.where)
    return { items: plain(spec.loadPage(spec.where, spec.orderBy, pageSize, offset)), total, page, pages: Math.max(1, Math.ceil(total / pageSize)), terms: [] }
  }
  const sqlite = sqliteOf(db)
  const ids = spec.narrowed ? spec.ids(spec.where) : undefined
  const { hits, total, terms } = fts.searchPage(sqlite, spec.kind, q, { ids: ids && new Set(ids), limit: pageSize, offset })
  const byId = new Map(spec.load(hits.map((h) => h.id)).map((row) => [row.id, row]))
  // Best first, as the index ranked them; a listing that lapsed since it was indexed simply drops out.
  const items = hits.map((h) => byId.get(h.id)).filter((row): row is T => row !== undefined)
    .map((row) => ({ ...row, titleParts: highlight(row.title, terms) }))
  return { items, total, page, pages: Math.max(1, Math.ceil(total / pageSize)), terms }
}

export const all = (...conditions: (SQL | undefined)[]) => and(...conditions.filter(Boolean))

/**
 * A filter's total for the pager, remembered until the tables it counts change (db/memo.ts): it is the same for
 * every visitor, and counting 50k active needs costs ~3.5 ms at 100k listings.
 */
export function total(db: Db, count: { toSQL(): { sql: string; params: unknown[] }; get(): { n: number } | undefined }, sources: readonly Source[]): number {
  const { sql, params } = count.toSQL()
  return remember(sqliteOf(db), `total ${sql} ${JSON.stringify(params)}`, () => count.get()?.n ?? 0, sources)
}

/** Deep-frozen, for a result that requests share: a caller that tried to change it would throw, not leak. */
export function frozen<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) frozen(v)
  }
  return value
}
