import { and, asc, desc, eq, inArray, or, sql } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import {
  areas,
  matchEvents,
  matches,
  memberships,
  messages,
  needs,
  offers,
  organizations,
  feedback,
  users,
} from '../db/schema.js'
import { leadersOf, lookingAfter, unanswered } from '../members/answering.js'
import { actsFor, seenOrgIds, seesOrg, type CurrentUser } from '../accounts/accounts.js'
import { CONTACT_STATES, available, type Side } from './lifecycle.js'
import { brokerCoversPath, brokersCovering, pathCoveredSql } from '../areas/coverage.js'

// A match as those it concerns see it: the scoped lookup and who stands on which side, its parties' contacts, who
// hears of it, its record (history, reviews, thread) and the lists it appears in. Reads only; matches.ts moves it.

/** Which sides of this match the user stands on; none means the match does not exist for them. */
export function sidesOf(
  user: CurrentUser,
  m: { needOrgId: number; offerOrgId: number; needAreaPath: string; brokerId: number | null },
): Side[] {
  const sides: Side[] = []
  if (actsFor(user, m.needOrgId)) sides.push('need')
  if (actsFor(user, m.offerOrgId)) sides.push('offer')
  if (user.role === 'broker' && (m.brokerId === user.id || brokerCoversPath(user, m.needAreaPath))) sides.push('broker')
  return sides
}

const detailColumns = {
  id: matches.id,
  needId: matches.needId,
  offerId: matches.offerId,
  quantity: matches.quantity,
  deliveredQuantity: matches.deliveredQuantity,
  state: matches.state,
  origin: matches.origin,
  score: matches.score,
  reasons: matches.reasons,
  reason: matches.reason,
  brokerId: matches.brokerId,
  version: matches.version,
  createdAt: matches.createdAt,
  updatedAt: matches.updatedAt,
  acceptedAt: matches.acceptedAt,
  deliveredAt: matches.deliveredAt,
  needTitle: needs.title,
  needOrgId: needs.orgId,
  needUnit: needs.unit,
  needAreaId: needs.areaId,
  needAreaPath: areas.path,
  offerTitle: offers.title,
  offerOrgId: offers.orgId,
}

function loadDetail(db: Db, id: number) {
  return db
    .select(detailColumns)
    .from(matches)
    .innerJoin(needs, eq(needs.id, matches.needId))
    .innerJoin(offers, eq(offers.id, matches.offerId))
    .innerJoin(areas, eq(areas.id, needs.areaId))
    .where(eq(matches.id, id))
    .get()
}

/**
 * Scoped lookup: a match exists for its two sides, their members (who see it and may not act: no sides) and
 * its covering broker only (everyone else: 404).
 */
export function findVisible(db: Db, user: CurrentUser, id: number) {
  const m = loadDetail(db, id)
  if (!m) return undefined
  const sides = sidesOf(user, m)
  if (sides.length === 0 && !seesOrg(user, m.needOrgId) && !seesOrg(user, m.offerOrgId)) return undefined
  const org = (orgId: number) =>
    db
      .select({ id: organizations.id, name: organizations.name })
      .from(organizations)
      .where(eq(organizations.id, orgId))
      .get()!
  const reviewed = db
    .select({ side: feedback.side })
    .from(feedback)
    .where(eq(feedback.matchId, id))
    .all()
    .map((f) => f.side as Side)
  const nobody = (orgId: number) => !answeredFor(db, orgId)
  return {
    ...m,
    sides,
    needOrg: org(m.needOrgId),
    offerOrg: org(m.offerOrgId),
    reviewed,
    actions: available({ state: m.state, reviewed }, { sides }),
    // The sides a broker answers for, named on the page ("answering for 南岸街道办事处"): one, or both when neither group is online.
    onBehalf: [
      ...(sides.includes('need') && !user.orgIds.includes(m.needOrgId) ? [org(m.needOrgId)] : []),
      ...(sides.includes('offer') && !user.orgIds.includes(m.offerOrgId) ? [org(m.offerOrgId)] : []),
    ],
    unanswered: { need: nobody(m.needOrgId), offer: nobody(m.offerOrgId) },
  }
}

/** Does anyone answer for the organization: a leader, or a broker looking after it? */
export function answeredFor(db: Db, orgId: number): boolean {
  return !unanswered(db, [orgId]).has(orgId)
}

/** Private contacts of both organizations, only once the match is accepted, only for its parties. */
export function contacts(db: Db, match: NonNullable<ReturnType<typeof findVisible>>) {
  if (!(CONTACT_STATES as readonly string[]).includes(match.state)) return undefined
  const org = (id: number) => {
    const row = db
      .select({ name: organizations.name, phone: organizations.contactPhone, email: organizations.contactEmail })
      .from(organizations)
      .where(eq(organizations.id, id))
      .get()
    if (!row || row.phone || row.email) return row
    // The group gave no contact: its leader's name and account e-mail, so an accepted match is never a dead end.
    const leader = db
      .select({ name: users.name, email: users.email })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.orgId, id), eq(memberships.role, 'leader'), sql`${users.disabledAt} IS NULL`))
      .orderBy(asc(users.id))
      .limit(1)
      .get()
    return leader ? { ...row, person: leader.name, email: leader.email } : row
  }
  return { need: org(match.needOrgId), offer: org(match.offerOrgId) }
}

/** Everyone who should hear about a match: both organizations' members and the covering brokers. */
export function audience(
  db: Db,
  needId: number,
  offerId: number,
): { need: number[]; offer: number[]; broker: number[] } {
  const need = db
    .select({ orgId: needs.orgId, path: areas.path })
    .from(needs)
    .innerJoin(areas, eq(areas.id, needs.areaId))
    .where(eq(needs.id, needId))
    .get()!
  const offer = db.select({ orgId: offers.orgId }).from(offers).where(eq(offers.id, offerId)).get()!
  // Its members, or, for a group with no leader, the brokers looking after it: a request always reaches a person.
  const members = (orgId: number) => {
    const people = db
      .select({ id: memberships.userId })
      .from(memberships)
      .where(eq(memberships.orgId, orgId))
      .all()
      .map((r) => r.id)
    return leadersOf(db, orgId).length ? people : [...new Set([...people, ...lookingAfter(db, orgId)])]
  }
  return { need: members(need.orgId), offer: members(offer.orgId), broker: brokersCovering(db, need.path) }
}

export function reviews(db: Db, matchId: number) {
  return db
    .select({
      side: feedback.side,
      rating: feedback.rating,
      comment: feedback.comment,
      author: users.name,
      createdAt: feedback.createdAt,
    })
    .from(feedback)
    .innerJoin(users, eq(users.id, feedback.authorId))
    .where(eq(feedback.matchId, matchId))
    .orderBy(asc(feedback.id))
    .all()
}

export function history(db: Db, matchId: number) {
  return db
    .select({
      at: matchEvents.at,
      event: matchEvents.event,
      fromState: matchEvents.fromState,
      toState: matchEvents.toState,
      reason: matchEvents.reason,
      quantity: matchEvents.quantity,
      actor: users.name,
      onBehalfOf: sql<
        string | null
      >`(SELECT ${organizations.name} FROM ${organizations} WHERE ${organizations.id} = ${matchEvents.onBehalfOf})`,
    })
    .from(matchEvents)
    .leftJoin(users, eq(users.id, matchEvents.actorId))
    .where(eq(matchEvents.matchId, matchId))
    .orderBy(asc(matchEvents.id))
    .all()
}

export function thread(db: Db, matchId: number) {
  return db
    .select({
      id: messages.id,
      body: messages.body,
      createdAt: messages.createdAt,
      author: users.name,
      authorId: messages.authorId,
    })
    .from(messages)
    .innerJoin(users, eq(users.id, messages.authorId))
    .where(eq(messages.matchId, matchId))
    .orderBy(asc(messages.id))
    .all()
}

/** The caller's matches: as a member of either side, or as the broker covering the need's area. */
export function listFor(db: Db, user: CurrentUser, { limit = 100 } = {}) {
  const mine = []
  const seen = seenOrgIds(user)
  if (seen.length) mine.push(inArray(needs.orgId, seen), inArray(offers.orgId, seen))
  mine.push(eq(matches.brokerId, user.id))
  if (user.role === 'broker') mine.push(pathCoveredSql(user.brokerAreaIds))
  return db
    .select(detailColumns)
    .from(matches)
    .innerJoin(needs, eq(needs.id, matches.needId))
    .innerJoin(offers, eq(offers.id, matches.offerId))
    .innerJoin(areas, eq(areas.id, needs.areaId))
    .where(or(...mine))
    .orderBy(desc(matches.updatedAt), desc(matches.id))
    .limit(limit)
    .all()
}

/**
 * The matches of one listing, for the listing page: its own organization (and the covering broker) follow
 * every request and pledge from there. The caller decides who may see them; this only reads.
 */
export function ofListing(db: Db, listing: { needId: number } | { offerId: number }) {
  const where = 'needId' in listing ? eq(matches.needId, listing.needId) : eq(matches.offerId, listing.offerId)
  return db
    .select({
      id: matches.id,
      state: matches.state,
      quantity: matches.quantity,
      updatedAt: matches.updatedAt,
      needTitle: needs.title,
      offerTitle: offers.title,
      unit: needs.unit,
    })
    .from(matches)
    .innerJoin(needs, eq(needs.id, matches.needId))
    .innerJoin(offers, eq(offers.id, matches.offerId))
    .where(where)
    .orderBy(desc(matches.updatedAt), desc(matches.id))
    .limit(50)
    .all()
}
