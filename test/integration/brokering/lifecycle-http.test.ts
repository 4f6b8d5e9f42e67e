/**
 * A match's moves through the pages: request and accept, cancel and deliver, its history, the moves that are not
 * allowed, and retried requests. The API's view of a match and its thread are matches-api.test.ts.
 */
import type { FastifyInstance } from 'fastify'
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { events, feedback } from '../../../src/db/schema.js'
import * as tokens from '../../../src/accounts/tokens.js'
import { count, makeApp, signedIn, type Browser, type Res } from '../../helpers/app.js'
import {
  brokerWorld,
  freshListings,
  matchIdFrom,
  historyOf,
  matchRow,
  needRow,
  offerRow,
  reservedFor,
  reservedOn,
  type BrokerWorld,
} from './world.js'

let app: FastifyInstance
let w: BrokerWorld
let leader: Browser, holder: Browser, broker: Browser
beforeAll(async () => {
  app = await makeApp()
  w = await brokerWorld(app)
  ;[leader, holder, broker] = await Promise.all([
    signedIn(app, w.member.email),
    signedIn(app, w.other.email),
    signedIn(app, w.broker.email),
  ])
})
afterAll(async () => {
  await app?.close()
})

const listings = (needQty: number, ...offerQtys: number[]) => freshListings(app, w, needQty, ...offerQtys)

const request = (needId: number, offerId: number, quantity: number, idem?: string) =>
  leader.post(`/needs/${needId}/requests`, { offerId, quantity, idem })
const move = (who: Browser, id: number, event: string, form: Record<string, string | number> = {}) =>
  who.post(`/matches/${id}/transitions`, { event, ...form })
const expectDone = (res: Res, id: number) => {
  expect(res.statusCode, res.body.slice(res.body.indexOf('role="alert"'), res.body.indexOf('role="alert"') + 300)).toBe(
    303,
  )
  expect(res.headers.location).toBe(`/matches/${id}`)
}

describe('request → accept', () => {
  it('reserves on both sides at once on acceptance, and the need turns partly met, then met, by itself', async () => {
    const {
      need,
      offers: [a, b],
    } = listings(10, 20, 20)
    const first = matchIdFrom(await request(need.id, a.id, 4))
    expect(matchRow(app, first)).toMatchObject({
      state: 'requested',
      origin: 'need_side',
      quantity: 4,
      proposedBy: w.member.id,
    })
    // A request reserves nothing yet.
    expect([needRow(app, need.id).remaining, offerRow(app, a.id).remaining]).toEqual([10, 20])

    expectDone(await move(holder, first, 'accept'), first)
    expect(matchRow(app, first).state).toBe('accepted')
    expect(needRow(app, need.id)).toMatchObject({ remaining: 6, status: 'partly_met' })
    expect(offerRow(app, a.id).remaining).toBe(16)
    // The need's page says so.
    expect((await leader.get(`/needs/${need.id}`)).body).toMatch(/6[^<]*10/)

    const second = matchIdFrom(await request(need.id, b.id, 6))
    expectDone(await move(holder, second, 'accept'), second)
    expect(needRow(app, need.id)).toMatchObject({ remaining: 0, status: 'met' })
    expect([offerRow(app, a.id).remaining, offerRow(app, b.id).remaining]).toEqual([16, 14])
    expect(reservedFor(app, need.id)).toBe(10)
  })

  it('adds up an offer serving several needs', async () => {
    const {
      need: n1,
      offers: [offer],
    } = listings(10, 20)
    const { need: n2 } = listings(8)
    const m1 = matchIdFrom(await request(n1.id, offer.id, 10))
    const m2 = matchIdFrom(await request(n2.id, offer.id, 8))
    expectDone(await move(holder, m1, 'accept'), m1)
    expectDone(await move(holder, m2, 'accept'), m2)
    expect(offerRow(app, offer.id).remaining).toBe(2)
    expect(reservedOn(app, offer.id)).toBe(18)
    expect([needRow(app, n1.id).status, needRow(app, n2.id).status]).toEqual(['met', 'met'])
  })

  it('refuses to accept more than is left, with a clear message, and reserves nothing', async () => {
    const {
      need: n1,
      offers: [offer],
    } = listings(10, 12)
    const { need: n2 } = listings(10)
    const m1 = matchIdFrom(await request(n1.id, offer.id, 10))
    const m2 = matchIdFrom(await request(n2.id, offer.id, 10))
    expectDone(await move(holder, m1, 'accept'), m1)
    const refused = await move(holder, m2, 'accept')
    expect(refused.statusCode).toBe(409)
    expect(refused.body).toContain('资源的剩余容量已被其他对接占用，无法再接受。')
    expect(matchRow(app, m2).state).toBe('requested')
    expect([offerRow(app, offer.id).remaining, needRow(app, n2.id).remaining]).toEqual([2, 10])
  })
})

describe('cancel and deliver', () => {
  it('releases the reserved quantity on cancellation, with a reason code, and the need reopens', async () => {
    const {
      need,
      offers: [offer],
    } = listings(10, 20)
    const id = matchIdFrom(await request(need.id, offer.id, 10))
    expectDone(await move(holder, id, 'accept'), id)
    expect(needRow(app, need.id).status).toBe('met')
    // A reason is required, and must be one of the codes.
    const bare = await move(leader, id, 'cancel')
    expect(bare.statusCode).toBe(409)
    expect(bare.body).toContain('请选择一个原因。')
    expect((await move(leader, id, 'cancel', { reason: 'because' })).statusCode).toBe(422)
    expect(matchRow(app, id).state).toBe('accepted')

    expectDone(await move(leader, id, 'cancel', { reason: 'met_elsewhere' }), id)
    expect(matchRow(app, id)).toMatchObject({ state: 'cancelled', reason: 'met_elsewhere' })
    expect(needRow(app, need.id)).toMatchObject({ remaining: 10, status: 'open' })
    expect(offerRow(app, offer.id).remaining).toBe(20)
    expect(reservedOn(app, offer.id)).toBe(0)
  })

  it('releases the rest when less is delivered than was reserved', async () => {
    const {
      need,
      offers: [offer],
    } = listings(10, 20)
    const id = matchIdFrom(await request(need.id, offer.id, 8))
    expectDone(await move(holder, id, 'accept'), id)
    expect([needRow(app, need.id).remaining, offerRow(app, offer.id).remaining]).toEqual([2, 12])
    // More than was reserved is refused.
    expect((await move(holder, id, 'deliver', { quantity: 9 })).statusCode).toBe(422)
    expectDone(await move(holder, id, 'deliver', { quantity: 5 }), id)
    expect(matchRow(app, id)).toMatchObject({ state: 'delivered', quantity: 8, deliveredQuantity: 5 })
    expect(needRow(app, need.id)).toMatchObject({ remaining: 5, status: 'partly_met' })
    expect(offerRow(app, offer.id).remaining).toBe(15)
    expect(reservedOn(app, offer.id)).toBe(5)
    expect(reservedFor(app, need.id)).toBe(5)
  })

  it('reaches "reviewed" once both sides have left feedback; the broker cannot rate', async () => {
    const {
      need,
      offers: [offer],
    } = listings(5, 5)
    const id = matchIdFrom(await request(need.id, offer.id, 5))
    expectDone(await move(holder, id, 'accept'), id)
    expectDone(await move(broker, id, 'deliver', { quantity: 5 }), id)
    expect((await move(broker, id, 'review', { rating: 5 })).statusCode).toBe(409)
    expectDone(await move(leader, id, 'review', { rating: 5, comment: '场地很好，谢谢！' }), id)
    expect(matchRow(app, id).state).toBe('delivered')
    const twice = await move(leader, id, 'review', { rating: 1 })
    expect(twice.statusCode).toBe(409)
    expect(twice.body).toContain('您已经评价过了。')
    expectDone(await move(holder, id, 'review', { rating: 4 }), id)
    expect(matchRow(app, id).state).toBe('reviewed')
    const given = app.db.select().from(feedback).where(eq(feedback.matchId, id)).all()
    expect(given.map((f) => [f.side, f.rating, f.authorId]).sort()).toEqual([
      ['need', 5, w.member.id],
      ['offer', 4, w.other.id],
    ])
  })
})

describe('history', () => {
  it('keeps every move, who made it, when and why, on the page and in the append-only logs', async () => {
    const {
      need,
      offers: [offer],
    } = listings(6, 6)
    const id = matchIdFrom(await request(need.id, offer.id, 6))
    expectDone(await move(holder, id, 'accept'), id)
    expectDone(await move(holder, id, 'cancel', { reason: 'unresponsive' }), id)
    const rows = historyOf(app, id)
    expect(rows.map((r) => [r.event, r.fromState, r.toState, r.actorId, r.reason])).toEqual([
      ['request', null, 'requested', w.member.id, null],
      ['accept', 'requested', 'accepted', w.other.id, null],
      ['cancel', 'accepted', 'cancelled', w.other.id, 'unresponsive'],
    ])
    const logged = app.db
      .select()
      .from(events)
      .where(and(eq(events.subjectType, 'match'), eq(events.subjectId, id)))
      .all()
    expect(logged.map((e) => e.action)).toEqual(['match.request', 'match.accept', 'match.cancel'])
    expect(logged[2].data).toEqual({ from: 'accepted', to: 'cancelled' })

    const page = await leader.get(`/matches/${id}`)
    const history = page.body.slice(
      page.body.indexOf('<ol class="history">'),
      page.body.indexOf('</ol>', page.body.indexOf('<ol class="history">')),
    )
    expect(history.match(/<li>/g)).toHaveLength(3)
    expect(history).toMatch(/Member · 申请 → 已申请/)
    expect(history).toMatch(/Other · 接受 → 已接受/)
    expect(history).toMatch(/Other · 取消 → 已取消 \(对方无回应\)/)
    // Append-only: neither log can be rewritten.
    expect(() => app.sqlite.prepare('UPDATE match_events SET reason = NULL WHERE match_id = ?').run(id)).toThrow(
      /append-only/,
    )
    expect(() =>
      app.sqlite.prepare("DELETE FROM events WHERE subject_type = 'match' AND subject_id = ?").run(id),
    ).toThrow(/append-only/)
  })
})

describe('moves that are not allowed', () => {
  it('answers 409 with a clear message and changes nothing', async () => {
    const {
      need,
      offers: [offer],
    } = listings(3, 3)
    const id = matchIdFrom(await request(need.id, offer.id, 3))
    // The leader cannot accept their own request.
    const own = await move(leader, id, 'accept')
    expect(own.statusCode).toBe(409)
    expect(own.body).toContain('这一步应由另一方来操作。')
    expectDone(await move(holder, id, 'decline', { reason: 'out_of_scope' }), id)
    // Nothing moves a declined match any more.
    const late = await move(holder, id, 'accept')
    expect(late.statusCode).toBe(409)
    expect(late.body).toContain('对接当前的状态不允许这样操作，请刷新页面查看最新进展。')
    // htmx gets the actions fragment with the message in it, not a whole page.
    const fragment = await holder.post(
      `/matches/${id}/transitions`,
      { event: 'accept' },
      { headers: { 'hx-request': 'true' } },
    )
    expect(fragment.statusCode).toBe(409)
    expect(fragment.body).not.toMatch(/<html/)
    expect(fragment.body).toContain('id="match-actions"')
    expect(fragment.body).toContain('对接当前的状态不允许这样操作')
    expect(matchRow(app, id)).toMatchObject({ state: 'declined', reason: 'out_of_scope' })
    expect([needRow(app, need.id).remaining, offerRow(app, offer.id).remaining]).toEqual([3, 3])
    expect(historyOf(app, id)).toHaveLength(2)
  })

  it('refuses a second active match on the same pair', async () => {
    const {
      need,
      offers: [offer],
    } = listings(3, 3)
    matchIdFrom(await request(need.id, offer.id, 1))
    const again = await request(need.id, offer.id, 2)
    expect(again.statusCode).toBe(409)
    expect(again.body).toMatch(/这对需求和资源已有进行中的对接（#\d+）。/)
  })
})

describe('retries', () => {
  it('a double-submitted request form (same idem key) opens one match', async () => {
    const {
      need,
      offers: [offer],
    } = listings(4, 4)
    const before = count(app, 'matches')
    const [a, b] = await Promise.all([
      request(need.id, offer.id, 2, 'req-key-1'),
      request(need.id, offer.id, 2, 'req-key-1'),
    ])
    expect(matchIdFrom(a)).toBe(matchIdFrom(b))
    expect(count(app, 'matches')).toBe(before + 1)
  })

  it('a retried acceptance (same idem key) accepts once, reserves once, and logs once', async () => {
    const {
      need,
      offers: [offer],
    } = listings(4, 4)
    const id = matchIdFrom(await request(need.id, offer.id, 4))
    const events0 = count(app, 'events'),
      history0 = historyOf(app, id).length
    const tries = await Promise.all([1, 2, 3].map(() => move(holder, id, 'accept', { idem: 'accept-key-1' })))
    for (const r of tries) expectDone(r, id)
    expect(matchRow(app, id).state).toBe('accepted')
    expect([needRow(app, need.id).remaining, offerRow(app, offer.id).remaining]).toEqual([0, 0])
    expect(historyOf(app, id).length).toBe(history0 + 1)
    expect(count(app, 'events')).toBe(events0 + 1)
    // The same action without the key is a new attempt, and the state machine refuses it.
    expect((await move(holder, id, 'accept')).statusCode).toBe(409)
  })

  it("one user's key is not another's: both act when two callers happen to choose the same key", async () => {
    const {
      need,
      offers: [offer],
    } = listings(4, 4)
    const id = matchIdFrom(await request(need.id, offer.id, 4, 'shared-key'))
    const holderToken = tokens.issue(app.db, w.other.id, 'same-key'),
      leaderToken = tokens.issue(app.db, w.member.id, 'same-key')
    const call = (token: string, payload: object) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/matches/${id}/transitions`,
        headers: { authorization: `Bearer ${token}` },
        payload,
      })
    const accepted = await call(holderToken, { event: 'accept', idempotency_key: 'shared-key' })
    expect(accepted.statusCode).toBe(200)
    const delivered = await call(leaderToken, { event: 'deliver', quantity: 4, idempotency_key: 'shared-key-2' })
    expect(delivered.json()).toMatchObject({ state: 'delivered' })
    const reviewed = await call(holderToken, { event: 'review', rating: 5, idempotency_key: 'shared-key-2' })
    expect(reviewed.statusCode).toBe(200)
    expect(historyOf(app, id).map((h) => h.event)).toEqual(['request', 'accept', 'deliver', 'review'])
  })
})
