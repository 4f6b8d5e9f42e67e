import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { makeApp, signedIn } from '../../helpers/app.js'
import { matcherWorld } from './scenario.js'
import { presenter } from '../../../src/matching/present.js'

let app: FastifyInstance
let w: Awaited<ReturnType<typeof matcherWorld>>
// Read-only checks share one district: building it (users, listings, six accepted matches) is the slow part.
beforeAll(async () => {
  app = await makeApp()
  w = await matcherWorld(app)
})
afterAll(async () => {
  await app?.close()
})

const EN = { 'accept-language': 'en-US,en;q=0.9' }
/** The ids of the ranked cards on a page, in the order shown. */
const cardIds = (html: string, kind: 'offer' | 'need') =>
  [...html.matchAll(new RegExp(`id="fit-${kind}-(\\d+)"`, 'g'))].map((m) => Number(m[1]))
/**
 * The ranking policies the demo need's offers show, each by a pair that differs in what the policy is about, so a
 * deliberate change of weights fails with the sentence it breaks rather than an array.
 */
function holdsNeedPolicies(ids: number[]) {
  const before = (a: number, b: number, policy: string) => {
    expect(ids, policy).toContain(a)
    expect(ids.indexOf(a), policy).toBeLessThan(ids.indexOf(b))
  }
  before(
    w.near.id,
    w.hall.id,
    'an offer covering all of the need in its own community ranks above one covering half from the district',
  )
  before(
    w.hall.id,
    w.street.id,
    'covering half of the need from the district outweighs covering a quarter from the same street',
  )
  before(w.street.id, w.twin1.id, 'of two offers in the same street, the one covering more of the need ranks higher')
  before(w.twin1.id, w.twin2.id, 'identical offers are ordered by id, the older first')
  expect(ids, 'every feasible offer is listed, and only those').toHaveLength(5)
}
/** The text of one ranked card. */
function card(html: string, kind: 'offer' | 'need', id: number): string {
  const start = html.indexOf(`id="fit-${kind}-${id}"`)
  expect(start, `card ${kind} ${id}`).toBeGreaterThan(0)
  const end = html.indexOf('</li>\n', html.indexOf('</ul>', start))
  return html.slice(start, end)
}
/** The reasons a card shows in words (the three strongest). */
const reasonsIn = (html: string) => {
  const list = html.slice(
    html.indexOf('<ul class="reasons">'),
    html.indexOf('</ul>', html.indexOf('<ul class="reasons">')),
  )
  return [...list.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1])
}

describe("a need's page", () => {
  it('ranks the feasible offers best first, each with a score and its reasons in Chinese', async () => {
    const res = await app.inject({ url: `/needs/${w.need.id}` })
    expect(res.statusCode).toBe(200)
    holdsNeedPolicies(cardIds(res.body, 'offer'))
    const best = card(res.body, 'offer', w.near.id)
    const all = (await app.inject({ url: `/api/v1/needs/${w.need.id}/matches` })).json().matches
    const nearFit = all.find((m: any) => m.offer.id === w.near.id)
    expect(best, 'the card shows the score the reasons add up to').toContain(
      `<span class="score" title="匹配度 ${nearFit.score}">${nearFit.score}</span>`,
    )
    // A leader reads the three strongest reasons, strongest first, in words: what both are about (the topic, not
    // the category's word), how much it covers, how near it is.
    const strongest = [...nearFit.reasons]
      .sort((a: any, b: any) => b.contribution - a.contribution)
      .slice(0, 3)
      .map((r: any) => r.text)
    expect(reasonsIn(best), 'the card names the three reasons that weigh most, strongest first').toEqual(strongest)
    expect(strongest, "what both are about is named by the topic, not the category's word").toContain(
      '同属主题：活动室/会议室',
    )
    const texts = (id: number) => all.find((m: any) => m.offer.id === id).reasons.map((r: any) => r.text)
    expect(texts(w.near.id)).toEqual(expect.arrayContaining(['双方周二和周四晚上都有空', '尚未获得过对接，优先考虑']))
    expect(texts(w.hall.id)).toEqual(expect.arrayContaining(['同一区', '可满足40小时中的50%']))
    expect(texts(w.street.id)).toEqual(expect.arrayContaining(['同一街道', '可满足40小时中的25%']))
    // Hard constraints are never traded for score: another category, and a venue for vouched groups only, are absent.
    expect(res.body).not.toContain(`fit-offer-${w.gated.id}"`)
    expect(res.body).not.toContain(`fit-offer-${w.funds.id}"`)
    expect(res.body).not.toContain('id="why-not"')
  })

  it('gives the same reasons in English when the browser asks for it', async () => {
    const res = await app.inject({ url: `/needs/${w.need.id}`, headers: EN })
    expect(res.statusCode).toBe(200)
    holdsNeedPolicies(cardIds(res.body, 'offer'))
    expect(reasonsIn(card(res.body, 'offer', w.near.id))).toContain('both about activity room / meeting room')
    const all = (await app.inject({ url: `/api/v1/needs/${w.need.id}/matches`, headers: EN })).json().matches
    // Every factor's reason, in the factors' order (weights.ts FACTORS), whatever their weights.
    expect(all.find((m: any) => m.offer.id === w.near.id).reasons.map((r: any) => r.text)).toEqual([
      'both about activity room / meeting room',
      'same community',
      'covers all 40 hours',
      'free on both Tuesday and Thursday evenings',
      'no date limits',
      'normal urgency',
      'no match received yet: first in line',
      'new resource holder',
    ])
    expect(all.find((m: any) => m.offer.id === w.hall.id).reasons.map((r: any) => r.text)).toContain(
      'covers 50% of 40 hours',
    )
  })

  it('shows its leader a request form per offer, a covering broker a propose form, and a visitor neither', async () => {
    const visitor = await app.inject({ url: `/needs/${w.need.id}` })
    expect(visitor.body).not.toContain(`action="/needs/${w.need.id}/requests"`)
    expect(visitor.body).not.toContain('action="/matches"')
    const leader = await signedIn(app, w.member.email)
    const mine = await leader.get(`/needs/${w.need.id}`)
    expect(mine.body.match(new RegExp(`action="/needs/${w.need.id}/requests"`, 'g'))).toHaveLength(5)
    // The quantity offered is what the offer can give, at most what is still needed.
    expect(card(mine.body, 'offer', w.hall.id)).toMatch(/name="quantity" value="20" min="1" max="20"/)
    expect(card(mine.body, 'offer', w.near.id)).toMatch(/name="quantity" value="40" min="1" max="40"/)
    const broker = await signedIn(app, w.broker.email)
    expect((await broker.get(`/needs/${w.need.id}`)).body.match(/action="\/matches"/g)).toHaveLength(5)
  })
})

describe("an offer's page", () => {
  it('ranks the needs it could serve with the under-resourced organization first, and says why', async () => {
    const res = await app.inject({ url: `/offers/${w.funds.id}` })
    expect(res.statusCode).toBe(200)
    // Two needs alike in every way but who posted them.
    expect(
      cardIds(res.body, 'need'),
      'an under-resourced group ranks above a well-supported one when all else is equal',
    ).toEqual([w.underResourced.id, w.wellSupported.id])
    // The favour is visible: among the under-resourced group's strongest reasons, not among the other's.
    expect(reasonsIn(card(res.body, 'need', w.underResourced.id))).toContain('尚未获得过对接，优先考虑')
    expect(reasonsIn(card(res.body, 'need', w.wellSupported.id))).not.toContain('已获较多支持（6次对接）')
    const api = (await app.inject({ url: `/api/v1/offers/${w.funds.id}/matches` })).json().needs
    expect(api[1].reasons.map((r: any) => r.text)).toContain('已获较多支持（6次对接）')
    const score = (id: number) => Number(card(res.body, 'need', id).match(/<span class="score"[^>]*>(\d+)</)![1])
    expect(score(w.underResourced.id)).toBeGreaterThan(score(w.wellSupported.id))

    const en = await app.inject({ url: `/offers/${w.funds.id}`, headers: EN })
    expect(reasonsIn(card(en.body, 'need', w.underResourced.id))).toContain('no match received yet: first in line')
    const apiEn = (await app.inject({ url: `/api/v1/offers/${w.funds.id}/matches`, headers: EN })).json().needs
    expect(apiEn[1].reasons.map((r: any) => r.text)).toContain('already well supported (6 matches)')
  })
})

describe('what a match page reads', () => {
  it("asks for the topics vocabulary's version once, naming the listing's topics and the reasons' alike", async () => {
    // Every ask of the vocabulary reads its version (memo.ts), a statement of its own on each page.
    const statement = Object.getPrototypeOf(app.sqlite.prepare('SELECT 1')) as { get: (...a: unknown[]) => unknown }
    const get = vi.spyOn(statement, 'get')
    try {
      for (const url of [`/needs/${w.need.id}`, `/offers/${w.funds.id}`]) {
        get.mockClear()
        expect((await app.inject({ url })).statusCode).toBe(200)
        const reads = get.mock.contexts.filter((st) => (st as { source: string }).source.includes("'topic_terms'"))
        expect(reads, url).toHaveLength(1)
      }
    } finally {
      get.mockRestore()
    }
  })

  it('reads the areas only when a line names one: reasons name none, a why-not unlock may', async () => {
    const AREAS_STAMP = /^SELECT ifnull\(\(SELECT version FROM memo_versions WHERE source = 'areas'\), ''\)$/
    // Naming every area for a page whose lines name none read their version (a statement) and named them all.
    const statement = Object.getPrototypeOf(app.sqlite.prepare('SELECT 1')) as { get: (...a: unknown[]) => unknown }
    const get = vi.spyOn(statement, 'get')
    try {
      for (const url of [`/needs/${w.need.id}`, `/offers/${w.funds.id}`]) {
        get.mockClear()
        const res = await app.inject({ url })
        expect(res.statusCode).toBe(200)
        expect(cardIds(res.body, url.startsWith('/needs') ? 'offer' : 'need').length, url).toBeGreaterThan(0)
        // The areas' own stamp (memo.ts stampOf), not the page's versions of what its remembered answers read.
        const reads = get.mock.contexts.filter((st) => AREAS_STAMP.test((st as { source: string }).source))
        expect(reads, url).toHaveLength(0)
      }
      const unlock = { key: 'whynot.unlock.area', params: { area: w.communityA.id, offers: 2, noun: 'funds' } }
      expect(presenter(app.db, 'en').message(unlock)).toBe(
        'hold it in Lizhiwan Community: 2 funding offers serve there',
      )
      expect(presenter(app.db, 'zh-CN').message(unlock)).toBe('改在荔枝湾社区开展：2笔资金服务该区域')
    } finally {
      get.mockRestore()
    }
  })
})

describe('why not', () => {
  it('says, for a need no offer can serve, which constraint rules out how many offers and what would unlock the most', async () => {
    const res = await app.inject({ url: `/needs/${w.stuck.id}` })
    expect(res.statusCode).toBe(200)
    expect(cardIds(res.body, 'offer')).toEqual([])
    const why = res.body.slice(
      res.body.indexOf('id="why-not"'),
      res.body.indexOf('</section>', res.body.indexOf('id="why-not"')),
    )
    expect(why).toContain('同类别共有 4 项开放资源')
    expect(why).toContain(
      '<li>2项培训的时间与需求时间不重合</li><li>1项培训不服务你所在的区域</li><li>1项培训要求组织经过担保或认证</li>',
    )
    expect(why).toContain('时间放宽到周二和周四晚上：2项培训变为可行')

    const en = await app.inject({ url: `/needs/${w.stuck.id}`, headers: EN })
    expect(en.body).toContain('2 training offers never meet your schedule')
    expect(en.body).toContain('1 training offer doesn&#x27;t serve your area')
    expect(en.body).toContain('1 training offer needs a vouched or endorsed organization')
    expect(en.body).toContain('widen to Tuesday and Thursday evenings: 2 training offers become feasible')
  })
})

describe('the matching API', () => {
  it("GET /api/v1/needs/:id/matches answers the issue's shape, best first", async () => {
    const res = await app.inject({ url: `/api/v1/needs/${w.need.id}/matches` })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/application\/json/)
    const body = res.json()
    expect(Object.keys(body).sort()).toEqual(['matches', 'need', 'why_not'])
    expect(body.need).toMatchObject({ id: w.need.id, category: 'venue', quantity: 40, unit: 'hours' })
    holdsNeedPolicies(body.matches.map((m: any) => m.offer.id))
    for (const m of body.matches) {
      expect(Object.keys(m).sort()).toEqual(['offer', 'reasons', 'score'])
      expect(Object.keys(m.offer).sort()).toEqual(['id', 'org', 'ref', 'title', 'topics'])
      expect(m.offer.org).toMatchObject({ name: w.orgB.name })
      expect(typeof m.score).toBe('number')
      for (const r of m.reasons) {
        expect(Object.keys(r).sort()).toEqual(['contribution', 'factor', 'text'])
        expect(r.contribution).toBeGreaterThan(0)
      }
      // Contributions are the score's parts.
      expect(Math.abs(m.reasons.reduce((s: number, r: any) => s + r.contribution, 0) - m.score)).toBeLessThanOrEqual(1)
    }
    const scores = body.matches.map((m: any) => m.score)
    expect(scores).toEqual([...scores].sort((a: number, b: number) => b - a))
    expect(body.matches[0].offer.title).toBe('荔枝湾活动室（可排练，有音响）')
    expect(body.matches[0].reasons.find((r: any) => r.factor === 'area').text).toBe('同一社区')
    expect(body.why_not).toEqual([])
  })

  it('speaks English on Accept-Language: en, and says why not for a stuck need', async () => {
    const en = (await app.inject({ url: `/api/v1/needs/${w.need.id}/matches`, headers: EN })).json()
    expect(en.matches[0].reasons.map((r: any) => r.text)).toContain('covers all 40 hours')
    const stuck = (await app.inject({ url: `/api/v1/needs/${w.stuck.id}/matches`, headers: EN })).json()
    expect(stuck.matches).toEqual([])
    expect(stuck.why_not).toEqual([
      { constraint: 'schedule', offers: 2, text: '2 training offers never meet your schedule' },
      { constraint: 'area', offers: 1, text: "1 training offer doesn't serve your area" },
      { constraint: 'trust', offers: 1, text: '1 training offer needs a vouched or endorsed organization' },
    ])
    expect(stuck.unlock).toEqual({
      constraint: 'schedule',
      offers: 2,
      text: 'widen to Tuesday and Thursday evenings: 2 training offers become feasible',
    })
  })

  it('GET /api/v1/offers/:id/matches answers the same shape with "needs"', async () => {
    const body = (await app.inject({ url: `/api/v1/offers/${w.funds.id}/matches` })).json()
    expect(Object.keys(body).sort()).toEqual(['needs', 'offer', 'why_not'])
    expect(body.offer).toMatchObject({ id: w.funds.id, category: 'funds', remaining: 20000, unit: 'yuan' })
    expect(body.needs.map((n: any) => n.need.id)).toEqual([w.underResourced.id, w.wellSupported.id])
    expect(Object.keys(body.needs[0].need).sort()).toEqual(['id', 'org', 'ref', 'title', 'topics'])
    expect(body.needs[0].need.org).toMatchObject({ name: '荔枝湾手工小组' })
    expect(body.needs[0].reasons.find((r: any) => r.factor === 'fairness').text).toBe('尚未获得过对接，优先考虑')
  })

  it('answers 404 for a need or offer that does not exist', async () => {
    expect((await app.inject({ url: '/api/v1/needs/99999/matches' })).statusCode).toBe(404)
    expect((await app.inject({ url: '/api/v1/offers/99999/matches' })).statusCode).toBe(404)
  })

  it('is deterministic: the same data gives the same ranking, reasons and why-not every time, and the page agrees', async () => {
    const urls = [
      `/api/v1/needs/${w.need.id}/matches`,
      `/api/v1/offers/${w.funds.id}/matches`,
      `/api/v1/needs/${w.stuck.id}/matches`,
    ]
    for (const url of urls) {
      const runs = await Promise.all([0, 1, 2].map(() => app.inject({ url })))
      expect(runs[1].body).toBe(runs[0].body)
      expect(runs[2].body).toBe(runs[0].body)
    }
    const api = (await app.inject({ url: urls[0] })).json()
    const page = await app.inject({ url: `/needs/${w.need.id}` })
    expect(cardIds(page.body, 'offer')).toEqual(api.matches.map((m: any) => m.offer.id))
  })
})
