import { and, asc, eq, inArray, isNotNull, lt, or, sql } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import { areas, brokerAreas, matches, needs, offers, organizations, users } from '../db/schema.js'
import { NotFound, ValidationError } from '../shared/errors.js'
import { listingToday } from '../listings/listings.js'
import * as events from '../events/events.js'
import * as jobs from '../jobs/jobs.js'
import { notify } from '../notifications/notifications.js'
import { matchWords } from '../notifications/words.js'
import type { CurrentUser } from '../accounts/accounts.js'
import { findVisible } from './match-record.js'
import { idleOffers } from '../impact/idle.js'
import { servingFacts } from '../matching/serving-facts.js'
import * as areaService from '../areas/areas.js'
import { daysSince } from '../shared/time.js'

const DAY = 86_400_000
const CONFIRM_AFTER_DAYS = 14

/** Needs placed in `areaIds` (and below) that no offer can serve (the map's and the agenda's fit), oldest first. */
function unservedWithin(db: Db, areaIds: number[], limit: number, now: Date): number[] {
  const inside = new Set(areaIds.flatMap((id) => areaService.subtreeIds(db, id)))
  return servingFacts(db, listingToday(now))
    .needs.filter((n) => !n.served && inside.has(n.areaId))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id)
    .slice(0, limit)
    .map((n) => n.id)
}

/** Where a broker works: the areas assigned to them and everything below. */
function within(db: Db, areaIds: number[]) {
  const paths = areaIds
    .map((id) => db.select({ path: areas.path }).from(areas).where(eq(areas.id, id)).get()?.path)
    .filter((p): p is string => !!p)
  return paths.length ? or(...paths.map((p) => areaService.withinSql(areas.path, p))) : sql`0`
}

/**
 * The social worker's desk: for the communities a broker covers, every queue that needs a person —
 * each item with its age and where to act.
 */
export function queues(db: Db, broker: CurrentUser, now = new Date()) {
  const today = listingToday(now)
  const inScope = within(db, broker.brokerAreaIds)
  const waitingDays = jobs.reminderDays(db)
  const matchRows = (where: ReturnType<typeof and>) =>
    db
      .select({
        id: matches.id,
        state: matches.state,
        createdAt: matches.createdAt,
        updatedAt: matches.updatedAt,
        acceptedAt: matches.acceptedAt,
        deliveredAt: matches.deliveredAt,
        needTitle: needs.title,
        offerTitle: offers.title,
        brokerId: matches.brokerId,
      })
      .from(matches)
      .innerJoin(needs, eq(needs.id, matches.needId))
      .innerJoin(offers, eq(offers.id, matches.offerId))
      .innerJoin(areas, eq(areas.id, needs.areaId))
      .where(and(or(inScope, eq(matches.brokerId, broker.id)), where))
      .orderBy(asc(matches.updatedAt))
      .limit(100)
      .all()

  const stuckIds = unservedWithin(db, broker.brokerAreaIds, 100, now)
  const unserved = stuckIds.length
    ? db
        .select({ id: needs.id, title: needs.title, createdAt: needs.createdAt, org: organizations.name })
        .from(needs)
        .innerJoin(organizations, eq(organizations.id, needs.orgId))
        .where(inArray(needs.id, stuckIds))
        .orderBy(asc(needs.createdAt))
        .limit(100)
        .all()
    : []
  const waiting = matchRows(
    and(
      inArray(matches.state, ['proposed', 'requested', 'pledged']),
      lt(matches.updatedAt, new Date(now.getTime() - waitingDays * DAY).toISOString()),
    ),
  )
  const toConfirm = matchRows(
    and(
      eq(matches.state, 'accepted'),
      or(
        lt(needs.untilDate, today),
        lt(matches.acceptedAt, new Date(now.getTime() - CONFIRM_AFTER_DAYS * DAY).toISOString()),
      ),
    ),
  )
  const followUps = matchRows(
    and(
      inArray(matches.state, ['delivered', 'reviewed']),
      isNotNull(matches.deliveredAt),
      lt(matches.deliveredAt, new Date(now.getTime() - 30 * DAY).toISOString()),
      sql`${matches.deliveredAt} > ${new Date(now.getTime() - 120 * DAY).toISOString()}`,
    ),
  )
  // Idle offers as the agenda counts them (impact/idle.ts): the broker's areas only, longest idle first.
  const scopeIds = db
    .select({ id: areas.id })
    .from(areas)
    .where(inScope)
    .all()
    .map((a) => a.id)
  const idle = idleOffers(db, now, [], 100, scopeIds).list
  const aged = <T extends { createdAt: string }>(rows: T[], at: (r: T) => string = (r) => r.createdAt) =>
    rows.map((r) => ({ ...r, age: daysSince(at(r), now) }))
  return {
    unserved: aged(unserved),
    waiting: aged(waiting, (r) => r.updatedAt),
    toConfirm: aged(toConfirm, (r) => r.acceptedAt ?? r.updatedAt),
    followUps: aged(followUps, (r) => r.deliveredAt!),
    idle: idle.map((o) => ({ ...o, age: o.idleDays })),
  }
}

export function brokers(db: Db) {
  return db
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(and(eq(users.role, 'broker'), sql`${users.disabledAt} IS NULL`))
    .orderBy(asc(users.name))
    .all()
}

/** Every broker's load, for admins: open matches in their areas or handed to them. */
export function loads(db: Db) {
  return brokers(db).map((b) => {
    const areaIds = db
      .select({ id: brokerAreas.areaId })
      .from(brokerAreas)
      .where(eq(brokerAreas.userId, b.id))
      .all()
      .map((r) => r.id)
    const open =
      db
        .select({ n: sql<number>`count(*)` })
        .from(matches)
        .innerJoin(needs, eq(needs.id, matches.needId))
        .innerJoin(areas, eq(areas.id, needs.areaId))
        .where(
          and(
            or(within(db, areaIds), eq(matches.brokerId, b.id)),
            inArray(matches.state, ['proposed', 'requested', 'pledged', 'accepted']),
          ),
        )
        .get()?.n ?? 0
    return { ...b, areas: areaIds.length, open }
  })
}

/** Hands a match to another broker, who then sees it on their desk and is told so. */
export function handOver(db: Db, broker: CurrentUser, matchId: number, toBrokerId: number, now = new Date()) {
  const match = findVisible(db, broker, matchId)
  if (!match || !match.sides.includes('broker')) throw new NotFound()
  if (!brokers(db).some((b) => b.id === toBrokerId) || toBrokerId === broker.id)
    throw new ValidationError({ brokerId: { key: 'validation.choose' } })
  writeTx(db, (tx) => {
    // updatedAt is the clock of the queues ("waiting since"): a hand-over answers nobody, so it must not restart it,
    // or the item would vanish from the new broker's desk for days. The event log keeps when it changed hands.
    tx.update(matches).set({ brokerId: toBrokerId }).where(eq(matches.id, matchId)).run()
    events.record(
      tx,
      {
        actorId: broker.id,
        action: 'match.handed_over',
        subjectType: 'match',
        subjectId: matchId,
        data: { from: broker.id, to: toBrokerId },
      },
      now,
    )
    notify(
      tx,
      [toBrokerId],
      {
        kind: 'match.handed_over',
        params: { ...matchWords(tx, matchId), from: broker.name },
        link: `/matches/${matchId}`,
      },
      now,
    )
  })
}
