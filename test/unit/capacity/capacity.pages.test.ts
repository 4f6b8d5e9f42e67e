import { describe, expect, it } from 'vitest'
import {
  assessmentFormView,
  assessmentPageView,
  orgCapacityView,
  type AssessmentPage,
} from '../../../src/capacity/capacity.pages.js'
import { INDICATOR_CODES } from '../../../src/capacity/indicators.js'

const scores = Object.fromEntries(INDICATOR_CODES.map((c) => [c, 4]))
type File = AssessmentPage['files'][number]
const file = (id: number, bytes = 2048) =>
  ({ id, contentType: 'application/pdf', bytes, originalName: `${id}.pdf`, uploadedBy: 1 }) as File

/** An assessment's page data as loadAssessmentPage gathers it, with what the view decides on set per case. */
function page(over: Partial<AssessmentPage> & { low?: Record<string, number> } = {}): AssessmentPage {
  const { low = {}, ...rest } = over
  const a = {
    id: 7,
    orgId: 3,
    org: { id: 3, areaId: 1, name: '青禾读书会' },
    scores: { ...scores, ...low },
    notes: {},
    dimensions: { resource_integration: 4, specialization: 4, public_service: 4, sustainability: 4 },
    overall: 4,
  }
  return {
    a,
    files: [file(1)],
    canEdit: false,
    canRecord: false,
    canAddEvidence: false,
    ...rest,
  } as unknown as AssessmentPage
}

describe('assessmentPageView: what an assessment page lets whom do', () => {
  it('lets its assessor edit and remove evidence, and a covering broker add files', () => {
    const { data } = assessmentPageView(page({ canEdit: true, canAddEvidence: true }))
    expect(data).toMatchObject({ canEdit: true, evidence: { canAdd: true, canRemove: true } })
  })

  it('lets a reader who did not assess it neither edit nor remove nor add', () => {
    const { data } = assessmentPageView(page())
    expect(data).toMatchObject({ canEdit: false, canTask: false, evidence: { canAdd: false, canRemove: false } })
  })

  it('stops offering to add files once the assessment holds the most it may', () => {
    const full = Array.from({ length: 10 }, (_, i) => file(i + 1))
    expect(assessmentPageView(page({ canAddEvidence: true, files: full })).data).toMatchObject({
      evidence: { canAdd: false },
    })
    expect(assessmentPageView(page({ canAddEvidence: true, files: full.slice(1) })).data).toMatchObject({
      evidence: { canAdd: true },
    })
  })

  it('shows the low scores as training tasks only to whoever may record an assessment of the group', () => {
    const low = { skills: 2, funding: 1, records: 3 }
    expect(assessmentPageView(page({ canRecord: true, low })).data).toMatchObject({
      canTask: true,
      low: ['skills', 'funding'],
    })
    expect(assessmentPageView(page({ low })).data).toMatchObject({ canTask: false, low: [] })
  })

  it('says a file is at least 1 KB and names its extension from its type', () => {
    const { data } = assessmentPageView(page({ files: [file(1, 10), file(2, 5 * 1024)] }))
    expect((data.evidence as { files: { sizeText: string; ext: string }[] }).files).toMatchObject([
      { sizeText: '1 KB', ext: 'pdf' },
      { sizeText: '5 KB', ext: 'pdf' },
    ])
  })

  it('answers a refused upload 422 with its problems above the upload form', () => {
    const refused = assessmentPageView(page(), { files: { key: 'evidence.too_big' } }, 422)
    expect(refused.status).toBe(422)
    expect(refused.data).toMatchObject({ evidence: { errors: [{ key: 'evidence.too_big' }] } })
    expect(assessmentPageView(page()).data).toMatchObject({ evidence: { errors: undefined } })
  })
})

describe('assessmentFormView: the assessment form says what to fix', () => {
  const org = { id: 3, name: '青禾读书会' }

  it('gives every kind of wrong score the same sentence, on its indicator', () => {
    const errors = { score_skills: { key: 'validation.required' }, score_funding: { key: 'validation.too_big' } }
    const { data } = assessmentFormView(org, {}, errors, '2026-12-06', 422)
    const indicators = (data.dimensions as { indicators: { code: string; error?: unknown }[] }[]).flatMap(
      (d) => d.indicators,
    )
    expect(indicators.find((i) => i.code === 'skills')!.error).toEqual({ key: 'capacity.validation.score' })
    expect(indicators.find((i) => i.code === 'funding')!.error).toEqual({ key: 'capacity.validation.score' })
    expect(indicators.find((i) => i.code === 'records')!.error).toBeUndefined()
  })

  it('says a bad version at the top of the form, since no one sees that field', () => {
    const { data } = assessmentFormView(org, {}, { version: { key: 'validation.required' } }, '2026-12-06')
    expect(data.errors).toEqual({ _: { key: 'capacity.validation.version' } })
  })

  it('gives no errors at all to a form without problems', () => {
    expect(assessmentFormView(org, {}, {}, '2026-12-06').data.errors).toBeUndefined()
  })

  it('keeps what was typed for each indicator', () => {
    const { data } = assessmentFormView(org, { score_skills: 3, note_skills: '需要培训' }, {}, '2026-12-06')
    const skills = (data.dimensions as { indicators: { code: string }[] }[])
      .flatMap((d) => d.indicators)
      .find((i) => i.code === 'skills')
    expect(skills).toMatchObject({ score: 3, note: '需要培训' })
  })
})

describe('orgCapacityView: a comparison that cannot be made', () => {
  const section = { org: { id: 3, name: '青禾读书会' }, problem: undefined } as unknown as Parameters<
    typeof orgCapacityView
  >[0]

  it('answers 200 when the chosen pair can be compared', () => {
    expect(orgCapacityView(section, false)).toMatchObject({ status: 200, data: { title: '青禾读书会' } })
  })

  it('answers 422 with the reason when the query is not two numbers, or the section finds a problem', () => {
    expect(orgCapacityView(section, true)).toMatchObject({
      status: 422,
      data: { capacity: { problem: { key: 'capacity.compare.unknown' } } },
    })
    const same = { ...section, problem: { key: 'capacity.compare.same' } } as typeof section
    expect(orgCapacityView(same, false)).toMatchObject({ status: 422, data: { capacity: { problem: same.problem } } })
  })
})
