import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import type { Locale, Translate } from '../i18n/i18n.js'
import * as calls from './calls.js'
import * as applications from './applications.js'
import { suggestions } from './suggestions.js'
import * as reviews from './reviews.js'
import * as decision from './decision.js'
import * as orgs from '../orgs/orgs.js'
import { categoryNames } from '../listings/listings.js'
import { NotFound, NotPermitted, type FieldErrors } from '../shared/errors.js'
import { yuanInput } from './money.js'

type Viewer = CurrentUser | null
const orNone = (errors: FieldErrors) => (Object.keys(errors).length ? errors : undefined)

/** Blank rows to type into: at least one, and up to `n` rows in all. */
const pad = <T>(rows: T[], n: number, blank: T) => [
  ...rows,
  ...Array.from({ length: Math.max(1, n - rows.length) }, () => ({ ...blank })),
]
const LINE_ROWS = 3
const MILESTONE_ROWS = 4

/** A call that takes plans: published (a draft's plans do not exist for anyone). */
export function openCall(db: Db, viewer: Viewer, callId: number) {
  const found = calls.findVisible(db, viewer, callId)
  if (!found?.call.publishedAt) throw new NotFound()
  return found.call
}

/** The group a new plan is for: the one asked for, or the first this leader may apply for; never another's. */
export function applyingGroup(db: Db, viewer: CurrentUser, call: calls.Call, asked?: number) {
  const groups = calls.applicantGroups(db, viewer, call)
  const orgId = asked ?? groups[0]?.id
  if (!orgId || !groups.some((g) => g.id === orgId)) throw new NotPermitted({ key: 'funds.not_leader' })
  return orgId
}

/** A new plan starts from the call's budget template, one line per item. */
export const newApplicationValues = (call: calls.Call) => ({
  lines: call.budgetTemplate.map((item) => ({ item, asked: '', own: '' })),
  milestones: [],
})

/** A stored plan as its form shows it back: money in yuan, no own contribution as blank. */
export function storedApplicationValues(db: Db, a: applications.Application) {
  return {
    title: a.title,
    activity: a.activity,
    beneficiaries: a.beneficiaries,
    residentsPlanned: a.residentsPlanned ?? '',
    version: a.version,
    status: a.status,
    lines: applications
      .linesOf(db, a.id)
      .map((l) => ({ item: l.item, asked: yuanInput(l.askedFen), own: l.ownFen ? yuanInput(l.ownFen) : '' })),
    milestones: applications
      .milestonesOf(db, a.id)
      .map((m) => ({ title: m.title, dueOn: m.dueOn, sharePct: m.sharePct })),
    offerIds: applications.offersOf(db, a.id).map((o) => o.id),
  }
}

/** What the plan form offers to attach: the matcher's suggestions for the group, and offers already attached. */
export function loadApplicationForm(db: Db, orgId: number, locale: Locale, applicationId?: number) {
  return {
    suggestions: suggestions(db, orgId),
    categoryNames: categoryNames(db, locale),
    attached: applicationId ? applications.offersOf(db, applicationId) : [],
  }
}

export interface ApplicationFormValues {
  lines: { item: string; asked: string; own: string }[]
  milestones: object[]
  offerIds?: (number | string)[]
  [field: string]: unknown
}

/** The plan form: the checked offers are those in the values; an attached offer the matcher also suggests shows once. */
export function applicationFormView(
  d: ReturnType<typeof loadApplicationForm>,
  call: calls.Call,
  orgId: number,
  values: ApplicationFormValues,
  errors: FieldErrors,
  t: Translate,
  applicationId?: number,
) {
  const chosen = new Set<number>((values.offerIds ?? []).map(Number))
  const attached = d.attached.filter((o) => !d.suggestions.some((s) => s.offerId === o.id))
  return {
    title: t(applicationId ? 'funds.apply.edit_title' : 'funds.apply.title'),
    call,
    orgId,
    applicationId,
    errors: orNone(errors),
    values: {
      ...values,
      lines: pad(values.lines, values.lines.length + LINE_ROWS, { item: '', asked: '', own: '' }),
      milestones: pad(values.milestones, MILESTONE_ROWS, { title: '', dueOn: '', sharePct: '' }),
    },
    suggestions: d.suggestions.map((s) => ({
      ...s,
      categoryName: d.categoryNames[s.category] ?? s.category,
      checked: chosen.has(s.offerId),
    })),
    attached: attached.map((o) => ({ ...o, checked: chosen.has(o.id) })),
    cap: call.capFen,
  }
}

/** The plan if this viewer may see it (its group, those who run the call, its reviewers): NotFound otherwise. */
export function findApplication(db: Db, viewer: Viewer, id: number) {
  const f = applications.findVisible(db, viewer, id)
  if (!f) throw new NotFound()
  return f
}

export function loadApplication(db: Db, viewer: Viewer, id: number) {
  const { application: a, call, access } = findApplication(db, viewer, id)
  const decided = calls.isDecided(db, call.id)
  return {
    a,
    call,
    access,
    decided,
    lines: applications.linesOf(db, a.id),
    criteria: calls.criteriaOf(db, call.id),
    myReview: access.review && viewer ? reviews.own(db, viewer, a.id) : undefined,
    // After the decision the group's side sees its means per criterion: the panel line, never a reviewer's name.
    line: decided && !access.manage ? reviews.panel(db, call).lines.find((l) => l.application.id === a.id) : undefined,
    outcome: decided ? decision.confirmed(db, call.id) : undefined,
    org: orgs.get(db, a.orgId),
    milestones: applications.milestonesOf(db, a.id),
    offers: applications.offersOf(db, a.id),
  }
}

/**
 * A plan's page: a reviewer scores once and not after the decision; the group sees its means per criterion once
 * every reviewer has answered and the call is decided; the group may withdraw until the decision.
 */
export function applicationView(d: ReturnType<typeof loadApplication>, errors: FieldErrors = {}) {
  const { a, access, criteria, myReview, line, decided } = d
  return {
    title: a.title,
    a,
    call: d.call,
    access,
    lines: d.lines,
    criteria,
    errors: orNone(errors),
    org: d.org,
    milestones: d.milestones,
    offers: d.offers,
    totals: { askedFen: a.askedFen, ownFen: a.ownFen, allFen: a.askedFen + a.ownFen },
    canScore: access.review && !myReview && !decided,
    myReview: myReview && {
      ...myReview,
      scores: criteria.map((c) => ({ name: c.name, score: myReview.scores.get(c.id) })),
    },
    means: line?.complete
      ? criteria.map((c) => ({
          name: c.name,
          mean: line.perCriterion.find((p) => p.criterionId === c.id)?.mean?.toFixed(2) ?? '—',
        }))
      : undefined,
    meanText: line?.score?.toFixed(2),
    award: d.outcome?.awards.find((w) => w.application === a.id),
    decided,
    canWithdraw: access.own && a.status !== 'withdrawn' && !decided,
  }
}
