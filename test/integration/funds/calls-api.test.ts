import { beforeEach, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { count } from '../../helpers/app.js'
import { api, callsWorld, type CallsWorld } from './calls-world.js'
import { appForTestHoldingJson } from '../../helpers/served.js'

// The JSON API of calls, as an outside caller uses it: open a call, apply, score (rolling: before the close date),
// decide — and the decision equals the exact optimum of the stated problem, worked out here by hand.
let app: FastifyInstance
let w: CallsWorld

beforeEach(async () => {
  // Every API answer is held to what its handler built: a response schema must not drop or coerce a field.
  app = await appForTestHoldingJson()
  w = await callsWorld(app)
})

const callBody = (extra: Record<string, unknown> = {}) => ({
  title: '2027 东湖社区微创投',
  holder: w.holderOrg.id,
  area: w.streetA.id,
  budget: 1_000_000,
  cap: 500_000,
  reviewers: ['rev1@example.cn', { user: w.rev2.id, resident: false }],
  ...extra,
})

async function openCall(extra: Record<string, unknown> = {}) {
  const res = await api(app, w.tokens.holder, 'POST', '/api/v1/calls', callBody(extra))
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: number; criteria: { id: number; name: string; weight: number }[]; stage: string }
}

async function apply(callId: number, token: string, body: Record<string, unknown>) {
  const res = await api(app, token, 'POST', `/api/v1/calls/${callId}/applications`, { submit: true, ...body })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: number; asked: number; status: string }
}

describe('POST /api/v1/calls', () => {
  it('opens a published call with the default five criteria at 20% each, money in fen', async () => {
    const call = await openCall()
    expect(call.stage).toBe('open')
    expect(call.criteria.map((c) => [c.name, c.weight])).toEqual([
      ['需求依据', 20],
      ['居民参与', 20],
      ['可行性', 20],
      ['预算合理', 20],
      ['可持续性', 20],
    ])
    const shown = (await api(app, null, 'GET', `/api/v1/calls/${call.id}`)).json()
    expect(shown).toMatchObject({ budget: 1_000_000, cap: 500_000, holder: w.holderOrg.id })
    // Reviewers' names to the holder side only.
    expect(shown.reviewers).toBeUndefined()
    const holderView = (await api(app, w.tokens.holder, 'GET', `/api/v1/calls/${call.id}`)).json()
    expect(holderView.reviewers.map((r: { name: string }) => r.name).sort()).toEqual(
      ['居民代表王阿姨', '评审张老师'].sort(),
    )
    expect((await api(app, null, 'GET', '/api/v1/calls')).json().items.map((c: { id: number }) => c.id)).toEqual([
      call.id,
    ])
    expect(count(app, 'events')).toBeGreaterThan(0)
  })

  it('refuses with 400 and field messages: weights not summing to 100, a cap over the budget, an unknown reviewer', async () => {
    const res = await api(
      app,
      w.tokens.holder,
      'POST',
      '/api/v1/calls',
      callBody({
        criteria: [
          { name: '需求', weight: 60 },
          { name: '可行', weight: 30 },
        ],
      }),
    )
    expect(res.statusCode).toBe(400)
    expect(res.json().errors).toEqual([{ field: 'criteria', message: '各项标准的权重合计须为 100%，现在是 90%。' }])
    const cap = await api(app, w.tokens.holder, 'POST', '/api/v1/calls', callBody({ cap: 2_000_000 }))
    expect(cap.statusCode).toBe(400)
    expect(cap.json().errors[0].field).toBe('cap')
    const who = await api(app, w.tokens.holder, 'POST', '/api/v1/calls', callBody({ reviewers: ['nobody@example.cn'] }))
    expect(who.statusCode).toBe(400)
    expect(who.json().errors[0]).toEqual({ field: 'reviewers', message: expect.stringContaining('nobody@example.cn') })
    expect((await api(app, w.tokens.holder, 'POST', '/api/v1/calls', { title: 'x' })).statusCode).toBe(400)
    expect(count(app, 'fund_calls')).toBe(0)
  })

  it('lets the holder leader, a broker covering the holder and an admin open a call; a group leader or another broker gets 403', async () => {
    for (const t of [w.tokens.holder, w.tokens.broker, w.tokens.admin])
      expect((await api(app, t, 'POST', '/api/v1/calls', callBody())).statusCode).toBe(201)
    expect((await api(app, w.tokens.member, 'POST', '/api/v1/calls', callBody())).statusCode).toBe(403)
    // A community group cannot hold a call.
    const group = await api(app, w.tokens.member, 'POST', '/api/v1/calls', callBody({ holder: w.orgA.id }))
    expect(group.statusCode).toBe(400)
    expect(group.json().errors[0].field).toBe('holder')
    expect((await api(app, null, 'POST', '/api/v1/calls', callBody())).statusCode).toBe(401)
  })

  it('keeps a draft to its holder side: 404 for others', async () => {
    const call = await openCall({ draft: true })
    expect(call.stage).toBe('draft')
    expect((await api(app, w.tokens.member, 'GET', `/api/v1/calls/${call.id}`)).statusCode).toBe(404)
    expect((await api(app, null, 'GET', `/api/v1/calls/${call.id}`)).statusCode).toBe(404)
    expect((await api(app, w.tokens.broker, 'GET', `/api/v1/calls/${call.id}`)).statusCode).toBe(200)
    expect(
      (
        await api(app, w.tokens.member, 'POST', `/api/v1/calls/${call.id}/applications`, {
          title: '夜间广场舞',
          asked: 100,
        })
      ).statusCode,
    ).toBe(404)
  })
})

describe('applications, scores and the decision through the API', () => {
  it('refuses an application asking more than the cap, with the amounts in words', async () => {
    const call = await openCall()
    const res = await api(app, w.tokens.member, 'POST', `/api/v1/calls/${call.id}/applications`, {
      org: w.orgA.id,
      title: '广场舞音响',
      submit: true,
      budget_lines: [
        { item: '音响', asked: 400_000 },
        { item: '服装', asked: 100_050, own: 20_000 },
      ],
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().errors).toEqual([
      {
        field: 'budget_lines',
        message: '申请总额 ¥5,000.50 超过了单个项目上限 ¥5,000.00，请减少申请金额（可以增加自筹部分）。',
      },
    ])
    expect(count(app, 'fund_applications')).toBe(0)
  })

  it('refuses a broker applying for a group (403) and a leader applying for a group they do not lead (403)', async () => {
    const call = await openCall()
    expect(
      (
        await api(app, w.tokens.broker, 'POST', `/api/v1/calls/${call.id}/applications`, {
          org: w.orgA.id,
          title: '代为申请',
          asked: 1000,
        })
      ).statusCode,
    ).toBe(403)
    expect(
      (
        await api(app, w.tokens.other2, 'POST', `/api/v1/calls/${call.id}/applications`, {
          org: w.orgA.id,
          title: '冒名申请',
          asked: 1000,
        })
      ).statusCode,
    ).toBe(403)
  })

  it('refuses at submission a group outside the call area, saying why', async () => {
    const call = await openCall()
    const res = await api(app, w.tokens.other, 'POST', `/api/v1/calls/${call.id}/applications`, {
      org: w.orgB.id,
      title: '互助小组活动',
      asked: 1000,
      submit: true,
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().errors).toEqual([{ field: 'org', message: '团体所在地区不在这个资助计划的范围内。' }])
  })

  it('scores by criterion id or name; the second review is refused; the member-reviewer is recused automatically', async () => {
    const call = await openCall()
    const a = await apply(call.id, w.tokens.member, { org: w.orgA.id, title: '广场舞进社区', asked: 300_000 })
    const ids = call.criteria.map((c) => c.id)
    // rev2 belongs to org A: set aside at submission, whatever they send.
    const recused = await api(app, w.tokens.rev2, 'POST', `/api/v1/applications/${a.id}/scores`, {
      scores: ids.map((criterion) => ({ criterion, score: 5 })),
    })
    expect(recused.statusCode).toBe(409)
    expect(
      app.sqlite.prepare('SELECT recused, recuse_reason FROM fund_reviews WHERE reviewer_id = ?').get(w.rev2.id),
    ).toEqual({ recused: 1, recuse_reason: 'member' })
    const res = await api(app, w.tokens.rev1, 'POST', `/api/v1/applications/${a.id}/scores`, {
      scores: call.criteria.map((c) => ({ criterion: c.name, score: 4 })),
      note: '需求清楚',
    })
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toMatchObject({ application: a.id, recused: false })
    const again = await api(app, w.tokens.rev1, 'POST', `/api/v1/applications/${a.id}/scores`, {
      scores: Object.fromEntries(ids.map((id) => [id, 1])),
    })
    expect(again.statusCode).toBe(409)
    const missing = await api(app, w.tokens.admin, 'POST', `/api/v1/applications/${a.id}/scores`, {
      scores: { [ids[0]]: 3 },
    })
    expect(missing.statusCode).toBe(403)
    // The applicant cannot score its own application, nor see the reviewers' names.
    expect(
      (await api(app, w.tokens.member, 'POST', `/api/v1/applications/${a.id}/scores`, { scores: { [ids[0]]: 5 } }))
        .statusCode,
    ).toBe(403)
    const mine = (await api(app, w.tokens.member, 'GET', `/api/v1/calls/${call.id}`)).json()
    expect(JSON.stringify(mine)).not.toContain('王阿姨')
    expect(mine.applications[0]).not.toHaveProperty('score')
  })

  it('decides the exact optimum within the budget, once: preview writes nothing, a second POST returns the same decision', async () => {
    // Budget ¥10,000, cap ¥5,000, one award per group. A asks 5,000 (scored 4), C asks 4,000 (3), A again 1,500 (5).
    // Within the budget {A 5,000, C 4,000} scores 7 and {A2 1,500, C 4,000} scores 8: A's second plan with C, and
    // A's first plan loses to its own group's better one.
    const call = await openCall({ criteria: [{ name: '综合', weight: 100 }], reviewers: ['rev1@example.cn'] })
    const c0 = call.criteria[0].id
    const a1 = await apply(call.id, w.tokens.member, { org: w.orgA.id, title: '广场舞进社区', asked: 500_000 })
    const c1 = await apply(call.id, w.tokens.other2, { org: w.orgC.id, title: '亲子共读', asked: 400_000 })
    const a2 = await apply(call.id, w.tokens.co, { org: w.orgA.id, title: '长者舞蹈班', asked: 150_000 })
    const score = (id: number, s: number) =>
      api(app, w.tokens.rev1, 'POST', `/api/v1/applications/${id}/scores`, { scores: [{ criterion: c0, score: s }] })
    expect((await score(a1.id, 4)).statusCode).toBe(201)
    // Not complete yet: no scores in the holder's view, and confirming is refused.
    expect(
      (await api(app, w.tokens.holder, 'GET', `/api/v1/calls/${call.id}`))
        .json()
        .applications.find((x: { id: number }) => x.id === a1.id).score,
    ).toBe(4)
    expect(
      (await api(app, w.tokens.holder, 'GET', `/api/v1/calls/${call.id}`))
        .json()
        .applications.find((x: { id: number }) => x.id === c1.id).score,
    ).toBeNull()
    expect((await api(app, w.tokens.holder, 'POST', `/api/v1/calls/${call.id}/decision`, {})).statusCode).toBe(409)
    expect((await score(c1.id, 3)).statusCode).toBe(201)
    expect((await score(a2.id, 5)).statusCode).toBe(201)
    const preview = await api(app, w.tokens.holder, 'POST', `/api/v1/calls/${call.id}/decision`, { preview: true })
    expect(preview.statusCode).toBe(200)
    expect(count(app, 'fund_decisions')).toBe(0)
    const expected = {
      awards: [
        { application: a2.id, amount: 150_000 },
        { application: c1.id, amount: 400_000 },
      ],
      not_awarded: [{ application: a1.id, reason: 'same_group' }],
      total: 550_000,
    }
    const shape = (body: {
      awards: { application: number; amount: number }[]
      not_awarded: { application: number; reason: string }[]
      total: number
    }) => ({
      awards: body.awards
        .map(({ application, amount }) => ({ application, amount }))
        .sort((x, y) => x.application - y.application),
      not_awarded: body.not_awarded.map(({ application, reason }) => ({ application, reason })),
      total: body.total,
    })
    expected.awards.sort((x, y) => x.application - y.application)
    expect(shape(preview.json())).toEqual(expected)
    expect((await api(app, w.tokens.member, 'POST', `/api/v1/calls/${call.id}/decision`, {})).statusCode).toBe(403)
    const first = await api(app, w.tokens.holder, 'POST', `/api/v1/calls/${call.id}/decision`, {})
    expect(first.statusCode).toBe(201)
    expect(shape(first.json())).toEqual(expected)
    const second = await api(app, w.tokens.broker, 'POST', `/api/v1/calls/${call.id}/decision`)
    expect(second.statusCode).toBe(200)
    expect(shape(second.json())).toEqual(expected)
    expect(count(app, 'fund_decisions')).toBe(1)
    expect(app.sqlite.prepare('SELECT SUM(amount_fen) FROM fund_awards').pluck().get()).toBe(550_000)
    expect(app.sqlite.prepare("SELECT count(*) FROM events WHERE action = 'fund_call.decided'").pluck().get()).toBe(1)
    // Deciding closes applications.
    expect(
      (
        await api(app, w.tokens.member, 'POST', `/api/v1/calls/${call.id}/applications`, {
          org: w.orgA.id,
          title: '迟到的申请',
          asked: 1000,
        })
      ).statusCode,
    ).toBe(409)
  })

  it('says "not reviewed" for an application every reviewer stepped aside from', async () => {
    const call = await openCall({ reviewers: ['rev2@example.cn'] })
    const a = await apply(call.id, w.tokens.member, { org: w.orgA.id, title: '广场舞进社区', asked: 100_000 })
    const res = await api(app, w.tokens.holder, 'POST', `/api/v1/calls/${call.id}/decision`, {})
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({
      awards: [],
      not_awarded: [{ application: a.id, reason: 'not_reviewed' }],
      total: 0,
    })
  })
})
