import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as accounts from '../../../src/accounts/accounts.js'
import * as tokens from '../../../src/accounts/tokens.js'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import * as coverage from '../../../src/areas/coverage.js'
import { addAccount, addOrg, Browser, makeApp, signedIn } from '../../helpers/app.js'
import { brokerWorld, type BrokerWorld } from '../brokering/world.js'

/** Issue 11: a draft is its organization's own, and an offer's matches are its holder's, its brokers' and admins'. */
let app: FastifyInstance
let w: BrokerWorld
beforeAll(async () => {
  app = await makeApp()
  w = await brokerWorld(app)
})
afterAll(async () => {
  await app?.close()
})

const api = (url: string, userId?: number) =>
  app.inject({
    method: 'GET',
    url,
    headers: userId ? { authorization: `Bearer ${tokens.issue(app.db, userId, 'test')}` } : {},
  })

describe("a draft's matches over the API", () => {
  it("are its organization's only: a visitor, a broker and another group get 404", async () => {
    const need = needs.post(app.db, w.member, {
      orgId: w.orgA.id,
      category: 'venue',
      title: '草稿：排练场地',
      quantity: 4,
      areaId: w.communityA.id,
      draft: true,
    })
    const offer = offers.post(app.db, w.member, {
      orgId: w.orgA.id,
      category: 'venue',
      title: '草稿：舞蹈室',
      quantity: 4,
      servesAreaId: w.communityA.id,
      draft: true,
    })
    for (const url of [`/api/v1/needs/${need.id}/matches`, `/api/v1/offers/${offer.id}/matches`]) {
      for (const who of [undefined, w.broker.id, w.admin.id, w.other.id]) {
        const res = await api(url, who)
        expect(res.statusCode, `${url} as ${who ?? 'visitor'}`).toBe(404)
        expect(res.body).not.toContain('草稿')
      }
      expect((await api(url, w.member.id)).statusCode).toBe(200)
    }
  })

  it("never lists a draft among another listing's matches", async () => {
    const draft = offers.post(app.db, w.other, {
      orgId: w.orgB.id,
      category: 'venue',
      title: '草稿：礼堂',
      quantity: 30,
      servesAreaId: w.district.id,
      draft: true,
    })
    const res = await api(`/api/v1/needs/${w.need.id}/matches`)
    expect(res.statusCode).toBe(200)
    const ids = (res.json() as { matches: { offer: { id: number } }[] }).matches.map((m) => m.offer.id)
    expect(ids).toContain(w.offer.id)
    expect(ids).not.toContain(draft.id)
  })
})

describe("an offer's matches in progress", () => {
  it('are shown to its holder, the brokers of an area it serves and admins, not to a broker elsewhere', async () => {
    // Street B only: a group there asks the holder's offer for a room.
    const asker = await addAccount(app.db, {
      email: 'asker@example.cn',
      role: 'member',
      password: 'correct horse battery staple',
    })
    const orgD = addOrg(app, asker.id, { name: '南岸读书会', areaId: w.communityB.id })
    const need = needs.post(app.db, accounts.load(app.db, asker.id)!, {
      orgId: orgD.id,
      category: 'venue',
      title: '读书会用的活动室',
      quantity: 2,
      areaId: w.communityB.id,
    })
    const offer = offers.post(app.db, w.other, {
      orgId: w.orgB.id,
      category: 'venue',
      title: '南岸社区会议室',
      quantity: 10,
      servesAreaId: w.communityB.id,
    })
    const leader = await signedIn(app, 'asker@example.cn')
    expect((await leader.post(`/needs/${need.id}/requests`, { offerId: offer.id, quantity: 2 })).statusCode).toBe(303)

    const progress = async (email?: string) => {
      const page = await (email ? await signedIn(app, email) : new Browser(app)).get(`/offers/${offer.id}`)
      expect(page.statusCode).toBe(200)
      return page.body.includes('id="listing-matches"')
    }
    expect(await progress(w.other.email)).toBe(true)
    expect(await progress(w.broker2.email)).toBe(true)
    expect(await progress(w.admin.email)).toBe(true)
    expect(await progress(w.broker.email)).toBe(false)
    expect(await progress(w.member.email)).toBe(false)
    expect(await progress()).toBe(false)

    // An offer serving the whole district reaches street A's broker too; one serving street B's community, not.
    expect(coverage.brokerReaches(app.db, w.broker, w.district.id)).toBe(true)
    expect(coverage.brokerReaches(app.db, w.broker, w.communityB.id)).toBe(false)
  })
})
