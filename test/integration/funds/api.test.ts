import { beforeEach, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import * as tokens from '../../../src/accounts/tokens.js'
import * as notice from '../../../src/funds/notice.js'
import { seedWorld, type World } from '../../helpers/app.js'
import { decidedCall, type DecidedCall } from '../../helpers/funds.js'
import { appForTestHoldingJson } from '../../helpers/served.js'

// The JSON side: the notice, a group's milestone report, the holder's decision — the web's rights and rules, money in fen.
let app: FastifyInstance
let w: World
let c: DecidedCall
const token: Record<string, string> = {}

beforeEach(async () => {
  // Every API answer is held to what its handler built: a response schema must not drop or coerce a field.
  app = await appForTestHoldingJson()
  w = await seedWorld(app)
  c = await decidedCall(app, w)
  token.holder = tokens.issue(app.db, c.holder.id, 'test')
  token.leader = tokens.issue(app.db, w.member.id, 'test')
  token.other = tokens.issue(app.db, w.other.id, 'test')
})

const call = (who: string | null, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  app.inject({
    method,
    url,
    headers: {
      ...(who ? { authorization: `Bearer ${token[who]}` } : {}),
      ...(payload ? { 'content-type': 'application/json' } : {}),
      'accept-language': 'en',
    },
    payload: payload ? JSON.stringify(payload) : undefined,
  })

describe('GET /api/v1/calls/:id/notice', () => {
  it('is not found until published, except to the holder side; then public, contacts only to the holder side', async () => {
    expect((await call(null, 'GET', `/api/v1/calls/${c.callId}/notice`)).statusCode).toBe(404)
    expect((await call('holder', 'GET', `/api/v1/calls/${c.callId}/notice`)).json().period).toBe('unannounced')
    notice.announce(app.db, c.holder, c.callId, { days: 7 })
    notice.object(app.db, null, c.callId, {
      name: '居民',
      contact: 'ZZPHONE',
      body: '异议',
      applicationId: c.awardA.applicationId,
    })
    const pub = (await call(null, 'GET', `/api/v1/calls/${c.callId}/notice`)).json()
    expect(pub).toMatchObject({
      period: 'open',
      total: 500_001,
      call: { budget: 600_000, cap: 300_000, min_award: null, preference: 'none' },
    })
    expect(pub.awards).toEqual([
      {
        id: c.awardA.awardId,
        application: c.awardA.applicationId,
        group: '荔枝湾广场舞队',
        project: '广场舞队进社区',
        amount: 300_000,
        score: 4.25,
      },
      {
        id: c.awardB.awardId,
        application: c.awardB.applicationId,
        group: '荔枝湾亲子读书会',
        project: '亲子共读角',
        amount: 200_001,
        score: 3.8,
      },
    ])
    expect(pub.objections[0]).not.toHaveProperty('contact')
    expect(JSON.stringify(pub)).not.toMatch(/ZZPHONE|评审张老师|REVIEWER-NOTE/)
    expect((await call('holder', 'GET', `/api/v1/calls/${c.callId}/notice`)).json().objections[0].contact).toBe(
      'ZZPHONE',
    )
  })
})

describe('POST /api/v1/awards/:id/reports and /api/v1/reports/:id/decision', () => {
  const url = () => `/api/v1/awards/${c.awardA.awardId}/reports`
  const body = (milestone: number | null) => ({
    milestone,
    done: '排练四次',
    residents_reached: 40,
    spending: [{ line: c.awardA.lines[0], spent: 80_050 }],
  })

  it('a leader reports (201), the holder approves and the tranche is released; twice is a 409', async () => {
    const sent = await call('leader', 'POST', url(), body(c.awardA.milestones[0]))
    expect(sent.statusCode).toBe(201)
    expect(sent.json()).toMatchObject({
      award: c.awardA.awardId,
      milestone: c.awardA.milestones[0],
      state: 'submitted',
      residents_reached: 40,
      spending: [{ line: c.awardA.lines[0], spent: 80_050 }],
    })
    const id = sent.json().id
    expect((await call('leader', 'POST', `/api/v1/reports/${id}/decision`, { decision: 'approve' })).statusCode).toBe(
      403,
    )
    expect((await call('other', 'POST', `/api/v1/reports/${id}/decision`, { decision: 'approve' })).statusCode).toBe(
      404,
    )
    const ok = await call('holder', 'POST', `/api/v1/reports/${id}/decision`, { decision: 'approve' })
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toMatchObject({ released: 90_000, report: { id, state: 'approved' } })
    expect((await call('holder', 'POST', `/api/v1/reports/${id}/decision`, { decision: 'approve' })).statusCode).toBe(
      409,
    )
    expect(app.sqlite.prepare('SELECT sum(amount_fen) FROM fund_releases').pluck().get()).toBe(90_000)
  })

  it('refuses what the web refuses: an outsider (404), the close-out too early (409), bad fields (400/422 naming them)', async () => {
    expect((await call('other', 'POST', url(), body(c.awardA.milestones[0]))).statusCode).toBe(404)
    expect((await call(null, 'POST', url(), body(c.awardA.milestones[0]))).statusCode).toBe(401)
    expect((await call('leader', 'POST', url(), body(null))).statusCode).toBe(409)
    const bad = await call('leader', 'POST', url(), { ...body(c.awardA.milestones[0]), residents_reached: -1 })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().errors[0].field).toBe('residents_reached')
    const foreign = await call('leader', 'POST', url(), {
      ...body(c.awardA.milestones[0]),
      spending: [{ line: c.awardB.lines[0], spent: 1 }],
    })
    expect(foreign.statusCode).toBe(422)
    expect(foreign.json().errors).toEqual([{ field: 'spending', message: expect.any(String) }])
    const more = await call('leader', 'POST', url(), body(c.awardA.milestones[0]))
    const noNote = await call('holder', 'POST', `/api/v1/reports/${more.json().id}/decision`, { decision: 'more' })
    expect(noNote.statusCode).toBe(422)
    expect(noNote.json().errors[0]).toEqual({ field: 'note', message: 'Say what more is needed.' })
    expect(app.sqlite.prepare('SELECT count(*) FROM fund_reports').pluck().get()).toBe(1)
  })

  it('answers reports in every state, the close-out and each release with the JSON the handler built', async () => {
    // The app holds every answer to its built JSON (appForTestHoldingJson); this walks an award to its end.
    const reported: number[] = []
    for (const milestone of c.awardA.milestones.slice(0, -1)) {
      const sent = await call('leader', 'POST', url(), body(milestone))
      expect(sent.statusCode).toBe(201)
      reported.push(sent.json().id)
      expect(
        (await call('holder', 'POST', `/api/v1/reports/${sent.json().id}/decision`, { decision: 'approve' }))
          .statusCode,
      ).toBe(200)
    }
    const closeout = await call('leader', 'POST', url(), { ...body(null), returned: 1_000 })
    expect(closeout.statusCode).toBe(201)
    expect(closeout.json()).toMatchObject({ milestone: null, returned: 1_000, decided_at: null })
    const more = await call('holder', 'POST', `/api/v1/reports/${closeout.json().id}/decision`, {
      decision: 'more',
      note: '请补充照片',
    })
    expect(more.json()).toMatchObject({ released: 0, report: { state: 'more_asked', review_note: '请补充照片' } })
    const again = await call('leader', 'POST', url(), body(null))
    const done = await call('holder', 'POST', `/api/v1/reports/${again.json().id}/decision`, { decision: 'approve' })
    expect(done.json().report).toMatchObject({ milestone: null, state: 'approved', decided_at: expect.any(String) })

    notice.announce(app.db, c.holder, c.callId, { days: 7 })
    const toCall = notice.object(app.db, null, c.callId, { name: '居民甲', body: '评审过程请公开' })
    notice.object(app.db, null, c.callId, { name: '居民乙', body: '异议', applicationId: c.awardB.applicationId })
    notice.answer(app.db, c.holder, toCall.id, '评审记录已公开')
    for (const who of [null, 'holder', 'leader']) {
      const seen = (await call(who, 'GET', `/api/v1/calls/${c.callId}/notice`)).json()
      expect(seen.objections.map((o: { application: unknown }) => o.application)).toEqual([
        null,
        c.awardB.applicationId,
      ])
      expect(seen.objections[0]).toMatchObject({ answer: '评审记录已公开', answered_at: expect.any(String) })
      expect(seen.objections[1]).toMatchObject({ answer: null, answered_at: null })
    }
  })
})
