import { describe, expect, it } from 'vitest'
import { awardView, decisionOf, type loadAward } from '../../../src/funds/delivery.pages.js'
import { noticeView, type loadNotice } from '../../../src/funds/notice.pages.js'
import { fundReportsView, type FundReport } from '../../../src/funds/fund-reports.pages.js'
import type { Figures } from '../../../src/funds/fund-reports.js'

const t = (key: string, params?: Record<string, unknown>) => (params ? `${key}${JSON.stringify(params)}` : key)

function award(access: 'steward' | 'group' | 'member') {
  const v = {
    application: { title: '广场舞队进社区' },
    award: { amountFen: 300_000 },
    releasedFen: 90_000,
    remainingFen: 210_000,
    milestones: [
      { id: 1, trancheFen: 90_000, releasedFen: 90_000 },
      { id: 2, trancheFen: 210_000, releasedFen: 0 },
    ],
    lines: [
      { id: 31, askedFen: 250_000, ownFen: 5_000 },
      { id: 32, askedFen: 50_000, ownFen: 0 },
    ],
    reports: [
      { id: 8, returnedFen: 0, spendingLines: [{ line: 31, spentFen: 12_345 }] },
      { id: 9, returnedFen: 500, spendingLines: [] },
    ],
  }
  return { v, access } as unknown as ReturnType<typeof loadAward>
}

describe("an award's page", () => {
  it('tells the steward from the group: one decides reports, the other writes them', () => {
    expect([awardView(award('steward')).steward, awardView(award('steward')).group]).toEqual([true, false])
    expect([awardView(award('group')).steward, awardView(award('group')).group]).toEqual([false, true])
    expect([awardView(award('member')).steward, awardView(award('member')).group]).toEqual([false, false])
  })

  it('shows money as yuan, a tranche not yet released and nothing returned as blank', () => {
    const v = awardView(award('group'))
    expect(v.money).toEqual({ award: '¥3,000.00', released: '¥900.00', remaining: '¥2,100.00' })
    expect(v.milestones.map((m) => [m.tranche, m.released])).toEqual([
      ['¥900.00', '¥900.00'],
      ['¥2,100.00', ''],
    ])
    expect(v.reports.map((r) => r.returned)).toEqual(['', '¥5.00'])
    expect(v.reports[0].spendingLines[0].spent).toBe('¥123.45')
  })

  it('keeps what was typed against each budget line after a refusal, with the problem on its line', () => {
    const problem = { key: 'fundwork.validation.money' }
    const v = awardView(award('group'), { spent_32: problem }, { spent_31: '100', spent_32: 'abc' })
    expect(v.lines.map((l) => [l.typed, l.error])).toEqual([
      ['100', undefined],
      ['abc', problem],
    ])
    expect(v.errors).toEqual({ spent_32: problem })
    expect(awardView(award('group')).errors).toBeUndefined()
  })
})

function notice(period: 'unannounced' | 'open' | 'ended', opens: number[] = []) {
  const v = {
    call: { title: '微创投', budgetFen: 600_000, capFen: 300_000, minAwardFen: null, reserveFen: 0 },
    period,
    totalFen: 500_001,
    awards: [
      { id: 1, amountFen: 300_000, score: 4.25 },
      { id: 2, amountFen: 200_001, score: 3.8 },
    ],
  }
  return { v, opens: new Set(opens) } as unknown as ReturnType<typeof loadNotice>
}

describe('the notice page', () => {
  it('takes objections only while the period is open, keeping what was typed', () => {
    expect(noticeView(notice('open'), t, {}, { name: '居民' }).form).toEqual({ name: '居民' })
    expect(noticeView(notice('ended'), t, {}, { name: '居民' }).form).toBeUndefined()
    expect(noticeView(notice('unannounced'), t).form).toBeUndefined()
  })

  it('links only the awards this reader may follow to their delivery', () => {
    const v = noticeView(notice('ended', [2]), t)
    expect(v.awards.map((a) => [a.opens, a.amount, a.scoreText])).toEqual([
      [false, '¥3,000.00', '4.25'],
      [true, '¥2,000.01', '3.80'],
    ])
    expect(v.opens).toBe(true)
    expect(noticeView(notice('ended'), t).opens).toBe(false)
  })

  it('says what is left of the budget, and no minimum when partial awards are not allowed', () => {
    const v = noticeView(notice('open'), t)
    expect(v.money.left).toBe('¥999.99')
    expect(v.money.min).toBeNull()
  })
})

const figures = (extra: Partial<Figures> = {}): Figures =>
  ({
    applications: 3,
    awards: 2,
    budgetFen: 600_000,
    awardedFen: 500_001,
    unregisteredFen: 300_000,
    unregisteredShare: 0.6,
    releasedFen: 0,
    returnedFen: 0,
    milestones: { due: 0, onTime: 0, late: 0, overdue: 0 },
    calls: [],
    byCommunity: [],
    byFocus: [],
    ...extra,
  }) as Figures

describe('the fund report page', () => {
  it("prints money as yuan and every other figure in the reader's format, numbers marked as such", () => {
    const r: FundReport = { scope: { call: undefined, from: '2026-01-01', to: '2026-12-31' }, figures: figures() }
    const v = fundReportsView(r, [], {}, t, 'en')
    const summary = v.tables.find((s) => s.id === 'summary')!
    expect(summary.rows[2]).toEqual([
      { text: 'fundwork.rep.col.budget', numeric: false },
      { text: '¥6,000.00', numeric: true },
    ])
    expect(v.share).toBe('60.0%')
    expect(v.awarded).toBe('¥5,000.01')
    expect(v.query).toBe('from=2026-01-01&to=2026-12-31')
  })

  it('has no share when nothing was awarded, and without a report shows the form with what was asked', () => {
    const none = fundReportsView(
      { scope: { call: 1, from: 'a', to: 'b' }, figures: figures({ unregisteredShare: null }) },
      [],
      {},
      t,
      'en',
    )
    expect(none.share).toBeNull()
    const refused = fundReportsView(undefined, [], { from: '2026-02-01' }, t, 'en', {
      to: { key: 'fundwork.rep.period' },
    })
    expect([refused.tables, refused.values, refused.share, refused.query]).toEqual([
      [],
      { from: '2026-02-01' },
      null,
      '',
    ])
  })
})

describe('decisionOf: a steward’s decision on a report, from the page or the API', () => {
  it('approves with nothing more; sending back keeps the note, none said as empty', () => {
    expect(decisionOf({ decision: 'approve', note: 'ignored' })).toEqual({ approve: true })
    expect(decisionOf({ decision: 'more', note: '缺收据' })).toEqual({ approve: false, note: '缺收据' })
    expect(decisionOf({ decision: 'more' })).toEqual({ approve: false, note: '' })
  })
})
