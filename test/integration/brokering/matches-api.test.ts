/**
 * A match through the API (/api/v1/matches: list, show, move, with the refusals' reasons) and its thread of messages
 * between both sides and the broker. The moves through the pages, their history and retries are
 * lifecycle-http.test.ts.
 */
import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { matches as matchesTable } from '../../../src/db/schema.js'
import * as tokens from '../../../src/accounts/tokens.js'
import { makeApp, signedIn, type Browser } from '../../helpers/app.js'
import { brokerWorld, freshListings, historyOf, matchIdFrom, type BrokerWorld } from './world.js'

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

describe('the matches API', () => {
  it("lists the caller's matches, shows one, and moves it: the new state, or 409/422 with the reason", async () => {
    const {
      need,
      offers: [offer],
    } = listings(5, 5)
    const id = matchIdFrom(await request(need.id, offer.id, 5))
    const holderToken = tokens.issue(app.db, w.other.id, 'api')
    const api = (method: 'GET' | 'POST', url: string, payload?: object, token = holderToken) =>
      app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) })

    const list = (await api('GET', '/api/v1/matches')).json()
    expect(list.items.map((m: any) => m.id)).toContain(id)
    const one = (await api('GET', `/api/v1/matches/${id}`)).json()
    expect(one).toMatchObject({
      id,
      need: need.id,
      offer: offer.id,
      quantity: 5,
      state: 'requested',
      origin: 'need_side',
      actions: ['accept', 'decline'],
    })
    expect(one.contacts).toBeUndefined()

    const declineBare = await api('POST', `/api/v1/matches/${id}/transitions`, { event: 'decline' })
    expect(declineBare.statusCode).toBe(409)
    expect(declineBare.json().errors[0].message).toBe('请选择一个原因。')
    const bad = await api('POST', `/api/v1/matches/${id}/transitions`, { event: 'explode' })
    expect(bad.statusCode).toBe(400)
    const ok = await api('POST', `/api/v1/matches/${id}/transitions`, { event: 'accept' })
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toEqual({ id, state: 'accepted', quantity: 5, delivered_quantity: null })
    const tooMuch = await api('POST', `/api/v1/matches/${id}/transitions`, { event: 'deliver', quantity: 6 })
    expect(tooMuch.statusCode).toBe(422)
    const wrongTurn = await api('POST', `/api/v1/matches/${id}/transitions`, { event: 'accept' })
    expect(wrongTurn.statusCode).toBe(409)
    expect(wrongTurn.json().errors[0].message).toBe('对接当前的状态不允许这样操作，请刷新页面查看最新进展。')
    const retried = await Promise.all(
      [1, 2].map(() =>
        api('POST', `/api/v1/matches/${id}/transitions`, {
          event: 'deliver',
          quantity: 5,
          idempotency_key: 'api-deliver-1',
        }),
      ),
    )
    expect(retried.map((r) => r.json().state)).toEqual(['delivered', 'delivered'])
    expect(historyOf(app, id).map((h) => h.event)).toEqual(['request', 'accept', 'deliver'])
  })
})

// The form's own markup: what a browser would send, so the tests above post the same fields.
it('the match page offers exactly the moves available to the viewer, each form with its idem key', async () => {
  const {
    need,
    offers: [offer],
  } = listings(2, 2)
  const id = matchIdFrom(await request(need.id, offer.id, 2))
  const forHolder = (await holder.get(`/matches/${id}`)).body
  // Nothing has gone wrong yet, so no error notice is shown.
  expect(forHolder).not.toContain('role="alert"')
  const eventsOffered = (html: string) =>
    [...html.matchAll(/name="event" value="(\w+)"><input type="hidden" name="idem" value="[0-9a-f-]+-\1"/g)].map(
      (m) => m[1],
    )
  expect(eventsOffered(forHolder)).toEqual(['accept', 'decline'])
  expect(forHolder).toMatch(/<select name="reason">(<option value="\w+">[^<]+<\/option>){7}<\/select>/)
  expect(eventsOffered((await leader.get(`/matches/${id}`)).body)).toEqual(['withdraw'])
  expect(eventsOffered((await broker.get(`/matches/${id}`)).body)).toEqual(['withdraw'])
  expect(app.db.select().from(matchesTable).where(eq(matchesTable.id, id)).get()!.state).toBe('requested')
})

describe('the thread', () => {
  it('is shared by both sides and the broker, and htmx gets the thread back in place — also when the message is empty', async () => {
    const {
      need,
      offers: [offer],
    } = listings(2, 2)
    const id = matchIdFrom(await request(need.id, offer.id, 1))
    const sent = await leader.post(
      `/matches/${id}/messages`,
      { body: '周二晚上七点可以吗？' },
      { headers: { 'hx-request': 'true' } },
    )
    expect(sent.statusCode).toBe(200)
    expect(sent.body).not.toMatch(/<html/)
    expect(sent.body).toMatch(/^<section class="card" id="thread">/)
    expect(sent.body).toContain('周二晚上七点可以吗？')
    const reply = await holder.post(`/matches/${id}/messages`, { body: '可以，到时见。' })
    expect(reply.statusCode).toBe(303)
    expect(reply.headers.location).toBe(`/matches/${id}#thread`)
    for (const b of [leader, holder, broker]) {
      const page = (await b.get(`/matches/${id}`)).body
      expect(page.indexOf('周二晚上七点可以吗？')).toBeGreaterThan(0)
      expect(page.indexOf('可以，到时见。')).toBeGreaterThan(page.indexOf('周二晚上七点可以吗？'))
    }
    // The form targets #thread: a refused message must come back as the thread (with the problem), not another card.
    const empty = await leader.post(`/matches/${id}/messages`, { body: '' }, { headers: { 'hx-request': 'true' } })
    expect(empty.statusCode).toBe(422)
    expect(empty.body).toMatch(/^<section class="card" id="thread">/)
    expect(empty.body).toContain('class="field-error"')
    expect(empty.body).not.toContain('id="match-actions"')
    expect(empty.body).toContain('可以，到时见。')
    const plain = await leader.post(`/matches/${id}/messages`, { body: '' })
    expect(plain.statusCode).toBe(422)
    expect(plain.body).toMatch(/<html/)
    expect(plain.body).toContain('class="field-error"')
  })
})
