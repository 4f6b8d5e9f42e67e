import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as invitations from '../../../src/members/invitations.js'
import * as joining from '../../../src/members/join-requests.js'
import * as matches from '../../../src/brokering/matches.js'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import * as tokens from '../../../src/accounts/tokens.js'
import { organizations, outbox } from '../../../src/db/schema.js'
import { addUser, makeApp, signedIn, type Browser } from '../../helpers/app.js'
import { ANY_MARKER, brokerWorld, reload, type BrokerWorld } from '../brokering/world.js'

/** Contacts of a group nobody leads, looked after by the broker of street A. */
const KEPT = { phone: 'ZZPHONE123-KEPT', email: 'zzmail-kept@marker.test' }

let app: FastifyInstance
let w: BrokerWorld
let kept: number, keptOffer: number
beforeAll(async () => {
  app = await makeApp()
  w = await brokerWorld(app)
  const at = new Date().toISOString()
  kept = app.db
    .insert(organizations)
    .values({
      name: '荔枝湾居委会',
      kind: 'residents_committee',
      areaId: w.communityA.id,
      contactPhone: KEPT.phone,
      contactEmail: KEPT.email,
      createdAt: at,
      updatedAt: at,
    })
    .returning()
    .get().id
  keptOffer = offers.post(app.db, reload(app, w.broker), {
    orgId: kept,
    category: 'venue',
    title: '居委会活动室',
    description: '可借用的室内活动室',
    quantity: 10,
    servesAreaId: w.communityA.id,
  }).id
})
afterAll(async () => {
  await app?.close()
})

const apiGet = (userId: number, url: string) =>
  app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens.issue(app.db, userId, 'test')}` } })
const freshNeed = (title = '排练场地') =>
  needs.post(app.db, reload(app, w.member), {
    orgId: w.orgA.id,
    category: 'venue',
    title,
    description: '每周排练需要室内场地',
    quantity: 2,
    areaId: w.communityA.id,
  })
const sees = async (b: Browser, userId: number, matchId: number) => {
  const page = await b.get(`/matches/${matchId}`)
  const api = await apiGet(userId, `/api/v1/matches/${matchId}`)
  return {
    status: [page.statusCode, api.statusCode],
    contacts: ANY_MARKER.test(page.body) || ANY_MARKER.test(api.body),
  }
}

describe('who sees contacts, with several people per group and brokers answering on behalf', () => {
  it('a co-leader sees the match at once and the contacts only after acceptance', async () => {
    const co = await addUser(app, { email: 'co@example.cn', name: 'Co' })
    invitations.accept(
      app.db,
      co,
      invitations.invite(app.db, reload(app, w.member), w.orgA.id, { role: 'leader' }).token,
    )
    const b = await signedIn(app, co.email)
    const m = matches.open(app.db, reload(app, w.member), 'request', {
      needId: freshNeed().id,
      offerId: w.offer.id,
      quantity: 1,
    })
    expect(await sees(b, co.id, m.id)).toEqual({ status: [200, 200], contacts: false })
    matches.fire(app.db, reload(app, w.other), m.id, 'accept')
    expect(await sees(b, co.id, m.id)).toEqual({ status: [200, 200], contacts: true })
  })

  it("an invitee who has not accepted, and a person who asked to join, see nothing of the group's matches", async () => {
    const m = matches.open(app.db, reload(app, w.member), 'request', {
      needId: freshNeed('排练场地二').id,
      offerId: w.offer.id,
      quantity: 1,
    })
    matches.fire(app.db, reload(app, w.other), m.id, 'accept')
    const invitee = await addUser(app, { email: 'invitee@example.cn', name: 'Invitee' })
    const { token } = invitations.invite(app.db, reload(app, w.member), w.orgA.id, {
      role: 'leader',
      email: invitee.email,
    })
    const asker = await addUser(app, { email: 'asker@example.cn', name: 'Asker' })
    joining.requestToJoin(app.db, asker, w.orgA.id)
    for (const person of [invitee, asker]) {
      const b = await signedIn(app, person.email)
      expect(await sees(b, person.id, m.id)).toEqual({ status: [404, 404], contacts: false })
      expect((await b.get(`/orgs/${w.orgA.id}/people`)).statusCode).toBe(404)
      expect((await b.get(`/orgs/${w.orgA.id}`)).body).not.toMatch(ANY_MARKER)
    }
    const inv = await (await signedIn(app, invitee.email)).get(`/invitations?token=${token}`)
    expect(inv.body).toContain('荔枝湾广场舞队')
    expect(inv.body).not.toMatch(ANY_MARKER)
    expect(
      app.db
        .select()
        .from(outbox)
        .all()
        .filter((x) => x.to === invitee.email)
        .map((x) => x.body)
        .join('\n'),
    ).not.toMatch(ANY_MARKER)
  })

  it('a broker answering on behalf sees contacts only after acceptance; a broker of another street never', async () => {
    const b = await signedIn(app, w.broker.email)
    const b2 = await signedIn(app, w.broker2.email)
    const m = matches.open(app.db, reload(app, w.member), 'request', {
      needId: freshNeed('排练场地三').id,
      offerId: keptOffer,
      quantity: 1,
    })
    expect(await sees(b, w.broker.id, m.id)).toEqual({ status: [200, 200], contacts: false })
    expect((await b.get(`/matches/${m.id}`)).body).toContain('id="on-behalf"')
    const accepted = await b.post(`/matches/${m.id}/transitions`, { event: 'accept' })
    expect(accepted.statusCode).toBe(303)
    const after = await b.get(`/matches/${m.id}`)
    expect(after.body).toContain(KEPT.phone)
    expect(await sees(b2, w.broker2.id, m.id)).toEqual({ status: [404, 404], contacts: false })
    // The stranger leading a neighbouring group sees nothing either.
    const s = await signedIn(app, w.stranger.email)
    expect(await sees(s, w.stranger.id, m.id)).toEqual({ status: [404, 404], contacts: false })
  })
})
