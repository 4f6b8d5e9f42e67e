/**
 * /map: each place's balance of needs and offers, per category or all of them, in a table and on the drawing; sorting,
 * a community's panel, htmx fragments and odd filters. The agenda (/map/agenda) is agenda.test.ts; both read the
 * district of world.ts.
 */
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as accounts from '../../../src/accounts/accounts.js'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import * as mapPages from '../../../src/impact/map.pages.js'
import { makeApp, seedWorld, type World } from '../../helpers/app.js'
import { mapWorld } from './world.js'

let app: FastifyInstance
let w: World & Awaited<ReturnType<typeof mapWorld>>
beforeAll(async () => {
  app = await makeApp()
  w = await mapWorld(app)
})
afterAll(async () => {
  await app?.close()
})

const get = (url: string, headers: Record<string, string> = {}) =>
  app.inject({ url, headers: { 'accept-language': 'zh-CN', ...headers } })
/** The table row of an area, tags stripped, cells separated by |. */
function row(html: string, id: number): string {
  const m = html.match(new RegExp(`<tr class="map-row [a-z]+" id="map-row-${id}">([\\s\\S]*?)</tr>`))
  expect(m, `row ${id}`).toBeTruthy()
  return m![1]!
    .split(/<\/t[hd]>/)
    .map((c) =>
      c
        .replace(/<[^>]+>/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter(Boolean)
    .join(' | ')
}
const titleOf = (html: string, id: number) => html.match(new RegExp(`id="map-cell-${id}"><title>([^<]*)</title>`))?.[1]

describe('/map', () => {
  it("shows a community's figures for one category in the table and in its shape's <title>", async () => {
    const res = await get('/map?category=venue')
    expect(res.statusCode).toBe(200)
    // Community A: needs 10 (the arranged 2 are reserved); supply 10 left of the street offer + 4 of its own.
    expect(row(res.body, w.communityA.id)).toBe('荔枝湾社区 | 10 | 14 | 0 | 1 | 0 | 2 | +0.29')
    expect(row(res.body, w.yucun.id)).toBe('渔村社区 | 6 | 10 | 0 | 1 | 0 | 1 | +0.40')
    // The street counts its street-wide offer once: 10 + 4, not 10 + 10 + 4.
    expect(row(res.body, w.streetA.id)).toBe('东湖街道 · 街道小计 | 16 | 14 | 2 | 2 | 0 | 2 | −0.13')
    expect(row(res.body, w.communityB.id)).toBe('南岸社区 | 0 | 0 | 0 | 0 | 0 | 0 | —')
    expect(titleOf(res.body, w.communityA.id)).toBe(
      '荔枝湾社区 · 场地：需求 10 小时，合适的资源 14 小时（1 条需求，其中 0 条没有任何资源合适；2 项资源）；平衡 +0.29',
    )
    // Colours by class (CSP allows no inline style): +0.29 is step 4, no listings at all is its own class.
    expect(res.body).toMatch(
      new RegExp(`id="map-cell-${w.communityA.id}"><title>[^<]*</title><path d="M[^"]+Z" class="map-fill-4"/>`),
    )
    expect(res.body).toMatch(
      new RegExp(`id="map-cell-${w.communityB.id}"><title>[^<]*</title><path d="M[^"]+Z" class="map-fill-none"/>`),
    )
    expect(res.body).not.toMatch(/style="/)
    // An image with a text alternative, each community a focusable link, street names drawn.
    expect(res.body).toMatch(/<svg class="asset-map"[^>]*role="group" aria-labelledby="map-svg-title map-svg-desc">/)
    expect(res.body).toContain(
      `<a href="/map?area&#x3D;${w.communityA.id}&amp;category&#x3D;venue" class="map-cell" tabindex="0"`,
    )
    expect(res.body).toMatch(/<text [^>]*class="map-label"[^>]*>东湖街道<\/text>/)
  })

  it('for all categories combines balances and names the categories short of supply, in English too', async () => {
    const res = await get('/map', { 'accept-language': 'en' })
    // Weighted by listings: venue +0.40 over 2 listings, training −1 over 2 → −0.30.
    expect(row(res.body, w.yucun.id)).toBe('Yucun Community | 3 | 2 | 1 | −0.30 | Training')
    expect(titleOf(res.body, w.yucun.id)).toBe(
      'Yucun Community: 3 open needs, 1 open offer; balance −0.30; more demand than supply in: Training',
    )
    expect(row(res.body, w.communityA.id)).toBe('Lizhiwan Community | 1 | 0 | 2 | +0.29 | —')
    // Several categories short: listed with the language's own separator (list.separator), in table and tooltip alike.
    expect(row(res.body, w.streetA.id)).toMatch(/ \| Venue, Training$/)
    expect(row((await get('/map')).body, w.streetA.id)).toMatch(/ \| 场地、培训$/)
    expect(res.body).toContain('(fitting supply − demand) ÷ the larger of the two')
    const training = await get('/map?category=training')
    expect(row(training.body, w.yucun.id)).toBe('渔村社区 | 8 | 0 | 8 | 2 | 2 | 0 | −1.00')
    expect(training.body).toMatch(
      new RegExp(`id="map-cell-${w.yucun.id}"><title>[^<]*</title><path d="M[^"]+Z" class="map-fill-0"/>`),
    )
  })

  it('puts a community whose needs no offer fits at the demand end of the scale, even when offers cover it', async () => {
    // 南岸: the only materials offer there asks for endorsed groups; it covers the place but fits no need in it.
    const res = await get('/map?category=materials')
    expect(row(res.body, w.communityB.id)).toBe('南岸社区 | 2 | 0 | 2 | 1 | 1 | 1 | −1.00')
    expect(res.body).toMatch(
      new RegExp(`id="map-cell-${w.communityB.id}"><title>[^<]*</title><path d="M[^"]+Z" class="map-fill-0"/>`),
    )
    // No gap anywhere is negative, in any view.
    for (const url of ['/map', '/map?category=venue', '/map?category=training', '/map?category=materials']) {
      const page = mapPages.page(app.db, { category: url.split('=')[1] }, 'zh-CN')
      for (const r of [...page.district, ...page.streets, ...page.streets.flatMap((st) => st.communities)])
        expect(r.gap ?? 0).toBeGreaterThanOrEqual(0)
    }
  })

  it('counts a district-wide offer once in the totals, in each community it fits a need in, and says so', async () => {
    const app2 = await makeApp()
    try {
      const v = await seedWorld(app2)
      const member = accounts.load(app2.db, v.member.id)!,
        other = accounts.load(app2.db, v.other.id)!
      needs.post(app2.db, member, {
        orgId: v.orgA.id,
        category: 'publicity',
        title: '演出海报',
        quantity: 30,
        areaId: v.communityA.id,
        topics: ['print_materials'],
      })
      needs.post(app2.db, other, {
        orgId: v.orgB.id,
        category: 'publicity',
        title: '活动海报',
        quantity: 20,
        areaId: v.communityB.id,
        topics: ['print_materials'],
      })
      offers.post(app2.db, member, {
        orgId: v.orgA.id,
        category: 'publicity',
        title: '全区海报印刷',
        quantity: 100,
        servesAreaId: v.district.id,
        topics: ['print_materials'],
      })
      const page = mapPages.page(app2.db, { category: 'publicity' }, 'zh-CN')
      const communities = page.streets.flatMap((st) => st.communities)
      const a = communities.find((c) => c.id === v.communityA.id)!,
        b = communities.find((c) => c.id === v.communityB.id)!
      expect([a.supply, b.supply]).toEqual([100, 100])
      expect(page.district[0]).toMatchObject({ demand: 50, supply: 100, gap: 0 })
      const html = (await app2.inject({ url: '/map?category=publicity', headers: { 'accept-language': 'zh-CN' } })).body
      expect(html).toContain('每项资源只算一次')
      // Communities are labelled on the map itself.
      expect(html).toMatch(
        new RegExp(`<text [^>]*class="map-label-community"[^>]*id="map-label-${v.communityA.id}">荔枝湾社区</text>`),
      )
    } finally {
      await app2.close()
    }
  })

  it('sorts the table by a column, communities within their street, with links that work without JavaScript', async () => {
    const order = (html: string) => [...html.matchAll(/id="map-row-(\d+)"/g)].map((m) => Number(m[1]))
    const desc = await get('/map?category=venue&sort=-demand')
    // Streets by their subtotal (16 before 0), communities by their own demand (10 before 6); the district total last.
    expect(order(desc.body)).toEqual([
      w.streetA.id,
      w.communityA.id,
      w.yucun.id,
      w.streetB.id,
      w.communityB.id,
      w.district.id,
    ])
    expect(desc.body).toMatch(
      /<th scope="col" aria-sort="descending"><a href="\/map\?category&#x3D;venue&amp;sort&#x3D;demand">开放需求<\/a><\/th>/,
    )
    const asc = await get('/map?category=venue&sort=demand')
    expect(order(asc.body)).toEqual([
      w.streetB.id,
      w.communityB.id,
      w.streetA.id,
      w.yucun.id,
      w.communityA.id,
      w.district.id,
    ])
  })

  it("shows a selected community's panel with links to its open needs and offers, which list them", async () => {
    const res = await get(`/map?area=${w.yucun.id}`)
    const panel = res.body.slice(res.body.indexOf('id="map-panel"'))
    expect(panel).toContain('<h2 id="map-panel-title">渔村社区</h2>')
    expect(panel).toContain(`href="/needs?area&#x3D;${w.yucun.id}"`)
    expect(panel).toContain(`href="/offers?area&#x3D;${w.yucun.id}"`)
    expect(panel).toContain(`href="/needs?area&#x3D;${w.yucun.id}&amp;category&#x3D;training">2 条需求</a>`)
    expect(res.body).toContain(`id="map-cell-${w.yucun.id}"`)
    expect(res.body).toMatch(new RegExp(`class="map-cell selected" tabindex="0" id="map-cell-${w.yucun.id}"`))
    // The lists behind the links show what the figures count.
    const needsPage = await get(`/needs?area=${w.yucun.id}&category=training`)
    expect(needsPage.body).toContain('书法老师培训')
    expect(needsPage.body).toContain('妇女手工培训')
    const offersPage = await get(`/offers?area=${w.yucun.id}&category=venue`)
    expect(offersPage.body).toContain('街道活动中心')
    expect(offersPage.body).not.toContain('没人用的会议室')
  })

  it('answers htmx with the fragment it swaps, and a history restore with the whole page', async () => {
    const frag = await get('/map?category=venue', { 'hx-request': 'true' })
    expect(frag.statusCode).toBe(200)
    expect(frag.headers.vary).toMatch(/HX-Request/)
    expect(frag.body).not.toMatch(/<html/)
    expect(frag.body).toContain('id="map-table"')
    expect(frag.body).toContain('<svg class="asset-map"')
    const restore = await get('/map?category=venue', { 'hx-request': 'true', 'hx-history-restore-request': 'true' })
    expect(restore.body).toMatch(/<html/)
    expect(restore.body).toContain('<div id="map-view" aria-live="polite">')
    expect(restore.body).toContain('hx-get="/map" hx-target="#map-view"')
  })

  it('ignores filters it cannot read, says so, and never fails', async () => {
    const res = await get('/map?sort=bogus&area=abc&category=%3Cscript%3E')
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('有些筛选条件无法识别，已忽略。')
    expect(res.body).not.toContain('<script>')
    const unknown = await get('/map?category=nosuch&area=999999')
    expect(unknown.statusCode).toBe(200)
    expect(unknown.body).not.toContain('id="map-panel"')
    // A category or area that does not exist is ignored as loudly: all categories shown, and the notice.
    for (const url of ['/map?category=nosuch', `/map?area=999999&category=venue`]) {
      const res = await get(url)
      expect(res.statusCode, url).toBe(200)
      expect(res.body, url).toContain('有些筛选条件无法识别，已忽略。')
    }
    expect((await get('/map?category=nosuch', { 'hx-request': 'true' })).body).toContain(
      '有些筛选条件无法识别，已忽略。',
    )
    expect(titleOf((await get('/map?category=nosuch')).body, w.yucun.id)).toMatch(/^渔村社区：3 条开放需求/)
    // A good filter says nothing.
    expect((await get(`/map?category=venue&area=${w.communityA.id}`)).body).not.toContain('有些筛选条件无法识别')
  })

  it('is linked from every page', async () => {
    expect((await get('/')).body).toContain('<a href="/map">资产地图</a>')
    expect((await get('/', { 'accept-language': 'en' })).body).toContain('<a href="/map">Asset map</a>')
  })
})
