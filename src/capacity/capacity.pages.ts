import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import * as capacity from './capacity.js'
import * as evidence from './evidence.js'
import * as evidenceFiles from '../evidence/files.js'
import {
  DIMENSIONS,
  lowIndicators,
  NOTE_MAX,
  OVERALL_NOTE_MAX,
  PARTICIPANTS_MAX,
  type IndicatorCode,
} from './indicators.js'
import type { FieldErrors } from '../shared/errors.js'

/** What a handler renders: exactly what the template is given, and the status to answer with. */
export interface Page {
  data: Record<string, unknown>
  status: number
}

/** An assessment form's values: one score and one note per indicator, flat as the form posts them. */
export type FormValues = Record<string, string | number | undefined>

/** The scores whose meaning the form spells out; 2 and 4 lie between. */
const ANCHOR_LEVELS = [1, 3, 5] as const
const LIMITS = { participants: PARTICIPANTS_MAX, note: OVERALL_NOTE_MAX, indicatorNote: NOTE_MAX }

/**
 * An organization's capacity section. A choice that cannot be compared (not a number, not this organization's, the
 * same one twice) is answered 422 with the first and latest shown and the reason above them.
 */
export function orgCapacityView(section: NonNullable<ReturnType<typeof capacity.section>>, badQuery: boolean): Page {
  const problem = badQuery ? { key: 'capacity.compare.unknown' } : section.problem
  return { data: { capacity: { ...section, problem }, title: section.org.name }, status: problem ? 422 : 200 }
}

// Whatever was wrong with a score (missing, 0, 6, "abc"), the person needs the same sentence. The version is no
// field anyone sees, so a problem with it (a tampered or truncated form) is said at the top of the form.
const readable = (errors: FieldErrors): FieldErrors =>
  Object.fromEntries(
    Object.entries(errors).map(([k, v]) =>
      k === 'version'
        ? ['_', { key: 'capacity.validation.version' }]
        : [k, k.startsWith('score_') ? { key: 'capacity.validation.score' } : v],
    ),
  )

/** The new or edit form: the indicators grouped by dimension, each with its value, problem and anchors. */
export function assessmentFormView(
  org: { id: number; name: string },
  values: FormValues,
  errors: FieldErrors,
  today: string,
  status = 200,
): Page {
  const shown = readable(errors)
  const dimensions = DIMENSIONS.map((d) => ({
    code: d.code,
    indicators: d.indicators.map((code: IndicatorCode) => ({
      code,
      score: values[`score_${code}`],
      note: values[`note_${code}`],
      error: shown[`score_${code}`],
      noteError: shown[`note_${code}`],
      anchors: ANCHOR_LEVELS.map((level) => ({ level, key: `capacity.anchor.${code}.${level}` })),
    })),
  }))
  return {
    data: {
      form: true,
      org,
      values,
      // An empty object would still read as "there are problems" in the template.
      errors: Object.keys(shown).length ? shown : undefined,
      dimensions,
      scale: [1, 2, 3, 4, 5],
      limits: LIMITS,
      today,
    },
    status,
  }
}

type Assessment = NonNullable<ReturnType<typeof capacity.findVisible>>

/** An assessment's page: the assessment, its evidence files and what this viewer may do with them. */
export function loadAssessmentPage(db: Db, viewer: CurrentUser | null, a: Assessment) {
  return {
    a,
    files: evidence.listFor(db, a.id),
    canEdit: capacity.canEdit(viewer, a),
    canRecord: capacity.canRecord(db, viewer, a.org),
    canAddEvidence: evidence.canAdd(db, viewer, a),
  }
}

export type AssessmentPage = ReturnType<typeof loadAssessmentPage>

/**
 * What capacity/show is given. Its assessor (or an admin) may edit it and remove evidence; whoever may record an
 * assessment of the group sees the low scores (1 or 2) to make training tasks of; files may be added up to the
 * limit. A refused upload comes back here (422) with what to fix above the upload form.
 */
export function assessmentPageView(data: AssessmentPage, evidenceErrors?: FieldErrors, status = 200): Page {
  const { a, canEdit, canRecord: canTask } = data
  const files = data.files.map((e) => ({
    ...e,
    sizeText: `${Math.max(1, Math.round(e.bytes / 1024))} KB`,
    ext: evidenceFiles.EXTENSION[e.contentType],
  }))
  return {
    data: {
      a: {
        ...a,
        overallText: capacity.fixed(a.overall),
        dims: DIMENSIONS.map((d) => ({
          code: d.code,
          scoreText: capacity.fixed(a.dimensions[d.code]),
          indicators: d.indicators.map((code: IndicatorCode) => ({
            code,
            score: a.scores[code],
            note: a.notes[code] ?? '',
          })),
        })),
      },
      org: a.org,
      canEdit,
      title: a.org.name,
      canTask,
      low: canTask ? lowIndicators(a) : [],
      evidence: {
        files,
        canAdd: data.canAddEvidence && files.length < evidence.MAX_PER_ASSESSMENT,
        canRemove: canEdit,
        errors: evidenceErrors && Object.values(evidenceErrors),
        limits: {
          mb: evidenceFiles.MAX_BYTES / 1_048_576,
          count: evidence.MAX_PER_ASSESSMENT,
          atOnce: evidenceFiles.MAX_PER_UPLOAD,
        },
      },
    },
    status,
  }
}
