import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import * as matches from '../../../src/brokering/matches.js'
import { makeApp, seedWorld, signedIn, type World } from '../../helpers/app.js'

/**
 * Issue 10's district in small: listings alike in category, area, schedule, trust, capacity and dates, different
 * only in what they are about, tagged by the write path from their own words (some in English).
 */
let app: FastifyInstance
let w: World
const ids: Record<string, number> = {}
beforeAll(async () => {
  app = await makeApp()
  w = await seedWorld(app)
  const need = (key: string, category: string, title: string, description = '') =>
    (ids[key] = needs.post(app.db, w.member, {
      orgId: w.orgA.id,
      category,
      title,
      description,
      quantity: 1,
      areaId: w.communityA.id,
    }).id)
  const offer = (key: string, category: string, title: string) =>
    (ids[key] = offers.post(app.db, w.other, {
      orgId: w.orgB.id,
      category,
      title,
      description: '',
      quantity: 5,
      servesAreaId: w.district.id,
    }).id)
  need('speaker', 'materials', '便携音响一台', '广场舞活动需要一台便携音响')
  offer('phones', 'materials', '捐赠旧智能手机')
  offer('desks', 'materials', '旧课桌椅捐赠')
  offer('summer', 'materials', '防暑降温物资包')
  offer('crafts', 'materials', '残障伙伴手工艺品')
  offer('bluetooth', 'materials', '出借蓝牙音箱')
  offer('pa', 'materials', 'Portable PA speaker to lend')
  need('smartphone', 'training', '长者智能手机使用培训')
  offer('finance', 'training', '社区骨干财务规范培训')
  offer('firstAid', 'training', '急救培训')
  offer('stories', 'training', '绘本讲读培训')
  need('english', 'volunteers', 'Volunteers to escort older residents to hospital appointments')
  offer('escort', 'volunteers', '陪诊志愿服务：陪长者去医院看病')
  offer('tutoring', 'volunteers', '大学生义务家教')
})
afterAll(async () => {
  await app?.close()
})

const matchesOf = async (needId: number, lang = 'zh-CN') =>
  (await app.inject({ url: `/api/v1/needs/${needId}/matches`, headers: { 'accept-language': lang } })).json()

describe('matches are about the same thing', () => {
  it('offers a speaker need only the speakers, in either language, never the same-category offers about other things', async () => {
    const body = await matchesOf(ids.speaker)
    expect(body.matches.map((m: { offer: { id: number } }) => m.offer.id).sort()).toEqual(
      [ids.bluetooth, ids.pa].sort(),
    )
    const relevance = body.matches[0].reasons.find((r: { factor: string }) => r.factor === 'relevance')
    // Named by the topic both are about, never by the category's word.
    expect(relevance.text).toBe('同属主题：音响设备')
    expect(relevance.text).not.toContain('物资')
    const en = await matchesOf(ids.speaker, 'en')
    expect(en.matches[0].reasons.find((r: { factor: string }) => r.factor === 'relevance').text).toBe(
      'both about sound equipment',
    )
  })

  it('serves needs for an offer by the same rule', async () => {
    const body = (await app.inject({ url: `/api/v1/offers/${ids.bluetooth}/matches` })).json()
    expect(body.needs.map((n: { need: { id: number } }) => n.need.id)).toEqual([ids.speaker])
    const phones = (await app.inject({ url: `/api/v1/offers/${ids.phones}/matches` })).json()
    expect(phones.needs).toEqual([])
  })

  it('finds a Chinese offer for an English need about the same thing, and not one about something else', async () => {
    const body = await matchesOf(ids.english, 'en')
    expect(body.matches.map((m: { offer: { id: number } }) => m.offer.id)).toEqual([ids.escort])
  })

  it('says why not when every training offer is about something else, naming what they are about', async () => {
    const zh = await matchesOf(ids.smartphone)
    expect(zh.matches).toEqual([])
    expect(zh.why_not).toEqual([
      { constraint: 'topic', offers: 3, text: '3项培训的内容不相关：财务规范、急救、讲故事与亲子阅读' },
    ])
    const en = await matchesOf(ids.smartphone, 'en')
    expect(en.why_not[0].constraint).toBe('topic')
    expect(en.why_not[0].text).toMatch(/^3 training offers are about other things: /)
    // The page says it in the same words.
    const page = (await app.inject({ url: `/needs/${ids.smartphone}`, headers: { 'accept-language': 'zh-CN' } })).body
    expect(page).toContain('<li>3项培训的内容不相关：财务规范、急救、讲故事与亲子阅读</li>')
  })

  it('refuses to open a match for a pair about different things', () => {
    expect(() =>
      matches.open(app.db, w.member, 'request', { needId: ids.speaker, offerId: ids.phones, quantity: 1 }),
    ).toThrow(/infeasible/)
  })
})

describe('reasons a person would say', () => {
  const card = (html: string, id: number) =>
    html.slice(html.indexOf(`id="fit-offer-${id}"`), html.indexOf('</li>\n', html.indexOf(`id="fit-offer-${id}"`) + 1))

  it('shows a leader the three strongest reasons in words, with no bare numbers and no score table', async () => {
    const leader = await signedIn(app, w.member.email)
    const html = card((await leader.get(`/needs/${ids.speaker}`)).body, ids.bluetooth)
    const reasons = [...html.slice(html.indexOf('<ul class="reasons">')).matchAll(/<li>([^<]*)<\/li>/g)].map(
      (m) => m[1],
    )
    expect(reasons).toHaveLength(3)
    expect(reasons).toContain('同属主题：音响设备')
    for (const r of reasons) expect(r).not.toMatch(/\d\.\d/)
    expect(html).not.toContain('score-table')
  })

  it('lets a broker open the full table: every factor, its points and the most it could give', async () => {
    const broker = await signedIn(app, w.broker.email)
    const html = card((await broker.get(`/needs/${ids.speaker}`)).body, ids.bluetooth)
    expect(html).toContain('<details class="score-detail"><summary>查看评分明细</summary>')
    const rows = [
      ...html.matchAll(
        /<tr data-factor="(\w+)"><th scope="row">([^<]*)<\/th><td>([^<]*)<\/td><td class="num">(\d+)<\/td><td class="num">(\d+)<\/td><\/tr>/g,
      ),
    ]
    expect(rows.map((r) => r[1])).toEqual([
      'relevance',
      'area',
      'coverage',
      'schedule',
      'dates',
      'urgency',
      'fairness',
      'track',
    ])
    expect(rows[0].slice(2, 6)).toEqual(['内容相关', '同属主题：音响设备', expect.any(String), '25'])
    const score = Number(html.match(/<span class="score"[^>]*>(\d+)<\/span>/)![1])
    expect(rows.reduce((s, r) => s + Number(r[4]), 0)).toBe(score)
    expect(rows.reduce((s, r) => s + Number(r[5]), 0)).toBe(100)
  })
})
