import crypto from 'node:crypto'
import { and, eq, gt, lt } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import { outbox, signups, users } from '../db/schema.js'
import { ValidationError } from '../shared/errors.js'
import { DEFAULT_LOCALE, isLocale, translate, type Locale } from '../i18n/i18n.js'
import * as events from '../events/events.js'
import { hashPassword, isCommonPassword, verifyPassword } from './passwords.js'
import { normalizeEmail } from './accounts.js'

const LIFETIME_MS = 24 * 3_600_000
const digest = (token: string) => crypto.createHash('sha256').update(token).digest('hex')

/**
 * Sign-up, step one. Whatever the address, the visitor hears "check your email" and the same work is done
 * (the password is hashed, one transaction commits, one email waits in the outbox): a new address gets a link
 * to finish, an address that has an account gets a note to its owner instead. Nothing on the page, in its
 * status or in its timing tells a stranger who has an account here.
 */
/**
 * `next`: a same-site path the person was on their way to (a listing's "I can help"); the caller has checked it.
 * The confirmation link carries it, so finishing the sign-up lands there.
 */
export async function begin(
  db: Db,
  input: { email: string; name: string; password: string; locale?: string; next?: string },
  now = new Date(),
): Promise<void> {
  if (isCommonPassword(input.password)) throw new ValidationError({ password: { key: 'validation.password_common' } })
  const email = normalizeEmail(input.email)
  const name = input.name.trim()
  const passwordHash = await hashPassword(input.password)
  const token = crypto.randomBytes(32).toString('base64url')
  const tokenHash = digest(token)
  const visitorLocale: Locale = isLocale(input.locale) ? input.locale : DEFAULT_LOCALE
  writeTx(db, (tx) => {
    tx.delete(signups).where(lt(signups.expiresAt, now.getTime())).run()
    const owner = tx.select().from(users).where(eq(users.email, email)).get()
    if (owner) {
      const locale = isLocale(owner.locale) ? owner.locale : visitorLocale
      const t = (key: string, params?: Record<string, string>) => translate(locale, key, params)
      tx.insert(outbox)
        .values({
          to: owner.email,
          subject: t('signup.email.taken.subject'),
          createdAt: now.toISOString(),
          body: `${t('signup.email.taken.body', { name: owner.name })}\n  /signin\n\n${t('signup.email.taken.reset')}\n  /password/forgot\n\n${t('signup.email.taken.ignore')}`,
        })
        .run()
      events.record(
        tx,
        { actorId: null, action: 'account.signup_for_existing', subjectType: 'user', subjectId: owner.id },
        now,
      )
      return
    }
    // A second sign-up with the same address replaces the first: only the latest link works.
    tx.delete(signups).where(eq(signups.email, email)).run()
    tx.insert(signups)
      .values({
        tokenHash,
        email,
        name,
        passwordHash,
        locale: input.locale ?? null,
        expiresAt: now.getTime() + LIFETIME_MS,
      })
      .run()
    const t = (key: string, params?: Record<string, string>) => translate(visitorLocale, key, params)
    // The link is relative, on a line of its own: the mailer puts the site's address in front when it sends.
    tx.insert(outbox)
      .values({
        to: email,
        subject: t('signup.email.subject'),
        createdAt: now.toISOString(),
        body: `${t('signup.email.body', { name })}\n  /signup/confirm?token=${token}${input.next ? `&next=${encodeURIComponent(input.next)}` : ''}\n\n${t('signup.email.ignore')}`,
      })
      .run()
    events.record(tx, { actorId: null, action: 'account.signup_started', subjectType: 'user', subjectId: null }, now)
  })
}

const live = (token: string, now: Date) =>
  and(eq(signups.tokenHash, digest(token)), gt(signups.expiresAt, now.getTime()))

/** The address and name a live link is for (shown on the page that finishes the sign-up). */
export function pending(db: Db, token: string, now = new Date()) {
  return db.select({ email: signups.email, name: signups.name }).from(signups).where(live(token, now)).get()
}

/**
 * Step two: the link's owner gives the password chosen in step one, and the account is created. Asking for the
 * password means a link seen by someone else (a shared mailbox, the outbox an admin reads) creates nothing.
 */
export async function complete(db: Db, token: string, password: string, now = new Date()) {
  const row = db.select().from(signups).where(live(token, now)).get()
  if (!row) throw new ValidationError({ token: { key: 'signup.confirm.invalid' } })
  if (!(await verifyPassword(row.passwordHash, password)))
    throw new ValidationError({ password: { key: 'signup.confirm.wrong_password' } })
  return writeTx(db, (tx) => {
    // Spent by a parallel request while the password was checked: refuse rather than create twice.
    if (!tx.select({ email: signups.email }).from(signups).where(live(token, now)).get())
      throw new ValidationError({ token: { key: 'signup.confirm.invalid' } })
    tx.delete(signups).where(eq(signups.email, row.email)).run()
    // An account made meanwhile (by an admin, or the CLI) wins; the pending sign-up is simply spent.
    if (tx.select({ id: users.id }).from(users).where(eq(users.email, row.email)).get()) return undefined
    const user = tx
      .insert(users)
      .values({
        email: row.email,
        name: row.name,
        passwordHash: row.passwordHash,
        role: 'member',
        locale: row.locale,
        createdAt: now.toISOString(),
      })
      .returning()
      .get()
    events.record(tx, { actorId: user.id, action: 'account.signed_up', subjectType: 'user', subjectId: user.id }, now)
    return user
  })
}
