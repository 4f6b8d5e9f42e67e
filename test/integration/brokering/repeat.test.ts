import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as needs from '../../../src/needs/needs.js'
import * as needQueries from '../../../src/needs/need-queries.js'
import * as offers from '../../../src/offers/offers.js'
import { count, makeApp, signedIn, type Browser } from '../../helpers/app.js'
import { brokerWorld, matchRow, type BrokerWorld } from './world.js'
import { localToday } from '../../../src/shared/time.js'

const day = (offset: number) => localToday(new Date(Date.now() + offset * 86_400_000))

let app: FastifyInstance
let w: BrokerWorld
let leader: Browser, holder: Browser
beforeAll(async () => {
  app = await makeApp()
  w = await brokerWorld(app)
  ;[leader, holder] = await Promise.all([signedIn(app, w.member.email), signedIn(app, w.other.email)])
})
afterAll(async () => {
  await app?.close()
})

async function delivered(quantity: number, delivered: number, offerQty = 100) {
  const need = needs.post(app.db, w.member, {
    orgId: w.orgA.id,
    category: 'venue',
    title: '每周排练场地',
    quantity,
    areaId: w.communityA.id,
    fromDate: day(3),
    untilDate: day(33),
    schedule: 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=19',
  })
  const offer = offers.post(app.db, w.other, {
    orgId: w.orgB.id,
    category: 'venue',
    title: '活动室',
    quantity: offerQty,
    servesAreaId: w.district.id,
  })
  const res = await leader.post(`/needs/${need.id}/requests`, { offerId: offer.id, quantity })
  const id = Number(String(res.headers.location).split('/').pop())
  expect((await holder.post(`/matches/${id}/transitions`, { event: 'accept' })).statusCode).toBe(303)
  expect((await holder.post(`/matches/${id}/transitions`, { event: 'deliver', quantity: delivered })).statusCode).toBe(
    303,
  )
  return { need, offer, id }
}

describe('continuing a delivered arrangement', () => {
  it('posts the need for the next period of the same length and asks the same offer again for what was delivered', async () => {
    const { need, offer, id } = await delivered(10, 8)
    expect((await leader.get(`/matches/${id}`)).body).toContain(`/matches/${id}/repetition`)
    const res = await leader.post(`/matches/${id}/repetition`, {})
    expect(res.statusCode).toBe(303)
    const nextMatch = matchRow(app, Number(String(res.headers.location).split('/').pop()))
    expect(nextMatch).toMatchObject({ offerId: offer.id, quantity: 8, state: 'requested' })
    const next = needQueries.get(app.db, nextMatch.needId)!
    expect(next).toMatchObject({
      title: need.title,
      quantity: 8,
      fromDate: day(34),
      untilDate: day(64),
      schedule: need.schedule,
      status: 'open',
      orgId: w.orgA.id,
    })
  })

  it('still posts the next need when the offer has nothing left, and says so', async () => {
    const { id, offer } = await delivered(5, 5, 5)
    offers.close(app.db, w.other, offer.id, 'no_longer_needed')
    const before = count(app, 'matches')
    const res = await leader.post(`/matches/${id}/repetition`, {})
    expect(res.statusCode).toBe(303)
    expect(String(res.headers.location)).toMatch(/^\/needs\/\d+$/)
    expect(count(app, 'matches')).toBe(before)
  })

  it('is for the need side of a delivered match only', async () => {
    const { id } = await delivered(3, 3)
    expect((await holder.post(`/matches/${id}/repetition`, {})).statusCode).toBe(404)
    const need = needs.post(app.db, w.member, {
      orgId: w.orgA.id,
      category: 'venue',
      title: '排练用的活动室',
      quantity: 2,
      areaId: w.communityA.id,
    })
    const offer = offers.post(app.db, w.other, {
      orgId: w.orgB.id,
      category: 'venue',
      title: '社区活动室',
      quantity: 2,
      servesAreaId: w.district.id,
    })
    const open = await leader.post(`/needs/${need.id}/requests`, { offerId: offer.id, quantity: 2 })
    const pending = Number(String(open.headers.location).split('/').pop())
    const needsBefore = count(app, 'needs')
    expect((await leader.post(`/matches/${pending}/repetition`, {})).statusCode).toBe(409)
    expect(count(app, 'needs')).toBe(needsBefore)
  })
})
