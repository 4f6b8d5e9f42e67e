import { asc, eq, like, type SQL } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import { rememberOn } from '../db/memo.js'
import { areas } from '../db/schema.js'
import { ValidationError } from '../shared/errors.js'
import * as events from '../events/events.js'
import type { Locale } from '../i18n/i18n.js'
import { isWithin, pathIds } from './paths.js'

export type Area = typeof areas.$inferSelect
export type Level = Area['level']
const CHILD_LEVEL: Record<Level, Level | null> = { district: 'street', street: 'community', community: null }

export const displayName = (area: Pick<Area, 'name' | 'nameEn'>, locale: Locale) =>
  locale === 'en' && area.nameEn ? area.nameEn : area.name

// Every page's filters and labels read the areas; they change a few times a year, so they are read once per change.
const cachedTree = (db: Db) =>
  rememberOn(
    db,
    'areas.tree',
    () => {
      const rows = db.select().from(areas).orderBy(asc(areas.path)).all()
      return { rows, byId: new Map(rows.map((a) => [a.id, a])) }
    },
    ['areas'],
  )

/** A fresh list (callers may sort or filter it in place) of the shared rows. */
export function all(db: Db): Area[] {
  return cachedTree(db).rows.slice()
}

export function get(db: Db, id: number): Area | undefined {
  return cachedTree(db).byId.get(id)
}

export function byRef(db: Db, ref: string): Area | undefined {
  return db.select().from(areas).where(eq(areas.ref, ref)).get()
}

/** The area and everything below it: a street covers its communities. */
export function subtreeIds(db: Db, id: number): number[] {
  const area = get(db, id)
  if (!area) return []
  return cachedTree(db)
    .rows.filter((a) => isWithin(a.path, area.path))
    .map((a) => a.id)
}

/** SQL: the row's area (`column`, an areas.path) is the area at `top` or below it (paths.isWithin). */
export const withinSql = (column: typeof areas.path, top: string): SQL => like(column, `${top}%`)

export function children(db: Db, id: number): Area[] {
  return db.select().from(areas).where(eq(areas.parentId, id)).orderBy(asc(areas.name)).all()
}

export function ancestors(db: Db, area: Area): Area[] {
  const ids = pathIds(area.path).slice(0, -1)
  const rows = all(db).filter((a) => ids.includes(a.id))
  return ids.map((id) => rows.find((r) => r.id === id)!).filter(Boolean)
}

/** Options for a <select>, indented by depth so the tree reads at a glance. */
export function options(db: Db, locale: Locale) {
  return all(db).map((a) => ({
    id: a.id,
    level: a.level,
    label: `${'\u3000'.repeat(pathIds(a.path).length - 1)}${displayName(a, locale)}`,
  }))
}

export interface NewArea {
  name: string
  nameEn?: string
  parentId?: number
  ref?: string
  lat?: number
  lng?: number
}

export function create(db: Db, actorId: number | null, input: NewArea, now = new Date()): Area {
  return writeTx(db, (tx) => {
    let level: Level = 'district'
    let parentPath = '/'
    if (input.parentId !== undefined) {
      const parent = get(tx, input.parentId)
      const childLevel = parent && CHILD_LEVEL[parent.level]
      if (!parent || !childLevel) throw new ValidationError({ parentId: { key: 'validation.area_missing' } })
      level = childLevel
      parentPath = parent.path
    }
    const row = tx
      .insert(areas)
      .values({
        name: input.name.trim(),
        nameEn: input.nameEn?.trim() || null,
        level,
        parentId: input.parentId ?? null,
        ref: input.ref ?? null,
        lat: input.lat ?? null,
        lng: input.lng ?? null,
        path: 'pending',
      })
      .returning()
      .get()
    const path = `${parentPath}${row.id}/`
    tx.update(areas).set({ path }).where(eq(areas.id, row.id)).run()
    events.record(tx, { actorId, action: 'area.created', subjectType: 'area', subjectId: row.id }, now)
    return { ...row, path }
  })
}

/** A tree for the areas page: districts with their streets with their communities. */
export function tree(db: Db, locale: Locale) {
  type Node = Area & { label: string; children: Node[] }
  const nodes = new Map<number, Node>()
  const roots: Node[] = []
  for (const a of all(db)) {
    const node: Node = { ...a, label: displayName(a, locale), children: [] }
    nodes.set(a.id, node)
    const parent = a.parentId ? nodes.get(a.parentId) : undefined
    if (parent) parent.children.push(node)
    else roots.push(node)
  }
  return roots
}
