import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { eq } from 'drizzle-orm'
import { describe, expect, it, onTestFinished } from 'vitest'
import { matches as matchesTable } from '../../../src/db/schema.js'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import * as matches from '../../../src/brokering/matches.js'
import { appForTest, signedIn } from '../../helpers/app.js'
import { brokerWorld, needRow, offerRow, reservedFor, reservedOn } from './world.js'

const CAPACITY_MESSAGE = '资源的剩余容量已被其他对接占用，无法再接受。'

describe('never double-allocate', () => {
  it('50 concurrent acceptances against an offer with capacity 1: exactly one succeeds, 49 are told why, totals add up', async () => {
    const app = await appForTest()
    const w = await brokerWorld(app, { offerQuantity: 1 })
    const offer = w.offer
    // 50 needs of one unit each, each with its own request for the same single unit.
    const requested = Array.from({ length: 50 }, (_, i) => {
      const need = needs.post(app.db, w.member, {
        orgId: w.orgA.id,
        category: 'venue',
        title: `排练场地 ${i + 1}`,
        quantity: 1,
        areaId: w.communityA.id,
      })
      return matches.open(app.db, w.member, 'request', { needId: need.id, offerId: offer.id, quantity: 1 })
    })
    const holder = await signedIn(app, w.other.email)

    const answers = await Promise.all(
      requested.map((m) => holder.post(`/matches/${m.id}/transitions`, { event: 'accept' })),
    )

    const ok = answers.filter((r) => r.statusCode === 303)
    const refused = answers.filter((r) => r.statusCode === 409)
    expect(ok).toHaveLength(1)
    expect(refused).toHaveLength(49)
    for (const r of refused) expect(r.body).toContain(CAPACITY_MESSAGE)

    const states = app.db
      .select({ id: matchesTable.id, state: matchesTable.state, needId: matchesTable.needId })
      .from(matchesTable)
      .where(eq(matchesTable.offerId, offer.id))
      .all()
    const accepted = states.filter((s) => s.state === 'accepted')
    expect(accepted).toHaveLength(1)
    expect(states.filter((s) => s.state === 'requested')).toHaveLength(49)
    expect(ok[0].headers.location).toBe(`/matches/${accepted[0].id}`)
    expect(offerRow(app, offer.id).remaining).toBe(0)
    expect(reservedOn(app, offer.id)).toBe(1)
    // Exactly the winning need is met; every other need still needs its unit.
    for (const m of requested) {
      const n = needRow(app, m.needId)
      const won = m.needId === accepted[0].needId
      expect([n.remaining, n.status]).toEqual(won ? [0, 'met'] : [1, 'open'])
      expect(reservedFor(app, m.needId)).toBe(won ? 1 : 0)
    }
    // One acceptance in the history and the event log, none for the refused.
    expect(app.sqlite.prepare("SELECT count(*) AS n FROM match_events WHERE event = 'accept'").get()).toEqual({ n: 1 })
    expect(app.sqlite.prepare("SELECT count(*) AS n FROM events WHERE action = 'match.accept'").get()).toEqual({ n: 1 })
  })

  it('holds across processes too: four OS processes accepting 40 requests for 3 units on one database file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-race-'))
    const dbPath = path.join(dir, 'race.sqlite')
    const app = await appForTest({ dbPath })
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }))
    const w = await brokerWorld(app, { offerQuantity: 3 })
    const ids = Array.from({ length: 40 }, (_, i) => {
      const need = needs.post(app.db, w.member, {
        orgId: w.orgA.id,
        category: 'venue',
        title: `活动室 ${i}`,
        quantity: 1,
        areaId: w.communityA.id,
      })
      return matches.open(app.db, w.member, 'request', { needId: need.id, offerId: w.offer.id, quantity: 1 }).id
    })
    const startAt = Date.now() + 4000
    const worker = path.join(import.meta.dirname, 'accept-worker.ts')
    const run = promisify(execFile)
    // Each process takes every id, in its own order, so they fight over the same rows as well as the same offer.
    const orders = [
      ids,
      [...ids].reverse(),
      ids.filter((_, i) => i % 2).concat(ids.filter((_, i) => i % 2 === 0)),
      [...ids].sort((a, b) => ((a * 7919) % 41) - ((b * 7919) % 41)),
    ]
    const outputs = await Promise.all(
      orders.map((order) =>
        run(
          process.execPath,
          ['--import', 'tsx', worker, dbPath, String(w.other.id), String(startAt), ...order.map(String)],
          { cwd: path.resolve(import.meta.dirname, '../../..') },
        ),
      ),
    )
    const results = outputs.flatMap((o) => JSON.parse(o.stdout) as { id: number; ok: boolean; key?: string }[])
    const wins = results.filter((r) => r.ok)
    expect(wins).toHaveLength(3)
    expect(new Set(wins.map((r) => r.id)).size).toBe(3)
    // Every other attempt was refused for a reason a person can read: capacity gone, or the match already moved.
    expect(new Set(results.filter((r) => !r.ok).map((r) => r.key))).toEqual(
      new Set(['match.error.capacity_taken', 'match.error.not_allowed']),
    )
    expect(offerRow(app, w.offer.id).remaining).toBe(0)
    expect(reservedOn(app, w.offer.id)).toBe(3)
    expect(app.sqlite.prepare("SELECT count(*) AS n FROM matches WHERE state = 'accepted'").get()).toEqual({ n: 3 })
    expect(app.sqlite.pragma('integrity_check', { simple: true })).toBe('ok')
  }, 60_000)

  it("rolls the offer back when the need's side is the one already taken", async () => {
    const app = await appForTest()
    const w = await brokerWorld(app, { needQuantity: 1, offerQuantity: 5 })
    const second = offers.post(app.db, w.other, {
      orgId: w.orgB.id,
      category: 'venue',
      title: '第二间活动室',
      quantity: 5,
      servesAreaId: w.district.id,
    })
    const m1 = matches.open(app.db, w.member, 'request', { needId: w.need.id, offerId: w.offer.id, quantity: 1 })
    const m2 = matches.open(app.db, w.member, 'request', { needId: w.need.id, offerId: second.id, quantity: 1 })
    const holder = await signedIn(app, w.other.email)
    const [a, b] = await Promise.all(
      [m1, m2].map((m) => holder.post(`/matches/${m.id}/transitions`, { event: 'accept' })),
    )
    expect([a.statusCode, b.statusCode].sort()).toEqual([303, 409])
    expect([a, b].find((r) => r.statusCode === 409)!.body).toContain('需求的剩余数量已被其他对接满足。')
    // The loser's offer was decremented before the need's guard failed: the transaction undid it.
    expect(offerRow(app, w.offer.id).remaining + offerRow(app, second.id).remaining).toBe(9)
    expect(reservedOn(app, w.offer.id) + reservedOn(app, second.id)).toBe(1)
    expect(needRow(app, w.need.id)).toMatchObject({ remaining: 0, status: 'met' })
  })

  it('has the database refuse any remaining below zero (or above the quantity), whatever the code does', async () => {
    const app = await appForTest()
    const w = await brokerWorld(app, { needQuantity: 2, offerQuantity: 1 })
    expect(() => app.sqlite.prepare('UPDATE offers SET remaining = -1 WHERE id = ?').run(w.offer.id)).toThrow(
      /CHECK constraint failed/,
    )
    expect(() =>
      app.sqlite.prepare('UPDATE offers SET remaining = remaining - 2 WHERE id = ?').run(w.offer.id),
    ).toThrow(/CHECK constraint failed/)
    expect(() => app.sqlite.prepare('UPDATE needs SET remaining = remaining - 3 WHERE id = ?').run(w.need.id)).toThrow(
      /CHECK constraint failed/,
    )
    expect(() => app.sqlite.prepare('UPDATE needs SET remaining = quantity + 1 WHERE id = ?').run(w.need.id)).toThrow(
      /CHECK constraint failed/,
    )
    // The guarded form changes no row instead of going negative: that is what acceptance checks.
    expect(
      app.sqlite.prepare('UPDATE offers SET remaining = remaining - 2 WHERE id = ? AND remaining >= 2').run(w.offer.id)
        .changes,
    ).toBe(0)
    expect([offerRow(app, w.offer.id).remaining, needRow(app, w.need.id).remaining]).toEqual([1, 2])
  })
})
