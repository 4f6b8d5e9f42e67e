import { and, asc, eq, isNull } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import { joinRequests, memberships, organizations, users } from '../db/schema.js'
import { DomainError, NotFound } from '../shared/errors.js'
import * as events from '../events/events.js'
import { notify } from '../notifications/notifications.js'
import type { CurrentUser } from '../accounts/accounts.js'
import { leadersOf, requireManager, roleOf } from './members.js'

// Joining a group by asking: someone asks from the group's page, and a leader lets them in as a member or declines.

export function openJoinRequests(db: Db, orgId: number) {
  return db
    .select({
      id: joinRequests.id,
      userId: users.id,
      name: users.name,
      message: joinRequests.message,
      createdAt: joinRequests.createdAt,
    })
    .from(joinRequests)
    .innerJoin(users, eq(users.id, joinRequests.userId))
    .where(and(eq(joinRequests.orgId, orgId), isNull(joinRequests.decidedAt)))
    .orderBy(asc(joinRequests.id))
    .all()
}

/** Asks to join a group from its page. Asking again while a request is open changes nothing. */
export function requestToJoin(db: Db, user: CurrentUser, orgId: number, message = '', now = new Date()) {
  return writeTx(db, (tx) => {
    const org = tx.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, orgId)).get()
    if (!org) throw new NotFound()
    if (roleOf(tx, orgId, user.id)) throw new DomainError({ key: 'members.error.already_in' })
    const open = tx
      .select({ id: joinRequests.id })
      .from(joinRequests)
      .where(and(eq(joinRequests.orgId, orgId), eq(joinRequests.userId, user.id), isNull(joinRequests.decidedAt)))
      .get()
    if (open) return open
    const row = tx
      .insert(joinRequests)
      .values({ orgId, userId: user.id, message: message.trim(), createdAt: now.toISOString() })
      .returning({ id: joinRequests.id })
      .get()
    events.record(
      tx,
      {
        actorId: user.id,
        action: 'org.join_requested',
        subjectType: 'organization',
        subjectId: orgId,
        data: { request: row.id },
      },
      now,
    )
    notify(
      tx,
      leadersOf(tx, orgId),
      { kind: 'org.join_requested', params: { org: org.name, name: user.name }, link: `/orgs/${orgId}/people` },
      now,
    )
    return row
  })
}

export function openRequestOf(db: Db, userId: number, orgId: number) {
  return db
    .select({ id: joinRequests.id })
    .from(joinRequests)
    .where(and(eq(joinRequests.orgId, orgId), eq(joinRequests.userId, userId), isNull(joinRequests.decidedAt)))
    .get()
}

/** A leader approves (the person joins as a member) or declines a request to join. */
export function decide(
  db: Db,
  actor: CurrentUser,
  orgId: number,
  requestId: number,
  approve: boolean,
  now = new Date(),
) {
  requireManager(actor, orgId)
  writeTx(db, (tx) => {
    const req = tx
      .select()
      .from(joinRequests)
      .where(and(eq(joinRequests.id, requestId), eq(joinRequests.orgId, orgId), isNull(joinRequests.decidedAt)))
      .get()
    if (!req) throw new NotFound()
    const at = now.toISOString()
    tx.update(joinRequests)
      .set({ decidedAt: at, decidedBy: actor.id, decision: approve ? 'approved' : 'declined' })
      .where(eq(joinRequests.id, requestId))
      .run()
    if (approve && !roleOf(tx, orgId, req.userId))
      tx.insert(memberships).values({ userId: req.userId, orgId, role: 'member' }).run()
    events.record(
      tx,
      {
        actorId: actor.id,
        action: approve ? 'org.join_approved' : 'org.join_declined',
        subjectType: 'organization',
        subjectId: orgId,
        data: { request: requestId, userId: req.userId },
      },
      now,
    )
    const org = tx.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, orgId)).get()!
    notify(
      tx,
      [req.userId],
      { kind: approve ? 'org.join_approved' : 'org.join_declined', params: { org: org.name }, link: `/orgs/${orgId}` },
      now,
    )
  })
}
