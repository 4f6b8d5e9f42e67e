import { and, asc, count, desc, eq, inArray, isNull, sql } from 'drizzle-orm'
import { preparedOn, type Db } from '../db/client.js'
import { notifications, outbox, users } from '../db/schema.js'
import { translate, isLocale, DEFAULT_LOCALE, type Locale } from '../i18n/i18n.js'

export interface Notice {
  kind: string
  params: Record<string, string | number>
  link?: string
}

/**
 * Tells people something happened: an inbox entry each, and, for those who chose instant e-mail, a message
 * in the outbox (sent by the mailer when SMTP is configured, readable by admins when not). Call it inside
 * the transaction of the change it reports, so a notice exists exactly when the change does.
 */
export function notify(db: Db, userIds: number[], notice: Notice, now = new Date()) {
  const ids = [...new Set(userIds)]
  if (ids.length === 0) return
  const at = now.toISOString()
  const recipients = db
    .select({
      id: users.id,
      email: users.email,
      locale: users.locale,
      notify: users.notify,
      disabledAt: users.disabledAt,
    })
    .from(users)
    .where(inArray(users.id, ids))
    .all()
    .filter((u) => !u.disabledAt)
  for (const u of recipients) {
    const instant = u.notify === 'instant'
    db.insert(notifications)
      .values({
        userId: u.id,
        kind: notice.kind,
        params: notice.params,
        link: notice.link ?? null,
        createdAt: at,
        emailedAt: instant ? at : null,
      })
      .run()
    if (instant) {
      const locale = isLocale(u.locale) ? u.locale : DEFAULT_LOCALE
      db.insert(outbox)
        .values({
          to: u.email,
          subject: subjectLine(noticeText(locale, notice, '.subject')),
          body: emailBody(locale, [notice]),
          createdAt: at,
        })
        .run()
    }
  }
}

/**
 * Plain text, one item per notice with its link on a line of its own (`  /matches/12`). Links are stored
 * relative: the mailer makes them absolute with BASE_URL when it sends, so the outbox never goes stale.
 */
export function emailBody(locale: Parameters<typeof translate>[0], notices: Notice[], baseUrl = ''): string {
  return `${noticeLines(locale, notices, baseUrl)}\n\n${translate(locale, 'notice.footer')}`
}

function noticeLines(locale: Locale, notices: Notice[], baseUrl = ''): string {
  return notices.map((n) => `- ${noticeText(locale, n)}${n.link ? `\n  ${baseUrl}${n.link}` : ''}`).join('\n')
}

// The header's badge: counted on every page a signed-in user sees.
const unreadQuery = preparedOn((db) =>
  db
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, sql.placeholder('userId')), isNull(notifications.readAt)))
    .prepare(),
)

export function unreadCount(db: Db, userId: number): number {
  return unreadQuery(db).get({ userId })?.n ?? 0
}

export function inbox(db: Db, userId: number, limit = 50) {
  return db
    .select()
    .from(notifications)
    .where(eq(notifications.userId, userId))
    .orderBy(desc(notifications.id))
    .limit(limit)
    .all()
}

export function markAllRead(db: Db, userId: number, now = new Date()) {
  db.update(notifications)
    .set({ readAt: now.toISOString() })
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
    .run()
}

// A title typed into a form can hold a line break; in a subject header it must not.
const subjectLine = (s: string) =>
  s
    .replace(/[\r\n\t]+/g, ' ')
    .trim()
    .slice(0, 200)

const localeOf = (value: string | null): Locale => (isLocale(value) ? value : DEFAULT_LOCALE)

/** One notice as a reader sees it, in their language. */
export function describe(locale: Locale, n: Pick<typeof notifications.$inferSelect, 'kind' | 'params'>): string {
  return noticeText(locale, n)
}

/**
 * A notice's sentence (or `.subject` line) in the reader's words: the unit code becomes `unitName`. A match notice
 * stored before notices named their listings (no `needOrg`) reads as a plain "news about match #id", rather than
 * a sentence with holes in it.
 */
export function noticeText(locale: Locale, n: Pick<Notice, 'kind' | 'params'>, part: '' | '.subject' = ''): string {
  const params = n.params ?? {}
  if (n.kind.startsWith('match.') && params.needOrg === undefined)
    return translate(locale, `notice.legacy${part}`, params)
  return translate(
    locale,
    `notice.${n.kind}${part}`,
    params.unit === undefined ? params : { ...params, unitName: translate(locale, `unit.${params.unit}`) },
  )
}

const DIGEST_LIMIT = 50

/**
 * The daily digest: for each user who chose it, one e-mail listing the notices not yet e-mailed, which are
 * then marked e-mailed in the same transaction (the caller's job), so a digest is never sent twice and a
 * notice never goes into two digests. Users who chose 'off' get nothing. Returns the number of e-mails.
 */
export function sendDigests(db: Db, now = new Date()): number {
  const at = now.toISOString()
  const readers = db
    .select({ id: users.id, email: users.email, locale: users.locale })
    .from(users)
    .where(and(eq(users.notify, 'digest'), isNull(users.disabledAt)))
    .orderBy(asc(users.id))
    .all()
  let sent = 0
  for (const u of readers) {
    const pending = db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, u.id), isNull(notifications.emailedAt)))
      .orderBy(asc(notifications.id))
      .all()
    if (pending.length === 0) continue
    const locale = localeOf(u.locale)
    const shown = pending
      .slice(0, DIGEST_LIMIT)
      .map((n) => ({ kind: n.kind, params: n.params, link: n.link ?? undefined }))
    const more = pending.length - shown.length
    const body = [
      translate(locale, 'notice.digest.intro', { count: pending.length }),
      '',
      noticeLines(locale, shown),
      ...(more > 0 ? ['', translate(locale, 'notice.digest.more', { count: more })] : []),
      '',
      translate(locale, 'notice.footer'),
    ].join('\n')
    db.insert(outbox)
      .values({
        to: u.email,
        subject: subjectLine(translate(locale, 'notice.digest.subject', { count: pending.length })),
        body,
        createdAt: at,
      })
      .run()
    db.update(notifications)
      .set({ emailedAt: at })
      .where(
        inArray(
          notifications.id,
          pending.map((n) => n.id),
        ),
      )
      .run()
    sent++
  }
  return sent
}

/**
 * A mail's body with its secrets hidden: a password-reset link is a key to the account, so whoever reads the
 * outbox (an admin) sees that a reset was sent, never the token.
 */
export const withoutSecrets = (body: string) => body.replace(/([?&]token=)[^\s&]+/g, '$1••••••••')

/** What admins read at /admin/outbox: newest first, secrets hidden. */
export function outboxMessages(db: Db, { limit = 200 }: { limit?: number } = {}) {
  return db
    .select()
    .from(outbox)
    .orderBy(desc(outbox.id))
    .limit(limit)
    .all()
    .map((m) => ({ ...m, body: withoutSecrets(m.body) }))
}
