import fs from 'node:fs'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import * as accounts from '../../../src/accounts/accounts.js'
import { needs as needsTable, offers as offersTable } from '../../../src/db/schema.js'
import * as needs from '../../../src/needs/needs.js'
import * as needQueries from '../../../src/needs/need-queries.js'
import * as offers from '../../../src/offers/offers.js'
import * as offerQueries from '../../../src/offers/offer-queries.js'
import * as matching from '../../../src/matching/matching.js'
import * as interchange from '../../../src/interchange/interchange.js'
import type { Ledger } from '../../../src/interchange/interchange.js'
import { listingToday } from '../../../src/listings/listings.js'
import { makeApp, seedWorld, type World } from '../../helpers/app.js'

const DAY = 86_400_000
const now = new Date()
const yesterday = listingToday(new Date(now.getTime() - DAY)),
  lastMonth = listingToday(new Date(now.getTime() - 40 * DAY))
const zh = { 'accept-language': 'zh-CN' }

let app: FastifyInstance
let w: World
beforeAll(async () => {
  app = await makeApp()
  w = await seedWorld(app)
})
afterAll(async () => {
  await app?.close()
})

/** What the rows say they are about, as the write path would store them, so the pair differs only in its dates. */
const about = (table: 'needs' | 'offers', id: number) =>
  app.sqlite.prepare(`UPDATE ${table} SET topics = '["sound_equipment"]', keywords = '["音响"]' WHERE id = ?`).run(id)

describe('a listing whose availability window is over (ended is ended)', () => {
  it('is not listed as open, not counted, never a match, and shows as ended on its page', async () => {
    const member = accounts.load(app.db, w.member.id)!,
      other = accounts.load(app.db, w.other.id)!
    const need = needs.post(app.db, member, {
      orgId: w.orgA.id,
      category: 'materials',
      title: '借一台便携音响',
      quantity: 1,
      areaId: w.communityA.id,
    })
    const ended = offers.post(app.db, other, {
      orgId: w.orgB.id,
      category: 'materials',
      title: '出借旧音响（已结束）',
      quantity: 1,
      servesAreaId: w.district.id,
      fromDate: lastMonth,
      untilDate: yesterday,
    })
    const open = offers.post(app.db, other, {
      orgId: w.orgB.id,
      category: 'materials',
      title: '出借蓝牙音响',
      quantity: 1,
      servesAreaId: w.district.id,
    })
    for (const [t, id] of [
      ['needs', need.id],
      ['offers', ended.id],
      ['offers', open.id],
    ] as const)
      about(t, id)
    const endedNeed = needs.post(app.db, member, {
      orgId: w.orgA.id,
      category: 'materials',
      title: '上个月借音响（已结束）',
      quantity: 1,
      areaId: w.communityA.id,
      fromDate: lastMonth,
      untilDate: yesterday,
    })
    about('needs', endedNeed.id)

    expect(offerQueries.get(app.db, ended.id, now)!.status).toBe('ended')
    expect(needQueries.get(app.db, endedNeed.id, now)!.status).toBe('ended')
    expect(offerQueries.get(app.db, open.id, now)!.status).toBe('open')

    const list = (await app.inject({ url: '/offers?category=materials', headers: zh })).body
    expect(list).toContain('出借蓝牙音响')
    expect(list).not.toContain('出借旧音响（已结束）')
    expect((await app.inject({ url: '/needs?category=materials', headers: zh })).body).not.toContain('上个月借音响')
    const activeOffers = offerQueries.countActive(app.db, now),
      activeNeeds = needQueries.countActive(app.db, now)
    app.sqlite.prepare('UPDATE offers SET until_date = NULL WHERE id = ?').run(ended.id)
    expect(offerQueries.countActive(app.db, now)).toBe(activeOffers + 1)
    app.sqlite.prepare('UPDATE offers SET until_date = ? WHERE id = ?').run(yesterday, ended.id)
    app.sqlite.prepare('UPDATE needs SET until_date = NULL WHERE id = ?').run(endedNeed.id)
    expect(needQueries.countActive(app.db, now)).toBe(activeNeeds + 1)
    app.sqlite.prepare('UPDATE needs SET until_date = ? WHERE id = ?').run(yesterday, endedNeed.id)

    // The matcher's candidates are open listings: the ended offer is no match for the need, nor the ended need for the offer.
    expect(matching.offersForNeed(app.db, need.id, { now })!.matches.map((m) => m.offer.id)).toEqual([open.id])
    expect(matching.needsForOffer(app.db, open.id, { now })!.matches.map((m) => m.need.id)).toEqual([need.id])
    const api = (await app.inject({ url: `/api/v1/needs/${need.id}/matches` })).json()
    expect(api.matches.map((m: { offer: { id: number } }) => m.offer.id)).not.toContain(ended.id)

    const page = (await app.inject({ url: `/offers/${ended.id}`, headers: zh })).body
    expect(page).toContain('<span class="tag status-ended">已结束</span>')
    const en = (await app.inject({ url: `/needs/${endedNeed.id}`, headers: { 'accept-language': 'en' } })).body
    expect(en).toContain('<span class="tag status-ended">Ended</span>')
  })

  it('imports from a ledger as a record, but not as an open offer', async () => {
    const ledger = JSON.parse(
      fs.readFileSync(path.resolve(import.meta.dirname, '../../fixtures/interchange/ledger.json'), 'utf8'),
    ) as Ledger
    const fresh = await makeApp()
    try {
      const o = ledger.offers![0]!
      const endedOffer = { ...o, ref: 'o-ended', title: '十月底结束的场地', from: lastMonth, until: yesterday }
      interchange.importLedger(
        fresh.db,
        { ...ledger, offers: [...ledger.offers!, endedOffer] },
        { by: 'operator', now },
      )
      const row = fresh.db.select().from(offersTable).where(eq(offersTable.ref, 'o-ended')).get()!
      expect(row.untilDate).toBe(yesterday)
      expect(offerQueries.get(fresh.db, row.id, now)!.status).toBe('ended')
      const listed = (await fresh.inject({ url: '/offers', headers: zh })).body
      expect(listed).toContain(o.title)
      expect(listed).not.toContain('十月底结束的场地')
      expect(fresh.db.select().from(needsTable).all().length).toBeGreaterThan(0)
    } finally {
      await fresh.close()
    }
  })
})
