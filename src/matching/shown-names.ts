/**
 * Titles and organizations' names of the listings a match page shows: read for the twenty shown, never for the
 * thousands of candidates (the kept views carry neither), and kept by view so a listing seen before costs nothing.
 */
import { sqliteOf, type Db } from '../db/client.js'
import { remember, type Source, type Versions } from '../db/memo.js'
import type { NeedView, OfferView } from './types.js'
import { marks, padded, prepared } from './view-rows.js'

/** Titles and holders' names of the offers shown: `views` as offersFor returned them (kept-views.ts keeps them). */
export function offerNames(
  db: Db,
  views: readonly OfferView[],
  seen?: Versions,
): Map<number, { title: string; orgName: string }> {
  return names(db, 'offers', views, seen)
}

/** Titles and organizations' names of the needs shown: `views` as needsFor returned them. */
export function needNames(
  db: Db,
  views: readonly NeedView[],
  seen?: Versions,
): Map<number, { title: string; orgName: string }> {
  return names(db, 'needs', views, seen)
}

/** The tables the organizations' names are read from (memo.ts versions). */
export const NAMES_FROM: readonly Source[] = ['organizations']

/**
 * A kept view's title, by the view: a listing that changes is read again as a new view (kept-views.ts patches from the
 * change log), so a title found here is the listing's current one, and a page reads only those of views not seen yet.
 */
const titles = new WeakMap<OfferView | NeedView, string>()

function names(
  db: Db,
  table: 'needs' | 'offers',
  views: readonly (OfferView | NeedView)[],
  seen: Versions | undefined,
): Map<number, { title: string; orgName: string }> {
  if (views.length === 0) return new Map()
  // Inside a transaction the views are read afresh and the memo is not used: read the names with the titles.
  if (sqliteOf(db).inTransaction) return namesRead(db, table, views)
  const missing = views.filter((v) => !titles.has(v))
  if (missing.length > 0) {
    const list = padded(missing.map((v) => v.id))
    const rows = prepared(db, `SELECT id, title FROM ${table} WHERE id IN (${marks(list.length)})`).all(...list) as [
      number,
      string,
    ][]
    const byId = new Map(rows)
    for (const v of missing) {
      const title = byId.get(v.id)
      if (title !== undefined) titles.set(v, title)
    }
  }
  const orgs = orgNames(db, seen)
  return new Map(views.map((v) => [v.id, { title: titles.get(v) ?? '', orgName: orgs.get(v.orgId) ?? '' }] as const))
}

function namesRead(
  db: Db,
  table: 'needs' | 'offers',
  views: readonly (OfferView | NeedView)[],
): Map<number, { title: string; orgName: string }> {
  const list = padded(views.map((v) => v.id))
  const rows = prepared(
    db,
    `SELECT ${table}.id, ${table}.title, organizations.name FROM ${table} JOIN organizations ON organizations.id = ${table}.org_id
    WHERE ${table}.id IN (${marks(list.length)})`,
  ).all(...list) as [number, string, string][]
  return new Map(rows.map(([id, title, orgName]) => [id, { title, orgName }]))
}

/** Every organization's name, read again when an organization changes (a thousand at 100k listings). */
function orgNames(db: Db, seen: Versions | undefined): ReadonlyMap<number, string> {
  return remember(
    sqliteOf(db),
    'matching.orgNames',
    () => new Map(prepared(db, 'SELECT id, name FROM organizations').all() as [number, string][]),
    NAMES_FROM,
    seen,
  )
}
