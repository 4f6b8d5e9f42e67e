import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { areas, brokerAreas, memberships, organizations, users } from '../db/schema.js'
import { brokersCovering, pathCovered } from '../areas/coverage.js'

/**
 * Of these organizations, those nobody answers for: no enabled leader, and no enabled broker covering their
 * home area (who would look after them). A request to one would wait for no one; the matcher shows their
 * offers after the ones somebody answers for, and the pages say so.
 */
export function unanswered(db: Db, orgIds: readonly number[]): Set<number> {
  const ids = [...new Set(orgIds)]
  if (ids.length === 0) return new Set()
  const led = new Set(
    db
      .select({ id: memberships.orgId })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(inArray(memberships.orgId, ids), eq(memberships.role, 'leader'), sql`${users.disabledAt} IS NULL`))
      .all()
      .map((r) => r.id),
  )
  const rest = ids.filter((id) => !led.has(id))
  if (rest.length === 0) return new Set()
  const covered = new Set(
    db
      .selectDistinct({ id: brokerAreas.areaId })
      .from(brokerAreas)
      .innerJoin(users, eq(users.id, brokerAreas.userId))
      .where(and(eq(users.role, 'broker'), sql`${users.disabledAt} IS NULL`))
      .all()
      .map((r) => r.id),
  )
  const paths = db
    .select({ id: organizations.id, path: areas.path })
    .from(organizations)
    .innerJoin(areas, eq(areas.id, organizations.areaId))
    .where(inArray(organizations.id, rest))
    .all()
  return new Set(paths.filter((o) => !pathCovered([...covered], o.path)).map((o) => o.id))
}

/** Leaders who answer for the organization (enabled accounts). */
export function leadersOf(db: Db, orgId: number): number[] {
  return db
    .select({ id: memberships.userId })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, 'leader'), sql`${users.disabledAt} IS NULL`))
    .all()
    .map((r) => r.id)
}

/** Brokers covering the organization's home area: they look after it while it has no leader. */
export function lookingAfter(db: Db, orgId: number): number[] {
  const org = db
    .select({ path: areas.path })
    .from(organizations)
    .innerJoin(areas, eq(areas.id, organizations.areaId))
    .where(eq(organizations.id, orgId))
    .get()
  if (!org) return []
  return brokersCovering(db, org.path, { enabledOnly: true })
}

/** Who answers for the organization: its leaders, or, while it has none, the brokers looking after it. */
export function answerersFor(db: Db, orgId: number): number[] {
  const leaders = leadersOf(db, orgId)
  return leaders.length ? leaders : lookingAfter(db, orgId)
}
