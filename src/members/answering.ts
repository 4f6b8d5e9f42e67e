import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { areas, brokerAreas, memberships, organizations, users } from '../db/schema.js'

/**
 * Of these organizations, those nobody answers for: no enabled leader, and no enabled broker covering their
 * home area (who would look after them). A request to one would wait for no one; the matcher shows their
 * offers after the ones somebody answers for, and the pages say so.
 */
export function unanswered(db: Db, orgIds: readonly number[]): Set<number> {
  const ids = [...new Set(orgIds)]
  if (ids.length === 0) return new Set()
  const led = new Set(db.select({ id: memberships.orgId }).from(memberships).innerJoin(users, eq(users.id, memberships.userId))
    .where(and(inArray(memberships.orgId, ids), eq(memberships.role, 'leader'), sql`${users.disabledAt} IS NULL`)).all().map((r) => r.id))
  const rest = ids.filter((id) => !led.has(id))
  if (rest.length === 0) return new Set()
  const covered = new Set(db.selectDistinct({ id: brokerAreas.areaId }).from(brokerAreas).innerJoin(users, eq(users.id, brokerAreas.userId))
    .where(and(eq(users.role, 'broker'), sql`${users.disabledAt} IS NULL`)).all().map((r) => r.id))
  const paths = db.select({ id: organizations.id, path: areas.path }).from(organizations).innerJoin(areas, eq(areas.id, organizations.areaId))
    .where(inArray(organizations.id, rest)).all()
  return new Set(paths.filter((o) => !o.path.split('/').filter(Boolean).some((a) => covered.has(Number(a)))).map((o) => o.id))
}
