import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { notifications, outbox } from '../../../src/db/schema.js'
import * as offers from '../../../src/offers/offers.js'
import * as matches from '../../../src/brokering/matches.js'
import * as messages from '../../../src/brokering/messages.js'
import * as tokens from '../../../src/accounts/tokens.js'
import { Browser, count, makeApp, signedIn, type Res } from '../../helpers/app.js'
import { ANY_MARKER, MARKERS, brokerWorld, type BrokerWorld } from './world.js'

/**
 * One match between org A's need and org B's offer, looked at by everyone: its two parties, the broker
 * covering the need's street, and four outsiders (a neighbour organization's leader, an admin, the broker of
 * the other street, a visitor). The tests run in order: before acceptance, then after.
 */
let app: FastifyInstance
let w: BrokerWorld
let id: number
const who: Record<'leader' | 'holder' | 'broker' | 'stranger' | 'admin' | 'broker2' | 'visitor', Browser> = {} as any
beforeAll(async () => {
  app = await makeApp()
  w = await brokerWorld(app)
  const m = matches.open(app.db, w.member, 'request', { needId: w.need.id, offerId: w.offer.id, quantity: 4 })
  id = m.id
  messages.say(app.db, w.member, id, '你好，我们周二晚上想借用。')
  const [leader, holder, broker, stranger, admin, broker2] = await Promise.all(
    [w.member, w.other, w.broker, w.stranger, w.admin, w.broker2].map((u) => signedIn(app, u.email)),
  )
  Object.assign(who, { leader, holder, broker, stranger, admin, broker2, visitor: new Browser(app) })
})
afterAll(async () => {
  await app?.close()
})

const OUTSIDERS = ['stranger', 'admin', 'broker2'] as const
const PARTIES = ['leader', 'holder', 'broker'] as const

/** Every page, fragment and API answer that could carry a match or an organization's details. */
function everywhere(): { url: string; headers?: Record<string, string> }[] {
  const hx = { 'hx-request': 'true' }
  return [
    '/',
    '/matches',
    `/matches/${id}`,
    `/needs/${w.need.id}`,
    `/offers/${w.offer.id}`,
    `/orgs/${w.orgA.id}`,
    `/orgs/${w.orgB.id}`,
    `/orgs/${w.orgC.id}`,
    '/orgs',
    '/needs',
    '/offers',
    `/search?q=${encodeURIComponent('排练')}`,
    '/inbox',
    '/desk',
    '/admin/outbox',
    `/areas/${w.communityA.id}`,
    '/api/v1/matches',
    `/api/v1/matches/${id}`,
    `/api/v1/needs/${w.need.id}/matches`,
    `/api/v1/offers/${w.offer.id}/matches`,
    `/api/v1/needs/${w.need.id}`,
    `/api/v1/offers/${w.offer.id}`,
    `/api/v1/search?q=${encodeURIComponent('活动室')}`,
    '/api/v1/needs',
    '/api/v1/offers',
  ].flatMap((url) => [{ url }, ...(url.startsWith('/api/') ? [] : [{ url, headers: hx }])])
}

async function scan(browser: Browser, except: (url: string) => boolean = () => false): Promise<string[]> {
  const leaks: string[] = []
  for (const { url, headers } of everywhere()) {
    if (except(url)) continue
    const res = await browser.get(url, headers)
    if (ANY_MARKER.test(res.body))
      leaks.push(`${url}${headers ? ' (htmx)' : ''} → ${res.statusCode}: ${res.body.match(ANY_MARKER)![0]}`)
  }
  return leaks
}

/** The 404 an outsider gets must say nothing about the match: the same as for an id that does not exist. */
function expectNotFound(res: Res) {
  expect(res.statusCode).toBe(404)
  expect(res.body).not.toContain(w.need.title)
  expect(res.body).not.toContain(w.offer.title)
  expect(res.body).not.toContain('你好，我们周二晚上想借用')
}

describe('before acceptance', () => {
  it('shows the match, its thread and its history to both parties and the covering broker, contacts hidden', async () => {
    for (const name of PARTIES) {
      const page = await who[name].get(`/matches/${id}`)
      expect(page.statusCode, name).toBe(200)
      expect(page.body).toContain('你好，我们周二晚上想借用。')
      expect(page.body).toContain('对接被接受后，双方才能看到彼此的联系方式。')
      expect(page.body).not.toMatch(ANY_MARKER)
      const api = (await who[name].get(`/api/v1/matches/${id}`)).json()
      expect(api.id).toBe(id)
      expect(api.contacts).toBeUndefined()
    }
  })

  it('is 404 — page, fragment, thread, contacts, moves, API — for every outsider, and a visitor is sent to sign in', async () => {
    const before = { messages: count(app, 'messages'), events: count(app, 'match_events') }
    for (const name of OUTSIDERS) {
      const b = who[name]
      expectNotFound(await b.get(`/matches/${id}`))
      expectNotFound(await b.get(`/matches/${id}`, { 'hx-request': 'true' }))
      expectNotFound(await b.post(`/matches/${id}/messages`, { body: 'hello?' }, { headers: { 'hx-request': 'true' } }))
      expectNotFound(await b.post(`/matches/${id}/messages`, { body: 'hello?' }))
      for (const event of ['accept', 'withdraw', 'decline', 'cancel'])
        expectNotFound(await b.post(`/matches/${id}/transitions`, { event, reason: 'duplicate' }))
      expect((await b.get(`/api/v1/matches/${id}`)).statusCode).toBe(404)
      expect((await b.get('/api/v1/matches')).json().items.map((m: { id: number }) => m.id)).not.toContain(id)
      expect((await b.get('/matches')).body).not.toContain(`href="/matches/${id}"`)
      // A neighbouring id that does not exist answers exactly the same way.
      expect((await b.get(`/matches/${id + 1000}`)).statusCode).toBe(404)
    }
    // The other street's broker cannot take it over either.
    expectNotFound(await who.broker2.post(`/matches/${id}/handover`, { brokerId: w.broker2.id }))
    const token = tokens.issue(app.db, w.stranger.id, 'outsider')
    const viaToken = await app.inject({
      method: 'POST',
      url: `/api/v1/matches/${id}/transitions`,
      headers: { authorization: `Bearer ${token}` },
      payload: { event: 'accept' },
    })
    expect(viaToken.statusCode).toBe(404)
    expect({ messages: count(app, 'messages'), events: count(app, 'match_events') }).toEqual(before)

    const visitor = await who.visitor.get(`/matches/${id}`)
    expect(visitor.statusCode).toBe(303)
    expect(visitor.headers.location).toBe(`/signin?next=%2Fmatches%2F${id}`)
    expect((await who.visitor.get('/matches')).headers.location).toBe('/signin?next=%2Fmatches')
    expect((await app.inject({ url: `/api/v1/matches/${id}` })).statusCode).toBe(401)
    expect((await app.inject({ url: '/api/v1/matches' })).statusCode).toBe(401)
  })

  it('leaks no contact marker anywhere, to anyone — the parties included, before acceptance', async () => {
    for (const name of [...OUTSIDERS, ...PARTIES, 'visitor'] as const) {
      // An organization's own edit form shows its own contacts to its own members: that is not a leak.
      expect(await scan(who[name]), name).toEqual([])
    }
    expect(
      app.db
        .select()
        .from(outbox)
        .all()
        .filter((m) => ANY_MARKER.test(m.body + m.subject)),
    ).toEqual([])
  })
})

describe("the offer's conditions", () => {
  it('refuse a request or pledge that breaks them (minimum trust, focus): nothing is sent to the other side', async () => {
    const vouchedOnly = offers.post(app.db, w.other, {
      orgId: w.orgB.id,
      category: 'venue',
      title: '需担保的礼堂',
      quantity: 10,
      servesAreaId: w.district.id,
      minTrust: 'vouched',
    })
    const elderlyOnly = offers.post(app.db, w.other, {
      orgId: w.orgB.id,
      category: 'venue',
      title: '长者活动中心',
      quantity: 10,
      servesAreaId: w.district.id,
      focus: ['elderly'],
    })
    const before = {
      matches: count(app, 'matches'),
      holderNotices: app.db.select().from(notifications).where(eq(notifications.userId, w.other.id)).all().length,
      mails: count(app, 'outbox'),
    }

    // Neither offer is shown on the need's page, so the leader has no button for it…
    const needPage = await who.leader.get(`/needs/${w.need.id}`)
    expect(needPage.body).not.toContain(`value="${vouchedOnly.id}"`)
    expect(needPage.body).not.toContain(`value="${elderlyOnly.id}"`)
    // …and a hand-made form is refused with the conditions named.
    const trust = await who.leader.post(`/needs/${w.need.id}/requests`, { offerId: vouchedOnly.id, quantity: 2 })
    expect(trust.statusCode).toBe(409)
    expect(trust.body).toContain('这个组合不满足资源的条件')
    const focus = await who.leader.post(`/needs/${w.need.id}/requests`, { offerId: elderlyOnly.id, quantity: 2 })
    expect(focus.statusCode).toBe(409)
    // The holder cannot pledge them to an organization that does not qualify, nor a broker propose them.
    expect(
      (await who.holder.post(`/offers/${vouchedOnly.id}/pledges`, { needId: w.need.id, quantity: 2 })).statusCode,
    ).toBe(409)
    expect(
      (await who.holder.post(`/offers/${elderlyOnly.id}/pledges`, { needId: w.need.id, quantity: 2 })).statusCode,
    ).toBe(409)
    expect(
      (await who.broker.post('/matches', { needId: w.need.id, offerId: vouchedOnly.id, quantity: 2 })).statusCode,
    ).toBe(409)

    expect(count(app, 'matches')).toBe(before.matches)
    expect(app.db.select().from(notifications).where(eq(notifications.userId, w.other.id)).all()).toHaveLength(
      before.holderNotices,
    )
    expect(count(app, 'outbox')).toBe(before.mails)
  })

  it("refuse a request for someone else's need, or more than is needed or left", async () => {
    const before = count(app, 'matches')
    // The stranger does not lead org A: the need is not theirs to request for.
    expect(
      (await who.stranger.post(`/needs/${w.need.id}/requests`, { offerId: w.offer.id, quantity: 1 })).statusCode,
    ).toBe(404)
    expect(
      (await who.stranger.post(`/offers/${w.offer.id}/pledges`, { needId: w.need.id, quantity: 1 })).statusCode,
    ).toBe(404)
    expect(
      (await who.broker2.post('/matches', { needId: w.need.id, offerId: w.offer.id, quantity: 1 })).statusCode,
    ).toBe(404)
    expect(
      (await who.leader.post(`/needs/${w.need.id}/requests`, { offerId: w.offer.id, quantity: 11 })).statusCode,
    ).toBe(422)
    expect(count(app, 'matches')).toBe(before)
  })
})

describe('after acceptance', () => {
  it("shows each party the other's contacts (and the covering broker both), on the page and in the API", async () => {
    expect((await who.holder.post(`/matches/${id}/transitions`, { event: 'accept' })).statusCode).toBe(303)
    for (const name of PARTIES) {
      const page = await who[name].get(`/matches/${id}`)
      const contacts = page.body.slice(
        page.body.indexOf('id="contacts"'),
        page.body.indexOf('</section>', page.body.indexOf('id="contacts"')),
      )
      for (const m of [MARKERS.need, MARKERS.offer]) {
        expect(contacts, name).toContain(m.phone)
        expect(contacts, name).toContain(m.email)
      }
      expect(page.body).not.toContain(MARKERS.stranger.phone)
      const api = (await who[name].get(`/api/v1/matches/${id}`)).json()
      expect(api.contacts).toEqual({
        need: { name: w.orgA.name, phone: MARKERS.need.phone, email: MARKERS.need.email },
        offer: { name: w.orgB.name, phone: MARKERS.offer.phone, email: MARKERS.offer.email },
      })
    }
  })

  it('still shows outsiders nothing: 404 for the match, and no marker on any page, fragment, API answer or e-mail', async () => {
    for (const name of OUTSIDERS) {
      expectNotFound(await who[name].get(`/matches/${id}`))
      expect((await who[name].get(`/api/v1/matches/${id}`)).statusCode).toBe(404)
      expect(await scan(who[name]), name).toEqual([])
    }
    expect(await scan(who.visitor)).toEqual([])
    // The scan does see contacts where they belong: the parties' match page and its API answer.
    expect(await scan(who.leader)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^/matches/${id} → 200`)),
        expect.stringMatching(new RegExp(`^/api/v1/matches/${id} → 200`)),
      ]),
    )
    // Notices and e-mails say that something happened and link to the match; the contacts stay on its page.
    expect(
      app.db
        .select()
        .from(outbox)
        .all()
        .filter((m) => ANY_MARKER.test(m.body + m.subject)),
    ).toEqual([])
    expect(
      app.db
        .select()
        .from(notifications)
        .all()
        .filter((n) => ANY_MARKER.test(JSON.stringify(n.params))),
    ).toEqual([])
  })

  it('hides the contacts again from the parties once the match is cancelled', async () => {
    expect(
      (await who.leader.post(`/matches/${id}/transitions`, { event: 'cancel', reason: 'no_longer_needed' })).statusCode,
    ).toBe(303)
    for (const name of PARTIES) {
      const page = await who[name].get(`/matches/${id}`)
      expect(page.statusCode).toBe(200)
      expect(page.body, name).not.toMatch(ANY_MARKER)
    }
  })
})
