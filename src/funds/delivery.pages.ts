import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import type { Translate } from '../i18n/i18n.js'
import * as delivery from './delivery.js'
import * as reporting from './reporting.js'
import { figures } from './closeout.js'
import { yuan } from './money.js'
import { NotFound, type FieldErrors } from '../shared/errors.js'

type Viewer = CurrentUser | null
type AwardData = ReturnType<typeof delivery.view>
/** What was typed on the report form, shown back after a refusal. */
export type ReportForm = Record<string, string | number | undefined>

/** Everything the award's page shows; nobody who may not see the award learns that it exists. */
export function loadAward(db: Db, viewer: Viewer, awardId: number) {
  const found = delivery.findVisible(db, viewer, awardId)
  if (!found) throw new NotFound()
  return { v: delivery.view(db, found), access: found.access }
}

/** The award a report belongs to, if there is one: a report of an award one may not see is not found either. */
export function awardOfReport(db: Db, viewer: Viewer, reportId: number) {
  const awardId = delivery.awardOfReport(db, reportId)
  if (!awardId || !delivery.findVisible(db, viewer, awardId)) throw new NotFound()
  return awardId
}

/** A steward's decision on a report as the service takes it: approved, or sent back with a note (none said is empty). */
export const decisionOf = (b: { decision: 'approve' | 'more'; note?: string }): reporting.Decision =>
  b.decision === 'approve' ? { approve: true } : { approve: false, note: b.note ?? '' }

/** The award's page: money as yuan; a refused report keeps what was typed against each budget line, with its problem. */
export function awardView(d: ReturnType<typeof loadAward>, errors: FieldErrors = {}, form: ReportForm = {}) {
  const { v, access } = d
  return {
    title: v.application.title,
    v,
    access,
    steward: access === 'steward',
    group: access === 'group',
    money: { award: yuan(v.award.amountFen), released: yuan(v.releasedFen), remaining: yuan(v.remainingFen) },
    milestones: v.milestones.map((m) => ({
      ...m,
      tranche: yuan(m.trancheFen),
      released: m.releasedFen ? yuan(m.releasedFen) : '',
    })),
    lines: v.lines.map((l) => ({
      ...l,
      asked: yuan(l.askedFen),
      own: yuan(l.ownFen),
      typed: form[`spent_${l.id}`],
      error: errors[`spent_${l.id}`],
    })),
    reports: v.reports.map((r) => ({
      ...r,
      returned: r.returnedFen ? yuan(r.returnedFen) : '',
      spendingLines: r.spendingLines.map((s) => ({ ...s, spent: yuan(s.spentFen) })),
    })),
    form,
    errors: Object.keys(errors).length ? errors : undefined,
    maxFiles: reporting.MAX_FILES_PER_REPORT,
  }
}

/** The close-out page prints the figures the workbook holds (closeout.figures), as yuan. */
export function closeoutView(v: AwardData, t: Translate) {
  const f = figures(v)
  return {
    title: t('fundwork.closeout.heading', { project: v.application.title }),
    v,
    f,
    lines: f.lines.map((l) => ({
      ...l,
      asked: yuan(l.askedFen),
      own: yuan(l.ownFen),
      spent: yuan(l.spentFen),
      difference: yuan(l.differenceFen),
    })),
    milestones: f.milestones.map((m) => ({ ...m, tranche: yuan(m.trancheFen), released: yuan(m.releasedFen) })),
    money: {
      award: yuan(f.awardFen),
      released: yuan(f.releasedFen),
      returned: yuan(f.returnedFen),
      asked: yuan(f.askedFen),
      own: yuan(f.ownFen),
      spent: yuan(f.spentFen),
      difference: yuan(f.askedFen - f.spentFen),
    },
  }
}
