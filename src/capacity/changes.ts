/**
 * What an edit of an assessment changed, pure: the log keeps each field's old and new value, so a later reader
 * can tell who moved a date, a score or a note, and from what. Fields are named as the form names them.
 */
import { INDICATOR_CODES, type AssessmentInput, type IndicatorCode, type Scores } from './indicators.js'

/** An assessment as it is stored: text trimmed, an absent note empty, the leader either there or not. */
export interface AssessmentFacts {
  assessedOn: string
  withLeader: boolean
  participants: string
  note: string
  scores: Scores
  notes: Partial<Record<IndicatorCode, string>>
}

export type FieldValue = string | number | boolean | null
export interface FieldChange {
  field: string
  from: FieldValue
  to: FieldValue
}

export function facts(input: AssessmentInput): AssessmentFacts {
  return {
    assessedOn: input.assessedOn,
    withLeader: input.withLeader ?? false,
    participants: input.participants?.trim() ?? '',
    note: input.note?.trim() ?? '',
    scores: input.scores,
    notes: Object.fromEntries(INDICATOR_CODES.map((c) => [c, input.notes?.[c]?.trim() ?? ''])),
  }
}

/** Every field whose value differs, in the form's order; empty when the edit changed nothing. */
export function changesBetween(before: AssessmentFacts, after: AssessmentFacts): FieldChange[] {
  const pairs: [string, FieldValue, FieldValue][] = [
    ['assessedOn', before.assessedOn, after.assessedOn],
    ['withLeader', before.withLeader, after.withLeader],
    ['participants', before.participants, after.participants],
    ...INDICATOR_CODES.flatMap((c): [string, FieldValue, FieldValue][] => [
      [`score_${c}`, before.scores[c] ?? null, after.scores[c] ?? null],
      // A stored empty note and a missing one are the same thing to the reader.
      [`note_${c}`, before.notes[c] ?? '', after.notes[c] ?? ''],
    ]),
    ['note', before.note, after.note],
  ]
  return pairs.filter(([, from, to]) => from !== to).map(([field, from, to]) => ({ field, from, to }))
}
