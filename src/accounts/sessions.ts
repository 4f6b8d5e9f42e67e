import { eq, lt, or } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { sessions, settings } from '../db/schema.js'

/**
 * How stale a session's stored last_seen may get: the store writes it at most this often, and keeps the exact
 * time of the last request in memory. A quarter of the idle window (at most a minute), so that even after a
 * crash loses the memory, nobody is signed out much earlier than the setting says.
 */
export const touchInterval = (idleMs: number) => Math.min(60_000, Math.floor(idleMs / 4))

const IDLE_KEY = 'session_idle_ms'
const MAX_KEY = 'session_max_ms'

// Kept in the database (written at start-up from the configuration) so the scheduled sweep needs no config object.
export function setLifetimes(db: Db, idleMs: number, maxMs: number) {
  for (const [key, value] of [
    [IDLE_KEY, idleMs],
    [MAX_KEY, maxMs],
  ] as const) {
    db.insert(settings)
      .values({ key, value: String(value) })
      .onConflictDoUpdate({ target: settings.key, set: { value: String(value) } })
      .run()
  }
}

function lifetimes(db: Db): { idleMs: number; maxMs: number } | undefined {
  const read = (key: string) => db.select().from(settings).where(eq(settings.key, key)).get()?.value
  const idleMs = Number(read(IDLE_KEY))
  const maxMs = Number(read(MAX_KEY))
  return idleMs > 0 && maxMs > 0 ? { idleMs, maxMs } : undefined
}

/**
 * Deletes the rows of sessions that have ended (idle or past their absolute lifetime) but were never asked
 * for again — mostly visitors who opened a sign-in form and left. A live session's stored last_seen lags its
 * last request by up to the touch interval, so only rows idle for longer than both together go.
 */
export function sweepExpired(db: Db, now = new Date()): number {
  const limits = lifetimes(db)
  if (!limits) return 0
  const t = now.getTime()
  return db
    .delete(sessions)
    .where(
      or(
        lt(sessions.lastSeen, t - limits.idleMs - touchInterval(limits.idleMs)),
        lt(sessions.createdAt, t - limits.maxMs),
      ),
    )
    .run().changes
}
