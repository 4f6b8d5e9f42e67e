import { Type, type Static } from 'typebox'
import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import { NotFound } from '../shared/errors.js'
import { count, nullable } from '../shared/json.js'
import * as calls from './calls.js'
import * as applications from './applications.js'
import * as reviews from './reviews.js'
import * as decision from './decision.js'

/** What the call API answers: its JSON, field for field in the response schemas (src/shared/json.ts says why). */

const orNull = nullable(Type.String())
const strings = Type.Array(Type.String())
const callFields = {
  id: count,
  title: Type.String(),
  description: Type.String(),
  holder: count,
  area: count,
  stage: Type.String(),
  budget: count,
  cap: count,
  min_award: nullable(count),
  preference: Type.String(),
  reserve: count,
  min_trust: Type.String(),
  kinds: strings,
  focus: strings,
  conflict_rule: Type.String(),
  budget_template: strings,
  applications_close: Type.String(),
  review_close: Type.String(),
  published_at: orNull,
  version: count,
}
const OutcomeFields = {
  awards: Type.Array(Type.Object({ application: count, amount: count, org: count, score: Type.Number() })),
  not_awarded: Type.Array(Type.Object({ application: count, reason: Type.String(), score: nullable(Type.Number()) })),
  total: count,
}
/**
 * An application in a call's view, of two shapes: a line of the review panel (its reviews complete or not, and, to
 * the holder side, the mean score once complete) or the caller's own group's application, which has neither.
 */
const ApplicationItemJson = Type.Object({
  id: count,
  org: count,
  org_name: Type.String(),
  title: Type.String(),
  status: Type.String(),
  askedFen: count,
  asked: count,
  review_complete: Type.Optional(Type.Boolean()),
  score: Type.Optional(nullable(Type.Number())),
})
export const CallJson = Type.Object({
  ...callFields,
  criteria: Type.Array(Type.Object({ id: count, name: Type.String(), weight: count, guide: Type.String() })),
  reviewers: Type.Optional(Type.Array(Type.Object({ id: count, name: Type.String(), resident: Type.Boolean() }))),
  panel_complete: Type.Optional(Type.Boolean()),
  applications: Type.Array(ApplicationItemJson),
  decision: Type.Optional(Type.Object(OutcomeFields)),
})
export const CallsJson = Type.Object({ items: Type.Array(Type.Object({ ...callFields, applications: count })) })
export const ApplicationJson = Type.Object({
  id: count,
  call: count,
  org: count,
  title: Type.String(),
  activity: Type.String(),
  beneficiaries: Type.String(),
  residents: nullable(count),
  status: Type.String(),
  asked: count,
  own: count,
  submitted_at: orNull,
  version: count,
  budget_lines: Type.Array(Type.Object({ item: Type.String(), asked: count, own: count })),
  milestones: Type.Array(Type.Object({ id: count, title: Type.String(), due_on: Type.String(), share: count })),
  offers: Type.Array(count),
})
export const ReviewJson = Type.Object({
  application: count,
  review: count,
  recused: Type.Boolean(),
  recuse_reason: orNull,
})
export const DecisionJson = Type.Object({
  ...OutcomeFields,
  decided: Type.Boolean(),
  preview: Type.Boolean(),
  ready: Type.Optional(Type.Boolean()),
})

export function callJson(c: calls.Call, stage: calls.Stage) {
  return {
    id: c.id,
    title: c.title,
    description: c.description,
    holder: c.holderOrgId,
    area: c.areaId,
    stage,
    budget: c.budgetFen,
    cap: c.capFen,
    min_award: c.minAwardFen,
    preference: c.preference,
    reserve: c.reserveFen,
    min_trust: c.minTrust,
    kinds: c.kinds,
    focus: c.focus,
    conflict_rule: c.conflictRule,
    budget_template: c.budgetTemplate,
    applications_close: c.applicationsClose,
    review_close: c.reviewClose,
    published_at: c.publishedAt,
    version: c.version,
  }
}

/** The calls this caller may see, each with how many applications it has. */
export const callsJson = (db: Db, user: CurrentUser | null) => ({
  items: calls.list(db, user).map((c) => ({ ...callJson(c, c.stage), applications: c.applications })),
})

export function applicationJson(db: Db, a: applications.Application) {
  return {
    id: a.id,
    call: a.callId,
    org: a.orgId,
    title: a.title,
    activity: a.activity,
    beneficiaries: a.beneficiaries,
    residents: a.residentsPlanned,
    status: a.status,
    asked: a.askedFen,
    own: a.ownFen,
    submitted_at: a.submittedAt,
    version: a.version,
    budget_lines: applications.linesOf(db, a.id).map((l) => ({ item: l.item, asked: l.askedFen, own: l.ownFen })),
    milestones: applications
      .milestonesOf(db, a.id)
      .map((m) => ({ id: m.id, title: m.title, due_on: m.dueOn, share: m.sharePct })),
    offers: applications.offersOf(db, a.id).map((o) => o.id),
  }
}

export const reviewJson = (applicationId: number, r: ReturnType<typeof reviews.submit>) => ({
  application: applicationId,
  review: r.reviewId,
  recused: r.recused !== null,
  recuse_reason: r.recused,
})

export function outcomeJson(o: decision.Outcome) {
  return {
    awards: o.awards.map((a) => ({ application: a.application, amount: a.amountFen, org: a.orgId, score: a.score })),
    not_awarded: o.notAwarded.map((n) => ({ application: n.application, reason: n.reason, score: n.score })),
    total: o.totalFen,
  }
}

/** The decision as it stands, nothing written: the one confirmed, or what confirming now would award. */
export function decisionPreview(db: Db, call: calls.Call): Static<typeof DecisionJson> {
  const done = decision.confirmed(db, call.id)
  if (done) return { ...outcomeJson(done), decided: true, preview: false }
  const p = decision.propose(db, call)
  return { ...outcomeJson(p), decided: false, preview: true, ready: p.ready }
}

/** One call as the caller may see it: reviewers' names to the holder side only; applications' scores once complete, to the holder side. */
export function shownCall(db: Db, user: CurrentUser | null, callId: number): Static<typeof CallJson> {
  const found = calls.findVisible(db, user, callId)
  if (!found) throw new NotFound()
  const { call, access } = found
  const decided = calls.isDecided(db, call.id)
  const panel = access.manage || access.review ? reviews.panel(db, call) : undefined
  const own = user ? applications.ofGroups(db, call.id, [...user.orgIds, ...user.memberOrgIds]) : []
  const listed = new Map<number, Static<typeof ApplicationItemJson>>()
  for (const l of panel?.lines ?? []) {
    listed.set(l.application.id, {
      id: l.application.id,
      org: l.application.orgId,
      org_name: l.application.orgName,
      title: l.application.title,
      status: l.application.status,
      askedFen: l.application.askedFen,
      asked: l.application.askedFen,
      review_complete: l.complete,
      ...(access.manage ? { score: l.complete ? l.score : null } : {}),
    })
  }
  for (const a of own)
    if (!listed.has(a.id))
      listed.set(a.id, {
        id: a.id,
        org: a.orgId,
        org_name: a.orgName,
        title: a.title,
        status: a.status,
        askedFen: a.askedFen,
        asked: a.askedFen,
      })
  return {
    ...callJson(call, calls.stageOf(call, decided)),
    criteria: calls.criteriaOf(db, call.id).map((c) => ({ id: c.id, name: c.name, weight: c.weight, guide: c.guide })),
    ...(access.manage
      ? { reviewers: calls.reviewersOf(db, call.id).map((r) => ({ id: r.userId, name: r.name, resident: r.resident })) }
      : {}),
    panel_complete: panel ? panel.complete : undefined,
    applications: [...listed.values()],
    decision: decided && access.manage ? outcomeJson(decision.confirmed(db, call.id)!) : undefined,
  }
}
