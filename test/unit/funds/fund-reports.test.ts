import { describe, expect, it } from 'vitest'
import { figures, type AwardRow, type CallRow } from '../../../src/funds/fund-reports.js'

const call = (id: number, applications: number): CallRow => ({
  id,
  title: `call ${id}`,
  applicationsClose: '2026-03-01',
  budgetFen: 1_000_000,
  applications,
})
const award = (id: number, callId: number, amountFen: number, extra: Partial<AwardRow> = {}): AwardRow => ({
  id,
  callId,
  amountFen,
  community: 'A',
  focus: 'elderly',
  unregisteredGroup: false,
  releasedFen: 0,
  returnedFen: 0,
  milestones: [],
  ...extra,
})

describe('fund report figures', () => {
  it('adds every breakdown up to its total', () => {
    const f = figures(
      [call(1, 4), call(2, 3)],
      [
        award(1, 1, 300_000, { community: 'A', focus: 'elderly', unregisteredGroup: true, releasedFen: 90_000 }),
        award(2, 1, 200_001, { community: 'B', focus: null, releasedFen: 200_001, returnedFen: 1_000 }),
        award(3, 2, 150_000, { community: 'A', focus: 'children', unregisteredGroup: true }),
      ],
      '2026-06-01',
    )
    expect(f.applications).toBe(7)
    expect(f.awards).toBe(3)
    expect(f.awardedFen).toBe(650_001)
    for (const parts of [
      f.calls.map((c) => c.awardedFen),
      f.byCommunity.map((c) => c.amountFen),
      f.byFocus.map((c) => c.amountFen),
    ]) {
      expect(parts.reduce((s, x) => s + x, 0)).toBe(f.awardedFen)
    }
    expect(f.byCommunity).toEqual([
      { name: 'A', awards: 2, amountFen: 450_000 },
      { name: 'B', awards: 1, amountFen: 200_001 },
    ])
    expect(f.byFocus.map((g) => g.focus)).toEqual(['elderly', null, 'children'])
    expect(f.calls.map((c) => [c.awards, c.releasedFen, c.returnedFen])).toEqual([
      [2, 290_001, 1_000],
      [1, 0, 0],
    ])
    expect(f.unregisteredFen).toBe(450_000)
    expect(f.unregisteredShare).toBeCloseTo(450_000 / 650_001, 10)
  })

  it('counts milestones due by today: on time, late, overdue; one not yet due counts in none', () => {
    const f = figures(
      [call(1, 1)],
      [
        award(1, 1, 100, {
          milestones: [
            { dueOn: '2026-05-01', reportedOn: '2026-04-30' },
            { dueOn: '2026-05-01', reportedOn: '2026-05-01' },
            { dueOn: '2026-05-01', reportedOn: '2026-05-20' },
            { dueOn: '2026-05-01', reportedOn: null },
            { dueOn: '2026-07-01', reportedOn: null },
            { dueOn: '2026-07-01', reportedOn: '2026-05-30' },
          ],
        }),
      ],
      '2026-06-01',
    )
    expect(f.milestones).toEqual({ due: 5, onTime: 3, late: 1, overdue: 1 })
  })

  it('has no share when nothing was awarded', () => {
    expect(figures([call(1, 2)], [], '2026-06-01')).toMatchObject({
      awards: 0,
      awardedFen: 0,
      unregisteredShare: null,
      byCommunity: [],
    })
  })
})
