import crypto from 'node:crypto'
import fp from 'fastify-plugin'
import fastifySession from '@fastify/session'
import { eq } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { sessions, settings } from '../db/schema.js'

type Callback = (err?: unknown, result?: any) => void

/**
 * Sessions live in SQLite so that signing out, changing a password or disabling an account can end
 * them at once (a stateless cookie cannot be revoked). Idle and absolute lifetimes are enforced here,
 * server-side, whatever the cookie says.
 */
export class SqliteSessionStore {
  constructor(private db: Db, private idleMs: number, private maxMs: number, private now: () => number = Date.now) {}

  get(sid: string, cb: Callback) {
    try {
      const row = this.db.select().from(sessions).where(eq(sessions.sid, sid)).get()
      if (!row) return cb(null, null)
      const now = this.now()
      if (now - row.lastSeen > this.idleMs || now - row.createdAt > this.maxMs) {
        this.db.delete(sessions).where(eq(sessions.sid, sid)).run()
        return cb(null, null)
      }
      // Touch at most once a minute: idle tracking without a write on every request.
      if (now - row.lastSeen > 60_000) this.db.update(sessions).set({ lastSeen: now }).where(eq(sessions.sid, sid)).run()
      cb(null, JSON.parse(row.data))
    } catch (err) {
      cb(err)
    }
  }

  set(sid: string, session: Record<string, unknown>, cb: Callback) {
    try {
      const now = this.now()
      const data = JSON.stringify(session)
      const userId = typeof session.userId === 'number' ? session.userId : null
      this.db.insert(sessions).values({ sid, userId, data, createdAt: now, lastSeen: now })
        .onConflictDoUpdate({ target: sessions.sid, set: { data, userId, lastSeen: now } }).run()
      cb()
    } catch (err) {
      cb(err)
    }
  }

  destroy(sid: string, cb: Callback) {
    try {
      this.db.delete(sessions).where(eq(sessions.sid, sid)).run()
      cb()
    } catch (err) {
      cb(err)
    }
  }
}

/** A secret given in the environment wins; otherwise one is generated on first start and kept. */
export function sessionSecret(db: Db, configured?: string): string {
  if (configured) return configured
  const row = db.select().from(settings).where(eq(settings.key, 'session_secret')).get()
  if (row) return row.value
  const value = crypto.randomBytes(48).toString('base64url')
  db.insert(settings).values({ key: 'session_secret', value }).onConflictDoNothing().run()
  return db.select().from(settings).where(eq(settings.key, 'session_secret')).get()!.value
}

export const sessionCookieName = (secure: boolean) => (secure ? '__Host-sid' : 'sid')

export default fp(async (app) => {
  const { config } = app
  await app.register(fastifySession, {
    secret: sessionSecret(app.db, config.sessionSecret),
    cookieName: sessionCookieName(config.secureCookies),
    saveUninitialized: false,
    rolling: false,
    store: new SqliteSessionStore(app.db, config.sessionIdleMinutes * 60_000, config.sessionMaxHours * 3_600_000) as any,
    cookie: { secure: config.secureCookies, httpOnly: true, sameSite: 'lax', path: '/', maxAge: config.sessionMaxHours * 3_600_000 },
  })
}, { name: 'session', dependencies: ['db', '@fastify/cookie'] })
