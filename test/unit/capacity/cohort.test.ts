import { describe, expect, it } from 'vitest'
import {
  baselineAndEndline,
  cohortReport,
  type CohortMember,
  type DatedAssessment,
} from '../../../src/capacity/cohort.js'
import { INDICATOR_CODES, type IndicatorCode, type Scores } from '../../../src/capacity/indicators.js'

const all = (v: number, over: Partial<Record<IndicatorCode, number>> = {}): Scores => ({
  ...Object.fromEntries(INDICATOR_CODES.map((c) => [c, v])),
  ...over,
})
let nextId = 1
const at = (assessedOn: string, scores: Scores): DatedAssessment => ({ id: nextId++, assessedOn, scores })
const period = { from: '2026-02-01', to: '2026-06-30' }

// Built by hand: every expected figure below is worked out in the comments.
const cohort: CohortMember[] = [
  // A: baseline before the start (the latest such), endline the latest inside; one in between is neither.
  {
    orgId: 1,
    name: 'A',
    leftOn: null,
    assessments: [
      at('2026-06-20', all(3, { mobilization: 4, partnerships: 4, volunteers: 4 })),
      at('2025-12-01', all(1)),
      at('2026-01-10', all(2)),
      at('2026-03-01', all(5)),
    ],
  },
  // B: both inside the period; its specialization endline is 4/3, which must not be rounded before averaging.
  {
    orgId: 2,
    name: 'B',
    leftOn: null,
    assessments: [
      at('2026-03-01', all(1)),
      at('2026-05-01', all(1, { mobilization: 2, partnerships: 2, volunteers: 2, governance: 2 })),
      at('2026-07-15', all(5)),
    ],
  },
  // C: a baseline on the first day, nothing after: in the baseline mean, flagged as missing an endline.
  { orgId: 3, name: 'C', leftOn: null, assessments: [at('2026-02-01', all(3))] },
  // D: never assessed: in the cohort, flagged as missing both.
  { orgId: 4, name: 'D', leftOn: null, assessments: [] },
  // E: left the project: listed apart, in no figure (its scores would move every mean).
  { orgId: 5, name: 'E', leftOn: '2026-04-01', assessments: [at('2026-02-10', all(5)), at('2026-06-01', all(1))] },
]

describe('a project cohort, baseline against endline', () => {
  const report = cohortReport(cohort, period)
  const dim = (code: string) => report.dimensions.find((d) => d.code === code)!

  it('counts the groups still in the project and names those lacking a baseline or an endline', () => {
    expect(report.cohort).toBe(4)
    expect(report.missingBaseline.map((m) => m.name)).toEqual(['D'])
    expect(report.missingEndline.map((m) => m.name)).toEqual(['C', 'D'])
    expect(report.left.map((m) => m.name)).toEqual(['E'])
  })

  it('resource integration: baselines 2, 1, 3; endlines 4, 2; changes +2, +1', () => {
    expect(dim('resource_integration')).toMatchObject({
      baselineMean: 2,
      endlineMean: 3,
      pairedChange: 1.5,
      improvedShare: 1,
      withBaseline: 3,
      withEndline: 2,
      paired: 2,
    })
  })

  it('specialization: B ends on 4/3, so the endline mean is (3 + 4/3)/2 and the change (1 + 1/3)/2; only A improved by a point', () => {
    expect(dim('specialization')).toMatchObject({
      baselineMean: 2,
      endlineMean: 2.17,
      pairedChange: 0.67,
      improvedShare: 0.5,
      paired: 2,
    })
  })

  it('public service: A rose a point and B stayed, so half improved while the means stay level', () => {
    expect(dim('public_service')).toMatchObject({
      baselineMean: 2,
      endlineMean: 2,
      pairedChange: 0.5,
      improvedShare: 0.5,
    })
  })

  it('gives each indicator the same figures', () => {
    const governance = dim('specialization').indicators.find((i) => i.code === 'governance')!
    // Baselines 2, 1, 3 → 2; endlines 3, 2 → 2.5; changes +1, +1 → both improved.
    expect(governance).toMatchObject({ baselineMean: 2, endlineMean: 2.5, pairedChange: 1, improvedShare: 1 })
  })
})

describe('which assessments are the baseline and the endline', () => {
  it('takes the earliest inside the period when none came before, and the latest after it as the endline', () => {
    const a = at('2026-03-01', all(1)),
      b = at('2026-04-01', all(2)),
      c = at('2026-05-01', all(3))
    expect(baselineAndEndline([c, a, b], period)).toEqual({ baseline: a, endline: c })
  })

  it('orders two assessments of one day by when they were recorded', () => {
    const first = at('2026-03-01', all(1)),
      second = at('2026-03-01', all(2))
    expect(baselineAndEndline([second, first], period)).toEqual({ baseline: first, endline: second })
  })

  it('has no endline when the only assessment inside the period is the baseline, and ignores those after the period', () => {
    const a = at('2026-03-01', all(1)),
      late = at('2026-08-01', all(4))
    expect(baselineAndEndline([a, late], period)).toEqual({ baseline: a, endline: null })
  })

  it('gives an empty cohort no figures rather than zeros', () => {
    const r = cohortReport([], period)
    expect(r.cohort).toBe(0)
    expect(r.dimensions[0]).toMatchObject({
      baselineMean: null,
      endlineMean: null,
      pairedChange: null,
      improvedShare: null,
      paired: 0,
    })
  })
})
