import crypto from 'node:crypto'
import { and, eq, gt } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import { outbox, passwordResets, sessions, users } from '../db/schema.js'
import { ValidationError } from '../shared/errors.js'
import { DEFAULT_LOCALE, isLocale, translate } from '../i18n/i18n.js'
import * as events from '../events/events.js'
import * as jobs from '../jobs/jobs.js'
import { hashPassword, isCommonPassword } from './passwords.js'
import { normalizeEmail } from './accounts.js'

const LIFETIME_MS = 60 * 60_000
const digest = (token: string) => crypto.createHash('sha256').update(token).digest('hex')

/**
 * "Forgot your password?". The answer must tell nobody whether the address has an account — in its words or in
 * its time — so the request only queues the same one job whatever the address; the job (next scheduler round, with
 * the mail that goes out then) looks the address up and sends a link if there is an account to send it to.
 */
export function request(db: Db, email: string, now = new Date()): void {
  jobs.schedule(db, {
    key: `password.reset:${crypto.randomUUID()}`,
    kind: 'password.reset',
    runAt: now,
    payload: { email: normalizeEmail(email) },
  })
}

/** The job: if the address has an active account, mail it a single-use link valid for an hour. */
export function send(db: Db, email: string, now = new Date()): void {
  const user = db
    .select()
    .from(users)
    .where(eq(users.email, normalizeEmail(email)))
    .get()
  if (!user || user.disabledAt) return
  const token = crypto.randomBytes(32).toString('base64url')
  const locale = isLocale(user.locale) ? user.locale : DEFAULT_LOCALE
  writeTx(db, (tx) => {
    // A new link replaces any earlier one.
    tx.delete(passwordResets).where(eq(passwordResets.userId, user.id)).run()
    tx.insert(passwordResets)
      .values({ tokenHash: digest(token), userId: user.id, expiresAt: now.getTime() + LIFETIME_MS })
      .run()
    // The link is relative, on a line of its own: the mailer puts the site's address in front when it sends.
    tx.insert(outbox)
      .values({
        to: user.email,
        subject: translate(locale, 'reset.email.subject'),
        createdAt: now.toISOString(),
        body: `${translate(locale, 'reset.email.body', { name: user.name })}\n  /password/reset?token=${token}\n\n${translate(locale, 'reset.email.ignore')}`,
      })
      .run()
    events.record(
      tx,
      { actorId: user.id, action: 'account.reset_requested', subjectType: 'user', subjectId: user.id },
      now,
    )
  })
}

export function isValid(db: Db, token: string, now = new Date()): boolean {
  return !!db
    .select({ userId: passwordResets.userId })
    .from(passwordResets)
    .where(and(eq(passwordResets.tokenHash, digest(token)), gt(passwordResets.expiresAt, now.getTime())))
    .get()
}

/** Sets the new password, spends the link and ends every session of the account, all at once. */
export async function complete(db: Db, token: string, newPassword: string, now = new Date()): Promise<void> {
  if (!isValid(db, token, now)) throw new ValidationError({ token: { key: 'reset.invalid' } })
  if (isCommonPassword(newPassword)) throw new ValidationError({ newPassword: { key: 'validation.password_common' } })
  const passwordHash = await hashPassword(newPassword)
  writeTx(db, (tx) => {
    const row = tx
      .select()
      .from(passwordResets)
      .where(and(eq(passwordResets.tokenHash, digest(token)), gt(passwordResets.expiresAt, now.getTime())))
      .get()
    // Spent by a parallel request while the hash was computed: refuse rather than use it twice.
    if (!row) throw new ValidationError({ token: { key: 'reset.invalid' } })
    tx.delete(passwordResets).where(eq(passwordResets.userId, row.userId)).run()
    tx.update(users).set({ passwordHash }).where(eq(users.id, row.userId)).run()
    tx.delete(sessions).where(eq(sessions.userId, row.userId)).run()
    events.record(
      tx,
      { actorId: row.userId, action: 'account.password_reset', subjectType: 'user', subjectId: row.userId },
      now,
    )
  })
}
