import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as accounts from '../../../src/accounts/accounts.js'
import { needs as needsTable, offers as offersTable } from '../../../src/db/schema.js'
import * as needs from '../../../src/needs/needs.js'
import * as needQueries from '../../../src/needs/need-queries.js'
import * as offers from '../../../src/offers/offers.js'
import * as offerQueries from '../../../src/offers/offer-queries.js'
import * as matches from '../../../src/brokering/matches.js'
import * as allocations from '../../../src/matching/allocations.js'
import * as map from '../../../src/impact/map.js'
import { hsdsAllServices } from '../../../src/interchange/hsds-export.js'
import {
  activeNeed,
  activeNeedText,
  activeOffer,
  activeOfferText,
  availableOffer,
  availableOfferText,
  isActiveNeed,
  isActiveOffer,
  isAvailableOffer,
  listingToday,
} from '../../../src/listings/listings.js'
import { makeApp, seedWorld, type World } from '../../helpers/app.js'

const DAY = 86_400_000
const now = new Date()
const today = listingToday(now)
const yesterday = listingToday(new Date(now.getTime() - DAY)),
  tomorrow = listingToday(new Date(now.getTime() + DAY))

let app: FastifyInstance
let w: World
beforeAll(async () => {
  app = await makeApp()
  w = await seedWorld(app)
})
afterAll(async () => {
  await app?.close()
})

describe('what an active need, an active offer and an available offer are: one definition in three forms', () => {
  it('the pure predicate, the drizzle condition and the SQL text pick the same rows, over every status, expiry, window end and remaining', () => {
    const member = accounts.load(app.db, w.member.id)!
    const grid: { status: string; expiresAt: string | null; until: string | null; remaining: number }[] = []
    // Every expiry with an open window, and each window end (ended yesterday, ends today) with no expiry.
    const dates = [
      [null, null],
      [yesterday, null],
      [today, null],
      [tomorrow, null],
      [null, yesterday],
      [null, today],
    ] as const
    for (const status of ['draft', 'open', 'partly_met', 'met', 'closed', 'expired']) {
      for (const [expiresAt, until] of dates)
        for (const remaining of [0, 2]) grid.push({ status, expiresAt, until, remaining })
    }
    for (const g of grid) {
      const n = needs.post(app.db, member, {
        orgId: w.orgA.id,
        category: 'venue',
        title: `need ${g.status}`,
        quantity: 2,
        areaId: w.communityA.id,
      })
      app.sqlite
        .prepare('UPDATE needs SET status = ?, expires_at = ?, until_date = ?, remaining = ? WHERE id = ?')
        .run(g.status, g.expiresAt, g.until, g.remaining, n.id)
      const o = offers.post(app.db, member, {
        orgId: w.orgA.id,
        category: 'venue',
        title: `offer ${g.status}`,
        quantity: 2,
        servesAreaId: w.communityA.id,
      })
      app.sqlite
        .prepare('UPDATE offers SET status = ?, expires_at = ?, until_date = ?, remaining = ? WHERE id = ?')
        .run(g.status, g.expiresAt, g.until, g.remaining, o.id)
    }
    const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b)
    const needRows = app.db.select().from(needsTable).all(),
      offerRows = app.db.select().from(offersTable).all()
    const byPredicate = {
      needs: sorted(needRows.filter((r) => isActiveNeed(r, today)).map((r) => r.id)),
      offers: sorted(offerRows.filter((r) => isActiveOffer(r, today)).map((r) => r.id)),
      available: sorted(offerRows.filter((r) => isAvailableOffer(r, today)).map((r) => r.id)),
    }
    // The rule itself, on the grid: 2 statuses × 4 current dates (3 expiries, a window ending today) × 1 remaining for
    // needs; 1 × 4 × 2 and 1 × 4 × 1 for offers. A window that ended yesterday is over; one ending today is not.
    expect([byPredicate.needs.length, byPredicate.offers.length, byPredicate.available.length]).toEqual([8, 8, 4])
    expect(
      needRows
        .filter((r) => isActiveNeed(r, today))
        .every(
          (r) => ['open', 'partly_met'].includes(r.status) && r.expiresAt !== yesterday && r.untilDate !== yesterday,
        ),
    ).toBe(true)
    expect(offerRows.filter((r) => isActiveOffer(r, today)).every((r) => r.untilDate !== yesterday)).toBe(true)
    expect(
      sorted(
        app.db
          .select({ id: needsTable.id })
          .from(needsTable)
          .where(activeNeed(today))
          .all()
          .map((r) => r.id),
      ),
    ).toEqual(byPredicate.needs)
    expect(
      sorted(
        app.db
          .select({ id: offersTable.id })
          .from(offersTable)
          .where(activeOffer(today))
          .all()
          .map((r) => r.id),
      ),
    ).toEqual(byPredicate.offers)
    expect(
      sorted(
        app.db
          .select({ id: offersTable.id })
          .from(offersTable)
          .where(availableOffer(today))
          .all()
          .map((r) => r.id),
      ),
    ).toEqual(byPredicate.available)
    const text = (sql: string) => sorted(app.sqlite.prepare(sql).pluck().all(today) as number[])
    expect(text(`SELECT id FROM needs WHERE ${activeNeedText()}`)).toEqual(byPredicate.needs)
    expect(text(`SELECT n.id FROM needs n WHERE ${activeNeedText('n')}`)).toEqual(byPredicate.needs)
    expect(text(`SELECT id FROM offers WHERE ${activeOfferText()}`)).toEqual(byPredicate.offers)
    expect(text(`SELECT id FROM offers WHERE ${availableOfferText()}`)).toEqual(byPredicate.available)
    // The lists read the same definition.
    expect(needQueries.countActive(app.db, now)).toBe(byPredicate.needs.length)
    expect(offerQueries.countActive(app.db, now)).toBe(byPredicate.offers.length)
  })
})

describe('a fully reserved offer', () => {
  it('is counted where the offers list shows it, adds nothing to supply, is no candidate, and exports as an inactive HSDS service', async () => {
    const fresh = await makeApp()
    try {
      const v = await seedWorld(fresh)
      const member = accounts.load(fresh.db, v.member.id)!,
        other = accounts.load(fresh.db, v.other.id)!
      const offer = offers.post(fresh.db, other, {
        orgId: v.orgB.id,
        category: 'publicity',
        title: '订满了的宣传栏',
        quantity: 3,
        servesAreaId: v.communityA.id,
      })
      const need = needs.post(fresh.db, member, {
        orgId: v.orgA.id,
        category: 'publicity',
        title: '要三块宣传栏',
        quantity: 3,
        areaId: v.communityA.id,
      })
      const m = matches.open(fresh.db, member, 'request', { needId: need.id, offerId: offer.id, quantity: 3 })
      matches.fire(fresh.db, other, m.id, 'accept', {})
      const row = fresh.db
        .select()
        .from(offersTable)
        .all()
        .find((o) => o.id === offer.id)!
      expect([row.status, row.remaining]).toEqual(['open', 0])
      const get = (url: string) => fresh.inject({ url, headers: { 'accept-language': 'zh-CN' } })

      // The map's panel counts it (one open offer, 0 left) and its link lists it.
      const panel = (await get(`/map?area=${v.communityA.id}`)).body
      const section = panel.slice(panel.indexOf('id="map-panel"'))
      expect(section).toContain('<p>0 条开放需求，1 项开放资源</p>')
      expect(section).toMatch(/宣传<\/th>\s*<td>0 [^<]*<\/td><td>0 [^<]*<\/td>/)
      expect(section).toContain(
        `<a href="/offers?area&#x3D;${v.communityA.id}&amp;category&#x3D;publicity">1 项资源</a>`,
      )
      expect((await get(`/offers?area=${v.communityA.id}&category=publicity`)).body).toContain('订满了的宣传栏')

      // A new need for it finds no offer: nothing is left to give (the matcher and the agenda agree).
      const another = needs.post(fresh.db, member, {
        orgId: v.orgA.id,
        category: 'publicity',
        title: '再要一块宣传栏',
        quantity: 1,
        areaId: v.communityA.id,
      })
      expect(allocations.needsWithoutOffers(fresh.db, [v.district.id])).toContain(another.id)
      expect(map.unservedIds(fresh.db)).toContain(another.id)

      // HSDS lists what the offers list lists; this one as not currently provided.
      const services = hsdsAllServices(fresh.db, { baseUrl: 'https://hsds.example.cn' })
      const service = services.find((s) => s.url.endsWith(`/offers/${offer.id}`))!
      expect(service.status).toBe('inactive')
      expect(service.description).toContain('目前尚余 0')
      const api = (await fresh.inject({ url: '/api/v1/hsds/services' })).json()
      expect(api.total_items).toBe(offerQueries.countActive(fresh.db))
    } finally {
      await fresh.close()
    }
  })
})
