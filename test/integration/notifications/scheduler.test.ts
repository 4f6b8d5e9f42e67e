import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { buildApp } from '../../../src/app.js'
import { ROOT, testConfig } from '../../../src/config.js'
import { openDb } from '../../../src/database.js'
import { jobs as jobsTable } from '../../../src/db/schema.js'
import { schedule } from '../../../src/jobs/jobs.js'
import { HANDLERS, tick } from '../../../src/scheduler/handlers.js'
import { startScheduler } from '../../../src/scheduler/scheduler.js'
import { notify } from '../../../src/notifications/notifications.js'
import { addAccount, PASSWORD } from '../../helpers/app.js'
import { startSmtp } from './smtp.js'
import { mails } from './world.js'

const until = async (ok: () => boolean, ms = 5000) => {
  const end = Date.now() + ms
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

const quiet = () => {
  const errors: unknown[] = []
  return {
    errors,
    error: (obj: unknown) => {
      errors.push(obj)
    },
  }
}

describe('the scheduler loop in the web process', () => {
  it('runs a round when the app is ready (jobs, then mail) and stops before the database closes', async () => {
    const smtp = await startSmtp()
    onTestFinished(() => smtp.close())
    const app = await buildApp(testConfig({ scheduler: true, smtpUrl: smtp.url, baseUrl: 'https://ab.example.cn' }))
    const user = await addAccount(app.db, { email: 'reader@example.cn', role: 'member', password: PASSWORD })
    notify(app.db, [user.id], { kind: 'match.accept', params: { id: 3 }, link: '/matches/3' })
    await app.ready()
    await until(() => smtp.received.length === 1)
    expect(smtp.received[0].text).toContain('https://ab.example.cn/matches/3')
    expect(
      app.db
        .select()
        .from(jobsTable)
        .all()
        .map((j) => j.kind)
        .sort(),
    ).toEqual(['digest', 'sessions.sweep', 'sweep'])
    await app.close()
    expect(app.sqlite.open).toBe(false)
  })

  it('runs what is queued after start-up within a few seconds, with no round asked for', async () => {
    const smtp = await startSmtp()
    onTestFinished(() => smtp.close())
    const app = await buildApp(testConfig({ scheduler: true, smtpUrl: smtp.url, baseUrl: 'https://ab.example.cn' }))
    onTestFinished(() => app.close())
    await app.ready()
    const user = await addAccount(app.db, { email: 'later@example.cn', role: 'member', password: PASSWORD })
    // The first round (at start-up) found nothing; only the timer's next round can send this one.
    await new Promise((r) => setTimeout(r, 50))
    notify(app.db, [user.id], { kind: 'match.accept', params: { id: 7 }, link: '/matches/7' })
    await until(() => smtp.received.length === 1, 5000)
    expect(smtp.received[0].text).toContain('https://ab.example.cn/matches/7')
  })

  it("takes no write lock in a round with nothing to do: another process's long write does not hold it up", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-round-'))
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }))
    const file = path.join(dir, 'round.sqlite')
    const server = openDb(file, ROOT)
    const importer = openDb(file, ROOT)
    onTestFinished(() => {
      server.sqlite.close()
      importer.sqlite.close()
    })
    const at = new Date('2026-12-07T09:00:05Z')
    tick(server.db, at)
    // A CLI import in the middle of its transaction: a write from the server would wait for it (busy_timeout).
    importer.sqlite.pragma('busy_timeout = 0')
    importer.sqlite.exec('BEGIN IMMEDIATE')
    server.sqlite.pragma('busy_timeout = 0')
    expect(tick(server.db, new Date('2026-12-07T09:00:07Z'))).toBe(0)
    importer.sqlite.exec('ROLLBACK')
    // The next hour's standing jobs are scheduled in its first round.
    tick(server.db, new Date('2026-12-07T10:00:01Z'))
    expect(
      server.db
        .select()
        .from(jobsTable)
        .all()
        .map((j) => j.key)
        .sort(),
    ).toEqual([
      'digest:2026-12-07',
      'sessions.sweep:2026-12-07T09',
      'sessions.sweep:2026-12-07T10',
      'sweep:2026-12-07T09',
      'sweep:2026-12-07T10',
    ])
  })

  it('does not start without config.scheduler', async () => {
    const app = await buildApp(testConfig({ scheduler: false }))
    await app.ready()
    expect(app.db.select().from(jobsTable).all()).toEqual([])
    await app.close()
  })

  it('never overlaps rounds: a slow relay does not get the same message twice', async () => {
    const smtp = await startSmtp({ delayMs: 150 })
    onTestFinished(() => smtp.close())
    const { db, sqlite } = openDb(':memory:', ROOT)
    onTestFinished(() => {
      sqlite.close()
    })
    const user = await addAccount(db, { email: 'reader@example.cn', role: 'member', password: PASSWORD })
    for (const id of [1, 2, 3, 4])
      notify(db, [user.id], { kind: 'match.accept', params: { id }, link: `/matches/${id}` })
    const log = quiet()
    const s = startScheduler(db, { smtpUrl: smtp.url, mailFrom: 'a@b.cn', baseUrl: 'http://x' }, log, {
      intervalMs: 20,
    })
    expect(s.round()).toBe(s.round())
    await until(() => mails({ db } as never).every((m) => m.sentAt !== null))
    await new Promise((r) => setTimeout(r, 200))
    await s.stop()
    expect(smtp.received).toHaveLength(4)
    expect(log.errors).toEqual([])
  })

  it('logs a failing round and carries on', async () => {
    const { db, sqlite } = openDb(':memory:', ROOT)
    sqlite.close()
    const log = quiet()
    const s = startScheduler(db, { smtpUrl: 'smtp://127.0.0.1:1', mailFrom: 'a@b.cn', baseUrl: 'http://x' }, log, {
      intervalMs: 10,
    })
    await s.round()
    await new Promise((r) => setTimeout(r, 50))
    await s.stop()
    expect(log.errors.length).toBeGreaterThanOrEqual(2)
  })

  it('runs a long round a slice at a time: requests waiting are answered between jobs, and each job runs once', async () => {
    const { db, sqlite } = openDb(':memory:', ROOT)
    onTestFinished(() => {
      sqlite.close()
    })
    const at = new Date()
    for (let i = 0; i < 12; i++) schedule(db, { key: `slow:${i}`, kind: 'slow', runAt: at, payload: { i } })
    // The event loop's turns, counted while the round runs: what a request waiting for the server would get.
    let turns = 0
    let counting = true
    const count = () => {
      turns++
      if (counting) setImmediate(count)
    }
    setImmediate(count)
    const seen: { i: number; turns: number }[] = []
    const slow = (_db: unknown, payload: Record<string, unknown>) => {
      // 10 ms of work, as a new-fit alert for a popular offer takes at a million listings.
      const end = performance.now() + 10
      while (performance.now() < end);
      seen.push({ i: Number(payload.i), turns })
    }
    const log = quiet()
    const s = startScheduler(db, { smtpUrl: 'smtp://127.0.0.1:1', mailFrom: 'a@b.cn', baseUrl: 'http://x' }, log, {
      intervalMs: 60_000,
      handlers: { ...HANDLERS, slow },
    })
    await s.round()
    counting = false
    await s.stop()
    expect(seen.map((j) => j.i)).toEqual([...Array(12).keys()])
    // All twelve in one go left the loop no turn between the first job and the last (120 ms of waiting requests).
    expect(new Set(seen.map((j) => j.turns)).size).toBeGreaterThanOrEqual(4)
    expect(
      db
        .select()
        .from(jobsTable)
        .all()
        .filter((j) => j.kind === 'slow' && j.doneAt !== null),
    ).toHaveLength(12)
  })
})
