import { beforeEach, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { appForTest, seedWorld, type World } from '../../helpers/app.js'

// The money rules hold in the database itself, whatever code writes: an award above the cap or past the budget,
// a release past its award, a changed score or decision, a rewritten objection are refused by SQLite.
let app: FastifyInstance
let w: World
const now = '2026-12-06T10:00:00.000Z'

function run(sql: string, ...params: unknown[]) {
  return app.sqlite.prepare(sql).run(...params)
}

function call(budgetFen = 100_000, capFen = 60_000): number {
  return Number(
    run(
      `INSERT INTO fund_calls (holder_org_id, area_id, title, budget_fen, cap_fen, applications_close, review_close,
    created_by, created_at, updated_at) VALUES (?, ?, 'call', ?, ?, '2026-12-20', '2026-12-30', ?, ?, ?)`,
      w.orgB.id,
      w.district.id,
      budgetFen,
      capFen,
      w.admin.id,
      now,
      now,
    ).lastInsertRowid,
  )
}

function application(callId: number, orgId: number): number {
  return Number(
    run(
      `INSERT INTO fund_applications (call_id, org_id, title, asked_fen, status, created_by, created_at, updated_at)
    VALUES (?, ?, 'plan', 50000, 'submitted', ?, ?, ?)`,
      callId,
      orgId,
      w.member.id,
      now,
      now,
    ).lastInsertRowid,
  )
}

function decision(callId: number): number {
  return Number(
    run(
      `INSERT INTO fund_decisions (call_id, problem, not_awarded, total_fen, decided_by, decided_at)
    VALUES (?, '{}', '[]', 0, ?, ?)`,
      callId,
      w.admin.id,
      now,
    ).lastInsertRowid,
  )
}

function award(callId: number, decisionId: number, applicationId: number, orgId: number, amountFen: number): number {
  return Number(
    run(
      `INSERT INTO fund_awards (decision_id, call_id, application_id, org_id, amount_fen, score) VALUES (?, ?, ?, ?, ?, 4)`,
      decisionId,
      callId,
      applicationId,
      orgId,
      amountFen,
    ).lastInsertRowid,
  )
}

beforeEach(async () => {
  app = await appForTest()
  w = await seedWorld(app)
})

describe('fund money guards in the database', () => {
  it('refuses a call whose cap exceeds its budget, or a reserve without a preference', () => {
    expect(() => call(50_000, 60_000)).toThrow(/CHECK/)
    expect(() =>
      run(
        `INSERT INTO fund_calls (holder_org_id, area_id, title, budget_fen, cap_fen, reserve_fen, applications_close,
      review_close, created_by, created_at, updated_at) VALUES (?, ?, 't', 100, 50, 10, '2026-12-20', '2026-12-30', ?, ?, ?)`,
        w.orgB.id,
        w.district.id,
        w.admin.id,
        now,
        now,
      ),
    ).toThrow(/CHECK/)
  })

  it('refuses an award above the cap or past the budget, and a second award to the same group', () => {
    const c = call(100_000, 60_000)
    const d = decision(c)
    const a1 = application(c, w.orgA.id)
    const a2 = application(c, w.orgB.id)
    const a3 = application(c, w.orgA.id)
    expect(() => award(c, d, a1, w.orgA.id, 60_001)).toThrow(/cap or budget/)
    award(c, d, a1, w.orgA.id, 60_000)
    expect(() => award(c, d, a2, w.orgB.id, 40_001)).toThrow(/cap or budget/)
    expect(() => award(c, d, a3, w.orgA.id, 10_000)).toThrow(/UNIQUE/)
    award(c, d, a2, w.orgB.id, 40_000)
    expect(app.sqlite.prepare('SELECT SUM(amount_fen) FROM fund_awards WHERE call_id = ?').pluck().get(c)).toBe(100_000)
  })

  it('keeps decisions, awards and releases append-only, and releases within the award', () => {
    const c = call()
    const d = decision(c)
    const a = application(c, w.orgA.id)
    const awardId = award(c, d, a, w.orgA.id, 50_000)
    expect(() => run('UPDATE fund_awards SET amount_fen = 1 WHERE id = ?', awardId)).toThrow(/append-only/)
    expect(() => run('DELETE FROM fund_decisions')).toThrow(/append-only/)
    const release = (amount: number) =>
      run(
        `INSERT INTO fund_releases (award_id, amount_fen, released_by, released_at) VALUES (?, ?, ?, ?)`,
        awardId,
        amount,
        w.admin.id,
        now,
      )
    release(30_000)
    expect(() => release(20_001)).toThrow(/exceed the award/)
    release(20_000)
    expect(() => run('DELETE FROM fund_releases')).toThrow(/append-only/)
    expect(() => run('UPDATE fund_calls SET budget_fen = 200000 WHERE id = ?', c)).toThrow(/fixed/)
    run("UPDATE fund_calls SET description = 'still editable' WHERE id = ?", c)
  })

  it('keeps reviews and scores as submitted, and an objection as raised, answered once', () => {
    const c = call()
    const a = application(c, w.orgA.id)
    const criterion = Number(
      run("INSERT INTO fund_criteria (call_id, position, name, weight) VALUES (?, 1, '需求依据', 100)", c)
        .lastInsertRowid,
    )
    const review = Number(
      run('INSERT INTO fund_reviews (application_id, reviewer_id, submitted_at) VALUES (?, ?, ?)', a, w.broker.id, now)
        .lastInsertRowid,
    )
    run('INSERT INTO fund_scores (review_id, criterion_id, score) VALUES (?, ?, 4)', review, criterion)
    expect(() =>
      run('INSERT INTO fund_scores (review_id, criterion_id, score) VALUES (?, ?, 6)', review, criterion),
    ).toThrow()
    expect(() => run('UPDATE fund_scores SET score = 5')).toThrow(/append-only/)
    expect(() => run("UPDATE fund_reviews SET note = 'changed'")).toThrow(/append-only/)
    const objection = Number(
      run("INSERT INTO fund_objections (call_id, name, body, created_at) VALUES (?, '居民', '有异议', ?)", c, now)
        .lastInsertRowid,
    )
    expect(() => run("UPDATE fund_objections SET body = 'rewritten' WHERE id = ?", objection)).toThrow(/answered once/)
    run(
      "UPDATE fund_objections SET answer = '已核实', answered_by = ?, answered_at = ? WHERE id = ?",
      w.admin.id,
      now,
      objection,
    )
    expect(() => run("UPDATE fund_objections SET answer = 'again' WHERE id = ?", objection)).toThrow(/answered once/)
    expect(() => run('DELETE FROM fund_objections')).toThrow(/append-only/)
  })
})
