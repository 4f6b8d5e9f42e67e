/**
 * /map/agenda: the needs no offer serves (none offered, or none that fits), idle offers, a broker's own communities
 * first, and no private contact shown. The map itself is map.test.ts; both read the district of world.ts.
 */
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as accounts from '../../../src/accounts/accounts.js'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import * as matches from '../../../src/brokering/matches.js'
import * as allocations from '../../../src/matching/allocations.js'
import * as map from '../../../src/impact/map.js'
import { makeApp, signedIn, type World } from '../../helpers/app.js'
import { ago, MARKER, mapWorld } from './world.js'

let app: FastifyInstance
let w: World & Awaited<ReturnType<typeof mapWorld>>
beforeAll(async () => {
  app = await makeApp()
  w = await mapWorld(app)
})
afterAll(async () => {
  await app?.close()
})

const get = (url: string, headers: Record<string, string> = {}) =>
  app.inject({ url, headers: { 'accept-language': 'zh-CN', ...headers } })

describe('/map/agenda', () => {
  it('says who needs what that no one offers, and where offers exist but none fits, in both languages', async () => {
    const zh = await get('/map/agenda')
    expect(zh.statusCode).toBe(200)
    expect(zh.body).toContain('渔村社区没有人提供培训；2 个组织需要（2 条需求）。')
    expect(zh.body).toContain('南岸社区的物资：有 1 项资源，但都不适合这 1 条需求（1 个组织）。')
    expect(zh.body).toContain(`href="/needs/${w.materialsB.id}#why-not"`)
    expect(zh.body).toContain(`href="/needs?area&#x3D;${w.yucun.id}&amp;category&#x3D;training"`)
    const en = await get('/map/agenda', { 'accept-language': 'en' })
    expect(en.body).toContain('No one offers training in Yucun Community; 2 groups need it (2 needs).')
    expect(en.body).toContain(
      'In Nan&#x27;an Community, 1 offer of equipment &amp; materials exists but none fits; 1 group needs it (1 need).',
    )
    // Most needs first for a visitor.
    expect(en.body.indexOf('Yucun Community; 2 groups')).toBeLessThan(
      en.body.indexOf('In Nan&#x27;an Community, 1 offer of'),
    )
  })

  it('finds exactly the needs the matcher finds no offer for', async () => {
    const ids = map.unservedIds(app.db)
    expect(ids).toEqual([w.trainC.id, w.trainD.id, w.materialsB.id].sort((a, b) => a - b))
    expect(ids).toEqual(allocations.needsWithoutOffers(app.db, [w.district.id]).sort((a, b) => a - b))
  })

  it('lists idle offers with their unused capacity and idle days, as the desk counts them', async () => {
    // Used once, 30 days ago (accepted 2 of 5), and idle since: both the agenda and the desk list it.
    const member = accounts.load(app.db, w.member.id)!,
      other = accounts.load(app.db, w.other.id)!
    const usedOnce = offers.post(
      app.db,
      other,
      {
        orgId: w.orgB.id,
        category: 'publicity',
        title: '用过一次的宣传栏',
        quantity: 5,
        servesAreaId: w.communityA.id,
      },
      ago(45),
    )
    const need = needs.post(
      app.db,
      member,
      { orgId: w.orgA.id, category: 'publicity', title: '借过一次宣传栏', quantity: 2, areaId: w.communityA.id },
      ago(40),
    )
    const m = matches.open(app.db, member, 'request', { needId: need.id, offerId: usedOnce.id, quantity: 2 }, ago(31))
    matches.fire(app.db, other, m.id, 'accept', {}, ago(30))
    const res = await get('/map/agenda')
    const idle = res.body.slice(res.body.indexOf('id="agenda-idle"'))
    expect(idle).toMatch(/用过一次的宣传栏<\/a>[\s\S]*?<td>3 \/ 5 [^<]*<\/td><td>闲置 30 天<\/td>/)
    expect(idle).toContain(`<a href="/offers/${w.idleOffer.id}">没人用的会议室</a>`)
    expect(idle).toMatch(/没人用的会议室<\/a>[\s\S]*?<td>4 \/ 4 小时<\/td><td>闲置 20 天<\/td>/)
    // Used three days ago: not idle; posted two days ago: not yet.
    expect(idle).not.toContain(`/offers/${w.streetOffer.id}"`)
    expect(idle).not.toContain(`/offers/${w.gated.id}"`)
    expect(idle).toContain('<span class="badge">3</span>')
    expect(idle.indexOf(`/offers/${w.idleB.id}"`)).toBeLessThan(idle.indexOf(`/offers/${w.idleOffer.id}"`))
    const broker = await signedIn(app, w.broker.email)
    const desk = await broker.get('/desk')
    const deskIdle = desk.body.slice(
      desk.body.indexOf('id="queue-idle"'),
      desk.body.indexOf('</section>', desk.body.indexOf('id="queue-idle"')),
    )
    expect(deskIdle).toContain(`href="/offers/${w.idleOffer.id}"`)
    expect(deskIdle).toMatch(
      new RegExp(`href="/offers/${usedOnce.id}">用过一次的宣传栏</a> <span class="muted">[^<]* · 30 天</span>`),
    )
    // Street A's broker: their own community's idle offer first, marked as theirs.
    const theirs = (await broker.get('/map/agenda')).body
    const list = theirs.slice(theirs.indexOf('id="agenda-idle"'))
    expect(list.indexOf(`/offers/${w.idleOffer.id}"`)).toBeLessThan(list.indexOf(`/offers/${w.idleB.id}"`))
    expect(list).toMatch(new RegExp(`<tr class="agenda-idle mine">\\s*<td><a href="/offers/${w.idleOffer.id}">`))
  })

  it("puts a broker's own communities first", async () => {
    const broker2 = await signedIn(app, w.broker2.email)
    const res = await broker2.get('/map/agenda')
    expect(res.body).toContain('您负责的社区排在前面。')
    expect(res.body.indexOf('南岸社区的物资')).toBeLessThan(res.body.indexOf('渔村社区没有人提供培训'))
    expect(res.body).toMatch(/<li class="agenda-unmet mine"><strong>南岸社区的物资/)
  })

  it('shows no private contact anywhere, to visitors or brokers, in pages or fragments', async () => {
    const broker = await signedIn(app, w.broker.email)
    for (const url of [
      '/map',
      `/map?area=${w.communityA.id}`,
      `/map?area=${w.streetA.id}&category=venue`,
      '/map/agenda',
    ]) {
      expect((await get(url)).body, url).not.toMatch(MARKER)
      expect((await get(url, { 'hx-request': 'true' })).body, url).not.toMatch(MARKER)
      expect((await broker.get(url)).body, url).not.toMatch(MARKER)
    }
  })
})
