import { beforeEach, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import * as accounts from '../../../src/accounts/accounts.js'
import * as offers from '../../../src/offers/offers.js'
import * as calls from '../../../src/funds/calls.js'
import * as decision from '../../../src/funds/decision.js'
import { api, callsWorld, type CallsWorld } from './calls-world.js'
import { appForTestHoldingJson } from '../../helpers/served.js'

// The rules a call states and the service applies before the optimiser: who is preferred (first-time, unregistered),
// who is set aside by the member_or_partner conflict rule, and a declared recusal.
let app: FastifyInstance
let w: CallsWorld

beforeEach(async () => {
  // Every API answer is held to what its handler built: a response schema must not drop or coerce a field.
  app = await appForTestHoldingJson()
  w = await callsWorld(app)
})

async function openCall(extra: Record<string, unknown>) {
  const res = await api(app, w.tokens.holder, 'POST', '/api/v1/calls', {
    title: '微创投',
    holder: w.holderOrg.id,
    area: w.streetA.id,
    budget: 1_000_000,
    cap: 500_000,
    criteria: [{ name: '综合', weight: 100 }],
    ...extra,
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: number; criteria: { id: number }[] }
}
const apply = async (callId: number, token: string, org: number, asked: number) =>
  (
    await api(app, token, 'POST', `/api/v1/calls/${callId}/applications`, { org, title: '计划', asked, submit: true })
  ).json() as { id: number }
const score = (token: string, applicationId: number, criterion: number, s: number) =>
  api(app, token, 'POST', `/api/v1/applications/${applicationId}/scores`, { scores: { [criterion]: s } })

describe('preference and conflict rules', () => {
  it('prefers a group with no award in any earlier call (first-time), and keeps the reserve for it', async () => {
    // An earlier call awards org A.
    const earlier = await openCall({ reviewers: ['rev1@example.cn'] })
    const a0 = await apply(earlier.id, w.tokens.member, w.orgA.id, 100_000)
    await score(w.tokens.rev1, a0.id, earlier.criteria[0].id, 5)
    expect((await api(app, w.tokens.holder, 'POST', `/api/v1/calls/${earlier.id}/decision`)).statusCode).toBe(201)
    // Now a first-time rule with ¥4,000 of ¥10,000 reserved: A (funded before) is not preferred, C (never funded) is.
    const call = await openCall({ reviewers: ['rev1@example.cn'], preference: 'first_time', reserve: 400_000 })
    const a = await apply(call.id, w.tokens.member, w.orgA.id, 500_000)
    const c = await apply(call.id, w.tokens.other2, w.orgC.id, 400_000)
    await score(w.tokens.rev1, a.id, call.criteria[0].id, 5)
    await score(w.tokens.rev1, c.id, call.criteria[0].id, 2)
    const found = calls.findVisible(app.db, w.holder, call.id)!
    const p = decision.propose(app.db, found.call)
    expect(p.awards.map((x) => [x.application, x.preferred])).toEqual(expect.arrayContaining([[c.id, true]]))
    expect(p.candidates.find((x) => x.application === a.id)!.preferred).toBe(false)
    expect(p.candidates.find((x) => x.application === c.id)!.preferred).toBe(true)
    // Both fit together here (¥5,000 + ¥4,000 ≤ ¥10,000, A within the ¥6,000 open to all): both are funded.
    expect(p.awards.map((x) => x.application).sort()).toEqual([a.id, c.id].sort())
    expect(p.totals.preferredFen).toBe(400_000)
  })

  it('prefers unregistered groups when the rule says so, and not a registered one', async () => {
    app.sqlite.prepare('UPDATE organizations SET registered = 1 WHERE id = ?').run(w.orgC.id)
    const call = await openCall({ reviewers: ['rev1@example.cn'], preference: 'unregistered', reserve: 300_000 })
    const a = await apply(call.id, w.tokens.member, w.orgA.id, 300_000)
    const c = await apply(call.id, w.tokens.other2, w.orgC.id, 300_000)
    await score(w.tokens.rev1, a.id, call.criteria[0].id, 3)
    await score(w.tokens.rev1, c.id, call.criteria[0].id, 3)
    const p = decision.propose(app.db, calls.findVisible(app.db, w.holder, call.id)!.call)
    expect(Object.fromEntries(p.candidates.map((x) => [x.application, x.preferred]))).toEqual({
      [a.id]: true,
      [c.id]: false,
    })
  })

  it('sets aside a reviewer who leads the organization whose offer the plan uses (member_or_partner); a declared conflict is recorded as such', async () => {
    // rev1 leads the bakery, whose meeting room org C's plan will use.
    const bakery = app.sqlite
      .prepare(
        `INSERT INTO organizations (name, kind, area_id, created_at, updated_at) VALUES ('好邻居烘焙坊', 'business', ?, ?, ?)`,
      )
      .run(w.communityA.id, new Date().toISOString(), new Date().toISOString()).lastInsertRowid as number
    app.sqlite.prepare(`INSERT INTO memberships (user_id, org_id, role) VALUES (?, ?, 'leader')`).run(w.rev1.id, bakery)
    const rev1 = accounts.load(app.db, w.rev1.id)!
    const room = offers.post(app.db, rev1, {
      orgId: bakery,
      category: 'venue',
      title: '二楼会议室',
      description: '工作日白天可借',
      quantity: 10,
      servesAreaId: w.communityA.id,
    })
    const call = await openCall({
      reviewers: ['rev1@example.cn', 'rev2@example.cn'],
      conflict_rule: 'member_or_partner',
    })
    const res = await api(app, w.tokens.other2, 'POST', `/api/v1/calls/${call.id}/applications`, {
      org: w.orgC.id,
      title: '亲子共读',
      asked: 100_000,
      offers: [room.id],
      submit: true,
    })
    expect(res.statusCode, res.body).toBe(201)
    const c = res.json() as { id: number; offers: number[] }
    expect(c.offers).toEqual([room.id])
    expect(
      app.sqlite.prepare('SELECT reviewer_id, recuse_reason FROM fund_reviews WHERE application_id = ?').all(c.id),
    ).toEqual([{ reviewer_id: w.rev1.id, recuse_reason: 'partner' }])
    const declared = await api(app, w.tokens.rev2, 'POST', `/api/v1/applications/${c.id}/scores`, {
      recuse: true,
      note: '我是读书会的志愿者',
    })
    expect(declared.statusCode).toBe(201)
    expect(declared.json()).toMatchObject({ recused: true, recuse_reason: 'declared' })
    // Everyone stepped aside: the application cannot be awarded, and says why.
    const d = await api(app, w.tokens.holder, 'POST', `/api/v1/calls/${call.id}/decision`, { preview: true })
    expect(d.json().not_awarded).toEqual([{ application: c.id, reason: 'not_reviewed', score: null }])
  })
})

describe('a call with partial awards too large to decide exactly', () => {
  it('is decided all or nothing, and the decision says so, rather than left with no way forward', async () => {
    const call = await openCall({ reviewers: ['rev1@example.cn'], min_award: 100_000 })
    const a = await apply(call.id, w.tokens.member, w.orgA.id, 400_000)
    const c = await apply(call.id, w.tokens.other2, w.orgC.id, 500_000)
    await score(w.tokens.rev1, a.id, call.criteria[0].id, 4)
    await score(w.tokens.rev1, c.id, call.criteria[0].id, 3)
    const found = calls.findVisible(app.db, w.holder, call.id)!.call
    expect(found.minAwardFen).toBe(100_000)
    // Within the work allowed, the call's own rules are used.
    expect(decision.propose(app.db, found).partialDropped).toBe(false)
    // With almost no work allowed, the same call is decided whole: each plan all it asks or nothing.
    const whole = decision.propose(app.db, found, new Date(), 1)
    expect(whole.partialDropped).toBe(true)
    expect(whole.rules.minAwardFen).toBeNull()
    expect(whole.awards.every((x) => x.amountFen === x.askedFen)).toBe(true)
  })
})
