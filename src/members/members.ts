import { and, asc, count, eq, sql } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import { memberships, organizations, users } from '../db/schema.js'
import { DomainError, NotFound, ValidationError } from '../shared/errors.js'
import * as events from '../events/events.js'
import { notify } from '../notifications/notifications.js'
import { actsFor, type CurrentUser } from '../accounts/accounts.js'

// A group's people and their roles: who manages them, changing a role, leaving or being removed, handing the
// leadership over, and the rule under all of it that a group always keeps a leader. People join by invitation
// (invitations.ts) or by asking (join-requests.ts).

export type GroupRole = 'leader' | 'member'
export const GROUP_ROLES: readonly GroupRole[] = ['leader', 'member']

/** A group always keeps a leader: refused with words the leader can act on (hand over first). */
export class LastLeader extends DomainError {
  constructor() {
    super({ key: 'members.error.last_leader' })
  }
}

/**
 * Who manages a group's people: its leaders, and, while it has none, the broker looking after it (so that
 * a group not yet online can be given its first leader).
 */
export function canManage(user: CurrentUser | null | undefined, orgId: number): boolean {
  return actsFor(user, orgId)
}

export function requireManager(user: CurrentUser, orgId: number) {
  if (!canManage(user, orgId)) throw new NotFound()
}

export function people(db: Db, orgId: number) {
  return db
    .select({ userId: users.id, name: users.name, email: users.email, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.orgId, orgId))
    .orderBy(sql`${memberships.role} <> 'leader'`, asc(users.name))
    .all()
}

function leaderCount(db: Db, orgId: number): number {
  return (
    db
      .select({ n: count() })
      .from(memberships)
      .where(and(eq(memberships.orgId, orgId), eq(memberships.role, 'leader')))
      .get()?.n ?? 0
  )
}

export function roleOf(db: Db, orgId: number, userId: number): GroupRole | undefined {
  return db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .get()?.role
}

/** The group's leaders, to tell of its people's news (notify itself skips disabled accounts). */
export const leadersOf = (db: Db, orgId: number) =>
  db
    .select({ id: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, 'leader')))
    .all()
    .map((r) => r.id)

/** Changes a person's role in the group; the last leader cannot be made a member. */
export function setRole(db: Db, actor: CurrentUser, orgId: number, userId: number, role: GroupRole, now = new Date()) {
  requireManager(actor, orgId)
  if (!GROUP_ROLES.includes(role)) throw new ValidationError({ role: { key: 'validation.choose' } })
  writeTx(db, (tx) => {
    const had = roleOf(tx, orgId, userId)
    if (!had) throw new NotFound()
    if (had === role) return
    if (had === 'leader' && leaderCount(tx, orgId) <= 1) throw new LastLeader()
    tx.update(memberships)
      .set({ role })
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
      .run()
    events.record(
      tx,
      {
        actorId: actor.id,
        action: 'org.member_role_changed',
        subjectType: 'organization',
        subjectId: orgId,
        data: { userId, from: had, to: role },
      },
      now,
    )
  })
}

/** Removes a person from the group (a leader removing someone, or anyone leaving); never the last leader. */
export function remove(db: Db, actor: CurrentUser, orgId: number, userId: number, now = new Date()) {
  const leaving = actor.id === userId
  if (!leaving) requireManager(actor, orgId)
  writeTx(db, (tx) => {
    const had = roleOf(tx, orgId, userId)
    if (!had) throw new NotFound()
    if (had === 'leader' && leaderCount(tx, orgId) <= 1) throw new LastLeader()
    tx.delete(memberships)
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
      .run()
    events.record(
      tx,
      {
        actorId: actor.id,
        action: leaving ? 'org.member_left' : 'org.member_removed',
        subjectType: 'organization',
        subjectId: orgId,
        data: { userId, role: had },
      },
      now,
    )
  })
}

/** Hands leadership to another person of the group: they become a leader, the giver a member. One transaction. */
export function handOver(db: Db, actor: CurrentUser, orgId: number, toUserId: number, now = new Date()) {
  if (!actor.orgIds.includes(orgId)) throw new NotFound()
  if (toUserId === actor.id) throw new ValidationError({ userId: { key: 'validation.choose' } })
  writeTx(db, (tx) => {
    const theirs = roleOf(tx, orgId, toUserId)
    if (!theirs) throw new ValidationError({ userId: { key: 'members.error.not_in_group' } })
    if (theirs !== 'leader')
      tx.update(memberships)
        .set({ role: 'leader' })
        .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, toUserId)))
        .run()
    tx.update(memberships)
      .set({ role: 'member' })
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, actor.id)))
      .run()
    events.record(
      tx,
      {
        actorId: actor.id,
        action: 'org.leadership_handed_over',
        subjectType: 'organization',
        subjectId: orgId,
        data: { to: toUserId },
      },
      now,
    )
    const org = tx.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, orgId)).get()!
    notify(
      tx,
      [toUserId],
      {
        kind: 'org.leadership_handed_over',
        params: { org: org.name, name: actor.name },
        link: `/orgs/${orgId}/people`,
      },
      now,
    )
  })
}
