/**
 * The capacity framework, pure: four dimensions that follow the asset-based method (mobilize → cultivate →
 * use → maintain assets), three named indicators each, scored 1–5. No db, no clock: callers pass `today`.
 */
import type { FieldErrors, Problem } from '../shared/errors.js'
import { isCalendarDate } from '../shared/time.js'

export const DIMENSIONS = [
  { code: 'resource_integration', indicators: ['mobilization', 'partnerships', 'volunteers'] },
  { code: 'specialization', indicators: ['governance', 'skills', 'records'] },
  { code: 'public_service', indicators: ['reach', 'responsiveness', 'satisfaction'] },
  { code: 'sustainability', indicators: ['succession', 'funding', 'stability'] },
] as const

export type DimensionCode = (typeof DIMENSIONS)[number]['code']
export type IndicatorCode = (typeof DIMENSIONS)[number]['indicators'][number]
export const DIMENSION_CODES: DimensionCode[] = DIMENSIONS.map((d) => d.code)
export const INDICATOR_CODES: IndicatorCode[] = DIMENSIONS.flatMap((d) => [...d.indicators])
export const MIN_SCORE = 1
export const MAX_SCORE = 5
export const NOTE_MAX = 500
export const OVERALL_NOTE_MAX = 2000
export const PARTICIPANTS_MAX = 200

export const isIndicator = (code: string): code is IndicatorCode => (INDICATOR_CODES as string[]).includes(code)

/** One decimal, as the form and the chart show it (0.05 rounds up; the epsilon keeps 2.45 from becoming 2.4). */
export const oneDecimal = (x: number) => Math.round(x * 10 + 1e-9) / 10

export type Scores = Partial<Record<IndicatorCode, number>>
export type DimensionScores = Record<DimensionCode, number | null>

/** A dimension's score is the mean of its indicators, to one decimal; null when none is scored. */
export function dimensionScores(scores: Scores): DimensionScores {
  const out = {} as DimensionScores
  for (const d of DIMENSIONS) {
    const values = d.indicators.map((i) => scores[i]).filter((v): v is number => typeof v === 'number')
    out[d.code] = values.length ? oneDecimal(values.reduce((a, b) => a + b, 0) / values.length) : null
  }
  return out
}

/** The mean of the dimension scores (each dimension counts equally whatever its number of indicators). */
export function overallScore(dims: DimensionScores): number | null {
  const values = Object.values(dims).filter((v): v is number => v !== null)
  return values.length ? oneDecimal(values.reduce((a, b) => a + b, 0) / values.length) : null
}

export interface DimensionChange {
  code: DimensionCode
  before: number | null
  after: number | null
  change: number | null
}

const diff = (a: number | null | undefined, b: number | null | undefined) =>
  typeof a === 'number' && typeof b === 'number' ? oneDecimal(b - a) : null

/** Change per dimension, and overall, from one assessment to a later one: positive is growth. */
export function compare(
  before: Scores,
  after: Scores,
): { dimensions: DimensionChange[]; overall: { before: number | null; after: number | null; change: number | null } } {
  const b = dimensionScores(before)
  const a = dimensionScores(after)
  const ob = overallScore(b)
  const oa = overallScore(a)
  return {
    dimensions: DIMENSION_CODES.map((code) => ({
      code,
      before: b[code],
      after: a[code],
      change: diff(b[code], a[code]),
    })),
    overall: { before: ob, after: oa, change: diff(ob, oa) },
  }
}

export interface CompareQuery {
  before?: number
  after?: number
}

/**
 * The two assessments to compare (from a list oldest first, not empty), earlier first: the chosen ones, else the
 * first and the latest. With only one chosen, the other side is the first or the latest, whichever is not the chosen
 * one (never the chosen one paired with itself). A choice that cannot be honoured (an id not among this
 * organization's, the same one twice) is named as a problem rather than quietly replaced, so the reader knows the
 * figures are not the ones asked for.
 */
export function chosenPair<A extends { id: number; assessedOn: string }>(
  list: A[],
  query: CompareQuery,
): { before: A; after: A; problem?: Problem } {
  const first = list[0]!
  const latest = list.at(-1)!
  const pick = (id: number | undefined, fallback: A) => (id === undefined ? fallback : list.find((a) => a.id === id))
  const otherEnd = (chosen: A) => (chosen.id === first.id ? latest : first)
  let before = pick(query.before, first)
  let after = pick(query.after, latest)
  if (!before || !after) return { before: first, after: latest, problem: { key: 'capacity.compare.unknown' } }
  if (query.after === undefined && after.id === before.id) after = otherEnd(before)
  else if (query.before === undefined && before.id === after.id) before = otherEnd(after)
  if (before.id === after.id && list.length > 1)
    return { before: first, after: latest, problem: { key: 'capacity.compare.same' } }
  if (before.assessedOn > after.assessedOn || (before.assessedOn === after.assessedOn && before.id > after.id))
    [before, after] = [after, before]
  return { before, after }
}

export interface AssessmentInput {
  assessedOn: string
  scores: Scores
  notes?: Partial<Record<IndicatorCode, string>>
  note?: string
  participants?: string
  withLeader?: boolean
}

/**
 * Every rule an assessment must meet, field by field (form names: `score_<code>`, `note_<code>`). The route's
 * schema says the same first; this is what the service holds to whoever calls it (the demo seed, the CLI, a test).
 */
export function problemsWith(input: AssessmentInput, today: string): FieldErrors {
  const problems: FieldErrors = {}
  if (!input.assessedOn) problems.assessedOn = { key: 'validation.required' }
  else if (!isCalendarDate(input.assessedOn)) problems.assessedOn = { key: 'validation.date' }
  else if (input.assessedOn > today) problems.assessedOn = { key: 'capacity.validation.future', params: { today } }
  for (const code of INDICATOR_CODES) {
    const v = input.scores[code]
    if (v === undefined || v === null) problems[`score_${code}`] = { key: 'capacity.validation.score' }
    else if (!Number.isInteger(v) || v < MIN_SCORE || v > MAX_SCORE)
      problems[`score_${code}`] = { key: 'capacity.validation.score' }
    const note = input.notes?.[code]
    if (note && note.length > NOTE_MAX)
      problems[`note_${code}`] = { key: 'validation.too_long', params: { limit: NOTE_MAX } }
  }
  for (const code of Object.keys(input.scores)) if (!isIndicator(code)) problems._ = { key: 'validation.invalid' }
  if (input.note && input.note.length > OVERALL_NOTE_MAX)
    problems.note = { key: 'validation.too_long', params: { limit: OVERALL_NOTE_MAX } }
  if (input.participants && input.participants.length > PARTICIPANTS_MAX)
    problems.participants = { key: 'validation.too_long', params: { limit: PARTICIPANTS_MAX } }
  return problems
}

/** Indicators scored 1 or 2: each is something to work on, and can become a training task with one click. */
export const LOW_SCORE = 2
export function lowIndicators(a: { scores: Scores }): IndicatorCode[] {
  return INDICATOR_CODES.filter((code) => (a.scores[code] ?? MAX_SCORE) <= LOW_SCORE)
}
