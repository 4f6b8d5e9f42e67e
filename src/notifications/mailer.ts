import { and, asc, eq, isNull } from 'drizzle-orm'
import nodemailer from 'nodemailer'
import type { Db } from '../db/client.js'
import { outbox } from '../db/schema.js'
import { withoutSecrets } from './notifications.js'

export interface MailSettings {
  smtpUrl?: string
  mailFrom: string
  baseUrl: string
}

export interface Delivery {
  sent: number
  failed: number
}

const BATCH = 100
// A message that failed waits before its next try (1 min, 2, 4 … up to an hour), so a dead relay or a
// rejected address is not hammered every round. Kept in memory: a restart simply tries everything again.
const retryState = new WeakMap<Db, Map<number, { failures: number; next: number }>>()

/** Bodies store links relative (`  /matches/12`, a line of its own); a reader's mail client needs them whole. */
export function absoluteLinks(body: string, baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '')
  return body.replace(/^([ \t]+)(\/(?!\/)\S*)$/gm, (_line, indent: string, link: string) => `${indent}${base}${link}`)
}

/**
 * Sends what waits in the outbox when SMTP is configured: each row is marked sent once the server took it,
 * or keeps its error and is tried again later. Without SMTP it does nothing and the outbox stays readable by
 * admins. Delivery is at-least-once: a crash between the server's "250 OK" and the mark sends that one again.
 */
export async function deliverOutbox(db: Db, settings: MailSettings, now = () => new Date()): Promise<Delivery> {
  const result = { sent: 0, failed: 0 }
  if (!settings.smtpUrl) return result
  let waiting = retryState.get(db)
  if (!waiting) retryState.set(db, (waiting = new Map()))
  const started = now().getTime()
  const due = db
    .select()
    .from(outbox)
    .where(isNull(outbox.sentAt))
    .orderBy(asc(outbox.id))
    .limit(BATCH * 4)
    .all()
    .filter((m) => (waiting.get(m.id)?.next ?? 0) <= started)
    .slice(0, BATCH)
  if (due.length === 0) return result
  const transport = nodemailer.createTransport(settings.smtpUrl)
  try {
    for (const m of due) {
      try {
        await transport.sendMail({
          from: settings.mailFrom,
          to: m.to,
          subject: m.subject,
          text: absoluteLinks(m.body, settings.baseUrl),
        })
        // Once the server has it, the stored copy no longer needs the reset token: it stays only in the reader's mailbox.
        db.update(outbox)
          .set({ sentAt: now().toISOString(), error: null, body: withoutSecrets(m.body) })
          .where(and(eq(outbox.id, m.id), isNull(outbox.sentAt)))
          .run()
        waiting.delete(m.id)
        result.sent++
      } catch (err) {
        const failures = (waiting.get(m.id)?.failures ?? 0) + 1
        waiting.set(m.id, { failures, next: now().getTime() + Math.min(3_600_000, 60_000 * 2 ** (failures - 1)) })
        db.update(outbox)
          .set({ error: describeError(err) })
          .where(eq(outbox.id, m.id))
          .run()
        result.failed++
      }
    }
  } finally {
    transport.close()
  }
  return result
}

// What an admin needs to see on the outbox page: the SMTP answer, never a stack.
function describeError(err: unknown): string {
  const e = err as { code?: string; responseCode?: number; message?: string }
  return (
    [e.code, e.responseCode, e.message].filter(Boolean).join(' ').replace(/\s+/g, ' ').slice(0, 300) || 'unknown error'
  )
}
