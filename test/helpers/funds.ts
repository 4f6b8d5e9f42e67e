import type { FastifyInstance } from 'fastify'
import * as accounts from '../../src/accounts/accounts.js'
import { addOrg, addUser, type World } from './app.js'

/**
 * A decided call made with direct inserts of valid rows (the calls, applications and decision services are F's):
 * a street office in street A holds it (led by `holder`; the world's broker covers street A), and two groups of
 * street A were awarded — org A (led by the world's member) and a reading club led by `reader` — each with budget
 * lines and milestones. `shares` are the milestones' tranche shares of each award.
 */
export async function decidedCall(
  app: FastifyInstance,
  w: World,
  opts: { amounts?: [number, number]; shares?: number[]; dues?: string[] } = {},
) {
  const now = '2026-11-01T00:00:00.000Z'
  const run = (sql: string, ...params: unknown[]) => Number(app.sqlite.prepare(sql).run(...params).lastInsertRowid)
  const holderUser = await addUser(app, { email: 'holder@example.cn', name: '街道办王主任' })
  const holderOrg = addOrg(app, holderUser.id, { name: '东湖街道办事处', kind: 'street_office', areaId: w.streetA.id })
  const readerUser = await addUser(app, { email: 'reader@example.cn', name: '读书会李姐' })
  const reader = addOrg(app, readerUser.id, { name: '荔枝湾亲子读书会', areaId: w.communityA.id })
  const reviewer = await addUser(app, { email: 'reviewer@example.cn', name: '评审张老师' })
  const [amountA, amountB] = opts.amounts ?? [300_000, 200_001]
  const callId = run(
    `INSERT INTO fund_calls (holder_org_id, area_id, title, budget_fen, cap_fen, min_award_fen, applications_close, review_close,
    published_at, created_by, created_at, updated_at) VALUES (?, ?, '东湖街道2026社区微创投', 600000, 300000, NULL, '2026-11-10', '2026-11-20', ?, ?, ?, ?)`,
    holderOrg.id,
    w.streetA.id,
    now,
    holderUser.id,
    now,
    now,
  )
  run("INSERT INTO fund_criteria (call_id, position, name, weight) VALUES (?, 1, '需求依据', 100)", callId)
  run('INSERT INTO fund_reviewers (call_id, user_id, resident, added_at) VALUES (?, ?, 0, ?)', callId, reviewer.id, now)
  const shares = opts.shares ?? [30, 30, 40]
  const dues = opts.dues ?? ['2026-12-01', '2027-02-01', '2027-04-01']
  const apply = (orgId: number, leaderId: number, title: string, askedFen: number) => {
    const applicationId = run(
      `INSERT INTO fund_applications (call_id, org_id, title, activity, beneficiaries, residents_planned, asked_fen, own_fen, status,
      submitted_at, created_by, created_at, updated_at) VALUES (?, ?, ?, '每周活动', '社区居民', 120, ?, 5000, 'submitted', ?, ?, ?, ?)`,
      callId,
      orgId,
      title,
      askedFen,
      now,
      leaderId,
      now,
      now,
    )
    const lines = [
      run(
        'INSERT INTO fund_budget_lines (application_id, position, item, asked_fen, own_fen) VALUES (?, 1, ?, ?, 5000)',
        applicationId,
        '场地与物资',
        askedFen - 50_000,
      ),
      run(
        'INSERT INTO fund_budget_lines (application_id, position, item, asked_fen, own_fen) VALUES (?, 2, ?, 50000, 0)',
        applicationId,
        '宣传印刷',
      ),
    ]
    const milestones = shares.map((share, i) =>
      run(
        'INSERT INTO fund_milestones (application_id, position, title, due_on, share_pct) VALUES (?, ?, ?, ?, ?)',
        applicationId,
        i + 1,
        `第${i + 1}阶段`,
        dues[i] ?? dues.at(-1),
        share,
      ),
    )
    const reviewId = run(
      'INSERT INTO fund_reviews (application_id, reviewer_id, note, submitted_at) VALUES (?, ?, ?, ?)',
      applicationId,
      reviewer.id,
      'REVIEWER-NOTE-SECRET',
      now,
    )
    run(
      'INSERT INTO fund_scores (review_id, criterion_id, score) SELECT ?, id, 4 FROM fund_criteria WHERE call_id = ?',
      reviewId,
      callId,
    )
    return { applicationId, lines, milestones }
  }
  const a = apply(w.orgA.id, w.member.id, '广场舞队进社区', amountA)
  const b = apply(reader.id, readerUser.id, '亲子共读角', amountB)
  const loser = apply(w.orgB.id, w.other.id, '互助小组茶话会', 100_000)
  const decisionId = run(
    `INSERT INTO fund_decisions (call_id, problem, not_awarded, total_fen, decided_by, decided_at) VALUES (?, '{}', ?, ?, ?, ?)`,
    callId,
    JSON.stringify([{ application: loser.applicationId, reason: 'budget' }]),
    amountA + amountB,
    holderUser.id,
    now,
  )
  const award = (x: typeof a, orgId: number, amount: number, score: number) => ({
    ...x,
    orgId,
    amountFen: amount,
    awardId: run(
      'INSERT INTO fund_awards (decision_id, call_id, application_id, org_id, amount_fen, score) VALUES (?, ?, ?, ?, ?, ?)',
      decisionId,
      callId,
      x.applicationId,
      orgId,
      amount,
      score,
    ),
  })
  return {
    callId,
    decisionId,
    holderOrg,
    reader,
    loser,
    holder: accounts.load(app.db, holderUser.id)!,
    readerLeader: accounts.load(app.db, readerUser.id)!,
    reviewer,
    awardA: award(a, w.orgA.id, amountA, 4.25),
    awardB: award(b, reader.id, amountB, 3.8),
  }
}
export type DecidedCall = Awaited<ReturnType<typeof decidedCall>>
