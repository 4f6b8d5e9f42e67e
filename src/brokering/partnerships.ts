import { and, asc, desc, eq, inArray, isNull, or } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import { writeTx, type Db } from '../db/client.js'
import {
  matchCheckins,
  matches,
  needs,
  offers,
  organizations,
  partnerships,
  PARTNERSHIP_END_REASONS,
  users,
} from '../db/schema.js'
import { DomainError, NotFound, ValidationError } from '../shared/errors.js'
import * as events from '../events/events.js'
import * as orgs from '../orgs/orgs.js'
import type { CurrentUser } from '../accounts/accounts.js'
import * as coverage from '../areas/coverage.js'

/**
 * A partnership: a holder (an offer's organization) and a group (a need's) that keep working together. It begins
 * when a check-in is answered "continues as a partnership" or a broker marks a delivered match so; it is ended,
 * with a reason, by a member of either organization or a broker covering the group. One standing per pair.
 */

export type Partnership = typeof partnerships.$inferSelect
export type EndReason = (typeof PARTNERSHIP_END_REASONS)[number]
export const END_NOTE_MAX = 500

const holderOrg = alias(organizations, 'holder_org')
const groupOrg = alias(organizations, 'group_org')

export function standing(db: Db, holderOrgId: number, groupOrgId: number): Partnership | undefined {
  return db
    .select()
    .from(partnerships)
    .where(
      and(
        eq(partnerships.holderOrgId, holderOrgId),
        eq(partnerships.groupOrgId, groupOrgId),
        isNull(partnerships.endedAt),
      ),
    )
    .get()
}

/** Begins one inside the caller's transaction, or returns the pair's standing one (asked twice, begun once). */
export function begin(
  tx: Db,
  by: CurrentUser,
  pair: { holderOrgId: number; groupOrgId: number; fromMatchId: number },
  now: Date,
): Partnership {
  const open = standing(tx, pair.holderOrgId, pair.groupOrgId)
  if (open) return open
  const p = tx
    .insert(partnerships)
    .values({ ...pair, startedBy: by.id, startedAt: now.toISOString() })
    .returning()
    .get()
  events.record(
    tx,
    { actorId: by.id, action: 'partnership.started', subjectType: 'partnership', subjectId: p.id, data: pair },
    now,
  )
  return p
}

/** Who may end it: a member of either organization, a broker covering the group's area, an admin. */
function mayEnd(db: Db, user: CurrentUser, p: Pick<Partnership, 'holderOrgId' | 'groupOrgId'>) {
  if (user.role === 'admin' || user.orgIds.includes(p.holderOrgId) || user.orgIds.includes(p.groupOrgId)) return true
  const group = orgs.get(db, p.groupOrgId)
  return !!group && coverage.brokerCovers(db, user, group.areaId)
}

export function end(
  db: Db,
  user: CurrentUser,
  id: number,
  input: { reason?: string; note?: string },
  now = new Date(),
): Partnership {
  const p = db.select().from(partnerships).where(eq(partnerships.id, id)).get()
  if (!p || !mayEnd(db, user, p)) throw new NotFound()
  const reason = input.reason as EndReason | undefined
  if (!reason || !PARTNERSHIP_END_REASONS.includes(reason))
    throw new ValidationError({ reason: { key: 'partnership.validation.reason' } })
  const note = (input.note ?? '').trim().slice(0, END_NOTE_MAX)
  return writeTx(db, (tx) => {
    const ended = tx
      .update(partnerships)
      .set({ endedAt: now.toISOString(), endedBy: user.id, endReason: reason, endNote: note })
      .where(and(eq(partnerships.id, id), isNull(partnerships.endedAt)))
      .returning()
      .get()
    if (!ended) throw new DomainError({ key: 'partnership.already_ended' })
    events.record(
      tx,
      {
        actorId: user.id,
        action: 'partnership.ended',
        subjectType: 'partnership',
        subjectId: id,
        data: { reason, note },
      },
      now,
    )
    return ended
  })
}

/**
 * The organization's partnerships, standing first, each with its history: the matches between the two (the group's
 * needs served by the holder's offers) and the check-in answers given on them. For the organization's own members,
 * the brokers covering it and admins; undefined for anyone else (the page shows nothing).
 */
export function forOrg(db: Db, user: CurrentUser | null, org: { id: number; areaId: number }) {
  if (!user || !(user.role === 'admin' || user.orgIds.includes(org.id) || coverage.brokerCovers(db, user, org.areaId)))
    return undefined
  const rows = db
    .select({
      id: partnerships.id,
      holderOrgId: partnerships.holderOrgId,
      groupOrgId: partnerships.groupOrgId,
      startedAt: partnerships.startedAt,
      endedAt: partnerships.endedAt,
      endReason: partnerships.endReason,
      endNote: partnerships.endNote,
      holderName: holderOrg.name,
      groupName: groupOrg.name,
    })
    .from(partnerships)
    .innerJoin(holderOrg, eq(holderOrg.id, partnerships.holderOrgId))
    .innerJoin(groupOrg, eq(groupOrg.id, partnerships.groupOrgId))
    .where(or(eq(partnerships.holderOrgId, org.id), eq(partnerships.groupOrgId, org.id)))
    .orderBy(asc(partnerships.endedAt), desc(partnerships.startedAt))
    .all()
  return rows.map((p) => {
    const between = db
      .select({
        id: matches.id,
        state: matches.state,
        needTitle: needs.title,
        offerTitle: offers.title,
        deliveredAt: matches.deliveredAt,
        createdAt: matches.createdAt,
      })
      .from(matches)
      .innerJoin(needs, eq(needs.id, matches.needId))
      .innerJoin(offers, eq(offers.id, matches.offerId))
      .where(and(eq(needs.orgId, p.groupOrgId), eq(offers.orgId, p.holderOrgId)))
      .orderBy(asc(matches.createdAt), asc(matches.id))
      .all()
    const answers = between.length
      ? db
          .select({
            matchId: matchCheckins.matchId,
            followupDays: matchCheckins.followupDays,
            outcome: matchCheckins.outcome,
            continuation: matchCheckins.continuation,
            reason: matchCheckins.reason,
            note: matchCheckins.note,
            at: matchCheckins.createdAt,
            by: users.name,
          })
          .from(matchCheckins)
          .innerJoin(users, eq(users.id, matchCheckins.answeredBy))
          .where(
            inArray(
              matchCheckins.matchId,
              between.map((m) => m.id),
            ),
          )
          .orderBy(asc(matchCheckins.createdAt))
          .all()
      : []
    const partner =
      p.holderOrgId === org.id
        ? { id: p.groupOrgId, name: p.groupName, role: 'group' }
        : { id: p.holderOrgId, name: p.holderName, role: 'holder' }
    return {
      ...p,
      partner,
      standing: p.endedAt === null,
      canEnd: p.endedAt === null && mayEnd(db, user, p),
      matches: between,
      answers,
    }
  })
}
