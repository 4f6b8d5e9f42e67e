import { describe, expect, it } from 'vitest'
import { allocationsView, appliedMessage, runView, type loadRun } from '../../../src/matching/allocations.pages.js'
import type { StoredResult } from '../../../src/matching/allocations.js'

type RunData = NonNullable<ReturnType<typeof loadRun>>
const t = (key: string, params?: Record<string, unknown>) => `${key}${params ? JSON.stringify(params) : ''}`
const fairness = { organizations: 3, organizationsWithNothing: 1, gini: 0.2 }
const coverage = { demand: 10, allocated: 6, byCategory: {} }

function runData(over: Partial<StoredResult> = {}, rows: { key: string; blocked?: object }[] = []): RunData {
  const result: StoredResult = {
    proposal: { assignments: [], coverage, fairness: { ...fairness, fairShare: 71 }, unserved: [] },
    baseline: { coverage, fairness },
    ms: 42,
    ...over,
  }
  return {
    run: { id: 7, createdAt: '2026-12-01T00:00:00Z', appliedAt: null },
    result,
    rows: rows as RunData['rows'],
    byCategory: [],
    unserved: [],
    categoryNames: {},
  }
}

describe('allocationsView', () => {
  it('offers a broker only the areas they cover to narrow a run to', () => {
    const areaOptions = [
      { id: 1, label: 'A' },
      { id: 2, label: 'B' },
      { id: 3, label: 'C' },
    ] as never
    const view = allocationsView(
      { runs: [], areaOptions, categories: [], categoryNames: {} },
      { brokerAreaIds: [3, 1] },
    )
    expect(view.areaChoices.map((a: { id: number }) => a.id)).toEqual([1, 3])
    expect(view).not.toHaveProperty('areaOptions')
  })
})

describe('runView', () => {
  it('counts the rows that cannot become proposals', () => {
    const view = runView(
      runData({}, [{ key: '1:2', blocked: { hard: true } }, { key: '3:4' }, { key: '5:6', blocked: { hard: false } }]),
      t,
    )
    expect(view.blockedCount).toBe(2)
    expect(view.run).toEqual({ id: 7, createdAt: '2026-12-01T00:00:00Z', appliedAt: null, ms: 42 })
  })

  it("shows fair share for this run and no figure (not zero) where first come first served's was never stored", () => {
    const view = runView(runData(), t)
    expect(view.ours.fairShare).toBe(71)
    expect(view.fcfs.fairShare).toBeNull()
  })

  it('says why each skipped row was skipped, linked to its row on the page', () => {
    const applied: StoredResult['applied'] = {
      created: 1,
      notRelevant: 0,
      skipped: [
        { needId: 1, offerId: 2, key: 'alloc.skip.gone', params: { n: 1 } },
        { needId: 9, offerId: 9, key: 'alloc.skip.open_match', params: {} },
      ],
    }
    const view = runView(runData({ applied }, [{ key: '1:2' }]), t)
    expect(view.skipped.map((s) => [s.row?.key, s.text])).toEqual([
      ['1:2', 'alloc.skip.gone{"n":1}'],
      [undefined, 'alloc.skip.open_match{}'],
    ])
  })

  it('has nothing skipped before the review is sent', () => {
    expect(runView(runData(), t).skipped).toEqual([])
  })
})

describe('appliedMessage: what a broker is told after applying a reviewed run', () => {
  it('counts the proposals and the rows marked not relevant', () => {
    expect(appliedMessage({ created: 4, skipped: [], notRelevant: 2 } as never)).toEqual({
      key: 'alloc.applied',
      params: { count: 4, skipped: 0, marked: 2 },
    })
  })

  it('says when rows could not become proposals, and how many', () => {
    const skipped = [{ key: '1:2' }, { key: '3:4' }]
    expect(appliedMessage({ created: 1, skipped, notRelevant: 0 } as never)).toEqual({
      key: 'alloc.applied_skipped',
      params: { count: 1, skipped: 2, marked: 0 },
    })
  })
})
