import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { and, eq } from 'drizzle-orm'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import * as matches from '../../../src/brokering/matches.js'
import * as checkins from '../../../src/brokering/checkins.js'
import { events, matchCheckins, notifications, partnerships } from '../../../src/db/schema.js'
import { HANDLERS } from '../../../src/scheduler/handlers.js'
import * as jobs from '../../../src/jobs/jobs.js'
import { Browser, count, makeApp, signedIn } from '../../helpers/app.js'
import { brokerWorld, reload, type BrokerWorld } from './world.js'

const DAY = 86_400_000
let app: FastifyInstance
let w: BrokerWorld
let leader: Browser, holder: Browser, broker: Browser, stranger: Browser, broker2: Browser, admin: Browser
beforeAll(async () => {
  app = await makeApp()
  w = await brokerWorld(app)
  ;[leader, holder, broker, stranger, broker2, admin] = await Promise.all([
    signedIn(app, w.member.email),
    signedIn(app, w.other.email),
    signedIn(app, w.broker.email),
    signedIn(app, w.stranger.email),
    signedIn(app, w.broker2.email),
    signedIn(app, w.admin.email),
  ])
})
afterAll(async () => {
  await app?.close()
})

/** A match of org A's need with org B's offer, delivered `daysAgo` days ago (its follow-up jobs scheduled then). */
function deliveredAgo(daysAgo: number, title = '排练场地') {
  const at = new Date(Date.now() - daysAgo * DAY)
  const need = needs.post(
    app.db,
    w.member,
    {
      orgId: w.orgA.id,
      category: 'venue',
      title,
      description: '每周排练需要室内场地',
      quantity: 4,
      areaId: w.communityA.id,
    },
    at,
  )
  const offer = offers.post(
    app.db,
    w.other,
    {
      orgId: w.orgB.id,
      category: 'venue',
      title: '社区活动室',
      description: '可借用的室内活动室',
      quantity: 40,
      servesAreaId: w.district.id,
    },
    at,
  )
  const m = matches.open(
    app.db,
    reload(app, w.member),
    'request',
    { needId: need.id, offerId: offer.id, quantity: 4 },
    at,
  )
  matches.fire(app.db, reload(app, w.other), m.id, 'accept', {}, at)
  matches.fire(app.db, reload(app, w.other), m.id, 'deliver', { quantity: 4 }, at)
  return m.id
}
const answersOf = (id: number) => app.db.select().from(matchCheckins).where(eq(matchCheckins.matchId, id)).all()
const answer = (b: Browser, id: number, form: Record<string, string>) => b.post(`/matches/${id}/checkins`, form)

describe('answering a check-in', () => {
  it('is not asked before the 30th day: no form, and an answer is refused with 409', async () => {
    const id = deliveredAgo(10)
    const page = await leader.get(`/matches/${id}`)
    expect(page.body).not.toContain('id="checkin-form"')
    const res = await answer(leader, id, { answer: 'continues' })
    expect(res.statusCode).toBe(409)
    expect(res.body).toContain('现在没有待答的回访')
    expect(answersOf(id)).toEqual([])
  })

  it('"ended: holder unwilling" by the group is recorded once (who, when, which follow-up), logged, shown, and not asked again', async () => {
    const id = deliveredAgo(31)
    expect((await leader.get(`/matches/${id}`)).body).toContain('交付后 30 天回访')
    const res = await answer(leader, id, { answer: 'ended', reason: 'holder_unwilling', note: '场地要装修' })
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(`/matches/${id}#checkin`)
    expect(answersOf(id)).toMatchObject([
      {
        followupDays: 30,
        outcome: 'ended',
        reason: 'holder_unwilling',
        continuation: null,
        note: '场地要装修',
        answeredBy: w.member.id,
        answeredAs: 'need',
      },
    ])
    const logged = app.db
      .select()
      .from(events)
      .where(and(eq(events.action, 'match.checkin'), eq(events.subjectId, id)))
      .all()
    expect(logged).toHaveLength(1)
    expect(logged[0].data).toMatchObject({ days: 30, outcome: 'ended', reason: 'holder_unwilling' })
    const page = await holder.get(`/matches/${id}`)
    expect(page.body).toContain('已结束: 提供方不愿继续 — 场地要装修')
    expect(page.body).not.toContain('id="checkin-form"')
    // The other side, the broker: already answered.
    expect((await answer(holder, id, { answer: 'continues' })).statusCode).toBe(409)
    expect((await answer(broker, id, { answer: 'changed', note: '改到周三' })).statusCode).toBe(409)
    expect(answersOf(id)).toHaveLength(1)
    // Ended: even the 90-day follow-up is not asked.
    expect(
      checkins.due(
        { state: 'delivered', deliveredAt: new Date(Date.now() - 91 * DAY).toISOString() },
        answersOf(id),
        new Date(),
      ),
    ).toBeUndefined()
  })

  it('"changed" needs a note, "ended" a known reason, a reason only with "ended"; nothing is written when refused', async () => {
    const id = deliveredAgo(35)
    const cases: [Record<string, string>, number, string][] = [
      [{ answer: 'changed' }, 422, '请简单说明变化'],
      [{ answer: 'changed', note: '   ' }, 422, '请简单说明变化'],
      [{ answer: 'ended' }, 422, '请选择结束原因'],
      [{ answer: 'continues', reason: 'poor_fit' }, 422, '只有选“已结束”时才填写结束原因'],
      [{ answer: 'ended', reason: 'bored' }, 400, ''],
      [{ answer: 'maybe' }, 400, ''],
      [{}, 400, ''],
      [{ answer: 'changed', note: 'x'.repeat(501) }, 400, ''],
    ]
    for (const [form, status, text] of cases) {
      const res = await answer(holder, id, form)
      expect(res.statusCode, JSON.stringify(form)).toBe(status)
      if (text) expect(res.body).toContain(text)
    }
    const en = await holder.post(
      `/matches/${id}/checkins`,
      { answer: 'ended' },
      { headers: { 'accept-language': 'en' } },
    )
    expect(en.body).toContain('Choose why it ended.')
    expect(answersOf(id)).toEqual([])
    const ok = await answer(holder, id, { answer: 'changed', note: '改成每两周一次' })
    expect(ok.statusCode).toBe(303)
    expect(answersOf(id)).toMatchObject([
      { outcome: 'changed', note: '改成每两周一次', answeredAs: 'offer', reason: null },
    ])
  })

  it('each outcome from each answerer: the broker answers "continues", then the 90-day check-in is asked and answered', async () => {
    const id = deliveredAgo(91)
    // The 90th day has come: the 30-day check-in left unanswered is overtaken by it.
    expect((await broker.get(`/matches/${id}`)).body).toContain('交付后 90 天回访')
    expect((await answer(broker, id, { answer: 'continues' })).statusCode).toBe(303)
    expect(answersOf(id)).toMatchObject([
      { followupDays: 90, outcome: 'continues', continuation: 'as_is', answeredAs: 'broker', answeredBy: w.broker.id },
    ])
    expect((await answer(leader, id, { answer: 'continues' })).statusCode).toBe(409)

    const id2 = deliveredAgo(40, '周末排练')
    expect((await answer(leader, id2, { answer: 'continues' })).statusCode).toBe(303)
    expect(
      checkins.due(
        { state: 'delivered', deliveredAt: new Date(Date.now() - 40 * DAY).toISOString() },
        answersOf(id2),
        new Date(Date.now() + 51 * DAY),
      ),
    ).toBe(90)
    const later = checkins.answer(
      app.db,
      reload(app, w.other),
      id2,
      { answer: 'ended', reason: 'need_gone' },
      new Date(Date.now() + 51 * DAY),
    )
    expect(later.checkin).toMatchObject({ followupDays: 90, outcome: 'ended', reason: 'need_gone' })
    expect(answersOf(id2).map((a) => a.followupDays)).toEqual([30, 90])
  })

  it("only the parties and the covering broker answer: a neighbour, another street's broker and a visitor are refused, nothing written", async () => {
    const id = deliveredAgo(32)
    expect((await answer(stranger, id, { answer: 'continues' })).statusCode).toBe(404)
    expect((await answer(broker2, id, { answer: 'continues' })).statusCode).toBe(404)
    const visitor = new Browser(app)
    await visitor.refreshCsrf('/signin')
    expect((await answer(visitor, id, { answer: 'continues' })).statusCode).toBe(401)
    expect((await answer(leader, id, { answer: 'continues' })).statusCode).toBe(303)
    expect(answersOf(id)).toHaveLength(1)
  })

  it('"continue for another period" is the group\'s: it posts the next need and asks the same offer, with the answer', async () => {
    const id = deliveredAgo(33, '每月排练场地')
    expect((await holder.get(`/matches/${id}`)).body).not.toContain('value="repeat"')
    expect((await answer(holder, id, { answer: 'repeat' })).statusCode).toBe(403)
    expect(answersOf(id)).toEqual([])
    expect((await leader.get(`/matches/${id}`)).body).toContain('value="repeat"')
    const needsBefore = count(app, 'needs')
    const res = await answer(leader, id, { answer: 'repeat' })
    expect(res.statusCode).toBe(303)
    expect(String(res.headers.location)).toMatch(/^\/matches\/\d+$/)
    expect(count(app, 'needs')).toBe(needsBefore + 1)
    expect(answersOf(id)).toMatchObject([{ outcome: 'continues', continuation: 'repeat' }])
  })

  it('an answered follow-up is not asked again by the job; an unanswered one is', async () => {
    const answered = deliveredAgo(0, '排练场地（答过）')
    const open = deliveredAgo(0, '排练场地（没答）')
    const at31 = new Date(Date.now() + 31 * DAY)
    checkins.answer(app.db, reload(app, w.member), answered, { answer: 'continues' }, at31)
    jobs.runDue(app.db, HANDLERS, at31)
    const asked = app.db
      .select()
      .from(notifications)
      .where(eq(notifications.kind, 'match.followup'))
      .all()
      .map((n) => n.params.id)
    expect(asked).toContain(open)
    expect(asked).not.toContain(answered)
  })
})

describe('partnerships', () => {
  let id: number
  it('a check-in answered "continues as a partnership" begins one, shown on both organizations\' pages with its history', async () => {
    id = deliveredAgo(31, '书法排练场地')
    const res = await answer(holder, id, { answer: 'partnership' })
    expect(res.statusCode).toBe(303)
    const p = app.db.select().from(partnerships).all()
    expect(p).toMatchObject([
      { holderOrgId: w.orgB.id, groupOrgId: w.orgA.id, fromMatchId: id, startedBy: w.other.id, endedAt: null },
    ])
    expect(answersOf(id)).toMatchObject([{ outcome: 'continues', continuation: 'partnership' }])
    for (const [b, orgId, partner] of [
      [leader, w.orgA.id, w.orgB.name],
      [holder, w.orgB.id, w.orgA.name],
      [broker, w.orgA.id, w.orgB.name],
      [admin, w.orgB.id, w.orgA.name],
    ] as const) {
      const page = await b.get(`/orgs/${orgId}`)
      expect(page.body).toContain('id="partnerships"')
      expect(page.body).toContain(`id="partnership-${p[0].id}"`)
      expect(page.body).toContain(partner)
      expect(page.body).toContain(`/matches/${id}`)
      expect(page.body).toContain('继续，成为长期合作伙伴')
    }
    // The match page says so, and a second "partnership" answer later does not begin another.
    expect((await leader.get(`/matches/${id}`)).body).toContain('id="partnership-standing"')
    // Visitors and other organizations see no partnership section.
    expect((await new Browser(app).get(`/orgs/${w.orgA.id}`)).body).not.toContain('id="partnerships"')
    expect((await stranger.get(`/orgs/${w.orgA.id}`)).body).not.toContain('id="partnerships"')
  })

  it('is ended by either side (or the broker) with a reason, once; the history stays', async () => {
    const p = app.db.select().from(partnerships).all()[0]
    expect((await stranger.post(`/partnerships/${p.id}/ending`, { reason: 'poor_fit' })).statusCode).toBe(404)
    expect((await broker2.post(`/partnerships/${p.id}/ending`, { reason: 'poor_fit' })).statusCode).toBe(404)
    expect((await leader.post(`/partnerships/${p.id}/ending`, { reason: 'nonsense' })).statusCode).toBe(400)
    expect((await leader.post(`/partnerships/${p.id}/ending`, {})).statusCode).toBe(400)
    const res = await leader.post(`/partnerships/${p.id}/ending`, { reason: 'group_stopped', note: '队长搬走了' })
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(`/orgs/${w.orgA.id}#partnerships`)
    expect(app.db.select().from(partnerships).where(eq(partnerships.id, p.id)).get()).toMatchObject({
      endReason: 'group_stopped',
      endNote: '队长搬走了',
      endedBy: w.member.id,
    })
    expect((await holder.post(`/partnerships/${p.id}/ending`, { reason: 'poor_fit' })).statusCode).toBe(409)
    const page = await holder.get(`/orgs/${w.orgB.id}`)
    expect(page.body).toContain('团队已停止活动')
    expect(page.body).toContain(`/matches/${id}`)
    expect(app.db.select().from(events).where(eq(events.action, 'partnership.ended')).all()).toHaveLength(1)
  })

  it('a covering broker marks a delivered match as a partnership; a party cannot, nor before delivery', async () => {
    const id2 = deliveredAgo(5, '舞蹈排练')
    expect((await broker.get(`/matches/${id2}`)).body).toContain('id="partnership-mark"')
    expect((await leader.post(`/matches/${id2}/partnership`)).statusCode).toBe(403)
    expect((await broker2.post(`/matches/${id2}/partnership`)).statusCode).toBe(404)
    const before = count(app, 'partnerships')
    expect((await broker.post(`/matches/${id2}/partnership`)).statusCode).toBe(303)
    expect(count(app, 'partnerships')).toBe(before + 1)
    // Marked twice: still one standing partnership for the pair.
    expect((await broker.post(`/matches/${id2}/partnership`)).statusCode).toBe(303)
    expect(count(app, 'partnerships')).toBe(before + 1)
    const pending = matches.open(app.db, reload(app, w.member), 'request', {
      needId: w.need.id,
      offerId: w.offer.id,
      quantity: 1,
    })
    expect((await broker.post(`/matches/${pending.id}/partnership`)).statusCode).toBe(409)
  })
})

describe('check-ins in the street office report', () => {
  it("counts the period's answers about the street's needs, and why arrangements ended", async () => {
    const figures = async () => {
      const body = (await broker.get(`/reports?area=${w.streetA.id}`)).body
      const table = body.slice(
        body.indexOf('id="table-checkins"'),
        body.indexOf('</table>', body.indexOf('id="table-checkins"')),
      )
      const cell = (label: string) => Number(table.match(new RegExp(`${label}</th><td class="num">(\\d+)</td>`))![1])
      return {
        total: cell('回访次数'),
        ended: cell('已结束'),
        stopped: cell('结束：团队已停止活动'),
        continues: cell('继续合作'),
      }
    }
    const before = await figures()
    const id = deliveredAgo(31, '回访统计')
    expect((await answer(leader, id, { answer: 'ended', reason: 'group_stopped' })).statusCode).toBe(303)
    expect(await figures()).toEqual({
      ...before,
      total: before.total + 1,
      ended: before.ended + 1,
      stopped: before.stopped + 1,
    })
  })
})
