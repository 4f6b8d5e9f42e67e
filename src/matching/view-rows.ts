/**
 * A listing's row as the matcher's view: the columns the kept views read (views.ts), how a row becomes an OfferView,
 * NeedView or OrgView, and the area paths they carry. The views leave names and track records empty; the page shell
 * (rows.ts) fills those in for what it shows.
 */
import type Database from 'better-sqlite3'
import { sqliteOf, type Db, type Sqlite } from '../db/client.js'
import { pathIds } from '../areas/paths.js'
import { subjectList } from './subject.js'
import type { NeedView, OfferView, OrgView } from './types.js'

export const NO_TRACK = Object.freeze({ delivered: 0, rating: null })

// A focus list is one of a few dozen JSON texts: parse each once. Frozen, since the views share them.
const focusLists = new Map<string, readonly string[]>()
export function focusOf(json: string): string[] {
  let list = focusLists.get(json)
  if (!list) {
    if (focusLists.size >= 1000) focusLists.clear()
    focusLists.set(json, (list = Object.freeze(JSON.parse(json) as string[])))
  }
  return list as string[]
}

export const OFFER_COLUMNS = `id, org_id, category, unit, remaining, quantity, from_date, until_date, schedule, serves_area_id, min_trust, focus,
  created_at, topics, keywords`
export type OfferRow = [
  number,
  number,
  string,
  string,
  number,
  number,
  string | null,
  string | null,
  string | null,
  number,
  OfferView['minTrust'],
  string,
  string,
  string | null,
  string | null,
]
export const NEED_COLUMNS =
  'id, org_id, category, unit, remaining, from_date, until_date, schedule, area_id, urgency, beneficiaries, created_at, topics, keywords'
export type NeedRow = [
  number,
  number,
  string,
  string,
  number,
  string | null,
  string | null,
  string | null,
  number,
  NeedView['urgency'],
  number | null,
  string,
  string | null,
  string | null,
]
export type OrgRow = [number, OrgView['trust'], string, number | null]

/**
 * An available offer as a view: orgName is left empty (the shell reads names for the shown ones) and track is
 * NO_TRACK (the shell adds track records to the candidates of a page).
 */
export function offerView(
  [
    id,
    orgId,
    category,
    unit,
    remaining,
    quantity,
    from,
    until,
    schedule,
    servesAreaId,
    minTrust,
    focus,
    createdAt,
    topics,
    keywords,
  ]: OfferRow,
  pathOf: (areaId: number) => number[],
): OfferView {
  return {
    id,
    orgId,
    orgName: '',
    category,
    unit,
    remaining,
    quantity,
    from,
    until,
    schedule,
    servesPath: pathOf(servesAreaId),
    minTrust,
    focus: focusOf(focus),
    createdAt,
    track: NO_TRACK,
    topics: subjectList(topics),
    keywords: subjectList(keywords),
  }
}

/** An active need as a view; its organization's name is empty and matchesReceived 0 until the shell adds them. */
export function needView(
  [
    id,
    orgId,
    category,
    unit,
    remaining,
    from,
    until,
    schedule,
    areaId,
    urgency,
    beneficiaries,
    createdAt,
    topics,
    keywords,
  ]: NeedRow,
  org: OrgView,
  pathOf: (areaId: number) => number[],
): NeedView {
  return {
    id,
    orgId,
    org,
    category,
    unit,
    quantity: remaining,
    from,
    until,
    schedule,
    areaPath: pathOf(areaId),
    urgency,
    beneficiaries,
    createdAt,
    topics: subjectList(topics),
    keywords: subjectList(keywords),
  }
}

export function orgView([id, trust, focus, members]: OrgRow): OrgView {
  return { id, name: '', trust, focus: focusOf(focus), matchesReceived: 0, members }
}

const statements = new WeakMap<Sqlite, Map<string, Database.Statement>>()
export function stmt(sqlite: Sqlite, text: string): Database.Statement {
  let cache = statements.get(sqlite)
  if (!cache) statements.set(sqlite, (cache = new Map()))
  let st = cache.get(text)
  if (!st) cache.set(text, (st = sqlite.prepare(text).raw()))
  return st
}

export function readPaths(sqlite: Sqlite): Map<number, number[]> {
  return new Map(
    (stmt(sqlite, 'SELECT id, path FROM areas').all() as [number, string][]).map(([id, path]) => [id, pathIds(path)]),
  )
}

export function areaPaths(sqlite: Sqlite): (areaId: number) => number[] {
  const paths = readPaths(sqlite)
  return (id) => paths.get(id) ?? []
}

/** Whether every area of the first reading of the tree keeps its path in the second (a rename or a new area moves none). */
export function keepsPaths(a: ReadonlyMap<number, number[]>, b: ReadonlyMap<number, number[]>): boolean {
  for (const [id, path] of a) {
    const other = b.get(id)
    if (!other || other.length !== path.length || other.some((x, i) => x !== path[i])) return false
  }
  return true
}

/**
 * A statement of the shell's bulk reads on the database's connection, raw (rows as arrays), cached like stmt but
 * bounded: candidate areas and organizations make IN lists of many lengths.
 */
const bounded = new WeakMap<Sqlite, Map<string, Database.Statement>>()
export function prepared(db: Db, text: string): Database.Statement {
  const sqlite = sqliteOf(db)
  let cache = bounded.get(sqlite)
  if (!cache) bounded.set(sqlite, (cache = new Map()))
  let st = cache.get(text)
  if (!st) {
    // A burst of new IN lists must not grow the cache without end.
    if (cache.size >= 200) cache.clear()
    cache.set(text, (st = sqliteOf(db).prepare(text).raw()))
  }
  return st
}
export const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ')
/**
 * An id list padded (with its first id again) to a power of two, so lists of a few hundred lengths share
 * a dozen statements rather than each preparing its own.
 */
export function padded(ids: number[]): number[] {
  let n = 8
  while (n < ids.length) n *= 2
  return ids.length === n || ids.length === 0 ? ids : [...ids, ...Array<number>(n - ids.length).fill(ids[0]!)]
}
