import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as accounts from '../../../src/accounts/accounts.js'
import * as tokens from '../../../src/accounts/tokens.js'
import * as interchange from '../../../src/interchange/interchange.js'
import * as matches from '../../../src/brokering/matches.js'
import { answeredFor } from '../../../src/brokering/match-record.js'
import * as invitations from '../../../src/members/invitations.js'
import * as needs from '../../../src/needs/needs.js'
import * as needQueries from '../../../src/needs/need-queries.js'
import * as offers from '../../../src/offers/offers.js'
import * as offerQueries from '../../../src/offers/offer-queries.js'
import * as matching from '../../../src/matching/matching.js'
import * as jobs from '../../../src/jobs/jobs.js'
import { HANDLERS } from '../../../src/scheduler/handlers.js'
import { areas, events, notifications, organizations, outbox } from '../../../src/db/schema.js'
import { addOrg, addUser, makeApp, signedIn } from '../../helpers/app.js'
import { historyOf, reload } from '../brokering/world.js'

/**
 * A district imported from a ledger, as a street office keeps it: a street office and a residents' committee
 * that have no account here, a community group that will get a leader, and a broker covering the street.
 */
const LEDGER: interchange.Ledger = {
  format: interchange.FORMAT,
  areas: [
    { ref: 'H', name: '河滨区', parent: null },
    { ref: 'H-NA', name: '南岸街道', parent: 'H' },
    { ref: 'H-NA-1', name: '南岸社区', parent: 'H-NA' },
    { ref: 'H-XC', name: '西村街道', parent: 'H' },
    { ref: 'H-XC-1', name: '西村社区', parent: 'H-XC' },
  ],
  organizations: [
    {
      ref: 'org-office',
      name: '南岸街道办事处',
      kind: 'street_office',
      area: 'H-NA',
      registered: true,
      trust: 'endorsed',
      focus: ['community'],
    },
    {
      ref: 'org-west',
      name: '西村居委会',
      kind: 'residents_committee',
      area: 'H-XC-1',
      registered: true,
      trust: 'endorsed',
      focus: ['community'],
    },
  ],
  needs: [],
  offers: [
    {
      ref: 'o-room',
      org: 'org-office',
      category: 'venue',
      title: '南岸社区服务中心活动室',
      description: '可借用的室内活动室，适合排练',
      quantity: 40,
      unit: 'hours',
      serves: 'H-NA',
    },
    {
      ref: 'o-west',
      org: 'org-west',
      category: 'venue',
      title: '西村活动室',
      description: '可借用的室内活动室，适合排练',
      quantity: 40,
      unit: 'hours',
      serves: 'H',
    },
  ],
} as unknown as interchange.Ledger

let app: FastifyInstance
let leader: accounts.CurrentUser,
  broker: accounts.CurrentUser,
  otherBroker: accounts.CurrentUser,
  admin: accounts.CurrentUser
let office: number, west: number, dance: number, community: number, room: number, westRoom: number
const orgId = (ref: string) =>
  app.db.select({ id: organizations.id }).from(organizations).where(eq(organizations.ref, ref)).get()!.id
const areaId = (ref: string) => app.db.select({ id: areas.id }).from(areas).where(eq(areas.ref, ref)).get()!.id
const api = (user: { id: number }, method: 'GET' | 'POST', url: string, payload?: object) =>
  app.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${tokens.issue(app.db, user.id, 'test')}`,
      ...(payload ? { 'content-type': 'application/json' } : {}),
    },
    payload: payload as never,
  })

beforeAll(async () => {
  app = await makeApp()
  interchange.importLedger(app.db, LEDGER, { by: 'operator' })
  ;[leader, broker, otherBroker, admin] = await Promise.all([
    addUser(app, { email: 'leader@example.cn', name: '李队长' }),
    addUser(app, { email: 'chen@example.cn', role: 'broker', name: '陈社工' }),
    addUser(app, { email: 'wang@example.cn', role: 'broker', name: '王社工' }),
    addUser(app, { email: 'admin@example.cn', role: 'admin', name: 'Admin' }),
  ])
  accounts.setBrokerAreas(app.db, admin.id, broker.id, [areaId('H-NA')])
  accounts.setBrokerAreas(app.db, admin.id, otherBroker.id, [areaId('H-XC')])
  office = orgId('org-office')
  west = orgId('org-west')
  community = areaId('H-NA-1')
  dance = addOrg(app, leader.id, { name: '南岸广场舞队', areaId: community }).id
  room = offerQueries.list(app.db, { ref: 'o-room' }).items[0].id
  westRoom = offerQueries.list(app.db, { ref: 'o-west' }).items[0].id
  leader = reload(app, leader)
  broker = reload(app, broker)
  otherBroker = reload(app, otherBroker)
})
afterAll(async () => {
  await app?.close()
})

const postNeed = (title = '排练场地', quantity = 4) =>
  needs.post(app.db, reload(app, leader), {
    orgId: dance,
    category: 'venue',
    title,
    description: '每周排练需要室内场地',
    quantity,
    areaId: community,
  })

describe('a group that is not online is looked after by the broker covering its area', () => {
  it('the broker looks after exactly the groups of their areas that have no leader', () => {
    expect(broker.lookedAfterOrgIds).toContain(office)
    expect(broker.lookedAfterOrgIds).not.toContain(west)
    expect(broker.lookedAfterOrgIds, 'a group with a leader is not looked after').not.toContain(dance)
    expect(otherBroker.lookedAfterOrgIds).toEqual([west])
    expect(broker.orgIds, 'looking after is not leading').toEqual([])
  })

  it("outside check: a leader requests an imported group's offer, the covering broker accepts through the API, on the record", async () => {
    const need = postNeed()
    const browser = await signedIn(app, leader.email)
    const res = await api(leader, 'POST', `/api/v1/needs/${need.id}/requests`, { offer: room, quantity: 4 })
    expect(res.statusCode, res.body.slice(0, 300)).toBe(201)
    const matchId = res.json().id as number
    // The request reached a person: the broker looking after the office is asked to answer (the buttons he has).
    const told = app.db
      .select()
      .from(notifications)
      .where(eq(notifications.userId, broker.id))
      .all()
      .filter((n) => n.link === `/matches/${matchId}`)
    expect(told.map((n) => n.kind)).toEqual(['match.requested'])
    const seen = await api(broker, 'GET', `/api/v1/matches/${matchId}`)
    expect(seen.statusCode).toBe(200)
    expect(seen.json().actions).toEqual(expect.arrayContaining(['accept', 'decline']))
    const accepted = await api(broker, 'POST', `/api/v1/matches/${matchId}/transitions`, { event: 'accept' })
    expect(accepted.statusCode, accepted.body).toBe(200)
    expect(accepted.json().state).toBe('accepted')
    const history = historyOf(app, matchId)
    expect(history.at(-1)).toMatchObject({ event: 'accept', actorId: broker.id, onBehalfOf: office })
    expect(history[0]).toMatchObject({ event: 'request', actorId: leader.id, onBehalfOf: null })
    const json = (await api(broker, 'GET', `/api/v1/matches/${matchId}`)).json()
    expect(json.history.at(-1)).toMatchObject({ actor: '陈社工', onBehalfOf: '南岸街道办事处' })
    // The match page says it in words, in both languages.
    const chen = await signedIn(app, broker.email)
    expect((await chen.get(`/matches/${matchId}`)).body).toContain('由陈社工代为答复（南岸街道办事处）')
    expect((await browser.get(`/matches/${matchId}`, { 'accept-language': 'en' })).body).toMatch(
      /answered by 陈社工 on behalf of 南岸街道办事处/,
    )
  })

  it('a broker of another street cannot answer for the group (404), and a leader stays the only one to answer for a led group', async () => {
    const need = postNeed('排练场地二')
    const m = matches.open(app.db, reload(app, leader), 'request', { needId: need.id, offerId: room, quantity: 1 })
    const other = await api(otherBroker, 'POST', `/api/v1/matches/${m.id}/transitions`, { event: 'accept' })
    expect(other.statusCode).toBe(404)
    // The covering broker cannot answer the leader's side: a pledge to the dance team waits for its leader.
    const pledge = matches.open(app.db, reload(app, broker), 'pledge', {
      needId: postNeed('排练场地三').id,
      offerId: room,
      quantity: 1,
    })
    expect(historyOf(app, pledge.id)[0]).toMatchObject({ event: 'pledge', onBehalfOf: office })
    const refused = await api(broker, 'POST', `/api/v1/matches/${pledge.id}/transitions`, { event: 'accept' })
    expect(refused.statusCode).toBe(409)
    expect(
      (await api(leader, 'POST', `/api/v1/matches/${pledge.id}/transitions`, { event: 'accept' })).statusCode,
    ).toBe(200)
  })

  it('the broker posts offers and needs for a looked-after group; they publish directly', () => {
    const offer = offers.post(app.db, reload(app, broker), {
      orgId: office,
      category: 'venue',
      title: '会议室',
      description: '可借用的会议室',
      quantity: 8,
      servesAreaId: areaId('H-NA'),
    })
    expect(offer.status).toBe('open')
    const need = needs.post(app.db, reload(app, broker), {
      orgId: office,
      category: 'venue',
      title: '仓库',
      description: '存放物资的仓库',
      quantity: 2,
      areaId: areaId('H-NA'),
    })
    expect(need.status).toBe('open')
    expect(need.enteredBy).toBeNull()
    expect(() =>
      offers.post(app.db, reload(app, otherBroker), {
        orgId: office,
        category: 'venue',
        title: '会议室',
        quantity: 8,
        servesAreaId: areaId('H-NA'),
      }),
    ).toThrow(/validation/)
  })

  it('代填: a need entered for a group with leaders waits as a draft for a leader, who confirms it; others cannot see it', async () => {
    const chen = await signedIn(app, broker.email)
    const form = await chen.get(`/orgs/${dance}/needs/new`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('南岸广场舞队')
    const res = await chen.post('/needs', {
      orgId: dance,
      category: 'venue',
      title: '代填的排练场地',
      description: '每周排练需要室内场地',
      quantity: 3,
      areaId: community,
      expiresAt: '2027-06-30',
    })
    expect(res.statusCode, res.body.slice(0, 500)).toBe(303)
    const id = Number(String(res.headers.location).split('/').pop())
    const row = needQueries.get(app.db, id)!
    expect(row).toMatchObject({ status: 'draft', enteredBy: broker.id })
    expect((await chen.get(`/needs/${id}`)).body).toContain('awaiting-confirmation')
    expect((await app.inject({ method: 'GET', url: `/needs/${id}` })).statusCode, 'a visitor does not see it').toBe(404)
    expect((await api(otherBroker, 'GET', `/api/v1/needs/${id}`)).statusCode).toBe(404)
    // The broker cannot publish it himself: editing is for who acts for the group.
    expect((await chen.get(`/needs/${id}/edit`)).statusCode).toBe(404)
    expect((await chen.post(`/needs/${id}/confirmation`, {})).statusCode).toBe(404)
    const lead = await signedIn(app, leader.email)
    const page = await lead.get(`/needs/${id}`)
    expect(page.body).toContain(`/needs/${id}/confirmation`)
    expect((await lead.post(`/needs/${id}/confirmation`, {})).statusCode).toBe(303)
    expect(needQueries.get(app.db, id)!.status).toBe('open')
    const log = app.db
      .select()
      .from(events)
      .where(eq(events.subjectId, id))
      .all()
      .filter((e) => e.subjectType === 'need')
      .map((e) => e.action)
    expect(log).toEqual(['need.entered_for', 'need.published', 'need.confirmed'])
    // A broker of another street may not enter a need for the group.
    expect(() =>
      needs.post(app.db, reload(app, otherBroker), {
        orgId: dance,
        category: 'venue',
        title: '排练场地',
        quantity: 1,
        areaId: community,
      }),
    ).toThrow(/validation/)
  })

  it('once the group gains a leader, the broker stops acting for it', async () => {
    const need = postNeed('排练场地四')
    const m = matches.open(app.db, reload(app, leader), 'request', { needId: need.id, offerId: room, quantity: 1 })
    const { token } = invitations.invite(app.db, reload(app, broker), office, { role: 'leader' })
    const head = await addUser(app, { email: 'head@example.cn', name: '街道主任' })
    invitations.accept(app.db, head, token)
    expect(reload(app, broker).lookedAfterOrgIds).not.toContain(office)
    expect((await api(broker, 'POST', `/api/v1/matches/${m.id}/transitions`, { event: 'accept' })).statusCode).toBe(409)
    expect(() =>
      offers.post(app.db, reload(app, broker), {
        orgId: office,
        category: 'venue',
        title: '会议室',
        quantity: 8,
        servesAreaId: areaId('H-NA'),
      }),
    ).toThrow(/validation/)
    expect((await api(head, 'POST', `/api/v1/matches/${m.id}/transitions`, { event: 'accept' })).statusCode).toBe(200)
    expect(historyOf(app, m.id).at(-1)).toMatchObject({ actorId: head.id, onBehalfOf: null })
  })

  it('a group nobody answers for is ranked after answerable ones (fit unchanged) and the pages say so', async () => {
    const at = new Date().toISOString()
    const hall = app.db
      .insert(organizations)
      .values({
        name: '南岸老年活动中心',
        kind: 'residents_committee',
        areaId: community,
        createdAt: at,
        updatedAt: at,
      })
      .returning()
      .get().id
    const hallRoom = offers.post(app.db, reload(app, broker), {
      orgId: hall,
      category: 'venue',
      title: '老年活动中心活动室',
      description: '可借用的室内活动室，适合排练',
      quantity: 40,
      servesAreaId: community,
    }).id
    const need = postNeed('排练场地六')
    const order = () => matching.offersForNeed(app.db, need.id)!.matches.map((m) => [m.offer.id, m.offer.unanswered])
    const before = order()
    // Answered by Chen, the nearest room comes before the district-wide one.
    expect(before.findIndex(([id]) => id === hallRoom)).toBeLessThan(before.findIndex(([id]) => id === westRoom))
    accounts.setBrokerAreas(app.db, admin.id, broker.id, [])
    try {
      expect(answeredFor(app.db, hall)).toBe(false)
      const after = order()
      expect(after.length, 'what fits is unchanged').toBe(before.length)
      expect(after.at(-1)).toEqual([hallRoom, true])
      expect(after.filter(([, nobody]) => nobody)).toEqual([[hallRoom, true]])
      expect((await app.inject({ method: 'GET', url: `/orgs/${hall}` })).body).toContain('id="unanswered"')
      expect((await app.inject({ method: 'GET', url: `/needs/${need.id}` })).body).toContain('class="tag unanswered"')
    } finally {
      accounts.setBrokerAreas(app.db, admin.id, broker.id, [areaId('H-NA')])
    }
    expect((await app.inject({ method: 'GET', url: `/orgs/${hall}` })).body).not.toContain('id="unanswered"')
  })

  it('the broker e-mail asks to answer only when the broker has the buttons', async () => {
    const need = postNeed('排练场地五')
    const before = app.db.select().from(outbox).all().length
    const m = matches.open(app.db, reload(app, leader), 'request', { needId: need.id, offerId: westRoom, quantity: 1 })
    const kinds = app.db
      .select()
      .from(notifications)
      .all()
      .filter((n) => n.link === `/matches/${m.id}`)
      .map((n) => [n.userId, n.kind])
    // Chen covers the need's street only: told, not asked. Wang looks after the west committee: asked.
    expect(kinds).toEqual(
      expect.arrayContaining([
        [broker.id, 'match.requested_fyi'],
        [otherBroker.id, 'match.requested'],
      ]),
    )
    const mails = app.db.select().from(outbox).all().slice(before)
    expect(mails.find((x) => x.to === 'chen@example.cn')?.body).not.toContain('接受或谢绝')
    expect(mails.find((x) => x.to === 'wang@example.cn')?.body).toContain('接受或谢绝')
  })

  it('an unanswered request reminds whoever answers for the waiting group: the broker looking after it', () => {
    const need = postNeed('排练场地七')
    const m = matches.open(app.db, reload(app, leader), 'request', { needId: need.id, offerId: westRoom, quantity: 1 })
    jobs.runDue(app.db, HANDLERS, new Date(Date.now() + 30 * 86_400_000))
    const reminded = app.db
      .select()
      .from(notifications)
      .all()
      .filter((x) => x.link === `/matches/${m.id}` && x.kind === 'match.reminder')
      .map((x) => x.userId)
    expect(reminded).toContain(otherBroker.id)
    expect(reminded, 'the requester is not asked to answer their own request').not.toContain(leader.id)
  })
})
