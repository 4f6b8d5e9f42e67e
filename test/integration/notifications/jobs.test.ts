import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import { openDb } from '../../../src/database.js'
import { ROOT } from '../../../src/config.js'
import { jobs as jobsTable, needs as needsTable, notifications, settings } from '../../../src/db/schema.js'
import * as jobs from '../../../src/jobs/jobs.js'
import { HANDLERS, tick } from '../../../src/scheduler/handlers.js'
import * as matches from '../../../src/brokering/matches.js'
import * as needs from '../../../src/needs/needs.js'
import { notify } from '../../../src/notifications/notifications.js'
import { addDays, localToday } from '../../../src/shared/time.js'
import { appForTest } from '../../helpers/app.js'
import { mails, matchWorld } from './world.js'

const DAY = 86_400_000
const noticesOf = (app: Awaited<ReturnType<typeof appForTest>>, kind: string) =>
  app.db.select().from(notifications).where(eq(notifications.kind, kind)).all()
const recipients = (rows: { userId: number }[]) => rows.map((r) => r.userId).sort((a, b) => a - b)
const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b)

describe('jobs are kept in SQLite', () => {
  it('survive a restart: scheduled before, run once after reopening the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-jobs-'))
    try {
      const file = path.join(dir, 'jobs.sqlite')
      const first = openDb(file, ROOT)
      jobs.schedule(first.db, {
        key: 'count:1',
        kind: 'count',
        runAt: new Date('2026-01-01T00:00:00Z'),
        payload: { by: 1 },
      })
      first.sqlite.close()

      const second = openDb(file, ROOT)
      let runs = 0
      const count: jobs.Handler = (db) => {
        runs++
        db.insert(settings)
          .values({ key: 'counted', value: String(runs) })
          .run()
      }
      expect(jobs.runDue(second.db, { count }, new Date('2026-01-02T00:00:00Z'))).toBe(1)
      expect(jobs.runDue(second.db, { count }, new Date('2026-01-03T00:00:00Z'))).toBe(0)
      // Scheduling the same key again changes nothing: the job already happened.
      jobs.schedule(second.db, {
        key: 'count:1',
        kind: 'count',
        runAt: new Date('2026-01-01T00:00:00Z'),
        payload: { by: 1 },
      })
      expect(jobs.runDue(second.db, { count }, new Date('2026-01-04T00:00:00Z'))).toBe(0)
      expect(runs).toBe(1)
      expect(second.db.select().from(settings).where(eq(settings.key, 'counted')).get()?.value).toBe('1')
      second.sqlite.close()
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a job whose handler throws is rolled back and retried until it succeeds', async () => {
    const app = await appForTest()
    const w = await matchWorld(app)
    // The world's own due work (its listings' "new fit" searches) first, so that only the flaky job is left.
    jobs.runDue(app.db, HANDLERS, new Date())
    let calls = 0
    const flaky: jobs.Handler = (db, _payload, now) => {
      calls++
      notify(db, [w.member.id], { kind: 'match.review', params: { id: 1 } }, now)
      if (calls === 1) throw new Error('relay down')
    }
    const before = { notices: noticesOf(app, 'match.review').length, mails: mails(app).length }
    jobs.schedule(app.db, { key: 'flaky', kind: 'flaky', runAt: new Date(0), payload: {} })
    const errors: string[] = []
    expect(jobs.runDue(app.db, { flaky }, new Date(), (msg) => errors.push(msg))).toBe(0)
    expect(errors).toEqual(['job flaky failed'])
    // Nothing of the failed attempt remains: no notice, no e-mail, the job not done, one attempt counted.
    expect(noticesOf(app, 'match.review').length).toBe(before.notices)
    expect(mails(app).length).toBe(before.mails)
    expect(app.db.select().from(jobsTable).where(eq(jobsTable.key, 'flaky')).get()).toMatchObject({
      doneAt: null,
      attempts: 1,
    })

    expect(jobs.runDue(app.db, { flaky }, new Date())).toBe(1)
    expect(noticesOf(app, 'match.review').length).toBe(before.notices + 1)
    expect(mails(app).length).toBe(before.mails + 1)
    expect(jobs.runDue(app.db, { flaky }, new Date())).toBe(0)
    expect(calls).toBe(2)
  })

  it('gives up on a job after five failed attempts', async () => {
    const app = await appForTest()
    jobs.schedule(app.db, { key: 'broken', kind: 'broken', runAt: new Date(0), payload: {} })
    const broken: jobs.Handler = () => {
      throw new Error('always')
    }
    for (let i = 0; i < 8; i++) jobs.runDue(app.db, { broken })
    expect(app.db.select().from(jobsTable).where(eq(jobsTable.key, 'broken')).get()).toMatchObject({
      doneAt: null,
      attempts: 5,
    })
  })

  it('REQUEST_REMINDER_DAYS reaches the services through the database', async () => {
    const app = await appForTest({ requestReminderDays: 5 })
    expect(jobs.reminderDays(app.db)).toBe(5)
  })
})

describe('match reminders', () => {
  it('reminds the side that must answer, and the covering broker, after N days', async () => {
    const app = await appForTest()
    const w = await matchWorld(app)
    const t0 = new Date()
    const m = matches.open(app.db, w.member, 'request', { needId: w.need.id, offerId: w.offer.id, quantity: 4 }, t0)
    const early = new Date(t0.getTime() + 3 * DAY - 60_000)
    tick(app.db, early)
    expect(noticesOf(app, 'match.reminder')).toEqual([])

    tick(app.db, new Date(t0.getTime() + 3 * DAY + 60_000))
    const sent = noticesOf(app, 'match.reminder')
    expect(recipients(sent)).toEqual(sorted([w.other.id, w.broker.id]))
    expect(sent[0].params).toMatchObject({ id: m.id, days: 3 })
    expect(sent[0].link).toBe(`/matches/${m.id}`)
    expect(mails(app).filter((x) => x.subject.includes('3 天未答复'))).toHaveLength(2)

    // Later rounds, and a restart's rounds, do not repeat it.
    tick(app.db, new Date(t0.getTime() + 4 * DAY))
    tick(app.db, new Date(t0.getTime() + 5 * DAY))
    expect(noticesOf(app, 'match.reminder')).toHaveLength(2)
  })

  it('says nothing if the match was answered in time', async () => {
    const app = await appForTest()
    const w = await matchWorld(app)
    const t0 = new Date()
    const m = matches.open(app.db, w.member, 'request', { needId: w.need.id, offerId: w.offer.id, quantity: 4 }, t0)
    matches.fire(app.db, w.other, m.id, 'accept', {}, new Date(t0.getTime() + DAY))
    tick(app.db, new Date(t0.getTime() + 4 * DAY))
    expect(noticesOf(app, 'match.reminder')).toEqual([])
    expect(
      app.db
        .select()
        .from(jobsTable)
        .where(eq(jobsTable.key, `remind:${m.id}:requested`))
        .get()?.doneAt,
    ).not.toBeNull()
  })

  it("for a pledge, reminds the need's side; for a withdrawn request, nobody", async () => {
    const app = await appForTest()
    const w = await matchWorld(app)
    const t0 = new Date()
    const withdrawn = matches.open(
      app.db,
      w.member,
      'request',
      { needId: w.need.id, offerId: w.offer.id, quantity: 2 },
      t0,
    )
    matches.fire(app.db, w.member, withdrawn.id, 'withdraw', {}, t0)
    matches.open(app.db, w.other, 'pledge', { needId: w.need.id, offerId: w.offer.id, quantity: 2 }, t0)
    tick(app.db, new Date(t0.getTime() + 3 * DAY + 1000))
    const sent = noticesOf(app, 'match.reminder')
    expect(recipients(sent)).toEqual(sorted([w.member.id, w.broker.id]))
    expect(sent.every((n) => n.params.id !== withdrawn.id)).toBe(true)
  })
})

describe('follow-ups after delivery', () => {
  it('asks both sides and the broker at 30 and 90 days whether the arrangement continues', async () => {
    const app = await appForTest()
    const w = await matchWorld(app)
    const t0 = new Date()
    const m = matches.open(app.db, w.member, 'request', { needId: w.need.id, offerId: w.offer.id, quantity: 4 }, t0)
    matches.fire(app.db, w.other, m.id, 'accept', {}, t0)
    matches.fire(app.db, w.member, m.id, 'deliver', { quantity: 4 }, t0)
    tick(app.db, new Date(t0.getTime() + 29 * DAY))
    expect(noticesOf(app, 'match.followup')).toEqual([])
    tick(app.db, new Date(t0.getTime() + 30 * DAY + 1000))
    const first = noticesOf(app, 'match.followup')
    expect(recipients(first)).toEqual(sorted([w.member.id, w.other.id, w.broker.id]))
    expect(first.every((n) => n.params.days === 30 && n.link === `/matches/${m.id}`)).toBe(true)
    tick(app.db, new Date(t0.getTime() + 90 * DAY + 1000))
    tick(app.db, new Date(t0.getTime() + 91 * DAY))
    expect(
      noticesOf(app, 'match.followup')
        .map((n) => n.params.days)
        .sort(),
    ).toEqual([30, 30, 30, 90, 90, 90])
  })
})

describe('the hourly sweep', () => {
  it('expires lapsed listings and asks "still needed?" once per listing and expiry date', async () => {
    const app = await appForTest()
    const w = await matchWorld(app)
    const now = new Date()
    const soon = localToday(addDays(now, 2))
    const expiring = needs.post(
      app.db,
      w.member,
      {
        orgId: w.orgA.id,
        category: 'venue',
        title: '周末排练场地',
        quantity: 3,
        areaId: w.communityA.id,
        expiresAt: soon,
      },
      now,
    )
    const lapsed = needs.post(
      app.db,
      w.member,
      { orgId: w.orgA.id, category: 'venue', title: '旧需求', quantity: 3, areaId: w.communityA.id },
      now,
    )
    app.db
      .update(needsTable)
      .set({ expiresAt: localToday(addDays(now, -1)) })
      .where(eq(needsTable.id, lapsed.id))
      .run()

    tick(app.db, now)
    expect(app.db.select().from(needsTable).where(eq(needsTable.id, lapsed.id)).get()?.status).toBe('expired')
    // The notice is its own job: it goes out on the next round, after the sweep that found it.
    tick(app.db, new Date(now.getTime() + 30_000))
    tick(app.db, new Date(now.getTime() + 3_600_000))
    tick(app.db, new Date(now.getTime() + 7_200_000))
    const asked = noticesOf(app, 'listing.expiring')
    expect(asked.map((n) => n.params)).toEqual([{ kind: 'need', id: expiring.id, title: '周末排练场地', date: soon }])
    expect(asked[0]).toMatchObject({ userId: w.member.id, link: `/needs/${expiring.id}` })

    // Renewed to another date that is also close: asked again, once, about the new date.
    const later = localToday(addDays(now, 3))
    needs.renew(app.db, w.member, expiring.id, later, now)
    tick(app.db, new Date(now.getTime() + 3 * 3_600_000))
    tick(app.db, new Date(now.getTime() + 4 * 3_600_000))
    expect(noticesOf(app, 'listing.expiring').map((n) => n.params.date)).toEqual([soon, later])
  })

  it('does not ask about a listing closed before its notice went out', async () => {
    const app = await appForTest()
    const w = await matchWorld(app)
    const now = new Date()
    const n = needs.post(
      app.db,
      w.member,
      {
        orgId: w.orgA.id,
        category: 'venue',
        title: '周末排练场地',
        quantity: 3,
        areaId: w.communityA.id,
        expiresAt: localToday(addDays(now, 1)),
      },
      now,
    )
    tick(app.db, now)
    needs.close(app.db, w.member, n.id, 'met_elsewhere', now)
    tick(app.db, new Date(now.getTime() + 30_000))
    expect(noticesOf(app, 'listing.expiring')).toEqual([])
  })

  it('forgets new-fit alert jobs done more than 30 days ago, and keeps the recent ones and those not done', async () => {
    const app = await appForTest()
    const now = new Date('2026-03-01T10:05:00Z')
    const job = (key: string, daysAgo: number, done: boolean) => {
      const at = new Date(now.getTime() - daysAgo * DAY).toISOString()
      app.db
        .insert(jobsTable)
        .values({ key, kind: 'fit.alerts', runAt: at, payload: {}, doneAt: done ? at : null, attempts: done ? 0 : 5 })
        .run()
    }
    job('fit:offer:1:old', 40, true)
    job('fit:offer:2:recent', 10, true)
    job('fit:offer:3:failed', 40, false)
    tick(app.db, now)
    const left = app.db.select({ key: jobsTable.key }).from(jobsTable).where(eq(jobsTable.kind, 'fit.alerts')).all()
    expect(left.map((r) => r.key).sort()).toEqual(['fit:offer:2:recent', 'fit:offer:3:failed'])
  })

  it('keeps one sweep per hour and one digest per day however often it ticks', async () => {
    const app = await appForTest()
    const start = new Date('2026-03-01T10:05:00Z')
    for (let i = 0; i < 10; i++) tick(app.db, new Date(start.getTime() + i * 30_000))
    tick(app.db, new Date('2026-03-01T11:00:00Z'))
    const rows = app.db
      .select({ key: jobsTable.key })
      .from(jobsTable)
      .where(and(eq(jobsTable.kind, 'sweep')))
      .all()
      .map((r) => r.key)
      .sort()
    expect(rows).toEqual(['sweep:2026-03-01T10', 'sweep:2026-03-01T11'])
    expect(
      app.db
        .select()
        .from(jobsTable)
        .where(eq(jobsTable.kind, 'digest'))
        .all()
        .map((r) => [r.key, r.runAt]),
    ).toEqual([['digest:2026-03-01', '2026-03-01T00:30:00.000Z']])
    expect(Object.keys(HANDLERS).sort()).toEqual([
      'digest',
      'fit.alerts',
      'listing.expiring',
      'match.followup',
      'match.reminder',
      'password.reset',
      'sessions.sweep',
      'sweep',
    ])
  })
})
