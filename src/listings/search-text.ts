import type { Sqlite } from '../db/client.js'
import * as fts from '../search/fts.js'
import { ACTIVE_NEED_STATUSES, ACTIVE_OFFER_STATUSES } from './listings.js'

type Kind = fts.Kind

/** A listing as far as its text goes: needs have a place, offers do not. */
export type ListingText = { title: string; description: string; place?: string | null }

/**
 * The one definition of a listing's searchable text: its title, and its description with a need's place below it
 * (so 荔枝湾 finds the needs placed there). The index holds it, and a listing's matches are looked up with it.
 */
export const searchText = (l: ListingText): { title: string; body: string } => ({
  title: l.title,
  body: l.place == null ? l.description : `${l.description}\n${l.place}`,
})

/**
 * The statuses whose listings the index holds: a plain text search never shows a closed one. Read when called, not
 * at load, so no import order can leave them undefined.
 */
const indexed = (kind: Kind): readonly string[] => (kind === 'need' ? ACTIVE_NEED_STATUSES : ACTIVE_OFFER_STATUSES)

/**
 * Puts the listing in the index, or takes it out when its status is not indexed. Takes the root connection (a
 * transaction has none); the write joins the open transaction. The row as just written: its category, when given,
 * spares the index reading it back.
 */
export function indexListing(
  sqlite: Sqlite,
  kind: Kind,
  l: ListingText & { id: number; status: string; category?: string },
): void {
  if (indexed(kind).includes(l.status))
    fts.indexDoc(sqlite, {
      kind,
      id: l.id,
      ...searchText(l),
      ...(l.category === undefined ? {} : { category: l.category }),
    })
  else fts.removeDoc(sqlite, kind, l.id)
}

/** Every listing of a kind the index should hold, as the index takes them: for refilling a new or rebuilt index. */
export function indexedListings(sqlite: Sqlite, kind: Kind): { id: number; title: string; body: string }[] {
  const statuses = indexed(kind)
    .map(() => '?')
    .join(', ')
  const rows = sqlite
    .prepare(
      kind === 'need'
        ? `SELECT id, title, description, place FROM needs WHERE status IN (${statuses})`
        : `SELECT id, title, description FROM offers WHERE status IN (${statuses})`,
    )
    .all(...indexed(kind)) as (ListingText & { id: number })[]
  return rows.map((r) => ({ id: r.id, ...searchText(r) }))
}
