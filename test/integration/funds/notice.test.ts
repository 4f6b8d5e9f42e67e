import { beforeEach, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { addUser, appForTest, Browser, count, fieldError, seedWorld, signedIn, type World } from '../../helpers/app.js'
import { decidedCall, type DecidedCall } from '../../helpers/funds.js'
import * as accounts from '../../../src/accounts/accounts.js'

// The public notice (公示): published once by whoever runs the call, read by anyone, objected to during its period by
// anyone (a visitor too), each objection answered once; the awards stand when the period is over.
let app: FastifyInstance
let w: World
let c: DecidedCall
let holder: Browser

beforeEach(async () => {
  app = await appForTest()
  w = await seedWorld(app)
  c = await decidedCall(app, w)
  holder = await signedIn(app, 'holder@example.cn')
})

const url = () => `/calls/${c.callId}/notice`
const events = (action: string) =>
  app.sqlite
    .prepare('SELECT actor_id AS actor, subject_id AS subject, data FROM events WHERE action = ?')
    .all(action) as { actor: number | null; subject: number; data: string }[]

async function publish(days = 7) {
  await holder.get(url())
  return holder.post(url(), { days })
}

async function visitorOnNotice() {
  const v = new Browser(app)
  const page = await v.get(url())
  expect(page.statusCode).toBe(200)
  return { v, page }
}

describe('publishing the notice', () => {
  it('is seen before publishing only by those who run the call, with the form that publishes it', async () => {
    expect((await new Browser(app).get(url())).statusCode).toBe(404)
    expect((await (await signedIn(app, w.member.email)).get(url())).statusCode).toBe(404)
    const draft = await holder.get(url())
    expect(draft.statusCode).toBe(200)
    expect(draft.body).toContain('尚未公示')
    expect(draft.body).toContain(`action="/calls/${c.callId}/notice"`)
    // A call with no confirmed decision has no notice at all.
    expect((await holder.get('/calls/9999/notice')).statusCode).toBe(404)
  })

  it('opens the objection period for the days chosen, once, logged', async () => {
    const before = Date.now()
    const res = await publish(3)
    expect(res.statusCode).toBe(303)
    const row = app.sqlite
      .prepare('SELECT announced_at AS a, objections_until AS u FROM fund_calls WHERE id = ?')
      .get(c.callId) as { a: string; u: string }
    expect(Date.parse(row.u) - Date.parse(row.a)).toBe(3 * 86_400_000)
    expect(Date.parse(row.a)).toBeGreaterThanOrEqual(before - 1000)
    expect(events('fund.notice_published')).toEqual([
      { actor: c.holder.id, subject: c.callId, data: expect.stringContaining('"days":3') },
    ])
    const again = await holder.post(url(), { days: 7 })
    expect(again.statusCode).toBe(409)
    expect(again.body).toContain('已经公示过了')
    expect(events('fund.notice_published')).toHaveLength(1)
  })

  it('refuses a period outside 1–30 days with the reason next to the field', async () => {
    await holder.get(url())
    for (const days of ['0', '31', 'x']) {
      const res = await holder.post(url(), { days })
      expect(res.statusCode, days).toBe(422)
      expect(fieldError(res.body, 'days'), days).toBeTruthy()
    }
    expect(app.sqlite.prepare('SELECT announced_at FROM fund_calls WHERE id = ?').pluck().get(c.callId)).toBeNull()
  })

  it('may be published by a broker covering the holder, not by a group leader or a broker elsewhere', async () => {
    const member = await signedIn(app, w.member.email)
    expect((await member.post(url(), { days: 7 })).statusCode).toBe(403)
    const far = await addUser(app, { email: 'far@example.cn', role: 'broker' })
    accounts.setBrokerAreas(app.db, w.admin.id, far.id, [w.streetB.id])
    expect((await (await signedIn(app, 'far@example.cn')).post(url(), { days: 7 })).statusCode).toBe(403)
    const broker = await signedIn(app, w.broker.email)
    expect((await broker.post(url(), { days: 7 })).statusCode).toBe(303)
  })
})

describe('the published notice', () => {
  it('shows a visitor the awards, amounts, mean scores, total, budget, rule and period; no reviewer, no note, no contact', async () => {
    await publish()
    const { page } = await visitorOnNotice()
    const rows = [
      ...page.body.matchAll(
        /<tr id="notice-award-(\d+)"><td>([^<]*)<\/td><td>([^<]*)<\/td><td class="num">([^<]*)<\/td><td class="num">([^<]*)<\/td><\/tr>/g,
      ),
    ].map((m) => m.slice(1))
    expect(rows).toEqual([
      [String(c.awardA.applicationId), '荔枝湾广场舞队', '广场舞队进社区', '¥3,000.00', '4.25'],
      [String(c.awardB.applicationId), '荔枝湾亲子读书会', '亲子共读角', '¥2,000.01', '3.80'],
    ])
    expect(page.body).toMatch(/id="notice-total">¥5,000.01</)
    expect(page.body).toContain('¥6,000.00')
    expect(page.body).toContain('公示期')
    expect(page.body).toContain('预算和单项上限之内')
    for (const secret of ['评审张老师', 'REVIEWER-NOTE-SECRET', 'reviewer@example.cn', '互助小组茶话会'])
      expect(page.body).not.toContain(secret)
    // A visitor is not offered the pages of the awards; the dance team's leader is offered its own, not the reading club's.
    expect(page.body).not.toContain('/awards/')
    const mine = await (await signedIn(app, w.member.email)).get(url())
    expect(mine.body).toContain(`href="/awards/${c.awardA.awardId}"`)
    expect(mine.body).not.toContain(`href="/awards/${c.awardB.awardId}"`)
  })

  it("takes a visitor's objection with CSRF, lists it without the contact, tells the holder and logs it", async () => {
    await publish()
    const { v } = await visitorOnNotice()
    const form = {
      name: '居民老陈',
      contact: 'ZZPHONE13800',
      body: '读书会的场地费偏高',
      applicationId: String(c.awardB.applicationId),
    }
    expect((await v.post(`/calls/${c.callId}/objections`, form, { csrf: null })).statusCode).toBe(403)
    const res = await v.post(`/calls/${c.callId}/objections`, form)
    expect(res.statusCode).toBe(303)
    const shown = await new Browser(app).get(url())
    expect(shown.body).toContain('居民老陈')
    expect(shown.body).toContain('读书会的场地费偏高')
    expect(shown.body).toContain('针对：亲子共读角')
    expect(shown.body).not.toContain('ZZPHONE13800')
    expect((await (await signedIn(app, w.member.email)).get(url())).body).not.toContain('ZZPHONE13800')
    expect((await holder.get(url())).body).toContain('ZZPHONE13800')
    expect(events('fund.objection_raised')).toEqual([
      { actor: null, subject: c.callId, data: expect.stringContaining(`"application":${c.awardB.applicationId}`) },
    ])
    expect(
      app.sqlite
        .prepare("SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'fund.objection'")
        .pluck()
        .get(c.holder.id),
    ).toBe(1)
  })

  it('says what to fix: a missing name or text, an application that was not awarded; nothing is kept', async () => {
    await publish()
    const { v } = await visitorOnNotice()
    const empty = await v.post(`/calls/${c.callId}/objections`, { name: '', body: '' })
    expect(empty.statusCode).toBe(422)
    expect(fieldError(empty.body, 'name')).toBeTruthy()
    expect(fieldError(empty.body, 'body')).toBeTruthy()
    const loser = await v.post(`/calls/${c.callId}/objections`, {
      name: '甲',
      body: '乙',
      applicationId: String(c.loser.applicationId),
    })
    expect(loser.statusCode).toBe(422)
    expect(loser.body).toContain('乙')
    expect(count(app, 'fund_objections')).toBe(0)
  })

  it('is answered once by whoever runs the call, publicly; nobody else may answer', async () => {
    await publish()
    const { v } = await visitorOnNotice()
    await v.post(`/calls/${c.callId}/objections`, { name: '居民老陈', body: '有异议' })
    const id = app.sqlite.prepare('SELECT id FROM fund_objections').pluck().get() as number
    const member = await signedIn(app, w.member.email)
    expect((await member.post(`/objections/${id}/answer`, { answer: '我来答' })).statusCode).toBe(404)
    await holder.get(url())
    expect((await holder.post(`/objections/${id}/answer`, { answer: '' })).statusCode).toBe(422)
    expect((await holder.post(`/objections/${id}/answer`, { answer: '已核实，场地费按市场价。' })).statusCode).toBe(303)
    const again = await holder.post(`/objections/${id}/answer`, { answer: '改一下' })
    expect(again.statusCode).toBe(409)
    const shown = await new Browser(app).get(url())
    expect(shown.body).toContain('已核实，场地费按市场价。')
    expect(shown.body).not.toContain('改一下')
    expect(events('fund.objection_answered')).toHaveLength(1)
  })

  it('stands when the period is over: 公示期满, no form, an objection refused', async () => {
    await publish()
    const { v } = await visitorOnNotice()
    app.sqlite.prepare("UPDATE fund_calls SET objections_until = '2026-01-01T00:00:00.000Z' WHERE id = ?").run(c.callId)
    const page = await new Browser(app).get(url())
    expect(page.body).toContain('公示期满')
    expect(page.body).not.toContain('id="objection-form"')
    const late = await v.post(`/calls/${c.callId}/objections`, { name: '甲', body: '晚了' })
    expect(late.statusCode).toBe(409)
    expect(count(app, 'fund_objections')).toBe(0)
  })

  it('limits objections from one address to five a minute', async () => {
    await publish()
    const { v } = await visitorOnNotice()
    const statuses = []
    for (let i = 0; i < 6; i++)
      statuses.push((await v.post(`/calls/${c.callId}/objections`, { name: `甲${i}`, body: '异议' })).statusCode)
    expect(statuses).toEqual([303, 303, 303, 303, 303, 429])
    expect(count(app, 'fund_objections')).toBe(5)
  })

  it('is in English for an English reader', async () => {
    await publish()
    const page = await new Browser(app, { headers: { 'accept-language': 'en' } }).get(url())
    expect(page.body).toContain('Public notice of awards')
    expect(page.body).toContain('Raise an objection')
  })
})
