import { and, asc, desc, eq, inArray, or } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { matches, memberships, needs, offers, organizations } from '../db/schema.js'
import { actingOrgIds, type CurrentUser } from '../accounts/accounts.js'
import * as jobs from '../jobs/jobs.js'
import { NEED_STATUSES, OFFER_STATUSES } from '../db/schema.js'

/** Where a person lands after signing in: members on "我的", brokers on their desk, admins on admin. */
export const landingFor = (user: Pick<CurrentUser, 'role'>) =>
  user.role === 'admin' ? '/admin' : user.role === 'broker' ? '/desk' : '/me'

const DAY = 86_400_000
/** How many listings of one status the page shows per group (the lists link to the rest). */
const PER_STATUS = 50

/** The groups a person belongs to, with their role in each. */
export function groupsOf(db: Db, user: CurrentUser) {
  return db
    .select({ id: organizations.id, name: organizations.name, role: memberships.role })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(eq(memberships.userId, user.id))
    .orderBy(asc(organizations.name), asc(organizations.id))
    .all()
}

const matchColumns = {
  id: matches.id,
  state: matches.state,
  quantity: matches.quantity,
  updatedAt: matches.updatedAt,
  unit: needs.unit,
  needId: needs.id,
  needTitle: needs.title,
  needOrgId: needs.orgId,
  offerId: offers.id,
  offerTitle: offers.title,
  offerOrgId: offers.orgId,
}

/**
 * Matches that wait for one of my groups to answer (the lifecycle's turn: a request for our offer, a pledge to our
 * need, a broker's proposal to either), oldest first, each with its age in days and the day a reminder goes out.
 */
export function waitingForMe(db: Db, user: CurrentUser, now = new Date()) {
  // The groups I act for: those I lead, and for a broker those looked after (a plain member sees, never answers).
  const ours = actingOrgIds(user)
  if (ours.length === 0) return []
  const rows = db
    .select(matchColumns)
    .from(matches)
    .innerJoin(needs, eq(needs.id, matches.needId))
    .innerJoin(offers, eq(offers.id, matches.offerId))
    .where(
      or(
        and(eq(matches.state, 'requested'), inArray(offers.orgId, ours)),
        and(eq(matches.state, 'pledged'), inArray(needs.orgId, ours)),
        and(eq(matches.state, 'proposed'), or(inArray(needs.orgId, ours), inArray(offers.orgId, ours))),
      ),
    )
    .orderBy(asc(matches.updatedAt), asc(matches.id))
    .limit(200)
    .all()
  const days = jobs.reminderDays(db)
  return rows.map((m) => ({
    ...m,
    textKey: `mine.waiting.${m.state}`,
    ageDays: Math.max(0, Math.floor((now.getTime() - Date.parse(m.updatedAt)) / DAY)),
    answerBy: new Date(Date.parse(m.updatedAt) + days * DAY).toISOString(),
    overdue: now.getTime() - Date.parse(m.updatedAt) > days * DAY,
  }))
}

/** What my groups asked or offered that waits for the other side: our open requests and pledges. */
export function myOpenAsks(db: Db, user: CurrentUser) {
  const ours = actingOrgIds(user)
  if (ours.length === 0) return []
  return db
    .select(matchColumns)
    .from(matches)
    .innerJoin(needs, eq(needs.id, matches.needId))
    .innerJoin(offers, eq(offers.id, matches.offerId))
    .where(
      or(
        and(eq(matches.state, 'requested'), inArray(needs.orgId, ours)),
        and(eq(matches.state, 'pledged'), inArray(offers.orgId, ours)),
      ),
    )
    .orderBy(desc(matches.updatedAt), desc(matches.id))
    .limit(200)
    .all()
}

/** My groups' needs or offers, grouped by status in the lifecycle's order (drafts first: they are reachable only here). */
function listingsByStatus(db: Db, table: typeof needs | typeof offers, statuses: readonly string[], orgIds: number[]) {
  if (orgIds.length === 0) return []
  const rows = db
    .select({
      id: table.id,
      title: table.title,
      status: table.status,
      orgId: table.orgId,
      remaining: table.remaining,
      quantity: table.quantity,
      unit: table.unit,
      updatedAt: table.updatedAt,
      expiresAt: table.expiresAt,
    })
    .from(table)
    .where(inArray(table.orgId, orgIds))
    .orderBy(desc(table.updatedAt), desc(table.id))
    .all()
  return statuses
    .map((status) => {
      const all = rows.filter((r) => r.status === status)
      return { status, items: all.slice(0, PER_STATUS), count: all.length }
    })
    .filter((g) => g.count > 0)
}

/** The counts the page shows and GET /api/v1/me answers: one source for both. */
export function counts(db: Db, user: CurrentUser, now = new Date()) {
  const page = overview(db, user, now)
  return page.counts
}

/** Everything on "我的": my groups, their listings by status, what waits for my answer, my open asks, the next step. */
export function overview(db: Db, user: CurrentUser, now = new Date()) {
  const groups = groupsOf(db, user)
  const orgIds = groups.map((g) => g.id)
  const needGroups = listingsByStatus(db, needs, NEED_STATUSES, orgIds)
  const offerGroups = listingsByStatus(db, offers, OFFER_STATUSES, orgIds)
  const waitingRows = waitingForMe(db, user, now)
  const askRows = myOpenAsks(db, user)
  const ids = [...new Set([...waitingRows, ...askRows].flatMap((m) => [m.needOrgId, m.offerOrgId]))]
  const names = new Map(
    ids.length
      ? db
          .select({ id: organizations.id, name: organizations.name })
          .from(organizations)
          .where(inArray(organizations.id, ids))
          .all()
          .map((o) => [o.id, o.name])
      : [],
  )
  const named = <T extends { needOrgId: number; offerOrgId: number }>(m: T) => ({
    ...m,
    needOrg: names.get(m.needOrgId),
    offerOrg: names.get(m.offerOrgId),
  })
  const waiting = waitingRows.map(named)
  const asks = askRows.map(named)
  const countOf = (groups: { status: string; count: number }[], status: string) =>
    groups.find((g) => g.status === status)?.count ?? 0
  const listed = needGroups.reduce((n, g) => n + g.count, 0) + offerGroups.reduce((n, g) => n + g.count, 0)
  // One next step, the first that applies: a group to register, then a first listing.
  const nextStep = groups.length === 0 ? 'register' : listed === 0 ? 'first_listing' : undefined
  return {
    groups,
    needGroups,
    offerGroups,
    waiting,
    asks,
    nextStep,
    firstOrgId: groups.find((g) => g.role === 'leader')?.id ?? groups[0]?.id,
    counts: {
      waiting: waiting.length,
      overdue: waiting.filter((m) => m.overdue).length,
      open_asks: asks.length,
      drafts: countOf(needGroups, 'draft') + countOf(offerGroups, 'draft'),
    },
  }
}
