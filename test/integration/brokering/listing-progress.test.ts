import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import { Browser, makeApp, signedIn, type Browser as B } from '../../helpers/app.js'
import { brokerWorld, type BrokerWorld } from './world.js'

let app: FastifyInstance
let w: BrokerWorld
let leader: B, holder: B
beforeAll(async () => {
  app = await makeApp()
  w = await brokerWorld(app)
  ;[leader, holder] = await Promise.all([signedIn(app, w.member.email), signedIn(app, w.other.email)])
})
afterAll(async () => {
  await app?.close()
})

describe("a listing's page", () => {
  it('shows its matches in progress to its own organization, and to nobody outside', async () => {
    const need = needs.post(app.db, w.member, {
      orgId: w.orgA.id,
      category: 'venue',
      title: '周末排练场地',
      quantity: 6,
      areaId: w.communityA.id,
    })
    const offer = offers.post(app.db, w.other, {
      orgId: w.orgB.id,
      category: 'venue',
      title: '礼堂周末开放',
      quantity: 20,
      servesAreaId: w.district.id,
    })
    const res = await leader.post(`/needs/${need.id}/requests`, { offerId: offer.id, quantity: 6 })
    const matchLink = `href="${res.headers.location}"`
    const section = (html: string) =>
      html.slice(html.indexOf('id="listing-matches"'), html.indexOf('</section>', html.indexOf('id="listing-matches"')))
    expect(section((await leader.get(`/needs/${need.id}`)).body)).toContain(matchLink)
    expect(section((await holder.get(`/offers/${offer.id}`)).body)).toContain(matchLink)
    expect((await new Browser(app).get(`/needs/${need.id}`)).body).not.toContain('id="listing-matches"')
    expect((await holder.get(`/needs/${need.id}`)).body).not.toContain('id="listing-matches"')
  })
})
