import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { seedDemo } from '../../../src/demo/seed.js'
import * as accounts from '../../../src/accounts/accounts.js'
import * as tokens from '../../../src/accounts/tokens.js'
import { appKeepingBuilt } from '../../helpers/served.js'

// Response schemas make fast-json-stringify write the API's JSON, and it drops fields a schema forgets and coerces
// the ones it types wrongly (a null written as "" or 0). Every API route of listings, matching, brokering and
// /api/v1/me is called here over the demo district in its several states — drafts seen by their owner, closed and
// met listings, matches requested, accepted, delivered, with and without contacts, English and Chinese — and the
// JSON sent must equal what the handler built, as plain JSON.stringify would have written it.
let app: FastifyInstance
let call: Awaited<ReturnType<typeof appKeepingBuilt>>['call']
const auth: Record<string, Record<string, string>> = {}
const ids = (table: 'needs' | 'offers') =>
  app.sqlite.prepare(`SELECT id FROM ${table} ORDER BY id`).pluck().all() as number[]
let compared = 0

beforeAll(async () => {
  ;({ app, call } = await appKeepingBuilt())
  await seedDemo(app.db, { password: 'demo-password-for-json-tests' })
  for (const who of ['leader', 'holder', 'broker', 'admin']) {
    const user = accounts.findByEmail(app.db, `${who}@demo.assetbridge.cn`)!
    auth[who] = { authorization: `Bearer ${tokens.issue(app.db, user.id, 'json')}` }
  }
})
afterAll(() => app.close())

/** Calls, and holds the served JSON to the built one; answers the status and the JSON. */
async function same(opts: InjectOptions) {
  const { status, served, built } = await call(opts)
  if (status < 300) {
    expect(built, `${opts.method ?? 'GET'} ${opts.url} built nothing`).toBeDefined()
    expect(served, `${opts.method ?? 'GET'} ${opts.url}`).toStrictEqual(built)
    compared++
  }
  return { status, body: served as any }
}
const as = (who: string | null, lang = 'zh-CN') => ({ ...(who ? auth[who] : {}), 'accept-language': lang })

describe('API JSON is what the handlers built', () => {
  it('reads: lists, filters, pages, HSDS, search, every listing and its matches, for a visitor and owners', async () => {
    for (const lang of ['zh-CN', 'en']) {
      for (const url of [
        '/api/v1/needs?per_page=100',
        '/api/v1/needs?urgency=high&page=1&per_page=5',
        '/api/v1/offers?per_page=100',
        '/api/v1/offers?category=venue',
        '/api/v1/hsds/services',
        `/api/v1/hsds/services?lang=en&per_page=3&page=2`,
        '/api/v1/search?q=场地',
        '/api/v1/search?q=zzzz-nothing',
        '/api/v1/needs?page=999',
      ]) {
        expect((await same({ url, headers: as(null, lang) })).status).toBe(200)
      }
    }
    let withUnlock = 0,
      withMatches = 0
    for (const who of [null, 'leader', 'holder']) {
      for (const id of ids('needs')) {
        await same({ url: `/api/v1/needs/${id}`, headers: as(who) })
        const { status, body } = await same({ url: `/api/v1/needs/${id}/matches`, headers: as(who, 'en') })
        if (status === 200 && body.unlock) withUnlock++
        if (status === 200 && body.matches.length) withMatches++
      }
      for (const id of ids('offers')) {
        await same({ url: `/api/v1/offers/${id}`, headers: as(who) })
        await same({ url: `/api/v1/offers/${id}/matches`, headers: as(who) })
      }
    }
    expect(withMatches).toBeGreaterThan(10)
    expect(withUnlock).toBeGreaterThan(0)
  })

  it('matches in every state, with and without contacts, and /api/v1/me for everyone', async () => {
    const states = new Set<string>()
    for (const who of ['leader', 'holder', 'broker', 'admin']) {
      expect((await same({ url: '/api/v1/me', headers: as(who) })).status).toBe(200)
      const { body } = await same({ url: '/api/v1/matches', headers: as(who) })
      for (const m of body.items) {
        const { status, body: one } = await same({ url: `/api/v1/matches/${m.id}`, headers: as(who, 'en') })
        expect(status).toBe(200)
        states.add(`${one.state}${one.contacts ? '+contacts' : ''}`)
      }
    }
    expect(states).toContain('requested')
    expect(states).toContain('accepted+contacts')
    expect(states).toContain('delivered+contacts')
  })

  it('writes: listings posted, edited and closed; matches requested, pledged, proposed and moved; an allocation', async () => {
    const leader = accounts.load(app.db, accounts.findByEmail(app.db, 'leader@demo.assetbridge.cn')!.id)!
    const area = app.sqlite.prepare("SELECT id FROM areas WHERE ref = 'HB-DH-LZW'").pluck().get() as number
    const need = {
      org_id: leader.orgIds[0],
      category: 'venue',
      title: '接口发布的排练场地',
      quantity: 6,
      area_id: area,
      beneficiaries: 12,
    }
    const posted = await same({ method: 'POST', url: '/api/v1/needs', headers: as('leader'), payload: need })
    expect(posted.status).toBe(201)
    const draft = await same({
      method: 'POST',
      url: '/api/v1/needs',
      headers: as('leader'),
      payload: { ...need, draft: true, topics: [] },
    })
    expect(draft.status).toBe(201)
    const put = await same({
      method: 'PUT',
      url: `/api/v1/needs/${posted.body.id}`,
      headers: as('leader', 'en'),
      payload: { ...need, place: '礼堂', version: 1, from: '2027-01-01' },
    })
    expect(put.status).toBe(200)
    expect(
      (
        await same({
          method: 'POST',
          url: `/api/v1/needs/${draft.body.id}/closure`,
          headers: as('leader'),
          payload: { reason: 'duplicate' },
        })
      ).status,
    ).toBe(200)

    const offer = {
      org_id: leader.orgIds[0],
      category: 'venue',
      title: '接口提供的活动室',
      quantity: 3,
      serves_area_id: area,
      focus: ['elderly'],
      min_trust: 'vouched',
    }
    const o = await same({ method: 'POST', url: '/api/v1/offers', headers: as('leader'), payload: offer })
    expect(o.status).toBe(201)
    expect(
      (
        await same({
          method: 'PUT',
          url: `/api/v1/offers/${o.body.id}`,
          headers: as('leader'),
          payload: { ...offer, version: 1, until: '2027-06-30' },
        })
      ).status,
    ).toBe(200)
    expect(
      (
        await same({
          method: 'POST',
          url: `/api/v1/offers/${o.body.id}/closure`,
          headers: as('leader'),
          payload: { reason: 'met_elsewhere' },
        })
      ).status,
    ).toBe(200)

    // Opening matches: the leader requests the best offer for each of their needs until one is taken, then withdraws it.
    const opened: Record<string, number> = {}
    for (const id of ids('needs')) {
      const { body } = await same({ url: `/api/v1/needs/${id}/matches`, headers: as('leader') })
      const top = body.matches?.[0]
      if (!top) continue
      if (!opened.request) {
        const r = await same({
          method: 'POST',
          url: `/api/v1/needs/${id}/requests`,
          headers: { ...as('leader'), 'idempotency-key': `k-${id}` },
          payload: { offer: top.offer.id, quantity: 1 },
        })
        if (r.status === 201) opened.request = r.body.id
      }
      if (!opened.propose) {
        const p = await same({
          method: 'POST',
          url: '/api/v1/matches',
          headers: as('broker'),
          payload: { need: id, offer: top.offer.id, quantity: 1 },
        })
        if (p.status === 201) opened.propose = p.body.id
      }
    }
    const holder = accounts.load(app.db, accounts.findByEmail(app.db, 'holder@demo.assetbridge.cn')!.id)!
    for (const id of app.sqlite
      .prepare(`SELECT id FROM offers WHERE org_id IN (${holder.orgIds.join(',')}) ORDER BY id`)
      .pluck()
      .all() as number[]) {
      const { body } = await same({ url: `/api/v1/offers/${id}/matches`, headers: as('holder') })
      const p =
        body.needs?.[0] &&
        (await same({
          method: 'POST',
          url: `/api/v1/offers/${id}/pledges`,
          headers: as('holder'),
          payload: { need: body.needs[0].need.id, quantity: 1 },
        }))
      if (p?.status === 201) {
        opened.pledge = p.body.id
        break
      }
    }
    expect(Object.keys(opened).sort()).toEqual(['pledge', 'propose', 'request'])
    expect(
      (
        await same({
          method: 'POST',
          url: `/api/v1/matches/${opened.request}/transitions`,
          headers: as('leader'),
          payload: { event: 'withdraw' },
        })
      ).status,
    ).toBe(200)
    const waiting = (await same({ url: '/api/v1/matches', headers: as('holder') })).body.items.find(
      (m: { state: string }) => m.state === 'requested',
    )
    expect(
      (
        await same({
          method: 'POST',
          url: `/api/v1/matches/${waiting.id}/transitions`,
          headers: as('holder'),
          payload: { event: 'accept' },
        })
      ).status,
    ).toBe(200)
    const delivered = await same({
      method: 'POST',
      url: `/api/v1/matches/${waiting.id}/transitions`,
      headers: as('holder'),
      payload: { event: 'deliver', quantity: 1 },
    })
    expect(delivered.body).toMatchObject({ state: 'delivered', delivered_quantity: 1 })

    for (const payload of [undefined, {}, { area: 'HB-DH' }, { category: 'venue' }]) {
      const run = await same({
        method: 'POST',
        url: '/api/v1/allocations',
        headers: as('broker', 'en'),
        ...(payload ? { payload } : {}),
      })
      expect(run.status).toBe(201)
    }
    expect(compared).toBeGreaterThan(300)
  })
})
