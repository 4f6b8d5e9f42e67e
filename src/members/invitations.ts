import crypto from 'node:crypto'
import { and, desc, eq, gt, isNull } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import { invitations, joinRequests, memberships, organizations, outbox, users } from '../db/schema.js'
import { DomainError, NotFound, ValidationError } from '../shared/errors.js'
import { DEFAULT_LOCALE, isLocale, translate, type Locale } from '../i18n/i18n.js'
import * as events from '../events/events.js'
import { notify } from '../notifications/notifications.js'
import { normalizeEmail, type CurrentUser } from '../accounts/accounts.js'
import { GROUP_ROLES, leadersOf, requireManager, roleOf, type GroupRole } from './members.js'

// Joining a group by invitation: a leader (or the broker looking after a group without one) invites with a role, by
// a link to copy or by e-mail, and the person who opens it joins with that role, once. Only the secret's hash is kept.

export const INVITATION_DAYS = 14

/** An invitation that cannot be used (unknown, used, expired, withdrawn): said as such, never a 500. */
export class InvitationUnusable extends DomainError {
  override readonly status = 410
}

const digest = (token: string) => crypto.createHash('sha256').update(token).digest('hex')

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
