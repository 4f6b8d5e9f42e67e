import type { FastifyInstance } from 'fastify'
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { events, matches as matchesTable, notifications } from '../../../src/db/schema.js'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import * as matches from '../../../src/brokering/matches.js'
import { makeApp, signedIn, type Browser } from '../../helpers/app.js'
import { brokerWorld, type BrokerWorld } from './world.js'
import { localToday } from '../../../src/shared/time.js'

const DAY = 86_400_000
const ago = (days: number) => new Date(Date.now() - days * DAY)

/**
 * Street A (the broker's) with one item for each queue, and a fresh twin that must not be in it yet;
 * street B (broker 2's) with items of its own that street A's broker must not see.
 */
async function deskWorld(app: FastifyInstance) {
  const w = await brokerWorld(app, { now: ago(60) })
  // The requests are for the world's activity room: each need's poster chose that topic.
  const post = (title: string, quantity: number, when: Date, extra: Partial<needs.NeedInput> = {}) =>
    needs.post(
      app.db,
      w.member,
      {
        orgId: w.orgA.id,
        category: 'venue',
        title,
        quantity,
        areaId: w.communityA.id,
        topics: ['activity_room'],
        ...extra,
      },
      when,
    )
  const request = (needId: number, when: Date, quantity = 1) =>
    matches.open(app.db, w.member, 'request', { needId, offerId: w.offer.id, quantity }, when)

  // Training that nobody offers: no feasible offer at all.
  const stuck = needs.post(
    app.db,
    w.member,
    { orgId: w.orgA.id, category: 'training', title: '没人提供的培训', quantity: 5, areaId: w.communityA.id },
    ago(9),
  )
  const stuckElsewhere = needs.post(
    app.db,
    w.other,
    { orgId: w.orgB.id, category: 'training', title: '南岸没人提供的培训', quantity: 5, areaId: w.communityB.id },
    ago(9),
  )

  const oldRequest = request(post('等了五天的申请', 2, ago(6)).id, ago(5))
  const newRequest = request(post('昨天的申请', 2, ago(2)).id, ago(1))

  const acceptedLongAgo = request(post('二十天前接受', 2, ago(25)).id, ago(21))
  matches.fire(app.db, w.other, acceptedLongAgo.id, 'accept', {}, ago(20))
  const acceptedRecently = request(post('两天前接受', 2, ago(4)).id, ago(3))
  matches.fire(app.db, w.other, acceptedRecently.id, 'accept', {}, ago(2))
  // Accepted only two days ago, but the need's own dates ended yesterday: time to confirm what happened.
  const yesterday = localToday(new Date(Date.now() - DAY)),
    tenDaysAgo = localToday(ago(10))
  const windowPassed = request(
    post('昨天结束的活动', 2, ago(10), { fromDate: tenDaysAgo, untilDate: yesterday }).id,
    ago(3),
  )
  matches.fire(app.db, w.other, windowPassed.id, 'accept', {}, ago(2))

  const deliveredLongAgo = request(post('一个多月前交付', 2, ago(50)).id, ago(45))
  matches.fire(app.db, w.other, deliveredLongAgo.id, 'accept', {}, ago(40))
  matches.fire(app.db, w.other, deliveredLongAgo.id, 'deliver', { quantity: 1 }, ago(35))
  const deliveredRecently = request(post('上周交付', 2, ago(12)).id, ago(11))
  matches.fire(app.db, w.other, deliveredRecently.id, 'accept', {}, ago(10))
  matches.fire(app.db, w.other, deliveredRecently.id, 'deliver', { quantity: 1 }, ago(7))

  const offer = (title: string, when: Date, servesAreaId: number) =>
    offers.post(app.db, w.other, { orgId: w.orgB.id, category: 'materials', title, quantity: 5, servesAreaId }, when)
  const idle = offer('二十天没人用的音响', ago(20), w.communityA.id)
  const fresh = offer('新发布的音响', ago(3), w.communityA.id)
  const idleElsewhere = offer('南岸没人用的音响', ago(20), w.communityB.id)
  // Used once (delivered 29 days ago), idle since: idle as the agenda counts it, though some of it was used.
  const usedOnce = offer('用过一次的音响', ago(45), w.communityA.id)
  const usedNeed = needs.post(
    app.db,
    w.member,
    { orgId: w.orgA.id, category: 'materials', title: '借过一次音响', quantity: 2, areaId: w.communityA.id },
    ago(40),
  )
  const usedMatch = matches.open(
    app.db,
    w.member,
    'request',
    { needId: usedNeed.id, offerId: usedOnce.id, quantity: 2 },
    ago(33),
  )
  matches.fire(app.db, w.other, usedMatch.id, 'accept', {}, ago(32))
  matches.fire(app.db, w.other, usedMatch.id, 'deliver', { quantity: 2 }, ago(29))
  // Street B's own old request, for broker 2.
  const bNeed = needs.post(
    app.db,
    w.other,
    {
      orgId: w.orgB.id,
      category: 'venue',
      title: '南岸等了很久的申请',
      quantity: 2,
      areaId: w.communityB.id,
      topics: ['activity_room'],
    },
    ago(8),
  )
  const bRequest = matches.open(
    app.db,
    w.other,
    'request',
    { needId: bNeed.id, offerId: w.offer.id, quantity: 1 },
    ago(7),
  )
  return {
    ...w,
    usedOnce,
    stuck,
    stuckElsewhere,
    oldRequest,
    newRequest,
    acceptedLongAgo,
    acceptedRecently,
    windowPassed,
    deliveredLongAgo,
    deliveredRecently,
    idle,
    fresh,
    idleElsewhere,
    bRequest,
  }
}

let app: FastifyInstance
let w: BrokerWorld & Awaited<ReturnType<typeof deskWorld>>
let broker: Browser, broker2: Browser
beforeAll(async () => {
  app = await makeApp()
  w = await deskWorld(app)
  ;[broker, broker2] = await Promise.all([signedIn(app, w.broker.email), signedIn(app, w.broker2.email)])
})
afterAll(async () => {
  await app?.close()
})

/** The links listed in one queue of the desk. */
function queue(html: string, name: string): string[] {
  const start = html.indexOf(`id="queue-${name}"`)
  expect(start, name).toBeGreaterThan(0)
  const section = html.slice(start, html.indexOf('</section>', start))
  return [...section.matchAll(/<a href="(\/(?:needs|offers|matches)\/\d+)(?:#why-not)?">/g)].map((m) => m[1])
}

describe("the broker's desk", () => {
  it('lists, for the streets the broker covers, each queue with the right items, their age and a link to act', async () => {
    const res = await broker.get('/desk')
    expect(res.statusCode).toBe(200)
    expect(queue(res.body, 'unserved')).toEqual([`/needs/${w.stuck.id}`])
    expect(res.body).toContain(`href="/needs/${w.stuck.id}#why-not"`)
    expect(queue(res.body, 'waiting')).toEqual([`/matches/${w.oldRequest.id}`])
    // Oldest first: accepted twenty days ago, then the one whose dates have passed.
    expect(queue(res.body, 'confirm')).toEqual([`/matches/${w.acceptedLongAgo.id}`, `/matches/${w.windowPassed.id}`])
    expect(queue(res.body, 'followups')).toEqual([`/matches/${w.deliveredLongAgo.id}`])
    // Idle as the agenda counts it: the offer used once 29 days ago, then the one never used in 20 days; longest idle first.
    expect(queue(res.body, 'idle')).toEqual([`/offers/${w.usedOnce.id}`, `/offers/${w.idle.id}`])
    expect(res.body.slice(res.body.indexOf('id="queue-idle"'))).toMatch(
      /用过一次的音响<\/a> <span class="muted">南岸互助小组 · 3 件 · 29 天<\/span>/,
    )
    // Ages in days, from the moment each item started waiting.
    const waiting = res.body.slice(res.body.indexOf('id="queue-waiting"'))
    expect(waiting).toMatch(/<span class="muted">5 天<\/span>/)
    const followups = res.body.slice(res.body.indexOf('id="queue-followups"'))
    expect(followups).toMatch(/<span class="muted">35 天<\/span>/)
    expect(res.body.slice(res.body.indexOf('id="queue-idle"'))).toMatch(
      /二十天没人用的音响<\/a> <span class="muted">南岸互助小组 · 5 件 · 20 天<\/span>/,
    )
    // Nothing of street B's.
    for (const href of [`/needs/${w.stuckElsewhere.id}`, `/matches/${w.bRequest.id}`, `/offers/${w.idleElsewhere.id}`])
      expect(res.body).not.toContain(`href="${href}`)
  })

  it("shows the other street's broker their own street's items only", async () => {
    const res = await broker2.get('/desk')
    expect(queue(res.body, 'unserved')).toEqual([`/needs/${w.stuckElsewhere.id}`])
    expect(queue(res.body, 'waiting')).toEqual([`/matches/${w.bRequest.id}`])
    expect(queue(res.body, 'idle')).toEqual([`/offers/${w.idleElsewhere.id}`])
    expect(queue(res.body, 'confirm')).toEqual([])
  })

  it('is for staff only', async () => {
    const member = await signedIn(app, w.member.email)
    expect((await member.get('/desk')).statusCode).toBe(403)
    expect((await member.post(`/matches/${w.oldRequest.id}/handover`, { brokerId: w.broker2.id })).statusCode).toBe(403)
  })
})

describe('hand-over', () => {
  it('moves a match to another broker, who then sees it (page and desk) and is told so', async () => {
    const id = w.oldRequest.id
    expect((await broker2.get(`/matches/${id}`)).statusCode).toBe(404)
    const desk = await broker.get('/desk')
    expect(desk.body).toContain(`action="/matches/${id}/handover"`)
    expect(desk.body).toMatch(new RegExp(`<option value="${w.broker2.id}">Broker Two</option>`))

    const res = await broker.post(`/matches/${id}/handover`, { brokerId: w.broker2.id })
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/desk')
    expect(app.db.select().from(matchesTable).where(eq(matchesTable.id, id)).get()!.brokerId).toBe(w.broker2.id)
    expect((await broker2.get(`/matches/${id}`)).statusCode).toBe(200)
    expect(queue((await broker2.get('/desk')).body, 'waiting')).toContain(`/matches/${id}`)
    expect((await broker2.get('/api/v1/matches')).json().items.map((m: { id: number }) => m.id)).toContain(id)
    const told = app.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, w.broker2.id), eq(notifications.kind, 'match.handed_over')))
      .all()
    expect(told).toHaveLength(1)
    expect(told[0]).toMatchObject({ link: `/matches/${id}`, params: { id, from: 'Broker' } })
    expect((await broker2.get('/inbox')).body).toMatch(
      /Broker 把「[^」]+」（[^）]+）与「[^」]+」（[^）]+）的对接转交给了您。/,
    )
    const logged = app.db
      .select()
      .from(events)
      .where(and(eq(events.action, 'match.handed_over'), eq(events.subjectId, id)))
      .all()
    expect(logged.map((e) => e.data)).toEqual([{ from: w.broker.id, to: w.broker2.id }])
    // The broker who handed it over still covers the street; the new one can act on it.
    expect((await broker2.post(`/matches/${id}/transitions`, { event: 'withdraw' })).statusCode).toBe(303)
  })

  it('refuses to hand over to someone who is not a broker, or to oneself', async () => {
    const id = w.newRequest.id
    expect((await broker.post(`/matches/${id}/handover`, { brokerId: w.member.id })).statusCode).toBe(422)
    expect((await broker.post(`/matches/${id}/handover`, { brokerId: w.broker.id })).statusCode).toBe(422)
    expect(app.db.select().from(matchesTable).where(eq(matchesTable.id, id)).get()!.brokerId).toBeNull()
  })
})

describe("the admin's view", () => {
  it("shows every broker's load: areas and open matches", async () => {
    const admin = await signedIn(app, w.admin.email)
    const res = await admin.get('/desk')
    expect(res.statusCode).toBe(200)
    const table = res.body.slice(
      res.body.indexOf('id="broker-loads"'),
      res.body.indexOf('</table>', res.body.indexOf('id="broker-loads"')),
    )
    const rows = [...table.matchAll(/<tr><td>([^<]+)<\/td><td>(\d+)<\/td><td>(\d+)<\/td><\/tr>/g)].map((m) => [
      m[1],
      Number(m[2]),
      Number(m[3]),
    ])
    const open = (where: string) =>
      (
        app.sqlite
          .prepare(
            `SELECT count(*) AS n FROM matches m JOIN needs n ON n.id = m.need_id JOIN areas a ON a.id = n.area_id
      WHERE m.state IN ('proposed','requested','pledged','accepted') AND (${where})`,
          )
          .get() as { n: number }
      ).n
    expect(rows).toEqual([
      ['Broker', 1, open(`a.path LIKE '%/${w.streetA.id}/%' OR m.broker_id = ${w.broker.id}`)],
      ['Broker Two', 1, open(`a.path LIKE '%/${w.streetB.id}/%' OR m.broker_id = ${w.broker2.id}`)],
    ])
    expect(rows[0][2]).toBeGreaterThan(0)
    expect(rows[1][2]).toBeGreaterThan(0)
  })
})
