/**
 * A project's before and after, pure: the cohort's baseline against its endline, per dimension and per
 * indicator. This is the comparison a street office pays for, so every figure is defined here once:
 *
 * - baseline of a group: its latest assessment on or before the project's first day, or else its earliest
 *   within the period; endline: its latest assessment within the period that comes after the baseline;
 * - a group's dimension score is the plain mean of that dimension's indicators scored in the assessment
 *   (unrounded: rounding each group first would shift the cohort's means);
 * - means are over the groups that have the score; the paired change and the improved share are over the
 *   groups that have both (improved: at least one point higher at the endline);
 * - a group that left the project is listed apart and counts in no figure; a group without a baseline or an
 *   endline stays in the cohort and is named, never silently dropped.
 * No database, no clock.
 */
import { DIMENSIONS, type DimensionCode, type IndicatorCode, type Scores } from './indicators.js'

export interface Period {
  from: string
  to: string
}
export interface DatedAssessment {
  id: number
  assessedOn: string
  scores: Scores
}
export interface CohortMember {
  orgId: number
  name: string
  leftOn: string | null
  assessments: readonly DatedAssessment[]
}

export interface Figure {
  baselineMean: number | null
  endlineMean: number | null
  pairedChange: number | null
  improvedShare: number | null
  withBaseline: number
  withEndline: number
  paired: number
}
export interface DimensionFigure extends Figure {
  code: DimensionCode
  indicators: (Figure & { code: IndicatorCode })[]
}
export interface MemberLine {
  orgId: number
  name: string
  baseline: DatedAssessment | null
  endline: DatedAssessment | null
  left: boolean
}
export interface CohortReport {
  /** Groups still in the project: the n every figure is out of. */
  cohort: number
  dimensions: DimensionFigure[]
  members: MemberLine[]
  missingBaseline: MemberLine[]
  missingEndline: MemberLine[]
  left: MemberLine[]
}

const IMPROVED_BY = 1
const EPSILON = 1e-9
const byDate = (a: DatedAssessment, b: DatedAssessment) =>
  a.assessedOn < b.assessedOn ? -1 : a.assessedOn > b.assessedOn ? 1 : a.id - b.id

/** The group's baseline and endline assessments in the period (either may be missing). */
export function baselineAndEndline(
  assessments: readonly DatedAssessment[],
  period: Period,
): { baseline: DatedAssessment | null; endline: DatedAssessment | null } {
  const sorted = [...assessments].sort(byDate)
  const before = sorted.filter((a) => a.assessedOn <= period.from)
  const within = sorted.filter((a) => a.assessedOn >= period.from && a.assessedOn <= period.to)
  const baseline = before.at(-1) ?? within[0] ?? null
  const after = baseline ? within.filter((a) => byDate(a, baseline) > 0) : []
  return { baseline, endline: after.at(-1) ?? null }
}

function meanOf(values: readonly number[]): number | null {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : null
}

/** A dimension's (or one indicator's) unrounded score in one assessment; null when nothing in it was scored. */
function scoreOf(a: DatedAssessment | null, indicators: readonly IndicatorCode[]): number | null {
  if (!a) return null
  return meanOf(indicators.map((i) => a.scores[i]).filter((v): v is number => typeof v === 'number'))
}

const round = (v: number | null, places: number) =>
  v === null ? null : Math.round(v * 10 ** places + EPSILON) / 10 ** places

function figure(lines: readonly MemberLine[], indicators: readonly IndicatorCode[]): Figure {
  const base: number[] = [],
    end: number[] = [],
    changes: number[] = []
  for (const line of lines) {
    const b = scoreOf(line.baseline, indicators),
      e = scoreOf(line.endline, indicators)
    if (b !== null) base.push(b)
    if (e !== null) end.push(e)
    if (b !== null && e !== null) changes.push(e - b)
  }
  const improved = changes.filter((c) => c >= IMPROVED_BY - EPSILON).length
  return {
    baselineMean: round(meanOf(base), 2),
    endlineMean: round(meanOf(end), 2),
    pairedChange: round(meanOf(changes), 2),
    improvedShare: changes.length ? round(improved / changes.length, 4) : null,
    withBaseline: base.length,
    withEndline: end.length,
    paired: changes.length,
  }
}

export function cohortReport(members: readonly CohortMember[], period: Period): CohortReport {
  const lines: MemberLine[] = members.map((m) => ({
    orgId: m.orgId,
    name: m.name,
    left: m.leftOn !== null,
    ...baselineAndEndline(m.assessments, period),
  }))
  const staying = lines.filter((l) => !l.left)
  return {
    cohort: staying.length,
    dimensions: DIMENSIONS.map((d) => ({
      code: d.code,
      ...figure(staying, d.indicators),
      indicators: d.indicators.map((i) => ({ code: i, ...figure(staying, [i]) })),
    })),
    members: lines,
    missingBaseline: staying.filter((l) => !l.baseline),
    missingEndline: staying.filter((l) => !l.endline),
    left: lines.filter((l) => l.left),
  }
}
