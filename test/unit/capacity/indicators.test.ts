import { describe, expect, it } from 'vitest'
import {
  chosenPair,
  compare,
  DIMENSIONS,
  dimensionScores,
  INDICATOR_CODES,
  oneDecimal,
  overallScore,
  problemsWith,
  type Scores,
} from '../../../src/capacity/indicators.js'
import { zhCN } from '../../../src/i18n/zh-CN.js'
import { localToday } from '../../../src/shared/time.js'

const all = (score: number): Scores => Object.fromEntries(INDICATOR_CODES.map((c) => [c, score]))

describe('the framework', () => {
  it('has the four dimensions of the asset-based method, three distinct indicators each', () => {
    expect(DIMENSIONS.map((d) => d.code)).toEqual([
      'resource_integration',
      'specialization',
      'public_service',
      'sustainability',
    ])
    for (const d of DIMENSIONS) expect(d.indicators).toHaveLength(3)
    expect(new Set(INDICATOR_CODES).size).toBe(12)
    expect(DIMENSIONS.find((d) => d.code === 'sustainability')!.indicators).toContain('funding')
    expect(DIMENSIONS.find((d) => d.code === 'resource_integration')!.indicators).toContain('volunteers')
  })

  it('names and explains every dimension and indicator in the catalogue', () => {
    const keys = Object.keys(zhCN)
    for (const d of DIMENSIONS)
      for (const k of [`capacity.dim.${d.code}`, `capacity.dim_short.${d.code}`, `capacity.dim_help.${d.code}`])
        expect(keys, k).toContain(k)
    for (const c of INDICATOR_CODES)
      for (const k of [`capacity.ind.${c}`, `capacity.ind_help.${c}`]) expect(keys, k).toContain(k)
  })
})

describe('scoring', () => {
  it('scores a dimension as the mean of its indicators, to one decimal', () => {
    const dims = dimensionScores({
      ...all(3),
      mobilization: 5,
      partnerships: 4,
      volunteers: 4,
      reach: 1,
      responsiveness: 2,
      satisfaction: 2,
    })
    expect(dims).toEqual({ resource_integration: 4.3, specialization: 3, public_service: 1.7, sustainability: 3 })
  })

  it('rounds halves up and leaves an unscored dimension empty', () => {
    expect(oneDecimal(2.45)).toBe(2.5)
    expect(oneDecimal(2.449)).toBe(2.4)
    expect(dimensionScores({ governance: 2, skills: 3 })).toMatchObject({
      specialization: 2.5,
      resource_integration: null,
    })
  })

  it('gives every dimension equal weight in the overall score', () => {
    expect(overallScore({ resource_integration: 4, specialization: 2, public_service: 3, sustainability: 3 })).toBe(3)
    expect(
      overallScore({ resource_integration: null, specialization: 2, public_service: null, sustainability: 4 }),
    ).toBe(3)
    expect(
      overallScore({ resource_integration: null, specialization: null, public_service: null, sustainability: null }),
    ).toBeNull()
  })
})

describe('comparing two assessments', () => {
  it('reports growth and decline per dimension and overall, positive for growth', () => {
    const before = { ...all(2), reach: 1 }
    const after = { ...all(3), reach: 4, funding: 1 }
    const c = compare(before, after)
    expect(c.dimensions.find((d) => d.code === 'public_service')).toEqual({
      code: 'public_service',
      before: 1.7,
      after: 3.3,
      change: 1.6,
    })
    expect(c.dimensions.find((d) => d.code === 'sustainability')).toEqual({
      code: 'sustainability',
      before: 2,
      after: 2.3,
      change: 0.3,
    })
    // Overall: (2 + 2 + 1.7 + 2) / 4 = 1.925 → 1.9, then (3 + 3 + 3.3 + 2.3) / 4 = 2.9.
    expect(c.overall).toEqual({ before: 1.9, after: 2.9, change: 1 })
    expect(compare(all(4), all(3)).overall.change).toBe(-1)
  })

  it('has no change where either side is missing, and zero for the same scores', () => {
    const c = compare({ mobilization: 3 }, all(3))
    expect(c.dimensions.find((d) => d.code === 'specialization')!.change).toBeNull()
    expect(c.dimensions.find((d) => d.code === 'resource_integration')!.change).toBe(0)
  })
})

describe('choosing the two assessments to compare', () => {
  const list = [
    { id: 4, assessedOn: '2026-01-10' },
    { id: 9, assessedOn: '2026-03-01' },
    { id: 7, assessedOn: '2026-06-01' },
  ]
  const ids = (p: ReturnType<typeof chosenPair>) => [p.before.id, p.after.id, p.problem?.key]

  it('takes the first and the latest when nothing is chosen, or the chosen ones earlier first', () => {
    expect(ids(chosenPair(list, {}))).toEqual([4, 7, undefined])
    expect(ids(chosenPair(list, { before: 9 }))).toEqual([9, 7, undefined])
    expect(ids(chosenPair(list, { before: 7, after: 9 }))).toEqual([9, 7, undefined])
  })

  it('pairs a single chosen one with the first or the latest, whichever is not the chosen one', () => {
    // Only "before", and it is the latest: compared with the first (earlier first), not with itself.
    expect(ids(chosenPair(list, { before: 7 }))).toEqual([4, 7, undefined])
    // Only "after", and it is the first: compared with the latest.
    expect(ids(chosenPair(list, { after: 4 }))).toEqual([4, 7, undefined])
    expect(ids(chosenPair(list, { after: 9 }))).toEqual([4, 9, undefined])
    expect(ids(chosenPair(list, { before: 4 }))).toEqual([4, 7, undefined])
    // Two assessments: either one alone gives the pair.
    const two = [list[0]!, list[2]!]
    expect(ids(chosenPair(two, { before: 7 }))).toEqual([4, 7, undefined])
    expect(ids(chosenPair(two, { after: 4 }))).toEqual([4, 7, undefined])
    // One assessment: it stands alone, no problem.
    expect(ids(chosenPair([list[0]!], { before: 4 }))).toEqual([4, 4, undefined])
  })

  it('names an unknown id or the same one twice as a problem and falls back to the first and the latest', () => {
    expect(ids(chosenPair(list, { before: 5 }))).toEqual([4, 7, 'capacity.compare.unknown'])
    expect(ids(chosenPair(list, { before: 9, after: 123456 }))).toEqual([4, 7, 'capacity.compare.unknown'])
    expect(ids(chosenPair(list, { before: 9, after: 9 }))).toEqual([4, 7, 'capacity.compare.same'])
    // With a single assessment there is nothing else to compare it with: shown alone, no problem.
    expect(ids(chosenPair([list[0]!], {}))).toEqual([4, 4, undefined])
  })
})

describe('validation', () => {
  const today = '2026-06-15'
  const valid = { assessedOn: '2026-06-15', scores: all(3) }

  it('accepts every indicator 1–5 dated today or earlier', () => {
    expect(problemsWith(valid, today)).toEqual({})
    expect(problemsWith({ ...valid, assessedOn: '2020-01-01', scores: { ...all(1), reach: 5 } }, today)).toEqual({})
  })

  it.each([
    ['zero', { skills: 0 }],
    ['six', { skills: 6 }],
    ['a fraction', { skills: 2.5 }],
    ['a non-number', { skills: Number.NaN }],
  ])('refuses a score of %s beside that indicator', (_, change) => {
    expect(problemsWith({ ...valid, scores: { ...all(3), ...change } }, today)).toEqual({
      score_skills: { key: 'capacity.validation.score' },
    })
  })

  it('requires every indicator', () => {
    const { stability: _, ...scores } = all(3)
    expect(problemsWith({ ...valid, scores }, today)).toEqual({ score_stability: { key: 'capacity.validation.score' } })
  })

  it('refuses a date after today, an impossible date and no date', () => {
    expect(problemsWith({ ...valid, assessedOn: '2026-06-16' }, today)).toEqual({
      assessedOn: { key: 'capacity.validation.future', params: { today } },
    })
    expect(problemsWith({ ...valid, assessedOn: '2026-02-30' }, today)).toEqual({
      assessedOn: { key: 'validation.date' },
    })
    expect(problemsWith({ ...valid, assessedOn: '15/06/2026' }, today)).toEqual({
      assessedOn: { key: 'validation.date' },
    })
    expect(problemsWith({ ...valid, assessedOn: '' }, today)).toEqual({ assessedOn: { key: 'validation.required' } })
  })

  it('bounds the notes and refuses indicators it does not know', () => {
    const p = problemsWith(
      {
        ...valid,
        note: 'x'.repeat(2001),
        participants: 'y'.repeat(201),
        notes: { reach: 'z'.repeat(501) },
        scores: { ...all(3), charisma: 5 } as Scores,
      },
      today,
    )
    expect(p).toEqual({
      note: { key: 'validation.too_long', params: { limit: 2000 } },
      participants: { key: 'validation.too_long', params: { limit: 200 } },
      note_reach: { key: 'validation.too_long', params: { limit: 500 } },
      _: { key: 'validation.invalid' },
    })
  })

  it("takes today in the district's time zone: 07:00 in Guangzhou is still yesterday in UTC", () => {
    expect(localToday(new Date('2026-06-14T23:30:00Z'))).toBe('2026-06-15')
    expect(localToday(new Date('2026-06-15T15:59:59Z'))).toBe('2026-06-15')
    expect(localToday(new Date('2026-06-15T16:00:00Z'))).toBe('2026-06-16')
  })
})
