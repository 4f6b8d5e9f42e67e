import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import * as tokens from '../../../src/accounts/tokens.js'
import { count, makeApp } from '../../helpers/app.js'
import { brokerWorld, historyOf, matchRow, type BrokerWorld } from './world.js'

let app: FastifyInstance
let w: BrokerWorld
const token = {} as Record<'leader' | 'holder' | 'broker' | 'broker2' | 'stranger', string>

beforeAll(async () => {
  app = await makeApp()
  w = await brokerWorld(app)
  token.leader = tokens.issue(app.db, w.member.id, 'test')
  token.holder = tokens.issue(app.db, w.other.id, 'test')
  token.broker = tokens.issue(app.db, w.broker.id, 'test')
  token.broker2 = tokens.issue(app.db, w.broker2.id, 'test')
  token.stranger = tokens.issue(app.db, w.stranger.id, 'test')
})
afterAll(async () => {
  await app?.close()
})

const post = (url: string, payload: unknown, who?: keyof typeof token, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url,
    headers: { ...(who ? { authorization: `Bearer ${token[who]}` } : {}), 'accept-language': 'en', ...headers },
    payload: payload as object,
  })

/** A fresh pair every test: a need of org A (community A) and an offer of org B serving the district, the same topic. */
function pair(needQuantity = 10, offerQuantity = 20) {
  const need = needs.post(app.db, w.member, {
    orgId: w.orgA.id,
    category: 'venue',
    title: '排练场地',
    description: '每周排练需要室内场地',
    quantity: needQuantity,
    areaId: w.communityA.id,
  })
  const offer = offers.post(app.db, w.other, {
    orgId: w.orgB.id,
    category: 'venue',
    title: '社区活动室',
    description: '可借用的室内活动室',
    quantity: offerQuantity,
    servesAreaId: w.district.id,
  })
  return { need, offer }
}

describe('POST /api/v1/needs/:id/requests', () => {
  it("a leader requests an offer for their need: 201, the match, its location, and the holder's notice", async () => {
    const { need, offer } = pair()
    const notices = count(app, 'notifications')
    const res = await post(`/api/v1/needs/${need.id}/requests`, { offer: offer.id, quantity: 6 }, 'leader')
    expect(res.statusCode).toBe(201)
    const body = res.json()
    expect(body).toMatchObject({ need: need.id, offer: offer.id, quantity: 6, state: 'requested', origin: 'need_side' })
    expect(res.headers.location).toBe(`/api/v1/matches/${body.id}`)
    expect(matchRow(app, body.id).state).toBe('requested')
    expect(historyOf(app, body.id).map((h) => h.event)).toEqual(['request'])
    expect(count(app, 'notifications')).toBeGreaterThan(notices)
    // The holder can read it (and answer it) through the existing endpoints.
    const seen = await app.inject({
      method: 'GET',
      url: `/api/v1/matches/${body.id}`,
      headers: { authorization: `Bearer ${token.holder}` },
    })
    expect(seen.json().actions).toContain('accept')
  })

  it('refuses a malformed body with 400 naming the field, and a quantity over what is left with 422', async () => {
    const { need, offer } = pair(5, 20)
    const before = count(app, 'matches')
    for (const [payload, field] of [
      [{ quantity: 2 }, 'offer'],
      [{ offer: offer.id }, 'quantity'],
      [{ offer: 'x', quantity: 2 }, 'offer'],
      [{ offer: offer.id, quantity: 0 }, 'quantity'],
    ] as const) {
      const res = await post(`/api/v1/needs/${need.id}/requests`, payload, 'leader')
      expect(res.statusCode, JSON.stringify(payload)).toBe(400)
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field)
    }
    const tooMuch = await post(`/api/v1/needs/${need.id}/requests`, { offer: offer.id, quantity: 6 }, 'leader')
    expect(tooMuch.statusCode).toBe(422)
    expect(tooMuch.json().errors).toEqual([{ field: 'quantity', message: expect.stringContaining('5') }])
    expect(count(app, 'matches')).toBe(before)
  })

  it('answers 401 without a token and 404 for a need the caller does not lead, or one that does not exist', async () => {
    const { need, offer } = pair()
    const before = count(app, 'matches')
    expect((await post(`/api/v1/needs/${need.id}/requests`, { offer: offer.id, quantity: 1 })).statusCode).toBe(401)
    for (const who of ['stranger', 'holder', 'broker'] as const) {
      expect(
        (await post(`/api/v1/needs/${need.id}/requests`, { offer: offer.id, quantity: 1 }, who)).statusCode,
        who,
      ).toBe(404)
    }
    expect((await post('/api/v1/needs/999999/requests', { offer: offer.id, quantity: 1 }, 'leader')).statusCode).toBe(
      404,
    )
    expect((await post(`/api/v1/needs/${need.id}/requests`, { offer: 999999, quantity: 1 }, 'leader')).statusCode).toBe(
      404,
    )
    expect(count(app, 'matches')).toBe(before)
  })

  it('keeps the web rules: a second active request for the same pair, an offer that does not fit, a closed need → 409 in words', async () => {
    const { need, offer } = pair()
    expect(
      (await post(`/api/v1/needs/${need.id}/requests`, { offer: offer.id, quantity: 1 }, 'leader')).statusCode,
    ).toBe(201)
    const again = await post(`/api/v1/needs/${need.id}/requests`, { offer: offer.id, quantity: 1 }, 'leader')
    expect(again.statusCode).toBe(409)
    expect(again.json().errors[0].message).toMatch(/\S/)
    const funds = offers.post(app.db, w.other, {
      orgId: w.orgB.id,
      category: 'training',
      title: '手机培训',
      description: '智能手机使用培训',
      quantity: 10,
      servesAreaId: w.district.id,
    })
    expect(
      (await post(`/api/v1/needs/${need.id}/requests`, { offer: funds.id, quantity: 1 }, 'leader')).statusCode,
    ).toBe(409)
    const closed = pair()
    needs.close(app.db, w.member, closed.need.id, 'no_longer_needed')
    expect(
      (await post(`/api/v1/needs/${closed.need.id}/requests`, { offer: closed.offer.id, quantity: 1 }, 'leader'))
        .statusCode,
    ).toBe(409)
  })

  it('Idempotency-Key: a retried request answers with the same match and makes nothing more; another request under the key is refused', async () => {
    const { need, offer } = pair()
    const before = count(app, 'matches')
    const tries = await Promise.all(
      [1, 2, 3].map(() =>
        post(`/api/v1/needs/${need.id}/requests`, { offer: offer.id, quantity: 3 }, 'leader', {
          'idempotency-key': 'req-1',
        }),
      ),
    )
    expect(tries.map((r) => r.statusCode)).toEqual([201, 201, 201])
    expect(new Set(tries.map((r) => r.json().id)).size).toBe(1)
    expect(count(app, 'matches')).toBe(before + 1)
    const other = await post(`/api/v1/needs/${need.id}/requests`, { offer: offer.id, quantity: 4 }, 'leader', {
      'idempotency-key': 'req-1',
    })
    expect(other.statusCode).toBe(422)
    const bad = await post(`/api/v1/needs/${need.id}/requests`, { offer: offer.id, quantity: 4 }, 'leader', {
      'idempotency-key': 'not a key!',
    })
    expect(bad.statusCode).toBe(422)
    expect(bad.json().errors[0].field).toBe('Idempotency-Key')
    expect(count(app, 'matches')).toBe(before + 1)
  })
})

describe('POST /api/v1/offers/:id/pledges', () => {
  it("a holder pledges their offer to a need: 201, pledged, and the need's side can accept it through the API", async () => {
    const { need, offer } = pair()
    const res = await post(`/api/v1/offers/${offer.id}/pledges`, { need: need.id, quantity: 4 }, 'holder')
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({
      need: need.id,
      offer: offer.id,
      quantity: 4,
      state: 'pledged',
      origin: 'offer_side',
    })
    const accept = await post(`/api/v1/matches/${res.json().id}/transitions`, { event: 'accept' }, 'leader')
    expect(accept.json()).toMatchObject({ state: 'accepted' })
  })

  it('400 on a missing need, 404 for an offer the caller does not hold, 422 on a key reused differently', async () => {
    const { need, offer } = pair()
    expect((await post(`/api/v1/offers/${offer.id}/pledges`, { quantity: 1 }, 'holder')).statusCode).toBe(400)
    expect(
      (await post(`/api/v1/offers/${offer.id}/pledges`, { need: need.id, quantity: 1 }, 'leader')).statusCode,
    ).toBe(404)
    expect(
      (await post(`/api/v1/offers/${offer.id}/pledges`, { need: need.id, quantity: 1 }, 'stranger')).statusCode,
    ).toBe(404)
    const first = await post(`/api/v1/offers/${offer.id}/pledges`, { need: need.id, quantity: 1 }, 'holder', {
      'idempotency-key': 'pledge-1',
    })
    const again = await post(`/api/v1/offers/${offer.id}/pledges`, { need: need.id, quantity: 1 }, 'holder', {
      'idempotency-key': 'pledge-1',
    })
    expect([first.statusCode, again.statusCode]).toEqual([201, 201])
    expect(again.json().id).toBe(first.json().id)
    expect(
      (
        await post(`/api/v1/offers/${offer.id}/pledges`, { need: need.id, quantity: 2 }, 'holder', {
          'idempotency-key': 'pledge-1',
        })
      ).statusCode,
    ).toBe(422)
  })
})

describe("POST /api/v1/matches (a broker's proposal)", () => {
  it('the covering broker proposes a pair: 201, proposed, origin broker, the broker named on the match', async () => {
    const { need, offer } = pair()
    const res = await post('/api/v1/matches', { need: need.id, offer: offer.id, quantity: 5 }, 'broker')
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({ state: 'proposed', origin: 'broker', quantity: 5 })
    expect(matchRow(app, res.json().id).brokerId).toBe(w.broker.id)
  })

  it('403 for a member, 404 for a broker of another street, 400 on a missing field, 422 on too much', async () => {
    const { need, offer } = pair(3, 20)
    const before = count(app, 'matches')
    expect((await post('/api/v1/matches', { need: need.id, offer: offer.id, quantity: 1 }, 'leader')).statusCode).toBe(
      403,
    )
    expect((await post('/api/v1/matches', { need: need.id, offer: offer.id, quantity: 1 }, 'broker2')).statusCode).toBe(
      404,
    )
    expect((await post('/api/v1/matches', { need: need.id, offer: offer.id, quantity: 1 })).statusCode).toBe(401)
    const missing = await post('/api/v1/matches', { need: need.id, quantity: 1 }, 'broker')
    expect(missing.statusCode).toBe(400)
    expect(missing.json().errors[0].field).toBe('offer')
    expect((await post('/api/v1/matches', { need: need.id, offer: offer.id, quantity: 4 }, 'broker')).statusCode).toBe(
      422,
    )
    expect(count(app, 'matches')).toBe(before)
    const keyed = await Promise.all(
      [1, 2].map(() =>
        post('/api/v1/matches', { need: need.id, offer: offer.id, quantity: 2 }, 'broker', {
          'idempotency-key': 'prop-1',
        }),
      ),
    )
    expect(keyed[0].json().id).toBe(keyed[1].json().id)
    expect(count(app, 'matches')).toBe(before + 1)
  })
})
