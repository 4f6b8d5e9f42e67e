/**
 * Invitations to give: a broker turns a prospect of the inventory into a holder. The link (or its QR code, printed)
 * opens an offer form already filled in with what the prospect could give; posting it, in the same transaction,
 * marks the prospect a holder of that organization and closes the task that asked for it. The new offer's alerts
 * go out like any other's (the one definition of fits decides whose needs it now serves).
 */
import { createHash, randomBytes } from 'node:crypto'
import { and, eq, gt, inArray, isNull, sql } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import { giveInvitations, prospects, tasks } from '../db/schema.js'
import { NotFound, ValidationError } from '../shared/errors.js'
import { addDays } from '../shared/time.js'
import * as events from '../events/events.js'
import * as inventory from './inventory.js'
import * as tasksSvc from '../tasks/tasks.js'
import type { CurrentUser } from '../accounts/accounts.js'

export const VALID_DAYS = 30
const hash = (token: string) => createHash('sha256').update(token).digest('hex')

/** A new link for the prospect (and the task, if one asked for it); the secret is returned once and never stored. */
export function issue(
  db: Db,
  user: CurrentUser,
  prospectId: number,
  opts: { taskId?: number } = {},
  now = new Date(),
): { token: string; expiresAt: string } {
  const prospect = inventory.findVisible(db, user, prospectId)
  if (!prospect) throw new NotFound()
  if (opts.taskId !== undefined) {
    const found = tasksSvc.findVisible(db, user, opts.taskId)
    if (!found?.canAct || found.task.status === 'done' || found.task.status === 'dropped')
      throw new ValidationError({ taskId: { key: 'validation.choose' } })
  }
  const token = randomBytes(24).toString('base64url')
  const expiresAt = addDays(now, VALID_DAYS).toISOString()
  writeTx(db, (tx) => {
    tx.insert(giveInvitations)
      .values({
        prospectId,
        taskId: opts.taskId ?? null,
        tokenHash: hash(token),
        createdBy: user.id,
        createdAt: now.toISOString(),
        expiresAt,
      })
      .run()
    events.record(
      tx,
      {
        actorId: user.id,
        action: 'prospect.invited',
        subjectType: 'prospect',
        subjectId: prospectId,
        data: { taskId: opts.taskId ?? null },
      },
      now,
    )
  })
  return { token, expiresAt }
}

/** What a valid (unused, unexpired) link names: the invitation and its prospect. */
export function find(db: Db, token: string, now = new Date()) {
  if (!token || token.length > 100) return undefined
  return db
    .select({ invitation: giveInvitations, prospect: prospects })
    .from(giveInvitations)
    .innerJoin(prospects, eq(prospects.id, giveInvitations.prospectId))
    .where(
      and(
        eq(giveInvitations.tokenHash, hash(token)),
        isNull(giveInvitations.usedAt),
        gt(giveInvitations.expiresAt, now.toISOString()),
      ),
    )
    .get()
}

/** The offer form's starting values for the prospect: what they said they could give, where. */
export function offerDefaults(p: typeof prospects.$inferSelect) {
  const firstLine = p.has.split(/\r?\n/)[0]!.trim()
  return {
    title: (firstLine || p.name).slice(0, 120),
    description: p.has,
    category: p.category ?? undefined,
    servesAreaId: p.areaId,
  }
}

/**
 * Inside the offer's own transaction: the link is spent, the prospect becomes a holder of the offer's
 * organization, and the task that asked for it is done, with the offer as its outcome. A link used or expired
 * meanwhile is no error — the offer stands on its own.
 */
export function redeem(
  tx: Db,
  user: CurrentUser,
  token: string,
  offer: { id: number; orgId: number; title: string },
  now = new Date(),
): boolean {
  const found = find(tx, token, now)
  if (!found) return false
  const at = now.toISOString()
  tx.update(giveInvitations)
    .set({ usedAt: at, usedBy: user.id, offerId: offer.id })
    .where(eq(giveInvitations.id, found.invitation.id))
    .run()
  tx.update(prospects)
    .set({ outcome: 'became_holder', orgId: offer.orgId, updatedAt: at, version: found.prospect.version + 1 })
    .where(eq(prospects.id, found.prospect.id))
    .run()
  events.record(
    tx,
    {
      actorId: user.id,
      action: 'prospect.became_holder',
      subjectType: 'prospect',
      subjectId: found.prospect.id,
      data: { offerId: offer.id },
    },
    now,
  )
  const taskId = found.invitation.taskId
  if (taskId !== null) {
    const closed = tx
      .update(tasks)
      .set({ status: 'done', outcome: offer.title, closedAt: at, updatedAt: at, version: sql`${tasks.version} + 1` })
      .where(and(eq(tasks.id, taskId), inArray(tasks.status, ['open', 'in_progress'])))
      .run().changes
    if (closed)
      events.record(
        tx,
        {
          actorId: user.id,
          action: 'task.complete',
          subjectType: 'task',
          subjectId: taskId,
          data: { by: 'invitation', offerId: offer.id },
        },
        now,
      )
  }
  return true
}
