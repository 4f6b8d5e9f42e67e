import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ROOT } from '../../../src/config.js'
import { openDb } from '../../../src/database.js'
import { writeTx } from '../../../src/db/client.js'
import { fitAlerts, notifications } from '../../../src/db/schema.js'
import * as alerts from '../../../src/alerts/alerts.js'
import * as jobs from '../../../src/jobs/jobs.js'
import { countServing } from '../../../src/matching/serving-facts.js'
import { HANDLERS } from '../../../src/scheduler/handlers.js'
import * as offers from '../../../src/offers/offers.js'
import * as accounts from '../../../src/accounts/accounts.js'
import { appForTest, seedWorld, type World } from '../../helpers/app.js'
import { roomListings } from './room-listings.js'

/**
 * The alerts job reads who is told before its transaction (alerts.readNewFits, jobs.ts ReadFirst), from the kept
 * views as a page reads them, and writes in the transaction: what changed before the read, and what another process
 * wrote between the read and the transaction, must count as it did when the job read everything in its transaction.
 */

const T0 = new Date('2026-12-01T02:00:00Z')
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000)

let dir: string
let app: FastifyInstance
let w: World

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-read-first-'))
  app = await appForTest({ dbPath: path.join(dir, 'alerts.sqlite') })
  w = await seedWorld(app)
})
afterEach(async () => {
  await app.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const reload = (u: { id: number }) => accounts.load(app.db, u.id)!
const { postNeed, postOffer } = roomListings(
  () => app,
  () => w,
)
const pairs = () => app.db.select().from(fitAlerts).all()
const fitNotices = () => app.db.select().from(notifications).where(eq(notifications.kind, 'fit.offer')).all()

describe('the alerts job reads before its transaction', () => {
  it("an offer closed since the kept views were read: no longer the need's fit, so the next fitting offer is news", () => {
    const need = postNeed(T0)
    const first = postOffer(at(1))
    jobs.runDue(app.db, HANDLERS, at(2))
    expect(pairs()).toEqual([expect.objectContaining({ needId: need.id, offerId: first.id })])
    // The map's count reads the kept views of every category, and the tally names the first offer as the need's fit.
    countServing(app.db, at(3))
    offers.close(app.db, reload(w.other), first.id, 'no_longer_needed', at(5))
    const second = postOffer(at(10))
    // The second offer's job, read before its transaction: the kept views must have the first offer closed.
    expect(jobs.runDue(app.db, HANDLERS, at(20))).toBe(1)
    expect(pairs().filter((p) => p.offerId === second.id)).toEqual([
      expect.objectContaining({ needId: need.id, offerId: second.id, side: 'need' }),
    ])
    expect(fitNotices().map((n) => n.userId)).toEqual([w.member.id, w.member.id])
  })

  it('another process closes the need between the read and the transaction: who is told is read again in it', () => {
    const need = postNeed(T0)
    jobs.runDue(app.db, HANDLERS, at(1))
    const offer = postOffer(at(10))
    const write = alerts.readNewFits(app.db, 'offer', offer.id, at(10).toISOString(), at(20))
    const second = openDb(path.join(dir, 'alerts.sqlite'), ROOT)
    try {
      second.sqlite.prepare("UPDATE needs SET status = 'closed' WHERE id = ?").run(need.id)
    } finally {
      second.sqlite.close()
    }
    expect(writeTx(app.db, () => write())).toBe(0)
    expect(pairs()).toEqual([])
    expect(fitNotices()).toEqual([])
  })

  it('nothing written in between: the read stands, and the need is told once', () => {
    const need = postNeed(T0)
    jobs.runDue(app.db, HANDLERS, at(1))
    const offer = postOffer(at(10))
    const write = alerts.readNewFits(app.db, 'offer', offer.id, at(10).toISOString(), at(20))
    expect(writeTx(app.db, () => write())).toBe(1)
    expect(pairs()).toEqual([expect.objectContaining({ needId: need.id, offerId: offer.id })])
    expect(fitNotices().map((n) => n.userId)).toEqual([w.member.id])
  })
})
