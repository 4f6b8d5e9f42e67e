import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import { translate } from '../../../src/i18n/i18n.js'
import { Browser, makeApp, seedWorld, type World } from '../../helpers/app.js'
import { day, indexedIds, listedIds, needRow, offerRow, postNeed, postOffer, setExpiry } from './world.js'

// One district for the file, seeded through the services; nothing here writes except the expiry sweep,
// which runs last.
let app: FastifyInstance
let w: World
const n: Record<string, number> = {}
const o: Record<string, number> = {}
const FILLERS = 23

beforeAll(async () => {
  app = await makeApp()
  w = await seedWorld(app)
  const t0 = Date.now() - 3_600_000
  const at = (minutes: number) => new Date(t0 + minutes * 60_000)
  const A = { orgId: w.orgA.id }
  const B = { orgId: w.orgB.id }
  n.a1 = postNeed(
    app,
    w.member,
    { ...A, areaId: w.communityA.id, category: 'venue', title: '荔枝湾排练场地', urgency: 'high', expiresAt: day(10) },
    at(1),
  ).id
  n.a2 = postNeed(
    app,
    w.member,
    {
      ...A,
      areaId: w.communityA.id,
      category: 'funds',
      title: '比赛服装资金',
      quantity: 3000,
      urgency: 'low',
      expiresAt: day(50),
    },
    at(2),
  ).id
  n.street = postNeed(
    app,
    w.member,
    { ...A, areaId: w.streetA.id, category: 'volunteers', title: '街道送餐志愿者', quantity: 80, expiresAt: day(30) },
    at(3),
  ).id
  n.b = postNeed(
    app,
    w.other,
    { ...B, areaId: w.communityB.id, category: 'venue', title: '南岸手工坊场地', expiresAt: day(5) },
    at(4),
  ).id
  n.closed = postNeed(app, w.member, { ...A, areaId: w.communityA.id, title: '已经关闭的场地需求' }, at(5)).id
  needs.close(app.db, w.member, n.closed, 'met_elsewhere')
  n.expired = postNeed(app, w.member, { ...A, areaId: w.communityA.id, title: '昨天过期的场地需求' }, at(6)).id
  setExpiry(app, 'needs', n.expired, day(-1))
  for (let i = 0; i < FILLERS; i++)
    postNeed(
      app,
      w.other,
      { ...B, areaId: w.communityB.id, category: 'publicity', title: `宣传海报 第${i + 1}批`, quantity: 10 + i },
      at(10 + i),
    )

  o.street = postOffer(
    app,
    w.member,
    { ...A, servesAreaId: w.streetA.id, title: '东湖街道会议室', quantity: 40 },
    at(1),
  ).id
  o.community = postOffer(
    app,
    w.member,
    { ...A, servesAreaId: w.communityA.id, category: 'training', title: '荔枝湾急救培训', quantity: 5 },
    at(2),
  ).id
  o.district = postOffer(
    app,
    w.other,
    { ...B, servesAreaId: w.district.id, title: '全区礼堂', quantity: 100 },
    at(3),
  ).id
  o.b = postOffer(app, w.other, { ...B, servesAreaId: w.communityB.id, title: '南岸活动室', quantity: 20 }, at(4)).id
  o.closed = postOffer(app, w.other, { ...B, servesAreaId: w.communityB.id, title: '已撤回的活动室' }, at(5)).id
  offers.close(app.db, w.other, o.closed, 'no_longer_needed')
  o.expired = postOffer(app, w.other, { ...B, servesAreaId: w.district.id, title: '昨天过期的场地资源' }, at(6)).id
  setExpiry(app, 'offers', o.expired, day(-1))
})
afterAll(() => app.close())

const anon = () => new Browser(app)
async function needIds(query: string) {
  const res = await anon().get(`/needs${query}`)
  expect(res.statusCode, query).toBe(200)
  return listedIds(res.body, 'needs')
}
async function offerIds(query: string) {
  const res = await anon().get(`/offers${query}`)
  expect(res.statusCode, query).toBe(200)
  return listedIds(res.body, 'offers')
}
const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b)
/** Attribute text as the browser reads it (Handlebars writes = as &#x3D;). */
const unescape = (s: string) =>
  s
    .replace(/&#x3D;/g, '=')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
/** The pager's prev/next link: where it goes without and with htmx. */
function link(html: string, rel: 'prev' | 'next') {
  const m = html.match(new RegExp(`<a rel="${rel}" href="([^"]*)" hx-get="([^"]*)" hx-target="([^"]*)"`))
  return m ? { href: unescape(m[1]), hx: unescape(m[2]), target: m[3] } : undefined
}

describe('browsing needs', () => {
  it('lists open needs only: not closed, not lapsed', async () => {
    const res = await anon().get('/needs')
    expect(res.body).toContain(translate('zh-CN', 'needs.count', { count: 4 + FILLERS }))
    const ids = await needIds('?area=' + w.streetA.id)
    expect(sorted(ids)).toEqual(sorted([n.a1, n.a2, n.street]))
  })

  it('filters by category', async () => {
    expect(sorted(await needIds('?category=venue'))).toEqual(sorted([n.a1, n.b]))
    expect(await needIds('?category=funds')).toEqual([n.a2])
    expect(await needIds('?category=no-such-category')).toEqual([])
  })

  it('filters by area: a street includes its communities, a community not its street', async () => {
    expect(sorted(await needIds(`?area=${w.streetA.id}`))).toEqual(sorted([n.a1, n.a2, n.street]))
    expect(sorted(await needIds(`?area=${w.communityA.id}`))).toEqual(sorted([n.a1, n.a2]))
    expect(await needIds(`?area=${w.streetB.id}&category=venue`)).toEqual([n.b])
    expect((await needIds(`?area=${w.district.id}&category=venue`)).length).toBe(2)
    expect(await needIds('?area=99999')).toEqual([])
  })

  it('filters by urgency', async () => {
    expect(await needIds('?urgency=high')).toEqual([n.a1])
    expect(await needIds(`?urgency=low&area=${w.streetA.id}`)).toEqual([n.a2])
  })

  it('shows closed and expired needs only when asked for', async () => {
    expect(await needIds('?status=closed')).toEqual([n.closed])
    expect(await needIds('?status=expired')).toEqual([n.expired])
    const expired = await anon().get('/needs?status=expired')
    expect(expired.body).toContain('status-expired')
  })

  it('sorts by newest, soonest deadline and urgency', async () => {
    const area = `&area=${w.streetA.id}`
    expect(await needIds(`?sort=newest${area}`)).toEqual([n.street, n.a2, n.a1])
    expect(await needIds(`?${area.slice(1)}`)).toEqual([n.street, n.a2, n.a1])
    expect(await needIds(`?sort=deadline${area}`)).toEqual([n.a1, n.street, n.a2])
    expect(await needIds(`?sort=urgency${area}`)).toEqual([n.a1, n.street, n.a2])
  })

  it('paginates: page 2 holds the rest, and the pager links keep the filters', async () => {
    const p1 = await anon().get('/needs?category=publicity')
    const p2 = await anon().get('/needs?category=publicity&page=2')
    const ids1 = listedIds(p1.body, 'needs')
    const ids2 = listedIds(p2.body, 'needs')
    expect(ids1).toHaveLength(20)
    expect(ids2).toHaveLength(FILLERS - 20)
    expect(ids1.filter((id) => ids2.includes(id))).toEqual([])
    expect(link(p1.body, 'next')).toEqual({
      href: '/needs?category=publicity&page=2',
      hx: '/needs?category=publicity&page=2',
      target: '#needs-list',
    })
    expect(link(p1.body, 'prev')).toBeUndefined()
    expect(link(p2.body, 'prev')?.href).toBe('/needs?category=publicity&page=1')
    expect(link(p2.body, 'next')).toBeUndefined()
    // Sorting and the area survive paging too.
    const sortedPage = await anon().get(`/needs?area=${w.district.id}&sort=deadline`)
    expect(link(sortedPage.body, 'next')?.href).toBe(`/needs?area=${w.district.id}&sort=deadline&page=2`)
  })

  it('keeps the chosen filters selected in the filter form', async () => {
    const res = await anon().get(`/needs?category=venue&urgency=high&sort=deadline&area=${w.streetA.id}&q=场地`)
    expect(res.body).toContain('<option value="venue" selected>')
    expect(res.body).toContain('<option value="high" selected>')
    expect(res.body).toContain('<option value="deadline" selected>')
    expect(res.body).toContain(`<option value="${w.streetA.id}" selected>`)
    expect(res.body).toContain('name="q" value="场地"')
  })

  it('shrugs off filters it does not know (200, the whole list)', async () => {
    for (const q of ['?sort=random', '?page=0', '?urgency=extreme', '?status=deleted', '?area=abc', '?page=999']) {
      const res = await anon().get(`/needs${q}`)
      expect(res.statusCode, q).toBe(200)
    }
  })
})

describe('browsing offers', () => {
  it('shows, for a community, the offers serving it, its street and the district, not a neighbour', async () => {
    expect(sorted(await offerIds(`?area=${w.communityA.id}`))).toEqual(sorted([o.street, o.community, o.district]))
    expect(sorted(await offerIds(`?area=${w.streetB.id}`))).toEqual(sorted([o.district, o.b]))
    expect(sorted(await offerIds(`?area=${w.streetA.id}`))).toEqual(sorted([o.street, o.community, o.district]))
    expect(sorted(await offerIds(`?area=${w.district.id}`))).toEqual(sorted([o.street, o.community, o.district, o.b]))
  })

  it('filters by category and status', async () => {
    expect(await offerIds('?category=training')).toEqual([o.community])
    expect(await offerIds('?status=closed')).toEqual([o.closed])
    expect(await offerIds('?status=expired')).toEqual([o.expired])
    expect(await offerIds('')).not.toContain(o.expired)
  })

  it('sorts by capacity and newest', async () => {
    expect(await offerIds(`?sort=capacity&area=${w.communityA.id}`)).toEqual([o.district, o.street, o.community])
    expect(await offerIds(`?area=${w.communityA.id}`)).toEqual([o.district, o.community, o.street])
  })
})

describe('one URL, two faces', () => {
  for (const path of ['/needs', '/offers', '/needs?category=venue&page=1', `/offers?area=1&sort=capacity`]) {
    it(`${path}: a full page, the list alone for htmx, the full page again for a history restore`, async () => {
      const kind = path.startsWith('/needs') ? 'needs' : 'offers'
      const page = await anon().get(path)
      expect(page.statusCode).toBe(200)
      expect(page.body).toMatch(/^<!doctype html>/i)
      expect(page.body).toContain(`<div id="${kind}-list"`)
      expect(page.body).toContain('<form class="filters"')
      expect(page.headers.vary).toMatch(/HX-Request/)

      const fragment = await anon().get(path, { 'hx-request': 'true' })
      expect(fragment.statusCode).toBe(200)
      expect(fragment.body).not.toMatch(/<html|<form class="filters"|id="[a-z]+-list"/)
      expect(fragment.body).toMatch(/^<p class="muted count">/)
      expect(fragment.headers.vary).toMatch(/HX-Request/)
      expect(listedIds(fragment.body, kind)).toEqual(listedIds(page.body, kind))

      for (const extra of [{ 'hx-history-restore-request': 'true' }, { 'hx-boosted': 'true' }] as Record<
        string,
        string
      >[]) {
        const full = await anon().get(path, { 'hx-request': 'true', ...extra })
        expect(full.body).toMatch(/^<!doctype html>/i)
      }
    })
  }
})

describe('lapsed listings leave the lists by themselves', () => {
  it('does not list a need whose expiry was yesterday, even before the sweep, and shows it as expired on its page', async () => {
    expect(needRow(app, n.expired)!.status).toBe('open') // the sweep has not run
    expect(await needIds('')).not.toContain(n.expired)
    expect(await needIds(`?area=${w.communityA.id}`)).not.toContain(n.expired)
    const page = await anon().get(`/needs/${n.expired}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('status-expired')
    expect(page.body).toContain(translate('zh-CN', 'status.expired'))
  })

  it('does not find a lapsed listing by text either, before the sweep', async () => {
    const lists = [
      ['/needs?q=过期', 'needs', n.expired],
      ['/offers?q=过期', 'offers', o.expired],
      ['/search?q=过期', 'needs', n.expired],
      ['/search?q=过期', 'offers', o.expired],
    ] as const
    for (const [url, kind, id] of lists) expect(listedIds((await anon().get(url)).body, kind), url).not.toContain(id)
    const api = (await anon().get('/api/v1/search?q=过期')).json() as {
      needs: { id: number }[]
      offers: { id: number }[]
    }
    expect(api.needs.map((x) => x.id)).not.toContain(n.expired)
    expect(api.offers.map((x) => x.id)).not.toContain(o.expired)
    const listed = (await anon().get('/api/v1/needs?q=过期')).json() as { items: { id: number }[] }
    expect(listed.items).toEqual([])
  })

  it('expireDue marks them expired and takes them out of the search index', async () => {
    expect(indexedIds(app, 'need')).toContain(n.expired)
    expect(indexedIds(app, 'offer')).toContain(o.expired)
    expect(needs.expireDue(app.db)).toBe(1)
    expect(offers.expireDue(app.db)).toBe(1)
    expect(needRow(app, n.expired)!.status).toBe('expired')
    expect(offerRow(app, o.expired)!.status).toBe('expired')
    expect(indexedIds(app, 'need')).not.toContain(n.expired)
    expect(indexedIds(app, 'offer')).not.toContain(o.expired)
    // Closed ones never were in it; open ones stay.
    expect(indexedIds(app, 'need')).not.toContain(n.closed)
    expect(indexedIds(app, 'need')).toContain(n.a1)
    expect(await needIds('?status=expired')).toEqual([n.expired])
    expect(needs.expireDue(app.db)).toBe(0)
  })
})
