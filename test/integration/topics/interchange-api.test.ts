import { describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import * as interchange from '../../../src/interchange/interchange.js'
import * as tokens from '../../../src/accounts/tokens.js'
import { appForTest, seedWorld, type World } from '../../helpers/app.js'
import { needRow } from '../listings/world.js'
import { addTestTopics } from './world.js'

const T = new Date('2026-12-01T04:00:00Z')

/** A ledger over the world's areas and orgs (given refs here), in the materials category. */
function ledger(needs: object[], offers: object[] = []) {
  return {
    format: interchange.FORMAT,
    areas: [
      { ref: 'D', name: '河滨区', parent: null },
      { ref: 'S', name: '东湖街道', parent: 'D' },
      { ref: 'C', name: '荔枝湾社区', parent: 'S' },
    ],
    organizations: [
      { ref: 'org-a', name: '荔枝湾陶艺社', kind: 'community_group', area: 'C', registered: false, focus: [] },
    ],
    needs: needs.map((n) => ({
      org: 'org-a',
      category: 'materials',
      quantity: 1,
      area: 'C',
      expires: '2027-03-01',
      ...n,
    })),
    offers: offers.map((o) => ({
      org: 'org-a',
      category: 'materials',
      quantity: 1,
      serves: 'S',
      expires: '2027-03-01',
      ...o,
    })),
  }
}
const byRef = (app: FastifyInstance, ref: string) =>
  app.sqlite.prepare('SELECT id FROM needs WHERE ref = ?').pluck().get(ref) as number

describe('topics in the interchange format', () => {
  it('takes topics a ledger gives as chosen, infers them when absent, and exports only the chosen ones; a round trip changes nothing', async () => {
    const app = await appForTest()
    const w = await seedWorld(app)
    const { kiln, knitting } = addTestTopics(app, w)
    interchange.importLedger(
      app.db,
      ledger([
        { ref: 'n-given', title: '借一台电窑', topics: [knitting, knitting] },
        { ref: 'n-inferred', title: '借一台电窑', description: '烧制陶艺作品' },
      ]),
      { by: 'operator', now: T },
    )
    expect(needRow(app, byRef(app, 'n-given'))).toMatchObject({ topics: [knitting], topicsConfirmed: true })
    expect(needRow(app, byRef(app, 'n-inferred'))!.topics).toContain(kiln)
    expect(needRow(app, byRef(app, 'n-inferred'))!.topicsConfirmed).toBe(false)

    const exported = interchange.exportLedger(app.db, { by: 'operator' })
    const given = exported.needs!.find((n) => n.ref === 'n-given')!
    const inferred = exported.needs!.find((n) => n.ref === 'n-inferred')!
    expect(given.topics).toEqual([knitting])
    expect(inferred.topics).toBeUndefined()
    // CSV carries them as a ;-separated cell.
    expect(interchange.toCsv(exported)['needs.csv']).toContain(knitting)

    const again = interchange.importLedger(app.db, exported, { by: 'operator', now: T })
    expect(again.needs).toEqual({ created: 0, updated: 0, unchanged: 2 })
    // Absent on an update keeps what was chosen, as for any other absent field.
    const { topics: _dropped, ...withoutTopics } = given
    const kept = interchange.importLedger(app.db, { ...exported, needs: [withoutTopics] }, { by: 'operator', now: T })
    expect(kept.needs.unchanged).toBe(1)
    expect(needRow(app, byRef(app, 'n-given'))).toMatchObject({ topics: [knitting], topicsConfirmed: true })
  })

  it('refuses the whole file for a topic the category does not have, or a code that is not one, naming each', async () => {
    const app = await appForTest()
    const w = await seedWorld(app)
    const { kiln } = addTestTopics(app, w)
    let problems: string[] = []
    try {
      interchange.importLedger(
        app.db,
        ledger(
          [
            { ref: 'n-1', title: '借一台电窑', topics: [kiln] },
            { ref: 'n-2', title: '排练场地', category: 'venue', topics: [kiln] },
          ],
          [{ ref: 'o-1', title: '出借电窑', topics: ['Not A Code'] }],
        ),
        { by: 'operator', now: T },
      )
    } catch (err) {
      if (!(err instanceof interchange.LedgerRejected)) throw err
      problems = err.problems.map((p) => interchange.locate(p))
    }
    expect(problems.sort()).toEqual(['needs[n-2].topics', 'offers[o-1].topics'])
    expect(app.sqlite.prepare('SELECT count(*) FROM needs').pluck().get()).toBe(0)
  })
})

async function apiWorld() {
  const app = await appForTest()
  const w = await seedWorld(app)
  const t = addTestTopics(app, w)
  const token = tokens.issue(app.db, w.member.id, 'tests')
  const send = (method: 'POST' | 'PUT', url: string, payload: object, lang = 'zh-CN') =>
    app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}`, 'accept-language': lang } })
  const get = async (url: string, lang = 'zh-CN') =>
    (await app.inject({ url, headers: { 'accept-language': lang } })).json() as any
  return { app, w, ...t, send, get }
}
const apiNeed = (w: World, over: object = {}) => ({
  org_id: w.orgA.id,
  category: 'materials',
  title: '借一台电窑',
  quantity: 1,
  area_id: w.communityA.id,
  ...over,
})

describe('topics in the JSON API', () => {
  it("writes chosen topics, infers absent ones, and answers topics as { code, name } in the caller's language", async () => {
    const { w, kiln, knitting, send, get } = await apiWorld()
    const chosen = await send('POST', '/api/v1/needs', apiNeed(w, { topics: [knitting] }), 'en')
    expect(chosen.statusCode, chosen.body).toBe(201)
    expect(chosen.json().topics).toEqual([{ code: knitting, name: 'Knitting yarn' }])
    const inferred = await send('POST', '/api/v1/needs', apiNeed(w, { description: '烧制陶艺' }))
    expect(inferred.json().topics).toContainEqual({ code: kiln, name: '陶艺窑炉' })

    const one = await get(`/api/v1/needs/${chosen.json().id}`)
    expect(one.topics).toEqual([{ code: knitting, name: '毛线编织' }])
    const list = await get(`/api/v1/needs?topic=${kiln}`, 'en')
    expect(list.items.map((i: { id: number }) => i.id)).toEqual([inferred.json().id])
    expect(list.items[0].topics).toContainEqual({ code: kiln, name: 'Pottery kiln' })

    // A PUT that says nothing of topics keeps the chosen ones; one that names another category's topic is told.
    const put = await send('PUT', `/api/v1/needs/${chosen.json().id}`, apiNeed(w, { title: '毛线和电窑', version: 1 }))
    expect(put.json().topics.map((t: { code: string }) => t.code)).toEqual([knitting])
    const wrong = await send('POST', '/api/v1/needs', apiNeed(w, { category: 'venue', topics: [kiln] }))
    expect(wrong.statusCode).toBe(422)
    expect(wrong.json().errors).toContainEqual(expect.objectContaining({ field: 'topics' }))
    const malformed = await send('POST', '/api/v1/offers', {
      org_id: w.orgA.id,
      category: 'materials',
      title: '电窑',
      quantity: 1,
      serves_area_id: w.streetA.id,
      topics: ['Not A Code'],
    })
    expect(malformed.statusCode).toBe(400)
  })

  it('gives matches and the listing they are for their topics', async () => {
    const { app, w, kiln, send, get } = await apiWorld()
    const need = (await send('POST', '/api/v1/needs', apiNeed(w, { topics: [kiln] }))).json()
    const offerToken = tokens.issue(app.db, w.other.id, 'tests')
    const offer = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/offers',
        headers: { authorization: `Bearer ${offerToken}` },
        payload: {
          org_id: w.orgB.id,
          category: 'materials',
          title: '出借电窑',
          quantity: 1,
          serves_area_id: w.district.id,
          topics: [kiln],
        },
      })
    ).json()
    const found = await get(`/api/v1/needs/${need.id}/matches`, 'en')
    expect(found.need.topics).toEqual([{ code: kiln, name: 'Pottery kiln' }])
    expect(found.matches.map((m: { offer: { id: number } }) => m.offer.id)).toContain(offer.id)
    expect(found.matches.find((m: { offer: { id: number } }) => m.offer.id === offer.id).offer.topics).toEqual([
      { code: kiln, name: 'Pottery kiln' },
    ])
    const reverse = await get(`/api/v1/offers/${offer.id}/matches`)
    expect(reverse.offer.topics).toEqual([{ code: kiln, name: '陶艺窑炉' }])
    expect(reverse.needs.find((m: { need: { id: number } }) => m.need.id === need.id).need.topics).toEqual([
      { code: kiln, name: '陶艺窑炉' },
    ])
  })
})
