import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import type { Locale, Translate } from '../i18n/i18n.js'
import * as calls from './calls.js'
import * as callRules from './call-rules.js'
import * as applications from './applications.js'
import * as reviews from './reviews.js'
import * as decision from './decision.js'
import * as areaService from '../areas/areas.js'
import * as orgs from '../orgs/orgs.js'
import { CALL_CONFLICT_RULES, CALL_PREFERENCES, FOCUS_GROUPS, ORG_KINDS, TRUST_LEVELS } from '../db/schema.js'
import { addDays, localToday } from '../shared/time.js'
import { NotFound, NotPermitted, type FieldErrors } from '../shared/errors.js'
import { yuan, yuanInput } from './money.js'

type Viewer = CurrentUser | null
/** What a handler renders: the page, and exactly what its template is given. */
export interface Page {
  page: string
  data: Record<string, unknown>
}

const orNone = (errors: FieldErrors) => (Object.keys(errors).length ? errors : undefined)
const fixed = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(2))

/** "¥3,400.50 asked, scored 3.40": the decision's reasons in words, from the stored codes and figures. */
export function reasonText(t: Translate, n: { reason: string; score: number | null; detail: Record<string, unknown> }) {
  const d = n.detail
  const money = (v: unknown) => yuan(Number(v ?? 0))
  switch (n.reason) {
    case 'budget':
      return t('funds.reason.budget', {
        score: fixed(n.score),
        lowest: numberOrDash(d.lowestAwardedScore),
        remaining: money(d.remainingFen),
        asked: money(d.askedFen),
      })
    case 'over_cap':
      return t('funds.reason.over_cap', { asked: money(d.askedFen), cap: money(d.capFen) })
    case 'same_group':
      return t('funds.reason.same_group')
    case 'reserve':
      return t('funds.reason.reserve', {
        score: fixed(n.score),
        asked: money(d.askedFen),
        remaining: money(d.remainingFen),
      })
    case 'not_reviewed':
      return t('funds.reason.not_reviewed')
    case 'not_eligible': {
      const why = (Array.isArray(d.reasons) ? d.reasons : []).map((r) => t(`funds.ineligible.${r}`)).join(' ')
      return t('funds.reason.not_eligible', { why })
    }
    default:
      return n.reason
  }
}
const numberOrDash = (v: unknown) => (typeof v === 'number' ? v.toFixed(2) : '—')

/** The stated problem in plain words: budget, cap, minimum, and the preference as a rule. */
export function problemText(t: Translate, c: calls.Call, partialDropped = false): string[] {
  const partial = partialDropped
    ? t('funds.problem.partial_dropped', { min: yuan(c.minAwardFen ?? 0) })
    : c.minAwardFen
      ? t('funds.problem.partial', { min: yuan(c.minAwardFen) })
      : t('funds.problem.whole')
  const preference =
    c.preference === 'none'
      ? t('funds.problem.no_preference')
      : t('funds.problem.preference', { rule: t(`funds.preference.${c.preference}`), reserve: yuan(c.reserveFen) })
  return [
    t('funds.problem.budget', { budget: yuan(c.budgetFen), cap: yuan(c.capFen) }),
    partial,
    t('funds.problem.one_per_group'),
    preference,
    t('funds.problem.objective'),
  ]
}

// The calls list ---------------------------------------------------------------------------------------------------

export function loadCalls(db: Db, viewer: Viewer) {
  return {
    calls: calls.list(db, viewer),
    canOpen: !!viewer && calls.holderOptions(db, viewer).length > 0,
    panels: viewer ? reviews.myPanels(db, viewer) : [],
  }
}

/** Calls by stage; a draft reaches this list only for those who run it (calls.list decides). */
export function callsView(d: ReturnType<typeof loadCalls>, t: Translate, locale: Locale) {
  const all = d.calls.map((c) => ({
    ...c,
    areaLabel: areaService.displayName({ name: c.areaName, nameEn: c.areaNameEn }, locale),
  }))
  const of = (stage: calls.Stage) => all.filter((c) => c.stage === stage)
  return {
    title: t('funds.title'),
    canOpen: d.canOpen,
    drafts: of('draft'),
    open: of('open'),
    review: of('review'),
    decided: of('decided'),
    panels: d.panels,
  }
}

// One call -------------------------------------------------------------------------------------------------------

/** The call if this viewer may see it (a draft only to those who run it): NotFound otherwise. */
export function findCall(db: Db, viewer: Viewer, callId: number) {
  const f = calls.findVisible(db, viewer, callId)
  if (!f) throw new NotFound()
  return f
}

/** A published call: what its QR code and poster show; a draft has neither. */
export function publishedCall(db: Db, viewer: Viewer, callId: number) {
  const { call } = findCall(db, viewer, callId)
  if (!call.publishedAt) throw new NotFound()
  return call
}

export const callUrl = (baseUrl: string, callId: number) => `${baseUrl.replace(/\/+$/, '')}/calls/${callId}`

export function loadCall(db: Db, viewer: Viewer, callId: number) {
  const { call, access } = findCall(db, viewer, callId)
  const decided = calls.isDecided(db, call.id)
  const stage = calls.stageOf(call, decided)
  return {
    call,
    access,
    stage,
    area: areaService.get(db, call.areaId)!,
    holderName: orgs.get(db, call.holderOrgId)?.name,
    criteria: calls.criteriaOf(db, call.id),
    reviewers: calls.reviewersOf(db, call.id),
    groups: viewer && stage === 'open' ? calls.applicantGroups(db, viewer, call) : [],
    mine: viewer ? applications.ofGroups(db, call.id, [...viewer.orgIds, ...viewer.memberOrgIds]) : [],
    queue: access.review && viewer ? reviews.queue(db, viewer, call.id) : [],
    decision: decided ? decision.confirmed(db, call.id) : undefined,
  }
}

/**
 * The call's page: reviewers' names only to those who run it (others see how many); the share links only once
 * published; the awards once decided.
 */
export function callView(d: ReturnType<typeof loadCall>, t: Translate, locale: Locale, baseUrl: string) {
  const { call, access } = d
  const groups = d.groups.map((g) => ({ ...g, reasonText: g.reasons.map((r) => t(`funds.ineligible.${r}`)).join(' ') }))
  const share = call.publishedAt
    ? { url: callUrl(baseUrl, call.id), qr: `/calls/${call.id}/qr.svg`, poster: `/calls/${call.id}/poster` }
    : undefined
  return {
    title: call.title,
    call,
    stage: d.stage,
    access,
    holderName: d.holderName,
    areaLabel: areaService.displayName(d.area, locale),
    criteria: d.criteria,
    reviewers: access.manage ? d.reviewers : [],
    reviewerCount: d.reviewers.length,
    groups,
    mine: d.mine,
    queue: d.queue,
    problem: problemText(t, call, !!d.decision?.problem.partialDropped),
    awards: d.decision?.awards ?? [],
    kindsText: call.kinds.map((k) => t(`kind.${k}`)).join('、'),
    focusText: call.focus.map((f) => t(`focus.${f}`)).join('、'),
    share,
  }
}

export function posterView(call: calls.Call, holderName: string | undefined, baseUrl: string) {
  return {
    title: call.title,
    call,
    holderName,
    poster: true,
    url: callUrl(baseUrl, call.id),
    qr: `/calls/${call.id}/qr.svg`,
  }
}

// The panel ------------------------------------------------------------------------------------------------------

/** The panel: to those who run the call, and to a reviewer who has answered for every application. */
export function loadPanel(db: Db, viewer: CurrentUser, callId: number) {
  const { call, access } = findCall(db, viewer, callId)
  if (!access.manage && !(access.review && reviews.doneBy(db, call.id, viewer.id)))
    throw new NotPermitted({ key: 'funds.panel_hidden' })
  return { call, manage: access.manage, panel: reviews.panel(db, call) }
}

/** Scores, means and spread only for applications every reviewer has answered for (reviews.panel leaves them null). */
export function panelView(d: ReturnType<typeof loadPanel>, t: Translate) {
  const p = d.panel
  return {
    title: t('funds.panel.title'),
    call: d.call,
    criteria: p.criteria,
    reviewers: p.reviewers,
    complete: p.complete,
    manage: d.manage,
    lines: p.lines.map((l) => ({
      ...l,
      scoreText: fixed(l.score),
      spreadText: l.min === null ? '—' : `${fixed(l.min)}–${fixed(l.max)}`,
      stdText: fixed(l.std),
      reviews: l.reviews.map((r) => ({ ...r, weightedText: fixed(r.weighted) })),
      waiting: l.answered.filter((a) => a.state === 'waiting').length,
    })),
  }
}

// The decision ---------------------------------------------------------------------------------------------------

/** The confirmed decision, or else what the optimiser proposes now; only for those who run the call. */
export function loadDecision(db: Db, viewer: CurrentUser, callId: number) {
  const { call, access } = findCall(db, viewer, callId)
  if (!access.manage) throw new NotPermitted({ key: 'funds.not_permitted' })
  const done = decision.confirmed(db, call.id)
  return done ? { call, done } : { call, proposal: decision.propose(db, call) }
}

type Confirmed = NonNullable<ReturnType<typeof decision.confirmed>>

/** A confirmed decision's totals: what the not-awarded candidates asked counts too, except those never in the running. */
export function confirmedTotals(call: calls.Call, done: Confirmed): decision.Totals {
  const inRunning = done.notAwarded.filter((n) => n.reason !== 'not_reviewed' && n.reason !== 'not_eligible')
  return {
    budgetFen: call.budgetFen,
    awardedFen: done.totalFen,
    remainingFen: call.budgetFen - done.totalFen,
    reserveFen: call.reserveFen,
    preferredFen: done.awards.filter((a) => a.preferred).reduce((s, a) => s + a.amountFen, 0),
    askedFen:
      done.awards.reduce((s, a) => s + a.askedFen, 0) +
      inRunning.reduce((s, n) => s + Number(n.detail.askedFen ?? 0), 0),
    ownFen: done.awards.reduce((s, a) => s + a.ownFen, 0),
  }
}

export function decisionView(d: ReturnType<typeof loadDecision>, t: Translate) {
  const { call, done, proposal } = d
  const shown = done ?? proposal!
  return {
    title: t('funds.decision.title'),
    call,
    decided: !!done,
    decidedAt: done?.decidedAt,
    ready: proposal?.ready ?? true,
    panelComplete: proposal?.panelComplete ?? true,
    problem: problemText(t, call, proposal ? proposal.partialDropped : !!done?.problem.partialDropped),
    awards: shown.awards.map((a) => ({ ...a, scoreText: a.score.toFixed(2), partial: a.amountFen < a.askedFen })),
    notAwarded: shown.notAwarded.map((n) => ({ ...n, scoreText: fixed(n.score), why: reasonText(t, n) })),
    totals: proposal?.totals ?? confirmedTotals(call, done!),
  }
}

// The call form --------------------------------------------------------------------------------------------------

const CRITERIA_ROWS = 7
type CriterionRow = { name: string; weight: number | string; guide: string }
const padCriteria = (rows: CriterionRow[]) => [
  ...rows,
  ...Array.from({ length: Math.max(0, CRITERIA_ROWS - rows.length) }, () => ({ name: '', weight: '', guide: '' })),
]

export function loadCallForm(db: Db, viewer: CurrentUser, locale: Locale) {
  return { holders: calls.holderOptions(db, viewer), areaOptions: areaService.options(db, locale) }
}

/** A new call's starting values: the first holder's area, a month to apply, two weeks more to review. */
export function newCallValues(holders: { id: number; areaId: number }[], t: Translate, today = new Date()) {
  return {
    holderOrgId: holders[0]?.id,
    areaId: holders[0]?.areaId,
    kinds: ['community_group'],
    preference: 'none',
    minTrust: 'self_declared',
    conflictRule: 'member',
    applicationsClose: localToday(addDays(today, 30)),
    reviewClose: localToday(addDays(today, 45)),
    budgetTemplate: t('funds.template.default'),
  }
}

/** A stored call as the form shows it back: money in yuan, reviewers and residents one address a line. */
export function storedCallValues(db: Db, c: calls.Call) {
  const reviewers = calls.reviewersOf(db, c.id)
  const emails = (resident: boolean) =>
    reviewers
      .filter((r) => r.resident === resident)
      .map((r) => r.email)
      .join('\n')
  return {
    holderOrgId: c.holderOrgId,
    areaId: c.areaId,
    title: c.title,
    description: c.description,
    budget: yuanInput(c.budgetFen),
    cap: yuanInput(c.capFen),
    minAward: yuanInput(c.minAwardFen),
    preference: c.preference,
    reserve: c.reserveFen ? yuanInput(c.reserveFen) : '',
    minTrust: c.minTrust,
    kinds: c.kinds,
    focus: c.focus,
    conflictRule: c.conflictRule,
    budgetTemplate: c.budgetTemplate.join('\n'),
    applicationsClose: c.applicationsClose,
    reviewClose: c.reviewClose,
    criteria: calls.criteriaOf(db, c.id).map((x) => ({ name: x.name, weight: x.weight, guide: x.guide })),
    reviewers: emails(false),
    residents: emails(true),
    version: c.version,
  }
}

/** Nobody to open a call for: the page says who can, instead of a bare refusal. */
export function callFormView(
  d: ReturnType<typeof loadCallForm>,
  values: Record<string, unknown>,
  errors: FieldErrors,
  t: Translate,
  callId?: number,
): Page {
  if (!d.holders.length) return { page: 'funds/no-holder', data: { title: t('funds.new.title') } }
  const criteria = (values.criteria as CriterionRow[] | undefined) ?? callRules.DEFAULT_CRITERIA
  return {
    page: 'funds/call-form',
    data: {
      title: t(callId ? 'funds.edit.title' : 'funds.new.title'),
      callId,
      values: { ...values, criteria: padCriteria(criteria) },
      errors: orNone(errors),
      holders: d.holders,
      areaOptions: d.areaOptions,
      preferences: CALL_PREFERENCES,
      trusts: TRUST_LEVELS,
      kinds: ORG_KINDS,
      focusGroups: FOCUS_GROUPS,
      conflictRules: CALL_CONFLICT_RULES,
    },
  }
}
