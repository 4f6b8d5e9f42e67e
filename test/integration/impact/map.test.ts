import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as accounts from '../../../src/accounts/accounts.js'
import { organizations } from '../../../src/db/schema.js'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import * as matches from '../../../src/brokering/matches.js'
import * as allocations from '../../../src/matching/allocations.js'
import * as map from '../../../src/impact/map.js'
import * as mapPages from '../../../src/impact/map.pages.js'
import { addArea, addOrg, addUser, makeApp, seedWorld, signedIn, type World } from '../../helpers/app.js'

const DAY = 86_400_000
const ago = (days: number) => new Date(Date.now() - days * DAY)
const MARKER = /ZZPHONE123|marker\.test/i

/**
 * seedWorld plus a second community in street A (渔村社区), contact markers on every organization, and:
 *   venue:     need 10 h in community A, need 6 h in 渔村; offer 12 h serving all street A, offer 4 h serving
 *              community A (posted 20 days ago, never used: idle)
 *   training:  two groups in 渔村 need 5 + 3 seats; no one offers training anywhere
 *   materials: a need in community B; the only offer there asks for endorsed organizations: it exists, none fits
 */
async function mapWorld(app: FastifyInstance) {
  const w = await seedWorld(app)
  const yucun = addArea(app, '渔村社区', w.streetA.id, 'Yucun Community')
  const [third, fourth, broker2] = await Promise.all([
    addUser(app, { email: 'third@example.cn', name: 'Third' }),
    addUser(app, { email: 'fourth@example.cn', name: 'Fourth' }),
    addUser(app, { email: 'broker2@example.cn', role: 'broker', name: 'Broker Two' }),
  ])
  accounts.setBrokerAreas(app.db, w.admin.id, broker2.id, [w.streetB.id])
  const orgC = addOrg(app, third.id, { name: '渔村书法社', areaId: yucun.id })
  const orgD = addOrg(app, fourth.id, { name: '渔村妇女之家', areaId: yucun.id })
  for (const [i, org] of [w.orgA, w.orgB, orgC, orgD].entries()) {
    app.db
      .update(organizations)
      .set({ contactPhone: `ZZPHONE123-${i}`, contactEmail: `zz${i}@marker.test` })
      .where(eq(organizations.id, org.id))
      .run()
  }
  const member = accounts.load(app.db, w.member.id)!,
    other = accounts.load(app.db, w.other.id)!
  const c = accounts.load(app.db, third.id)!,
    d = accounts.load(app.db, fourth.id)!
  const venueA = needs.post(
    app.db,
    member,
    { orgId: w.orgA.id, category: 'venue', title: '排练场地', quantity: 10, areaId: w.communityA.id },
    ago(5),
  )
  const venueY = needs.post(
    app.db,
    c,
    { orgId: orgC.id, category: 'venue', title: '练字的教室', quantity: 6, areaId: yucun.id },
    ago(5),
  )
  const trainC = needs.post(
    app.db,
    c,
    { orgId: orgC.id, category: 'training', title: '书法老师培训', quantity: 5, areaId: yucun.id },
    ago(4),
  )
  const trainD = needs.post(
    app.db,
    d,
    { orgId: orgD.id, category: 'training', title: '妇女手工培训', quantity: 3, areaId: yucun.id },
    ago(3),
  )
  const materialsB = needs.post(
    app.db,
    other,
    { orgId: w.orgB.id, category: 'materials', title: '音响设备', quantity: 2, areaId: w.communityB.id },
    ago(6),
  )
  const streetOffer = offers.post(
    app.db,
    member,
    { orgId: w.orgA.id, category: 'venue', title: '街道活动中心', quantity: 12, servesAreaId: w.streetA.id },
    ago(30),
  )
  const idleOffer = offers.post(
    app.db,
    other,
    { orgId: w.orgB.id, category: 'venue', title: '没人用的会议室', quantity: 4, servesAreaId: w.communityA.id },
    ago(20),
  )
  // Idle longer, but in street B: a visitor sees it first, street A's broker after their own.
  const idleB = offers.post(
    app.db,
    other,
    { orgId: w.orgB.id, category: 'publicity', title: '南岸闲置的宣传栏', quantity: 3, servesAreaId: w.communityB.id },
    ago(30),
  )
  const gated = offers.post(
    app.db,
    member,
    {
      orgId: w.orgA.id,
      category: 'materials',
      title: '只借给认证组织的音响',
      quantity: 5,
      servesAreaId: w.communityB.id,
      minTrust: 'endorsed',
    },
    ago(2),
  )
  // The street offer was used three days ago: not idle. (Accepted 2 h of 12, then the need still asks for 8.)
  const used = needs.post(
    app.db,
    member,
    { orgId: w.orgA.id, category: 'venue', title: '已经安排的排练场地', quantity: 2, areaId: w.communityA.id },
    ago(5),
  )
  const m = matches.open(app.db, member, 'request', { needId: used.id, offerId: streetOffer.id, quantity: 2 }, ago(4))
  matches.fire(app.db, member, m.id, 'accept', {}, ago(3))
  return {
    ...w,
    yucun,
    orgC,
    orgD,
    broker2: accounts.load(app.db, broker2.id)!,
    venueA,
    venueY,
    trainC,
    trainD,
    materialsB,
    streetOffer,
    idleOffer,
    idleB,
    gated,
  }
}

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

describe('/map/agenda', () => {
  it('says who needs what that no one offers, and where offers exist but none fits, in both languages', async () => {
    const zh = await get('/map/agenda')
    expect(zh.statusCode).toBe(200)
    expect(zh.body).toContain('渔村社区没有人提供培训；2 个组织需要（2 条需求）。')
    expect(zh.body).toContain('南岸社区的物资：有 1 项资源，但都不适合这 1 条需求（1 个组织）。')
    expect(zh.body).toContain(`href="/needs/${w.materialsB.id}#why-not"`)
    expect(zh.body).toContain(`href="/needs?area&#x3D;${w.yucun.id}&amp;category&#x3D;training"`)
    const en = await get('/map/agenda', { 'accept-language': 'en' })
    expect(en.body).toContain('No one offers training in Yucun Community; 2 groups need it (2 needs).')
    expect(en.body).toContain(
      'In Nan&#x27;an Community, 1 offer of equipment &amp; materials exists but none fits; 1 group needs it (1 need).',
    )
    // Most needs first for a visitor.
    expect(en.body.indexOf('Yucun Community; 2 groups')).toBeLessThan(
      en.body.indexOf('In Nan&#x27;an Community, 1 offer of'),
    )
  })

  it('finds exactly the needs the matcher finds no offer for', async () => {
    const ids = map.unservedIds(app.db)
    expect(ids).toEqual([w.trainC.id, w.trainD.id, w.materialsB.id].sort((a, b) => a - b))
    expect(ids).toEqual(allocations.needsWithoutOffers(app.db, [w.district.id]).sort((a, b) => a - b))
  })

  it('lists idle offers with their unused capacity and idle days, as the desk counts them', async () => {
    // Used once, 30 days ago (accepted 2 of 5), and idle since: both the agenda and the desk list it.
    const member = accounts.load(app.db, w.member.id)!,
      other = accounts.load(app.db, w.other.id)!
    const usedOnce = offers.post(
      app.db,
      other,
      {
        orgId: w.orgB.id,
        category: 'publicity',
        title: '用过一次的宣传栏',
        quantity: 5,
        servesAreaId: w.communityA.id,
      },
      ago(45),
    )
    const need = needs.post(
      app.db,
      member,
      { orgId: w.orgA.id, category: 'publicity', title: '借过一次宣传栏', quantity: 2, areaId: w.communityA.id },
      ago(40),
    )
    const m = matches.open(app.db, member, 'request', { needId: need.id, offerId: usedOnce.id, quantity: 2 }, ago(31))
    matches.fire(app.db, other, m.id, 'accept', {}, ago(30))
    const res = await get('/map/agenda')
    const idle = res.body.slice(res.body.indexOf('id="agenda-idle"'))
    expect(idle).toMatch(/用过一次的宣传栏<\/a>[\s\S]*?<td>3 \/ 5 [^<]*<\/td><td>闲置 30 天<\/td>/)
    expect(idle).toContain(`<a href="/offers/${w.idleOffer.id}">没人用的会议室</a>`)
    expect(idle).toMatch(/没人用的会议室<\/a>[\s\S]*?<td>4 \/ 4 小时<\/td><td>闲置 20 天<\/td>/)
    // Used three days ago: not idle; posted two days ago: not yet.
    expect(idle).not.toContain(`/offers/${w.streetOffer.id}"`)
    expect(idle).not.toContain(`/offers/${w.gated.id}"`)
    expect(idle).toContain('<span class="badge">3</span>')
    expect(idle.indexOf(`/offers/${w.idleB.id}"`)).toBeLessThan(idle.indexOf(`/offers/${w.idleOffer.id}"`))
    const broker = await signedIn(app, w.broker.email)
    const desk = await broker.get('/desk')
    const deskIdle = desk.body.slice(
      desk.body.indexOf('id="queue-idle"'),
      desk.body.indexOf('</section>', desk.body.indexOf('id="queue-idle"')),
    )
    expect(deskIdle).toContain(`href="/offers/${w.idleOffer.id}"`)
    expect(deskIdle).toMatch(
      new RegExp(`href="/offers/${usedOnce.id}">用过一次的宣传栏</a> <span class="muted">[^<]* · 30 天</span>`),
    )
    // Street A's broker: their own community's idle offer first, marked as theirs.
    const theirs = (await broker.get('/map/agenda')).body
    const list = theirs.slice(theirs.indexOf('id="agenda-idle"'))
    expect(list.indexOf(`/offers/${w.idleOffer.id}"`)).toBeLessThan(list.indexOf(`/offers/${w.idleB.id}"`))
    expect(list).toMatch(new RegExp(`<tr class="agenda-idle mine">\\s*<td><a href="/offers/${w.idleOffer.id}">`))
  })

  it("puts a broker's own communities first", async () => {
    const broker2 = await signedIn(app, w.broker2.email)
    const res = await broker2.get('/map/agenda')
    expect(res.body).toContain('您负责的社区排在前面。')
    expect(res.body.indexOf('南岸社区的物资')).toBeLessThan(res.body.indexOf('渔村社区没有人提供培训'))
    expect(res.body).toMatch(/<li class="agenda-unmet mine"><strong>南岸社区的物资/)
  })

  it('shows no private contact anywhere, to visitors or brokers, in pages or fragments', async () => {
    const broker = await signedIn(app, w.broker.email)
    for (const url of [
      '/map',
      `/map?area=${w.communityA.id}`,
      `/map?area=${w.streetA.id}&category=venue`,
      '/map/agenda',
    ]) {
      expect((await get(url)).body, url).not.toMatch(MARKER)
      expect((await get(url, { 'hx-request': 'true' })).body, url).not.toMatch(MARKER)
      expect((await broker.get(url)).body, url).not.toMatch(MARKER)
    }
  })
})
