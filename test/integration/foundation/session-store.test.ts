import { describe, expect, it, onTestFinished } from 'vitest'
import { openDb } from '../../../src/database.js'
import { ROOT } from '../../../src/config.js'
import { sessionSecret, SqliteSessionStore } from '../../../src/plugins/session.js'

function store(idleMin = 30, maxHours = 12) {
  const { db, sqlite } = openDb(':memory:', ROOT)
  onTestFinished(() => {
    sqlite.close()
  })
  let now = 1_700_000_000_000
  const s = new SqliteSessionStore(db, idleMin * 60_000, maxHours * 3_600_000, () => now)
  const call = <T>(fn: (cb: (err?: unknown, v?: T) => void) => void) =>
    new Promise<T>((res, rej) => fn((err, v) => (err ? rej(err) : res(v as T))))
  return {
    db,
    sqlite,
    tick: (ms: number) => {
      now += ms
    },
    get: (sid: string) => call<Record<string, unknown> | null>((cb) => s.get(sid, cb)),
    set: (sid: string, data: Record<string, unknown>) => call<void>((cb) => s.set(sid, data, cb)),
    destroy: (sid: string) => call<void>((cb) => s.destroy(sid, cb)),
    flush: () => s.flush(),
    row: (sid: string) =>
      sqlite.prepare('SELECT * FROM sessions WHERE sid = ?').get(sid) as
        { user_id: number | null; last_seen: number; created_at: number } | undefined,
  }
}

describe('SqliteSessionStore', () => {
  it('keeps the session and its user id, and destroys it on request', async () => {
    const s = store()
    s.sqlite
      .prepare(
        "INSERT INTO users (email, name, password_hash, role, created_at) VALUES ('a@x.cn', 'A', 'x', 'member', '2026-01-01')",
      )
      .run()
    await s.set('abc', { userId: 1, cookie: {} })
    expect(await s.get('abc')).toMatchObject({ userId: 1 })
    expect(s.row('abc')!.user_id).toBe(1)
    await s.destroy('abc')
    expect(await s.get('abc')).toBeNull()
  })

  it('ends a session idle longer than the limit, however fresh the cookie', async () => {
    const s = store(30)
    await s.set('abc', { n: 1 })
    s.tick(29 * 60_000)
    expect(await s.get('abc')).not.toBeNull()
    s.tick(29 * 60_000)
    expect(await s.get('abc')).not.toBeNull()
    s.tick(30 * 60_000 + 1)
    expect(await s.get('abc')).toBeNull()
    expect(s.row('abc')).toBeUndefined()
  })

  it('ends an active session at the absolute lifetime', async () => {
    const s = store(30, 1)
    await s.set('abc', { n: 1 })
    for (let i = 0; i < 4; i++) {
      s.tick(14 * 60_000)
      expect(await s.get('abc')).not.toBeNull()
    }
    // 56 minutes in, seen every 14: never idle, but past the hour at 61.
    s.tick(5 * 60_000)
    expect(await s.get('abc')).toBeNull()
  })

  it('touches last_seen at most once a minute (no write per request)', async () => {
    const s = store()
    await s.set('abc', { n: 1 })
    const first = s.row('abc')!.last_seen
    s.tick(30_000)
    await s.get('abc')
    expect(s.row('abc')!.last_seen).toBe(first)
    s.tick(31_000)
    await s.get('abc')
    expect(s.row('abc')!.last_seen).toBe(first + 61_000)
  })

  it('keeps signed in someone who makes a request every 40 s under a one-minute setting', async () => {
    const s = store(1)
    await s.set('abc', { n: 1 })
    for (let i = 0; i < 10; i++) {
      s.tick(40_000)
      expect(await s.get('abc'), `request ${i + 1}`).not.toBeNull()
    }
    s.tick(60_001)
    expect(await s.get('abc')).toBeNull()
  })

  it('counts idle time from the last request, not from the last write of last_seen', async () => {
    const s = store(30)
    await s.set('abc', { n: 1 })
    const written = s.row('abc')!.last_seen
    // A request 59 s in is remembered but not written (the row is touched at most once a minute)...
    s.tick(59_000)
    expect(await s.get('abc')).not.toBeNull()
    expect(s.row('abc')!.last_seen).toBe(written)
    // ...and the 30 minutes run from it: 30 min 58 s after the stored time, 1 ms short of 30 idle minutes.
    s.tick(30 * 60_000 - 1)
    expect(await s.get('abc')).not.toBeNull()
    s.tick(30 * 60_000 + 1)
    expect(await s.get('abc')).toBeNull()
  })

  it('writes the remembered last requests back on flush (at shutdown)', async () => {
    const s = store(30)
    await s.set('abc', { n: 1 })
    const written = s.row('abc')!.last_seen
    s.tick(20_000)
    await s.get('abc')
    expect(s.row('abc')!.last_seen).toBe(written)
    s.flush()
    expect(s.row('abc')!.last_seen).toBe(written + 20_000)
  })

  it('keeps a generated session secret across restarts, and prefers a configured one', () => {
    const { db, sqlite } = openDb(':memory:', ROOT)
    onTestFinished(() => {
      sqlite.close()
    })
    const a = sessionSecret(db)
    expect(a.length).toBeGreaterThanOrEqual(48)
    expect(sessionSecret(db)).toBe(a)
    expect(sessionSecret(db, 'c'.repeat(32))).toBe('c'.repeat(32))
  })
})
