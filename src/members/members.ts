import crypto from 'node:crypto'
import { and, asc, count, desc, eq, gt, isNull, sql } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import { invitations, joinRequests, memberships, organizations, outbox, users } from '../db/schema.js'
import { DomainError, NotFound, ValidationError } from '../shared/errors.js'
import { DEFAULT_LOCALE, isLocale, translate, type Locale } from '../i18n/i18n.js'
import * as events from '../events/events.js'
import { notify } from '../notifications/notifications.js'
import { actsFor, normalizeEmail, type CurrentUser } from '../accounts/accounts.js'

export type GroupRole = 'leader' | 'member'
export const GROUP_ROLES: readonly GroupRole[] = ['leader', 'member']
export const INVITATION_DAYS = 14

/** A group always keeps a leader: refused with words the leader can act on (hand over first). */
export class LastLeader extends DomainError {
  constructor() {
    super({ key: 'members.error.last_leader' })
  }
}

/** An invitation that cannot be used (unknown, used, expired, withdrawn): said as such, never a 500. */
export class InvitationUnusable extends DomainError {
  override readonly status = 410
}

const digest = (token: string) => crypto.createHash('sha256').update(token).digest('hex')

/**
 * Who manages a group's people: its leaders, and, while it has none, the broker looking after it (so that
 * a group not yet online can be given its first leader).
 */
export function canManage(user: CurrentUser | null | undefined, orgId: number): boolean {
  return actsFor(user, orgId)
}

function requireManager(user: CurrentUser, orgId: number) {
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

export function pendingInvitations(db: Db, orgId: number, now = new Date()) {
  return db
    .select({
      id: invitations.id,
      role: invitations.role,
      email: invitations.email,
      expiresAt: invitations.expiresAt,
      createdAt: invitations.createdAt,
      invitedBy: users.name,
    })
    .from(invitations)
    .innerJoin(users, eq(users.id, invitations.invitedBy))
    .where(
      and(
        eq(invitations.orgId, orgId),
        isNull(invitations.usedAt),
        isNull(invitations.revokedAt),
        gt(invitations.expiresAt, now.toISOString()),
      ),
    )
    .orderBy(desc(invitations.id))
    .all()
}

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

function leaderCount(db: Db, orgId: number): number {
  return (
    db
      .select({ n: count() })
      .from(memberships)
      .where(and(eq(memberships.orgId, orgId), eq(memberships.role, 'leader')))
      .get()?.n ?? 0
  )
}

function roleOf(db: Db, orgId: number, userId: number): GroupRole | undefined {
  return db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .get()?.role
}

const leadersOf = (db: Db, orgId: number) =>
  db
    .select({ id: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, 'leader')))
    .all()
    .map((r) => r.id)

/**
 * Invites someone into the group with a role. Answers the secret once (the link to copy, or the one e-mailed);
 * only its hash is kept. E-mailed invitations wait in the outbox in the inviter's language.
 */
export function invite(
  db: Db,
  actor: CurrentUser,
  orgId: number,
  input: { role: GroupRole; email?: string; locale?: Locale },
  now = new Date(),
) {
  requireManager(actor, orgId)
  if (!GROUP_ROLES.includes(input.role)) throw new ValidationError({ role: { key: 'validation.choose' } })
  const email = input.email?.trim() ? normalizeEmail(input.email) : null
  const token = crypto.randomBytes(24).toString('base64url')
  const expiresAt = new Date(now.getTime() + INVITATION_DAYS * 86_400_000).toISOString()
  return writeTx(db, (tx) => {
    const org = tx.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, orgId)).get()
    if (!org) throw new NotFound()
    const row = tx
      .insert(invitations)
      .values({
        tokenHash: digest(token),
        orgId,
        role: input.role,
        email,
        invitedBy: actor.id,
        createdAt: now.toISOString(),
        expiresAt,
      })
      .returning()
      .get()
    if (email) {
      const known = tx.select({ locale: users.locale }).from(users).where(eq(users.email, email)).get()
      const locale: Locale = isLocale(known?.locale) ? known.locale : (input.locale ?? DEFAULT_LOCALE)
      const t = (key: string, params?: Record<string, string>) => translate(locale, key, params)
      const params = {
        org: org.name,
        inviter: actor.name,
        role: t(`members.role.${input.role}`),
        date: expiresAt.slice(0, 10),
      }
      // The link is relative, on a line of its own: the mailer puts the site's address in front when it sends.
      tx.insert(outbox)
        .values({
          to: email,
          subject: t('members.email.subject', params),
          createdAt: now.toISOString(),
          body: `${t('members.email.body', params)}\n  /invitations?token=${token}\n\n${t('members.email.ignore', params)}`,
        })
        .run()
    }
    events.record(
      tx,
      {
        actorId: actor.id,
        action: 'org.member_invited',
        subjectType: 'organization',
        subjectId: orgId,
        data: { invitation: row.id, role: input.role, emailed: !!email },
      },
      now,
    )
    return { invitation: row, token }
  })
}

export function revoke(db: Db, actor: CurrentUser, orgId: number, invitationId: number, now = new Date()) {
  requireManager(actor, orgId)
  writeTx(db, (tx) => {
    const done = tx
      .update(invitations)
      .set({ revokedAt: now.toISOString() })
      .where(
        and(
          eq(invitations.id, invitationId),
          eq(invitations.orgId, orgId),
          isNull(invitations.usedAt),
          isNull(invitations.revokedAt),
        ),
      )
      .run()
    if (done.changes !== 1) throw new NotFound()
    events.record(
      tx,
      {
        actorId: actor.id,
        action: 'org.invitation_revoked',
        subjectType: 'organization',
        subjectId: orgId,
        data: { invitation: invitationId },
      },
      now,
    )
  })
}

/** What an invitation link is for, or why it cannot be used. */
export function lookUp(db: Db, token: string, now = new Date()) {
  const row = db
    .select({
      id: invitations.id,
      orgId: invitations.orgId,
      role: invitations.role,
      expiresAt: invitations.expiresAt,
      usedAt: invitations.usedAt,
      revokedAt: invitations.revokedAt,
      orgName: organizations.name,
      inviter: users.name,
    })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.orgId))
    .innerJoin(users, eq(users.id, invitations.invitedBy))
    .where(eq(invitations.tokenHash, digest(token)))
    .get()
  if (!row) return { problem: 'members.invitation.unknown' as const }
  if (row.usedAt) return { problem: 'members.invitation.used' as const, invitation: row }
  if (row.revokedAt) return { problem: 'members.invitation.revoked' as const, invitation: row }
  if (row.expiresAt <= now.toISOString()) return { problem: 'members.invitation.expired' as const, invitation: row }
  return { invitation: row }
}

/**
 * Joins the group the invitation is bound to, with the role it is bound to. Single use: the claim is a guarded
 * update (unused, not withdrawn, not expired; exactly one row), so two people opening one link cannot both join.
 * A member invited as leader becomes one; a leader invited as member stays a leader (an invitation never demotes).
 */
export function accept(db: Db, user: CurrentUser, token: string, now = new Date()) {
  const found = lookUp(db, token, now)
  if (!found.invitation || found.problem)
    throw new InvitationUnusable({ key: found.problem ?? 'members.invitation.unknown' })
  const inv = found.invitation
  return writeTx(db, (tx) => {
    const at = now.toISOString()
    const claimed = tx
      .update(invitations)
      .set({ usedAt: at, usedBy: user.id })
      .where(
        and(
          eq(invitations.id, inv.id),
          isNull(invitations.usedAt),
          isNull(invitations.revokedAt),
          gt(invitations.expiresAt, at),
        ),
      )
      .run()
    if (claimed.changes !== 1) throw new InvitationUnusable({ key: 'members.invitation.used' })
    const had = roleOf(tx, inv.orgId, user.id)
    const role: GroupRole = had === 'leader' || inv.role === 'leader' ? 'leader' : 'member'
    if (!had) tx.insert(memberships).values({ userId: user.id, orgId: inv.orgId, role }).run()
    else if (had !== role)
      tx.update(memberships)
        .set({ role })
        .where(and(eq(memberships.orgId, inv.orgId), eq(memberships.userId, user.id)))
        .run()
    // Joining settles any request to join the same group.
    tx.update(joinRequests)
      .set({ decidedAt: at, decidedBy: user.id, decision: 'approved' })
      .where(and(eq(joinRequests.orgId, inv.orgId), eq(joinRequests.userId, user.id), isNull(joinRequests.decidedAt)))
      .run()
    events.record(
      tx,
      {
        actorId: user.id,
        action: 'org.member_joined',
        subjectType: 'organization',
        subjectId: inv.orgId,
        data: { invitation: inv.id, role, from: had ?? null },
      },
      now,
    )
    notify(
      tx,
      leadersOf(tx, inv.orgId).filter((id) => id !== user.id),
      { kind: 'org.member_joined', params: { org: inv.orgName, name: user.name }, link: `/orgs/${inv.orgId}/people` },
      now,
    )
    return { orgId: inv.orgId, role }
  })
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
