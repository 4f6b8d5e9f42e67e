import { and, eq, inArray, like, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { areas, brokerAreas, users } from '../db/schema.js'
import * as areasSvc from './areas.js'
import { isWithin, pathIds } from './paths.js'

/** What coverage needs to know of a signed-in user (a CurrentUser has it). */
export type Viewer = { role: string; brokerAreaIds: readonly number[] }

/**
 * The one rule of coverage: a broker covers an area when one of the areas assigned to them lies on its path —
 * the area itself, or a street above it. Pure; the role is checked by the callers that take a user.
 */
export const pathCovered = (brokerAreaIds: readonly number[], path: string): boolean => {
  const ids = pathIds(path)
  return brokerAreaIds.some((id) => ids.includes(id))
}

/** SQL: the row's area (joined `areas`) is covered by one of these areas; undefined for none. */
export const pathCoveredSql = (brokerAreaIds: readonly number[]): SQL | undefined =>
  brokerAreaIds.length ? or(...brokerAreaIds.map((id) => like(areas.path, `%/${id}/%`))) : undefined

/** Does this user cover the area at `path` as a broker? */
export const brokerCoversPath = (user: Viewer, path: string): boolean =>
  user.role === 'broker' && pathCovered(user.brokerAreaIds, path)

/** Does this user cover the area as a broker (directly or through a street above it)? */
export function brokerCovers(db: Db, user: Viewer, areaId: number): boolean {
  if (user.role !== 'broker' || user.brokerAreaIds.length === 0) return false
  const area = areasSvc.get(db, areaId)
  return !!area && pathCovered(user.brokerAreaIds, area.path)
}

/**
 * The brokers covering the area at `path` (the same rule read from the other side). `enabledOnly` leaves out
 * disabled accounts: for who answers for a group; notifications go to every covering broker as before.
 */
export function brokersCovering(db: Db, path: string, { enabledOnly = false } = {}): number[] {
  const ids = pathIds(path)
  if (ids.length === 0) return []
  return [
    ...new Set(
      db
        .select({ id: brokerAreas.userId })
        .from(brokerAreas)
        .innerJoin(users, eq(users.id, brokerAreas.userId))
        .where(
          and(
            inArray(brokerAreas.areaId, ids),
            eq(users.role, 'broker'),
            enabledOnly ? sql`${users.disabledAt} IS NULL` : undefined,
          ),
        )
        .all()
        .map((r) => r.id),
    ),
  ]
}

/**
 * Does this broker cover any part of the area: the area itself (through a street above it) or a community
 * below it? An offer serving a whole street is the business of every broker with a community in that street.
 */
export function brokerReaches(db: Db, user: Viewer, areaId: number): boolean {
  if (user.role !== 'broker' || user.brokerAreaIds.length === 0) return false
  const area = areasSvc.get(db, areaId)
  if (!area) return false
  return (
    pathCovered(user.brokerAreaIds, area.path) ||
    user.brokerAreaIds.some((id) => {
      const mine = areasSvc.get(db, id)
      return !!mine && isWithin(mine.path, area.path)
    })
  )
}
