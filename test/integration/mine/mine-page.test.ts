import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import * as matches from '../../../src/brokering/matches.js'
import * as tokens from '../../../src/accounts/tokens.js'
import * as jobs from '../../../src/jobs/jobs.js'
import { addUser, Browser, makeApp, PASSWORD, signedIn } from '../../helpers/app.js'
import { brokerWorld, reload, type BrokerWorld } from '../brokering/world.js'

let app: FastifyInstance
let w: BrokerWorld
beforeAll(async () => {
  app = await makeApp()
  w = await brokerWorld(app)
})
afterAll(async () => {
  await app?.close()
})

const DAY = 86_400_000
const section = (html: string, id: string) => {
  const at = html.indexOf(`id="${id}"`)
  return at < 0 ? '' : html.slice(at, html.indexOf('</section>', at))
}

describe('the 我的 page', () => {
  it('is where each role lands after signing in', async () => {
    for (const [email, landing] of [
      [w.member.email, '/me'],
      [w.broker.email, '/desk'],
      [w.admin.email, '/admin'],
    ]) {
      const b = new Browser(app)
      await b.get('/signin')
      expect((await b.post('/signin', { email, password: PASSWORD })).headers.location, email).toBe(landing)
      expect((await b.get('/signin')).headers.location, email).toBe(landing)
    }
  })

  it("lists my groups' needs and offers by status, drafts reachable, and what waits for my answer with its age and deadline", async () => {
    jobs.setReminderDays(app.db, 3)
    const now = Date.now()
    const draft = needs.post(app.db, w.member, {
      orgId: w.orgA.id,
      category: 'venue',
      title: '还没发布的草稿需求',
      description: '室内场地',
      quantity: 3,
      areaId: w.communityA.id,
      draft: true,
    })
    const myOffer = offers.post(app.db, w.member, {
      orgId: w.orgA.id,
      category: 'venue',
      title: '舞队的小仓库',
      description: '室内场地',
      quantity: 5,
      servesAreaId: w.district.id,
    })
    const theirNeed = needs.post(app.db, w.other, {
      orgId: w.orgB.id,
      category: 'venue',
      title: '互助组的活动场地',
      description: '室内场地',
      quantity: 5,
      areaId: w.communityB.id,
    })
    // Five days ago org B asked for our offer: it waits for us, past the three-day answer date.
    const waiting = matches.open(
      app.db,
      reload(app, w.other),
      'request',
      { needId: theirNeed.id, offerId: myOffer.id, quantity: 2 },
      new Date(now - 5 * DAY),
    )
    // Our own request for their offer waits for them.
    const mine = matches.open(app.db, reload(app, w.member), 'request', {
      needId: w.need.id,
      offerId: w.offer.id,
      quantity: 4,
    })

    const leader = await signedIn(app, w.member.email)
    const page = await leader.get('/me')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<title>我的 · ')
    const needsBox = section(page.body, 'mine-needs')
    expect(needsBox).toContain('草稿')
    expect(needsBox).toContain(`href="/needs/${draft.id}"`)
    expect(needsBox).toContain(`href="/needs/${draft.id}/edit"`)
    expect(needsBox.indexOf('草稿')).toBeLessThan(needsBox.indexOf('开放'))
    expect(section(page.body, 'mine-offers')).toContain(`href="/offers/${myOffer.id}"`)

    const waitBox = section(page.body, 'mine-waiting')
    expect(waitBox).toContain(`href="/matches/${waiting.id}"`)
    expect(waitBox).toContain('南岸互助小组请求用「舞队的小仓库」满足「互助组的活动场地」')
    expect(waitBox).toContain('已等 5 天')
    expect(waitBox).toContain('已超过答复期限')
    expect(waitBox).not.toContain(`href="/matches/${mine.id}"`)
    const asks = section(page.body, 'mine-asks')
    expect(asks).toContain(`href="/matches/${mine.id}"`)
    expect(asks).not.toContain(`href="/matches/${waiting.id}"`)
    // Another group's leader sees none of it.
    const other = await signedIn(app, w.stranger.email)
    const theirs = (await other.get('/me')).body
    for (const id of [waiting.id, mine.id]) expect(theirs).not.toContain(`href="/matches/${id}"`)
    expect(theirs).not.toContain('还没发布的草稿需求')

    // The API answers the same numbers as the page.
    const token = tokens.issue(app.db, w.member.id)
    const api = await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })
    expect(api.statusCode).toBe(200)
    const me = api.json()
    expect(me).toMatchObject({ id: w.member.id, name: 'Member', email: w.member.email, role: 'member' })
    expect(me.groups).toEqual([{ id: w.orgA.id, name: '荔枝湾广场舞队', role: 'leader' }])
    expect(me.waiting).toEqual({ waiting: 1, overdue: 1, open_asks: 1, drafts: 1 })
    expect(section(page.body, 'mine-waiting')).toContain('<span class="tag">1</span>')
    expect((await app.inject({ url: '/api/v1/me' })).statusCode).toBe(401)
  })

  it('offers the next step: a group to register, then a first need or offer', async () => {
    await addUser(app, { email: 'nogroup@example.cn', name: 'No Group' })
    const b = await signedIn(app, 'nogroup@example.cn')
    const empty = await b.get('/me')
    expect(section(empty.body, 'mine-groups')).toContain('href="/orgs/new"')
    expect(empty.body).toMatch(/id="next-step"[\s\S]*href="\/orgs\/new"/)
    const created = await b.post('/orgs', {
      name: '新来的编织小组',
      kind: 'community_group',
      areaId: String(w.communityA.id),
      contactPhone: '13800000000',
    })
    const orgId = Number(String(created.headers.location).match(/\/orgs\/(\d+)/)?.[1])
    const next = await b.get('/me')
    expect(next.body).toContain('发布第一条需求')
    expect(next.body).toContain(`href="/needs/new?orgId=${orgId}"`)
    expect(next.body).toContain(`href="/offers/new?orgId=${orgId}"`)
    needs.post(
      app.db,
      reload(app, {
        id: (app.sqlite.prepare('SELECT id FROM users WHERE email = ?').get('nogroup@example.cn') as { id: number }).id,
      }),
      { orgId, category: 'venue', title: '编织活动室', quantity: 2, areaId: w.communityA.id },
    )
    expect((await b.get('/me')).body).not.toContain('id="next-step"')
  })

  it('sends a visitor to sign in', async () => {
    const res = await new Browser(app).get('/me')
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/signin?next=%2Fme')
  })
})
