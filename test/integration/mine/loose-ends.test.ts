import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { events, notifications, organizations } from '../../../src/db/schema.js'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import * as matches from '../../../src/brokering/matches.js'
import { describe as describeNotice } from '../../../src/notifications/notifications.js'
import { addUser, fieldError, makeApp, signedIn, type Browser as B } from '../../helpers/app.js'
import { brokerWorld, historyOf, matchRow, reload, type BrokerWorld } from '../brokering/world.js'

let app: FastifyInstance
let w: BrokerWorld
let leader: B, holder: B, neighbour: B
beforeAll(async () => {
  app = await makeApp()
  w = await brokerWorld(app)
  ;[leader, holder, neighbour] = await Promise.all([
    signedIn(app, w.member.email),
    signedIn(app, w.other.email),
    signedIn(app, w.stranger.email),
  ])
})
afterAll(async () => {
  await app?.close()
})

const noticesOf = (userId: number) => app.db.select().from(notifications).where(eq(notifications.userId, userId)).all()
const venue = (user: typeof w.other, orgId: number, title: string) =>
  offers.post(app.db, user, {
    orgId,
    category: 'venue',
    title,
    description: '室内场地，可排练',
    quantity: 20,
    servesAreaId: w.district.id,
  })

describe('a need met by one offer', () => {
  it('withdraws its other open request and pledge in the same transaction, tells the other side, and stops recommending', async () => {
    const need = needs.post(app.db, w.member, {
      orgId: w.orgA.id,
      category: 'venue',
      title: '雨天排练场地',
      description: '室内场地，可排练',
      quantity: 8,
      areaId: w.communityA.id,
    })
    const hall = venue(w.other, w.orgB.id, '南岸礼堂')
    const room = venue(w.stranger, w.orgC.id, '书法社活动室')
    const yard = venue(w.stranger, w.orgC.id, '书法社后院')
    const kept = matches.open(app.db, reload(app, w.member), 'request', {
      needId: need.id,
      offerId: hall.id,
      quantity: 8,
    })
    const asked = matches.open(app.db, reload(app, w.member), 'request', {
      needId: need.id,
      offerId: room.id,
      quantity: 5,
    })
    const pledged = matches.open(app.db, reload(app, w.stranger), 'pledge', {
      needId: need.id,
      offerId: yard.id,
      quantity: 3,
    })
    const before = noticesOf(w.stranger.id).length

    const res = await holder.post(`/matches/${kept.id}/transitions`, { event: 'accept' })
    expect(res.statusCode).toBe(303)
    expect(matchRow(app, kept.id).state).toBe('accepted')
    for (const m of [asked, pledged]) {
      expect(matchRow(app, m.id)).toMatchObject({ state: 'withdrawn', reason: 'met_elsewhere' })
      const last = historyOf(app, m.id).at(-1)!
      expect(last).toMatchObject({ event: 'withdraw', toState: 'withdrawn', reason: 'met_elsewhere', actorId: null })
      // Written with the acceptance, at the same instant.
      expect(last.at).toBe(matchRow(app, kept.id).acceptedAt)
    }
    // The other side is told, in words: the listing and the organization, "met by another offer".
    const told = noticesOf(w.stranger.id)
      .slice(before)
      .filter((n) => n.kind === 'match.met_elsewhere')
    expect(told.map((n) => n.link).sort()).toEqual([`/matches/${asked.id}`, `/matches/${pledged.id}`].sort())
    expect(describeNotice('zh-CN', told[0])).toMatch(
      /^「雨天排练场地」（荔枝湾广场舞队）已由其他资源满足，它与「书法社(活动室|后院)」（荔枝湾书法社）的对接已自动撤回/,
    )
    expect(describeNotice('en', told[0])).toContain('"雨天排练场地" (荔枝湾广场舞队) was met by another offer')
    const inbox = await neighbour.get('/inbox')
    expect(inbox.body).toContain('已由其他资源满足')
    expect(
      app.db
        .select()
        .from(events)
        .where(eq(events.subjectId, asked.id))
        .all()
        .some((e) => e.action === 'match.withdraw'),
    ).toBe(true)

    // The match page says why, and the need's page recommends nothing more.
    const page = await neighbour.get(`/matches/${asked.id}`)
    expect(page.body).toContain('已由其他资源满足')
    const needPage = await leader.get(`/needs/${need.id}`)
    expect(needPage.body).toContain('这项需求已经满足')
    expect(needPage.body).not.toContain('id="fit-offer-')
    expect(needPage.body).not.toContain(`action="/needs/${need.id}/requests"`)
    // The holder whose match stands is not told its own match was withdrawn.
    expect(noticesOf(w.other.id).some((n) => n.kind === 'match.met_elsewhere')).toBe(false)
  })

  it('leaves the other requests of a need only partly met open', async () => {
    const need = needs.post(app.db, w.member, {
      orgId: w.orgA.id,
      category: 'venue',
      title: '周末排练场地',
      description: '室内场地，可排练',
      quantity: 10,
      areaId: w.communityA.id,
    })
    const a = venue(w.other, w.orgB.id, '南岸小礼堂')
    const b = venue(w.stranger, w.orgC.id, '书法社小教室')
    const first = matches.open(app.db, reload(app, w.member), 'request', {
      needId: need.id,
      offerId: a.id,
      quantity: 4,
    })
    const second = matches.open(app.db, reload(app, w.member), 'request', {
      needId: need.id,
      offerId: b.id,
      quantity: 6,
    })
    matches.fire(app.db, reload(app, w.other), first.id, 'accept')
    expect(matchRow(app, second.id).state).toBe('requested')
    expect((await leader.get(`/needs/${need.id}`)).body).not.toContain('这项需求已经满足')
  })
})

describe('a draft', () => {
  it('shows its owner "发布" and no request buttons, even with offers that fit', async () => {
    venue(w.other, w.orgB.id, '南岸草稿可用场地')
    const draft = needs.post(app.db, w.member, {
      orgId: w.orgA.id,
      category: 'venue',
      title: '草稿排练场地',
      description: '室内场地，可排练',
      quantity: 4,
      areaId: w.communityA.id,
      draft: true,
    })
    const page = await leader.get(`/needs/${draft.id}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toMatch(
      new RegExp(`<a class="button" href="/needs/${draft.id}/edit" id="publish-draft">发布</a>`),
    )
    expect(page.body).not.toContain(`action="/needs/${draft.id}/requests"`)
    expect(page.body).not.toContain(`action="/needs/${draft.id}/renewal"`)
    const broker = await signedIn(app, w.broker.email)
    // A broker covering the area does not see another's draft at all.
    expect((await broker.get(`/needs/${draft.id}`)).statusCode).toBe(404)
  })
})

describe('contacts after acceptance', () => {
  it("fall back to the leader's name and account e-mail when the group gave none", async () => {
    app.db
      .update(organizations)
      .set({ contactPhone: null, contactEmail: null })
      .where(eq(organizations.id, w.orgB.id))
      .run()
    const need = needs.post(app.db, w.member, {
      orgId: w.orgA.id,
      category: 'venue',
      title: '联系人测试场地',
      description: '室内场地，可排练',
      quantity: 2,
      areaId: w.communityA.id,
    })
    const offer = venue(w.other, w.orgB.id, '联系人测试礼堂')
    const m = matches.open(app.db, reload(app, w.member), 'request', {
      needId: need.id,
      offerId: offer.id,
      quantity: 2,
    })
    const before = await leader.get(`/matches/${m.id}`)
    expect(before.body).not.toContain(w.other.email)
    matches.fire(app.db, reload(app, w.other), m.id, 'accept')
    const page = await leader.get(`/matches/${m.id}`)
    const box = page.body.slice(
      page.body.indexOf('id="contacts"'),
      page.body.indexOf('</section>', page.body.indexOf('id="contacts"')),
    )
    expect(box).toContain('负责人：Other')
    expect(box).toContain(w.other.email)
    // A group that gave its own contacts shows those, not its leader's account.
    expect(box).toContain('zzmail@marker.test')
    expect(box).not.toContain(w.member.email)
    // Nobody outside the match sees them.
    expect((await neighbour.get(`/matches/${m.id}`)).statusCode).toBe(404)
  })
})

describe('registering a group', () => {
  const form = (extra: Record<string, string> = {}) => ({
    name: '新港象棋队',
    kind: 'community_group',
    areaId: String(w.communityA.id),
    ...extra,
  })

  it("asks for at least one contact channel, in the reader's language, and keeps what was typed", async () => {
    const zh = await neighbour.post('/orgs', form({ description: '每周三下棋' }))
    expect(zh.statusCode).toBe(422)
    expect(fieldError(zh.body, 'contactPhone')).toContain('请至少填写一种联系方式（电话或电子邮箱）')
    expect(zh.body).toContain('每周三下棋')
    const en = await neighbour.post('/orgs', form(), { headers: { 'accept-language': 'en' } })
    expect(fieldError(en.body, 'contactPhone')).toContain('Give at least one way to reach the group (phone or e-mail)')
    expect((await neighbour.post('/orgs', form({ contactEmail: 'chess@example.cn' }))).statusCode).toBe(303)
  })

  it('sends someone who came from the need form back to it, with the new group chosen', async () => {
    await addUser(app, { email: 'newcomer@example.cn', name: 'Newcomer' })
    const fresh = await signedIn(app, 'newcomer@example.cn')
    const asked = await fresh.get('/needs/new')
    expect(asked.statusCode).toBe(303)
    expect(asked.headers.location).toBe('/orgs/new?next=%2Fneeds%2Fnew')
    const formPage = await fresh.get(asked.headers.location as string)
    expect(formPage.body).toContain('name="next" value="/needs/new"')
    // A first group, registered elsewhere, sorts first: the form must choose the new one, not the first.
    expect((await fresh.post('/orgs', form({ name: '一号读书会', contactPhone: '020-1111 2222' }))).statusCode).toBe(
      303,
    )
    const created = await fresh.post(
      '/orgs',
      form({ name: '新港合唱团', contactPhone: '020-1234 5678', next: '/needs/new' }),
    )
    expect(created.statusCode).toBe(303)
    const orgId = Number(String(created.headers.location).match(/^\/needs\/new\?orgId=(\d+)$/)?.[1])
    expect(orgId).toBeGreaterThan(0)
    const back = await fresh.get(created.headers.location as string)
    expect(back.statusCode).toBe(200)
    expect(back.body).toContain('组织已登记')
    expect(back.body).toMatch(new RegExp(`<option value="${orgId}" selected>新港合唱团</option>`))
    expect(back.body).toMatch(/<option value="\d+">一号读书会<\/option>/)
    // Only the listing forms are ways back: anything else is refused as a schema problem, not followed.
    expect(
      (await fresh.post('/orgs', form({ name: '别处', contactPhone: '1', next: 'https://evil.example' }))).statusCode,
    ).toBe(422)
  })
})
