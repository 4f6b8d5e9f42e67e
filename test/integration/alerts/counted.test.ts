import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ROOT } from '../../../src/config.js'
import { openDb } from '../../../src/database.js'
import { fitAlerts, notifications } from '../../../src/db/schema.js'
import * as jobs from '../../../src/jobs/jobs.js'
import { countServing } from '../../../src/matching/serving-facts.js'
import { HANDLERS } from '../../../src/scheduler/handlers.js'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import * as accounts from '../../../src/accounts/accounts.js'
import { appForTest, seedWorld, type World } from '../../helpers/app.js'
import { roomListings } from './room-listings.js'

/**
 * The alerts job on a server that counted who serves whom after it listened (server.ts countServingInSlices): a
 * written offer's candidate needs whose serving-tally witness is another offer that was there before are passed
 * over unchecked (matching/first-fits.ts). A witness names one fitting offer, not whether it was there before: one
 * written after the new offer, one closed since, one closed by another process, must not rule a need out.
 */

const T0 = new Date('2026-12-01T02:00:00Z')
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000)
const DAY = 86_400

let dir: string
let app: FastifyInstance
let w: World

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-alerts-counted-'))
  app = await appForTest({ dbPath: path.join(dir, 'alerts.sqlite') })
  w = await seedWorld(app)
  // The tally, counted now, is patched with every write from here on, as the server's is.
  countServing(app.db, T0)
})
afterEach(async () => {
  await app.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const reload = (u: { id: number }) => accounts.load(app.db, u.id)!
const runJobs = (now: Date) => jobs.runDue(app.db, HANDLERS, now)
const { postNeed, postOffer } = roomListings(
  () => app,
  () => w,
)
const pairs = () =>
  app.db
    .select({ needId: fitAlerts.needId, offerId: fitAlerts.offerId })
    .from(fitAlerts)
    .all()
    .sort((a, b) => a.offerId - b.offerId)
const fitNotices = () => app.db.select().from(notifications).where(eq(notifications.kind, 'fit.offer')).all()

describe('the alerts job with the serving tally counted', () => {
  it('a need nothing fitted is told of the offer; a second fitting offer is not news', () => {
    const need = postNeed(at(0))
    runJobs(at(1))
    const first = postOffer(at(10))
    runJobs(at(11))
    postOffer(at(20), { title: '活动室（周末）' })
    runJobs(at(21))
    expect(pairs()).toEqual([{ needId: need.id, offerId: first.id }])
    expect(fitNotices().map((n) => n.userId)).toEqual([w.member.id])
  })

  it('two fitting offers posted before the job runs: the first is news, the second finds it there before', () => {
    const need = postNeed(at(0))
    runJobs(at(1))
    const first = postOffer(at(10))
    postOffer(at(12), { title: '活动室（周末）' })
    runJobs(at(20))
    expect(pairs()).toEqual([{ needId: need.id, offerId: first.id }])
  })

  it('a need that lost its only fit is told of the next one', () => {
    const need = postNeed(at(0))
    const first = postOffer(at(10))
    runJobs(at(11))
    offers.close(app.db, reload(w.other), first.id, 'no_longer_needed', at(20))
    const second = postOffer(at(30), { title: '活动室（周末）' })
    runJobs(at(31))
    expect(pairs()).toEqual([
      { needId: need.id, offerId: first.id },
      { needId: need.id, offerId: second.id },
    ])
  })

  it("the need's witness is an offer posted after the new one: not there before, so the new offer is news", () => {
    const need = postNeed(at(0))
    const old = postOffer(at(1))
    runJobs(at(2))
    // The new offer serves the street, the later one the district, which a need's candidates list first: when the
    // old offer closes, the need's witness becomes the later offer, not the new one.
    const offer = postOffer(at(10), { title: '街道活动室', servesAreaId: w.streetA.id })
    const later = postOffer(at(12), { title: '活动室（周末）' })
    offers.close(app.db, reload(w.other), old.id, 'no_longer_needed', at(13))
    runJobs(at(20))
    expect(pairs()).toEqual([
      { needId: need.id, offerId: old.id },
      { needId: need.id, offerId: offer.id },
    ])
    expect(later.id).toBeGreaterThan(offer.id)
  })

  it('witnesses touched since the new offer was written are not there before, asked of many at once', () => {
    // Each write is read into the kept views and the tally before the next (a round, or the map), so each need keeps
    // the witness it was first given: the need in A its community's room, the need in B the district's room.
    const inA = postNeed(at(0))
    const inB = postNeed(at(0), { title: '排练场地（南岸）', areaId: w.communityB.id })
    const nearA = postOffer(at(1), { title: '荔枝湾活动室', servesAreaId: w.communityA.id })
    runJobs(at(1))
    const nearB = postOffer(at(2), { title: '南岸活动室', servesAreaId: w.communityB.id })
    runJobs(at(2))
    const wide = postOffer(at(3), { title: '区活动室' })
    runJobs(at(3))
    offers.close(app.db, reload(w.other), nearB.id, 'no_longer_needed', at(4))
    countServing(app.db, at(4))
    const offer = postOffer(at(10), { title: '活动室（周末）' })
    // A write that only touches updated_at (as an export does) changes nothing the kept views or the tally hold.
    const other = openDb(path.join(dir, 'alerts.sqlite'), ROOT)
    try {
      other.sqlite.prepare('UPDATE offers SET updated_at = ? WHERE id = ?').run(at(11).toISOString(), wide.id)
    } finally {
      other.sqlite.close()
    }
    runJobs(at(20))
    expect(pairs()).toEqual([
      { needId: inA.id, offerId: nearA.id },
      { needId: inB.id, offerId: nearB.id },
      { needId: inB.id, offerId: offer.id },
    ])
  })

  it('a need closed, or past its last day, before the job runs is not told', () => {
    const closed = postNeed(at(0))
    postNeed(at(0), { title: '排练场地（周末）', untilDate: '2026-12-01' })
    runJobs(at(1))
    postOffer(at(10))
    needs.close(app.db, reload(w.member), closed.id, 'met_elsewhere', at(20))
    // The next day: the second need's last day has passed.
    runJobs(at(DAY + 20))
    expect(pairs()).toEqual([])
    expect(fitNotices()).toEqual([])
  })

  it('another process closes the only fit: the next fitting offer is news', () => {
    const need = postNeed(at(0))
    const first = postOffer(at(10))
    runJobs(at(11))
    const second = openDb(path.join(dir, 'alerts.sqlite'), ROOT)
    try {
      second.sqlite
        .prepare("UPDATE offers SET status = 'closed', updated_at = ? WHERE id = ?")
        .run(at(20).toISOString(), first.id)
    } finally {
      second.sqlite.close()
    }
    const next = postOffer(at(30), { title: '活动室（周末）' })
    runJobs(at(31))
    expect(pairs()).toEqual([
      { needId: need.id, offerId: first.id },
      { needId: need.id, offerId: next.id },
    ])
  })
})
