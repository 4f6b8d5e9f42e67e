import { describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { areas as areasTable } from '../../../src/db/schema.js'
import * as tokens from '../../../src/accounts/tokens.js'
import * as matches from '../../../src/brokering/matches.js'
import { appForTestHoldingJson } from '../../helpers/served.js'
import { brokerWorld, reload } from '../brokering/world.js'

/**
 * GET /api/v1/reports through its response schema: the app holds every answer to what its handler built
 * (appForTestHoldingJson), so a figure the schema drops, renames or coerces (a null share written as 0) fails here.
 * Org A's need of 10 hours gets 6 from org B's district-wide offer, asked, accepted, delivered and rated 4.
 */
async function world() {
  const app = await appForTestHoldingJson()
  const w = await brokerWorld(app, { needQuantity: 10, offerQuantity: 20 })
  const m = matches.open(app.db, reload(app, w.member), 'request', {
    needId: w.need.id,
    offerId: w.offer.id,
    quantity: 6,
  })
  matches.fire(app.db, reload(app, w.other), m.id, 'accept')
  matches.fire(app.db, reload(app, w.other), m.id, 'deliver', { quantity: 6 })
  matches.fire(app.db, reload(app, w.member), m.id, 'review', { rating: 4, comment: '很好' })
  const auth = { authorization: `Bearer ${tokens.issue(app.db, w.broker.id, 'tests')}` }
  const get = (url: string, lang: string) => app.inject({ url, headers: { ...auth, 'accept-language': lang } })
  return { app, w, get }
}

describe('GET /api/v1/reports, as served', () => {
  it('a report with figures, in both languages: every section as the handler built it, shares as fractions', async () => {
    const { app, w, get } = await world()
    app.db.update(areasTable).set({ ref: 'A-ST' }).where(eq(areasTable.id, w.streetA.id)).run()
    for (const [lang, name] of [
      ['zh-CN', '东湖街道'],
      ['en', 'Donghu Street'],
    ]) {
      const res = await get('/api/v1/reports', lang)
      expect(res.statusCode).toBe(200)
      const body = res.json()
      expect(body.area).toEqual({ ref: 'A-ST', name })
      expect(body.demand).toEqual([
        { category: 'venue', unit: 'hours', needs: 1, posted: 10, met: 6, share: 0.6, fully_met: 0 },
      ])
      expect(body.requests).toEqual({
        total: 1,
        in_time: 1,
        late: 0,
        overdue: 0,
        pending: 0,
        withdrawn: 0,
        deadline_days: 3,
        share: 1,
      })
      // Matched within a day of posting: a fraction of a day, not rounded to a whole one.
      expect(body.waits).toMatchObject({ posted: 1, matched: 1, unmatched: 0, beyond: 0 })
      expect(body.waits.median_days).toBeGreaterThan(0)
      expect(body.waits.median_days).toBeLessThan(1)
      expect(body.waits.buckets[0]).toEqual({ up_to: 1, from: 0, count: 1 })
      expect(body.waits.by_category).toEqual([{ category: 'venue', matched: 1, median_days: body.waits.median_days }])
      expect(body.utilization).toEqual([
        { category: 'venue', unit: 'hours', offers: 1, offered: 20, used: 6, share: 0.3, untouched: 0 },
      ])
      expect(body.feedback).toMatchObject({
        count: 1,
        mean: 4,
        need: { count: 1, mean: 4 },
        offer: { count: 0, mean: null },
      })
      expect(body.feedback.distribution).toContainEqual({ rating: 4, count: 1 })
      expect(body.checkins).toMatchObject({ total: 0, continues: 0, changed: 0, ended: 0 })
      expect(body.checkins.ended_by.length).toBeGreaterThan(0)
    }
  })

  it('a period with nothing in it, for an area with no ref: null where nothing is divided or averaged', async () => {
    const { get } = await world()
    for (const [lang, name] of [
      ['zh-CN', '东湖街道'],
      ['en', 'Donghu Street'],
    ]) {
      const res = await get('/api/v1/reports?from=2020-01-01&to=2020-03-31', lang)
      expect(res.statusCode).toBe(200)
      const body = res.json()
      expect(body.area).toEqual({ ref: null, name })
      expect(body.period).toEqual({ from: '2020-01-01', to: '2020-03-31' })
      expect(body.demand).toEqual([])
      expect(body.utilization).toEqual([])
      expect(body.waits).toMatchObject({ posted: 0, median_days: null, by_category: [] })
      expect(body.requests).toMatchObject({ total: 0, share: null })
      expect(body.orgs).toEqual({ asking: 0, served: 0, under_resourced: 0, under_resourced_share: null })
      expect(body.feedback).toMatchObject({ count: 0, mean: null, need: { mean: null }, offer: { mean: null } })
    }
  })
})
