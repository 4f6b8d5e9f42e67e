import { sqliteOf, type Db } from '../db/client.js'
import * as fts from '../search/fts.js'
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
  /** True when the filters narrow beyond "active listings", so text search must be restricted to what passes them. */
  narrowed: boolean
  q?: string
  page?: number
  pageSize?: number
  /** One page of ids in the list's order, and how many pass the filters (directory.ts). */
  ids: (limit: number, offset: number) => { ids: number[]; total: number }
  /**
   * The test whether a listing passes the filters, made only for a page with a query: making it compiles the filters
   * and asks the change log again, which a page without one (its ids come from \`ids\`) does not need.
   */
  keeps: () => (id: number) => boolean
  /** Loads full rows for ids, in any order. */
  load: (ids: number[]) => T[]
}

/**
 * One browse path for needs and offers: the filters and the order from the in-memory directory, then, when there is
 * a query, the search index ranks what passes them (the index holds only active listings, so an unfiltered search
 * needs no test). Rows are read by primary key, one page at a time.
 */
export function browse<T extends { id: number; title: string }>(
  db: Db,
  spec: BrowseSpec<T>,
): Page<T & { titleParts: Segment[] }> {
  const pageSize = spec.pageSize ?? PAGE_SIZE
  const page = Math.max(1, spec.page ?? 1)
  const offset = (page - 1) * pageSize
  const q = spec.q?.trim()
  const inOrder = (ids: number[]) => {
    const byId = new Map(spec.load(ids).map((row) => [row.id, row]))
    return ids.map((id) => byId.get(id)).filter((row): row is T => row !== undefined)
  }
  if (!q) {
    const { ids, total } = spec.ids(pageSize, offset)
    const items = inOrder(ids).map((item) => ({ ...item, titleParts: [{ text: item.title, hit: false }] }))
    return { items, total, page, pages: Math.max(1, Math.ceil(total / pageSize)), terms: [] }
  }
  const sqlite = sqliteOf(db)
  const keeps = spec.keeps()
  const { hits, total, terms } = fts.searchPage(sqlite, spec.kind, q, {
    ids: spec.narrowed ? { has: keeps } : undefined,
    limit: pageSize,
    offset,
  })
  // Best first, as the index ranked them; a listing that lapsed since it was indexed simply drops out.
  const items = inOrder(hits.map((h) => h.id).filter(keeps)).map((row) => ({
    ...row,
    titleParts: highlight(row.title, terms),
  }))
  return { items, total, page, pages: Math.max(1, Math.ceil(total / pageSize)), terms }
}
