import { describe, expect, it } from 'vitest'
import type { Call } from '../../../src/funds/calls.js'
import {
  applicationFormView,
  applicationView,
  type loadApplication,
  type loadApplicationForm,
} from '../../../src/funds/applications.pages.js'

const t = (key: string) => key
const call = { id: 7, capFen: 300_000, budgetTemplate: ['场地'] } as Call
const access = (extra: Partial<ReturnType<typeof loadApplication>['access']> = {}) =>
  ({ own: false, edit: false, manage: false, review: false, ...extra }) as ReturnType<typeof loadApplication>['access']

function data(extra: Partial<ReturnType<typeof loadApplication>> = {}): ReturnType<typeof loadApplication> {
  return {
    a: { id: 1, callId: 7, orgId: 5, title: '广场舞队进社区', status: 'submitted', askedFen: 200_000, ownFen: 5_000 },
    call,
    access: access(),
    decided: false,
    lines: [],
    org: undefined,
    milestones: [],
    offers: [],
    criteria: [
      { id: 21, name: '需求依据' },
      { id: 22, name: '可行性' },
    ],
    myReview: undefined,
    line: undefined,
    outcome: undefined,
    ...extra,
  } as unknown as ReturnType<typeof loadApplication>
}

describe("a plan's page", () => {
  it('lets a reviewer score once, and nobody after the decision', () => {
    expect(applicationView(data({ access: access({ review: true }) })).canScore).toBe(true)
    const mine = { scores: new Map([[21, 4]]) } as ReturnType<typeof loadApplication>['myReview']
    const scored = applicationView(data({ access: access({ review: true }), myReview: mine }))
    expect(scored.canScore).toBe(false)
    expect(scored.myReview?.scores).toEqual([
      { name: '需求依据', score: 4 },
      { name: '可行性', score: undefined },
    ])
    expect(applicationView(data({ access: access({ review: true }), decided: true })).canScore).toBe(false)
    expect(applicationView(data()).canScore).toBe(false)
  })

  it('lets its group withdraw until the decision, and not twice', () => {
    expect(applicationView(data({ access: access({ own: true }) })).canWithdraw).toBe(true)
    expect(applicationView(data({ access: access({ own: true }), decided: true })).canWithdraw).toBe(false)
    const gone = data({ access: access({ own: true }) })
    expect(applicationView({ ...gone, a: { ...gone.a, status: 'withdrawn' } }).canWithdraw).toBe(false)
    expect(applicationView(data({ access: access({ manage: true }) })).canWithdraw).toBe(false)
  })

  it('shows the means per criterion only once the panel line is complete, a criterion nobody scored as a dash', () => {
    const line = {
      complete: true,
      score: 3.456,
      perCriterion: [
        { criterionId: 21, mean: 3.5 },
        { criterionId: 22, mean: null },
      ],
    }
    const v = applicationView(data({ decided: true, line } as never))
    expect(v.means).toEqual([
      { name: '需求依据', mean: '3.50' },
      { name: '可行性', mean: '—' },
    ])
    expect(v.meanText).toBe('3.46')
    expect(applicationView(data({ decided: true, line: { ...line, complete: false } } as never)).means).toBeUndefined()
  })

  it("finds the plan's own award in the decision and totals what it asks and brings", () => {
    const outcome = {
      awards: [
        { application: 9, amountFen: 1 },
        { application: 1, amountFen: 150_000 },
      ],
    }
    const v = applicationView(data({ decided: true, outcome } as never), { title: { key: 'validation.required' } })
    expect(v.award).toEqual({ application: 1, amountFen: 150_000 })
    expect(v.totals).toEqual({ askedFen: 200_000, ownFen: 5_000, allFen: 205_000 })
    expect(v.errors).toEqual({ title: { key: 'validation.required' } })
    expect(applicationView(data()).errors).toBeUndefined()
  })
})

describe('the plan form', () => {
  const suggestion = (offerId: number, category: string) => ({
    offerId,
    title: 'o',
    category,
    orgName: 'g',
    score: 1,
    forNeed: 'n',
  })
  const form = (attached: { id: number }[] = []) =>
    ({
      suggestions: [suggestion(1, 'venue'), suggestion(2, 'mystery')],
      categoryNames: { venue: '场地' },
      attached,
    }) as unknown as ReturnType<typeof loadApplicationForm>

  it('ticks the offers already chosen and lists an attached offer once, even when the matcher suggests it too', () => {
    const v = applicationFormView(
      form([{ id: 2 }, { id: 3 }]),
      call,
      5,
      { lines: [], milestones: [], offerIds: ['2', 3] },
      {},
      t,
      1,
    )
    expect(v.suggestions.map((s) => [s.offerId, s.categoryName, s.checked])).toEqual([
      [1, '场地', false],
      [2, 'mystery', true],
    ])
    expect(v.attached.map((o) => [o.id, o.checked])).toEqual([[3, true]])
    expect(v.title).toBe('funds.apply.edit_title')
  })

  it('always leaves blank rows to type into: three more budget lines, milestones up to four', () => {
    const lines = [{ item: '场地', asked: '100', own: '' }]
    const v = applicationFormView(
      form(),
      call,
      5,
      { lines, milestones: [{ title: 'a' }, { title: 'b' }, { title: 'c' }, { title: 'd' }] },
      {},
      t,
    )
    expect(v.values.lines).toHaveLength(4)
    expect(v.values.lines[0]).toEqual(lines[0])
    expect(v.values.milestones).toHaveLength(5)
    expect(v.title).toBe('funds.apply.title')
  })
})
