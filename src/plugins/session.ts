import crypto from 'node:crypto'
import fp from 'fastify-plugin'
import fastifySession, { type FastifySessionObject } from '@fastify/session'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { and, eq, lt, sql } from 'drizzle-orm'
import { preparedOn, sqliteOf, writeTx, type Db } from '../db/client.js'
import { isBusy } from '../shared/errors.js'
import { sessions, settings } from '../db/schema.js'
import { setLifetimes, touchInterval } from '../accounts/sessions.js'

// @fastify/session's store interface is typed with any; ours matches it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Callback = (err?: unknown, result?: any) => void

// Read on every request that brings a session cookie.
const sessionById = preparedOn((db) =>
  db
    .select()
    .from(sessions)
    .where(eq(sessions.sid, sql.placeholder('sid')))
    .prepare(),
)

/**
 * Sessions live in SQLite so that signing out, changing a password or disabling an account can end
 * them at once (a stateless cookie cannot be revoked). Idle and absolute lifetimes are enforced here,
 * server-side, whatever the cookie says.
 *
 * The idle time counts from the last request. Writing last_seen on every request would cost a synced
 * write per page view, so the row is touched at most once per touch interval and the exact time of each
 * session's last request is kept in memory (one process serves the site); the idle check uses the later
 * of the two, and closing the app writes the remembered times back.
 */
export class SqliteSessionStore {
  private readonly seen = new Map<string, number>()
  private readonly touchMs: number
  private prunedAt: number

  constructor(
    private db: Db,
    private idleMs: number,
    private maxMs: number,
    private now: () => number = () => Date.now(),
  ) {
    this.touchMs = touchInterval(idleMs)
    this.prunedAt = now()
  }

  get(sid: string, cb: Callback) {
    try {
      const row = sessionById(this.db).get({ sid })
      if (!row) {
        this.seen.delete(sid)
        return cb(null, null)
      }
      const now = this.now()
      const lastSeen = Math.max(row.lastSeen, this.seen.get(sid) ?? 0)
      if (now - lastSeen > this.idleMs || now - row.createdAt > this.maxMs) {
        this.seen.delete(sid)
        this.unlessBusy(() => this.db.delete(sessions).where(eq(sessions.sid, sid)).run())
        return cb(null, null)
      }
      this.seen.set(sid, now)
      if (now - row.lastSeen > this.touchMs)
        this.unlessBusy(() => this.db.update(sessions).set({ lastSeen: now }).where(eq(sessions.sid, sid)).run())
      this.prune(now)
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
      this.db
        .insert(sessions)
        .values({ sid, userId, data, createdAt: now, lastSeen: now })
        .onConflictDoUpdate({ target: sessions.sid, set: { data, userId, lastSeen: now } })
        .run()
      cb()
    } catch (err) {
      cb(err)
    }
  }

  destroy(sid: string, cb: Callback) {
    try {
      this.seen.delete(sid)
      this.db.delete(sessions).where(eq(sessions.sid, sid)).run()
      cb()
    } catch (err) {
      cb(err)
    }
  }

  /** Writes the remembered last requests to their rows (at shutdown), so a restart does not shorten anyone's idle time. */
  flush() {
    writeTx(this.db, (tx) => {
      for (const [sid, at] of this.seen)
        tx.update(sessions)
          .set({ lastSeen: at })
          .where(and(eq(sessions.sid, sid), lt(sessions.lastSeen, at)))
          .run()
    })
  }

  /**
   * A write that reading a page makes on the side (the touch, taking away an expired row) is skipped rather than
   * waited for while another connection holds the write lock: better-sqlite3 waits out busy_timeout synchronously,
   * which would stop every request for up to 5 s, and a GET would then fail for a write it did not ask for. Nothing
   * is lost: the time stays remembered in `seen` and the next request touches; the sweep takes expired rows.
   */
  private unlessBusy(write: () => void) {
    const sqlite = sqliteOf(this.db)
    const timeout = sqlite.pragma('busy_timeout', { simple: true }) as number
    sqlite.pragma('busy_timeout = 0')
    try {
      write()
    } catch (err) {
      if (!isBusy(err)) throw err
    } finally {
      sqlite.pragma(`busy_timeout = ${timeout}`)
    }
  }

  // Sessions that stop coming back (or are ended elsewhere: a password change, a sweep) leave an entry here.
  private prune(now: number) {
    if (now - this.prunedAt < this.touchMs) return
    this.prunedAt = now
    for (const [sid, at] of this.seen) if (now - at > this.idleMs) this.seen.delete(sid)
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

// The request's session once made; undefined until then (null once destroyed, as @fastify/session leaves it).
const kSession = Symbol('session')
type Holder = { [kSession]?: FastifySessionObject | null }
type Hook = (...args: unknown[]) => void
const noop = () => {}

/** The session a request already has (it came with a cookie, or something asked for one): never makes one. */
export function existingSession(req: FastifyRequest): FastifySessionObject | undefined {
  return (req as unknown as Holder)[kSession] ?? undefined
}

/**
 * @fastify/session, with a session made only when a request asks for one. The plugin gives every request without a
 * session cookie a new session (an id, its HMAC signature, two hashes of its contents) before any handler runs;
 * an anonymous page without a form never reads it, and an untouched new session is never saved nor sent
 * (saveUninitialized: false). So here such a request gets its session from the plugin's own hook the first time
 * `req.session` is read (a form's CSRF token, signing in, a write's CSRF check), and the plugin's save runs only for
 * a session that exists. A request that brings a cookie is handled by the plugin as it always was.
 */
function lazySessions(app: FastifyInstance, cookieName: string): FastifyInstance {
  let makeSession: Hook = noop
  const gate = (name: string, hook: Hook): Hook => {
    if (name === 'onRequest') {
      makeSession = hook
      return (req, reply, done) =>
        (req as FastifyRequest).cookies[cookieName] ? hook(req, reply, done) : (done as () => void)()
    }
    if (name === 'onSend')
      return (req, reply, payload, done) =>
        (req as Holder)[kSession] === undefined ? (done as () => void)() : hook(req, reply, payload, done)
    return hook
  }
  const session = {
    getter(this: Holder) {
      // Without a cookie the plugin's hook makes the new session synchronously (it only reads the store for a cookie).
      if (this[kSession] === undefined) makeSession(this, undefined, noop)
      return this[kSession]
    },
    setter(this: Holder, value: FastifySessionObject | null) {
      this[kSession] = value
    },
  }
  return new Proxy(app, {
    get(target, prop) {
      if (prop === 'addHook') return (name: string, hook: Hook) => target.addHook(name as 'onRequest', gate(name, hook))
      if (prop === 'decorateRequest') {
        const decorate = target.decorateRequest.bind(target) as (name: string | symbol, value: unknown) => void
        return (name: string, value: unknown) => {
          if (name !== 'session') return decorate(name, value)
          decorate(kSession, undefined)
          decorate('session', session)
        }
      }
      const value = Reflect.get(target, prop, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

export default fp(
  async (app) => {
    const { config } = app
    const idleMs = config.sessionIdleMinutes * 60_000
    const maxMs = config.sessionMaxHours * 3_600_000
    setLifetimes(app.db, idleMs, maxMs)
    const store = new SqliteSessionStore(app.db, idleMs, maxMs)
    app.addHook('onClose', async () => store.flush())
    const cookieName = sessionCookieName(config.secureCookies)
    await new Promise<void>((resolve, reject) =>
      fastifySession(
        lazySessions(app, cookieName),
        {
          secret: sessionSecret(app.db, config.sessionSecret),
          cookieName,
          saveUninitialized: false,
          rolling: false,
          // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see Callback
          store: store as any,
          cookie: { secure: config.secureCookies, httpOnly: true, sameSite: 'lax', path: '/', maxAge: maxMs },
        },
        (err?: Error) => (err ? reject(err) : resolve()),
      ),
    )
  },
  { name: 'session', dependencies: ['db', '@fastify/cookie'] },
)
