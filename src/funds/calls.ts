/**
 * Community fund calls (社区基金 / 微创投): a funds holder — a street office, a foundation, a social work agency, a
 * business, any organization that is not itself a community group — opens a call with a budget, a cap per project,
 * who may apply, scoring criteria and a named review panel. Its leaders, the brokers covering its area and admins
 * run the call ("the holder side"); a draft is theirs alone, a published call is public.
 *
 * A call's stage is read from its dates and records, never stored: draft → open (until applications close) →
 * in review → decided (a fund_decisions row; deciding also closes applications).
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import {
  areas,
  fundApplications,
  fundCalls,
  fundCriteria,
  fundDecisions,
  fundReviewers,
  memberships,
  organizations,
  users,
  CALL_CONFLICT_RULES,
  CALL_PREFERENCES,
  FOCUS_GROUPS,
  ORG_KINDS,
  TRUST_LEVELS,
} from '../db/schema.js'
import { InvalidTransition, NotFound, NotPermitted, ValidationError, type FieldErrors } from '../shared/errors.js'
import { isCalendarDate, localToday } from '../shared/time.js'
import * as events from '../events/events.js'
import * as orgs from '../orgs/orgs.js'
import * as areaService from '../areas/areas.js'
import { normalizeEmail, type CurrentUser } from '../accounts/accounts.js'
import { MAX_FEN } from './money.js'
import { runsCall } from './stewards.js'
import * as coverage from '../areas/coverage.js'
import { isWithin } from '../areas/paths.js'

export type Call = typeof fundCalls.$inferSelect
export type Criterion = typeof fundCriteria.$inferSelect
export type Preference = (typeof CALL_PREFERENCES)[number]
export type ConflictRule = (typeof CALL_CONFLICT_RULES)[number]
export type Stage = 'draft' | 'open' | 'review' | 'decided'
export const TITLE_MAX = 120
export const DESCRIPTION_MAX = 4000
export const CRITERION_MAX = 60
export const GUIDE_MAX = 500
export const CRITERIA_MAX = 10
export const REVIEWERS_MAX = 15
export const TEMPLATE_MAX = 20
export const ITEM_MAX = 60

/** The five criteria a call starts from (weights in whole percent), in the reference language, with what 1, 3 and 5 look like. */
export const DEFAULT_CRITERIA: { name: string; guide: string; weight: number }[] = [
  {
    name: '需求依据',
    guide: '1：没有说明居民的需要；3：说明了需要，有少量依据；5：有调查或居民意见支撑，需要清楚具体',
    weight: 20,
  },
  { name: '居民参与', guide: '1：居民只是服务对象；3：居民参与部分环节；5：居民参与策划、执行和评估', weight: 20 },
  {
    name: '可行性',
    guide: '1：计划不清楚；3：计划基本可行，分工和时间有交代；5：分工、时间、场地和风险都有安排',
    weight: 20,
  },
  { name: '预算合理', guide: '1：预算与活动不符；3：预算基本合理；5：每一项都有依据，并有自筹或其他资源', weight: 20 },
  { name: '可持续性', guide: '1：活动结束即停止；3：有继续的想法；5：有人员、资源和计划让活动持续下去', weight: 20 },
]

export interface CallInput {
  holderOrgId: number
  areaId: number
  title: string
  description?: string
  budgetFen: number
  capFen: number
  minAwardFen?: number | null
  preference?: Preference
  reserveFen?: number
  minTrust?: (typeof TRUST_LEVELS)[number]
  kinds?: string[]
  focus?: string[]
  conflictRule?: ConflictRule
  budgetTemplate?: string[]
  applicationsClose: string
  reviewClose: string
  criteria?: { name: string; guide?: string; weight: number }[]
  /** Named site users, by e-mail or id; residents' representatives marked. */
  reviewers?: { email?: string; userId?: number; resident?: boolean }[]
}

/** Organizations whose money a call may hand out: any kind but a community group. */
export const holderKinds = ORG_KINDS.filter((k) => k !== 'community_group')

/** The holder side — the holder's leaders, brokers covering the holder's area, admins — is the one that runs the call (stewards.ts). */
export const manages = runsCall

/** The holders this user may open a call for: organizations they lead (not community groups), those a broker covers, any for an admin. */
export function holderOptions(db: Db, user: CurrentUser) {
  const rows = db
    .select({ id: organizations.id, name: organizations.name, kind: organizations.kind, areaId: organizations.areaId })
    .from(organizations)
    .where(inArray(organizations.kind, holderKinds))
    .orderBy(asc(organizations.name))
    .all()
  return rows.filter(
    (o) => user.role === 'admin' || user.orgIds.includes(o.id) || coverage.brokerCovers(db, user, o.areaId),
  )
}

export function stageOf(
  call: Pick<Call, 'publishedAt' | 'applicationsClose'>,
  decided: boolean,
  now = new Date(),
): Stage {
  if (!call.publishedAt) return 'draft'
  if (decided) return 'decided'
  return localToday(now) <= call.applicationsClose ? 'open' : 'review'
}

export const isDecided = (db: Db, callId: number) =>
  !!db.select({ id: fundDecisions.id }).from(fundDecisions).where(eq(fundDecisions.callId, callId)).get()

/** Applications are taken while the call is published, before its close date, and not yet decided. */
export function takesApplications(db: Db, call: Call, now = new Date()): boolean {
  return stageOf(call, isDecided(db, call.id), now) === 'open'
}

export function criteriaOf(db: Db, callId: number): Criterion[] {
  return db.select().from(fundCriteria).where(eq(fundCriteria.callId, callId)).orderBy(asc(fundCriteria.position)).all()
}

export function reviewersOf(db: Db, callId: number) {
  return db
    .select({ userId: fundReviewers.userId, name: users.name, email: users.email, resident: fundReviewers.resident })
    .from(fundReviewers)
    .innerJoin(users, eq(users.id, fundReviewers.userId))
    .where(eq(fundReviewers.callId, callId))
    .orderBy(asc(users.name), asc(users.id))
    .all()
}

export const isReviewer = (db: Db, user: CurrentUser | null | undefined, callId: number) =>
  !!user &&
  !!db
    .select({ u: fundReviewers.userId })
    .from(fundReviewers)
    .where(and(eq(fundReviewers.callId, callId), eq(fundReviewers.userId, user.id)))
    .get()

export interface Access {
  manage: boolean
  review: boolean
}

/** Scoped lookup: a published call for anyone, a draft for its holder side; with what this user may do on it. */
export function findVisible(
  db: Db,
  user: CurrentUser | null | undefined,
  id: number,
): { call: Call; access: Access } | undefined {
  const call = db.select().from(fundCalls).where(eq(fundCalls.id, id)).get()
  if (!call) return undefined
  const manage = manages(db, user, call)
  if (!call.publishedAt && !manage) return undefined
  return { call, access: { manage, review: !!call.publishedAt && isReviewer(db, user, call.id) } }
}

/** A call the user runs, or NotFound / NotPermitted. */
export function managed(db: Db, user: CurrentUser, id: number): Call {
  const found = findVisible(db, user, id)
  if (!found) throw new NotFound()
  if (!found.access.manage) throw new NotPermitted({ key: 'funds.not_permitted' })
  return found.call
}

/** Published calls (and the drafts this user runs), newest first, each with its stage and holder. */
export function list(db: Db, user: CurrentUser | null, now = new Date()) {
  const rows = db
    .select({
      call: fundCalls,
      holderName: organizations.name,
      areaName: areas.name,
      areaNameEn: areas.nameEn,
      decided: sql<number>`EXISTS (SELECT 1 FROM ${fundDecisions} WHERE ${fundDecisions.callId} = ${fundCalls.id})`,
      applications: sql<number>`(SELECT count(*) FROM ${fundApplications} WHERE ${fundApplications.callId} = ${fundCalls.id} AND ${fundApplications.status} = 'submitted')`,
    })
    .from(fundCalls)
    .innerJoin(organizations, eq(organizations.id, fundCalls.holderOrgId))
    .innerJoin(areas, eq(areas.id, fundCalls.areaId))
    .orderBy(desc(fundCalls.createdAt), desc(fundCalls.id))
    .all()
  return rows
    .filter((r) => r.call.publishedAt || manages(db, user, r.call))
    .map((r) => ({
      ...r.call,
      holderName: r.holderName,
      areaName: r.areaName,
      areaNameEn: r.areaNameEn,
      applications: r.applications,
      stage: stageOf(r.call, !!r.decided, now),
    }))
}

type ReviewerIds = { userId: number; resident: boolean }[]

function problemsWith(db: Db, input: CallInput, reviewerIds: ReviewerIds, unknownReviewers: string[]): FieldErrors {
  const p: FieldErrors = {}
  const title = input.title?.trim() ?? ''
  if (title.length < 2) p.title = { key: 'validation.required' }
  else if (title.length > TITLE_MAX) p.title = { key: 'validation.too_long', params: { limit: TITLE_MAX } }
  if ((input.description ?? '').length > DESCRIPTION_MAX)
    p.description = { key: 'validation.too_long', params: { limit: DESCRIPTION_MAX } }
  const holder = orgs.get(db, input.holderOrgId)
  if (!holder) p.holderOrgId = { key: 'validation.choose' }
  else if (holder.kind === 'community_group') p.holderOrgId = { key: 'funds.validation.holder_kind' }
  if (!areaService.get(db, input.areaId)) p.areaId = { key: 'validation.area_missing' }
  const money = (field: string, fen: number | null | undefined, required: boolean) => {
    if (fen === null || fen === undefined) {
      if (required) p[field] = { key: 'funds.validation.money' }
      return
    }
    if (!Number.isSafeInteger(fen) || fen <= 0 || fen > MAX_FEN) p[field] = { key: 'funds.validation.money' }
  }
  money('budgetFen', input.budgetFen, true)
  money('capFen', input.capFen, true)
  money('minAwardFen', input.minAwardFen, false)
  if (!p.budgetFen && !p.capFen && input.capFen > input.budgetFen)
    p.capFen = { key: 'funds.validation.cap_over_budget' }
  if (!p.capFen && !p.minAwardFen && input.minAwardFen && input.minAwardFen > input.capFen)
    p.minAwardFen = { key: 'funds.validation.min_over_cap' }
  const preference = input.preference ?? 'none'
  const reserve = input.reserveFen ?? 0
  if (!CALL_PREFERENCES.includes(preference)) p.preference = { key: 'validation.choose' }
  if (!Number.isSafeInteger(reserve) || reserve < 0 || reserve > MAX_FEN)
    p.reserveFen = { key: 'funds.validation.money' }
  else if (preference === 'none' && reserve > 0) p.reserveFen = { key: 'funds.validation.reserve_without_rule' }
  else if (!p.budgetFen && reserve > input.budgetFen) p.reserveFen = { key: 'funds.validation.reserve_over_budget' }
  if (input.minTrust && !TRUST_LEVELS.includes(input.minTrust)) p.minTrust = { key: 'validation.choose' }
  if (input.kinds && (!input.kinds.length || input.kinds.some((k) => !(ORG_KINDS as readonly string[]).includes(k))))
    p.kinds = { key: 'funds.validation.kinds' }
  if (input.focus?.some((f) => !(FOCUS_GROUPS as readonly string[]).includes(f))) p.focus = { key: 'validation.choose' }
  if (input.conflictRule && !CALL_CONFLICT_RULES.includes(input.conflictRule))
    p.conflictRule = { key: 'validation.choose' }
  const template = input.budgetTemplate ?? []
  if (template.length > TEMPLATE_MAX)
    p.budgetTemplate = { key: 'validation.too_large', params: { limit: TEMPLATE_MAX } }
  else if (template.some((t) => t.trim().length > ITEM_MAX))
    p.budgetTemplate = { key: 'validation.too_long', params: { limit: ITEM_MAX } }
  if (!isCalendarDate(input.applicationsClose)) p.applicationsClose = { key: 'validation.date' }
  if (!isCalendarDate(input.reviewClose)) p.reviewClose = { key: 'validation.date' }
  else if (!p.applicationsClose && input.reviewClose < input.applicationsClose)
    p.reviewClose = { key: 'funds.validation.review_before_close' }
  if (input.criteria) {
    const c = input.criteria
    if (!c.length || c.length > CRITERIA_MAX)
      p.criteria = { key: 'funds.validation.criteria_count', params: { limit: CRITERIA_MAX } }
    else if (
      c.some((x) => !x.name?.trim() || x.name.trim().length > CRITERION_MAX || (x.guide ?? '').length > GUIDE_MAX)
    )
      p.criteria = { key: 'funds.validation.criterion_name', params: { limit: CRITERION_MAX } }
    else if (c.some((x) => !Number.isInteger(x.weight) || x.weight < 1 || x.weight > 100))
      p.criteria = { key: 'funds.validation.weights' }
    else if (c.reduce((s, x) => s + x.weight, 0) !== 100)
      p.criteria = { key: 'funds.validation.weights_sum', params: { sum: c.reduce((s, x) => s + x.weight, 0) } }
    else if (new Set(c.map((x) => x.name.trim())).size !== c.length)
      p.criteria = { key: 'funds.validation.criteria_unique' }
  }
  if (unknownReviewers.length)
    p.reviewers = { key: 'funds.validation.reviewer_unknown', params: { who: unknownReviewers.join(', ') } }
  else if (reviewerIds.length > REVIEWERS_MAX)
    p.reviewers = { key: 'validation.too_large', params: { limit: REVIEWERS_MAX } }
  return p
}

/** Reviewers named by e-mail or id → site users (disabled accounts count as unknown); duplicates merged. */
function resolveReviewers(db: Db, named: CallInput['reviewers'] = []): { ids: ReviewerIds; unknown: string[] } {
  const ids = new Map<number, boolean>()
  const unknown: string[] = []
  for (const r of named) {
    const row =
      r.userId !== undefined
        ? db.select({ id: users.id, disabledAt: users.disabledAt }).from(users).where(eq(users.id, r.userId)).get()
        : r.email
          ? db
              .select({ id: users.id, disabledAt: users.disabledAt })
              .from(users)
              .where(eq(users.email, normalizeEmail(r.email)))
              .get()
          : undefined
    if (!row || row.disabledAt) unknown.push(String(r.email ?? r.userId ?? ''))
    else ids.set(row.id, (ids.get(row.id) ?? false) || !!r.resident)
  }
  return { ids: [...ids].map(([userId, resident]) => ({ userId, resident })), unknown }
}

function values(input: CallInput) {
  const preference: Preference = input.preference ?? 'none'
  return {
    holderOrgId: input.holderOrgId,
    areaId: input.areaId,
    title: input.title.trim(),
    description: (input.description ?? '').trim(),
    budgetFen: input.budgetFen,
    capFen: input.capFen,
    minAwardFen: input.minAwardFen ?? null,
    preference,
    reserveFen: preference === 'none' ? 0 : (input.reserveFen ?? 0),
    minTrust: input.minTrust ?? ('self_declared' as const),
    kinds: [...new Set(input.kinds ?? ['community_group'])],
    focus: [...new Set(input.focus ?? [])],
    conflictRule: input.conflictRule ?? ('member' as const),
    budgetTemplate: (input.budgetTemplate ?? []).map((t) => t.trim()).filter(Boolean),
    applicationsClose: input.applicationsClose,
    reviewClose: input.reviewClose,
  }
}

function writePanel(tx: Db, callId: number, input: CallInput, reviewers: ReviewerIds, at: string) {
  const criteria = input.criteria ?? DEFAULT_CRITERIA
  tx.delete(fundCriteria).where(eq(fundCriteria.callId, callId)).run()
  tx.insert(fundCriteria)
    .values(
      criteria.map((c, i) => ({
        callId,
        position: i + 1,
        name: c.name.trim(),
        guide: (c.guide ?? '').trim(),
        weight: c.weight,
      })),
    )
    .run()
  tx.delete(fundReviewers).where(eq(fundReviewers.callId, callId)).run()
  if (reviewers.length)
    tx.insert(fundReviewers)
      .values(reviewers.map((r) => ({ callId, userId: r.userId, resident: r.resident, addedAt: at })))
      .run()
}

/** Every problem with the input, by field (a form adds its own, such as an amount it could not read). */
export function problems(db: Db, input: CallInput): FieldErrors {
  const { ids, unknown } = resolveReviewers(db, input.reviewers)
  return problemsWith(db, input, ids, unknown)
}

function checked(db: Db, user: CurrentUser, input: CallInput) {
  const { ids, unknown } = resolveReviewers(db, input.reviewers)
  const problems = problemsWith(db, input, ids, unknown)
  if (Object.keys(problems).length) throw new ValidationError(problems)
  if (!manages(db, user, { holderOrgId: input.holderOrgId })) throw new NotPermitted({ key: 'funds.not_permitted' })
  return ids
}

/** Opens a call as a draft (or published at once, as the API does by default). */
export function create(db: Db, user: CurrentUser, input: CallInput, { publish = false } = {}, now = new Date()): Call {
  const reviewers = checked(db, user, input)
  if (publish && !reviewers.length) throw new ValidationError({ reviewers: { key: 'funds.validation.no_reviewers' } })
  return writeTx(db, (tx) => {
    const at = now.toISOString()
    const call = tx
      .insert(fundCalls)
      .values({ ...values(input), createdBy: user.id, createdAt: at, updatedAt: at, publishedAt: publish ? at : null })
      .returning()
      .get()
    writePanel(tx, call.id, input, reviewers, at)
    events.record(
      tx,
      {
        actorId: user.id,
        action: 'fund_call.created',
        subjectType: 'fund_call',
        subjectId: call.id,
        data: {
          budgetFen: call.budgetFen,
          capFen: call.capFen,
          reviewers: reviewers.map((r) => r.userId),
          published: publish,
        },
      },
      now,
    )
    return call
  })
}

/** A draft is edited whole: its rules, criteria and panel. A published call's rules are the ones applicants saw. */
export function update(
  db: Db,
  user: CurrentUser,
  id: number,
  input: CallInput,
  version: number,
  now = new Date(),
): Call {
  const call = managed(db, user, id)
  if (call.publishedAt) throw new InvalidTransition({ key: 'funds.published_fixed' })
  const reviewers = checked(db, user, input)
  return writeTx(db, (tx) => {
    const at = now.toISOString()
    const changed = tx
      .update(fundCalls)
      .set({ ...values(input), version: sql`${fundCalls.version} + 1`, updatedAt: at })
      .where(and(eq(fundCalls.id, id), eq(fundCalls.version, version)))
      .returning()
      .get()
    if (!changed) throw new InvalidTransition({ key: 'error.stale' })
    writePanel(tx, id, input, reviewers, at)
    events.record(tx, { actorId: user.id, action: 'fund_call.edited', subjectType: 'fund_call', subjectId: id }, now)
    return changed
  })
}

export function publish(db: Db, user: CurrentUser, id: number, now = new Date()): Call {
  const call = managed(db, user, id)
  if (call.publishedAt) return call
  if (!reviewersOf(db, id).length) throw new InvalidTransition({ key: 'funds.validation.no_reviewers' })
  if (call.applicationsClose < localToday(now)) throw new InvalidTransition({ key: 'funds.publish_past_close' })
  return writeTx(db, (tx) => {
    const published = tx
      .update(fundCalls)
      .set({ publishedAt: now.toISOString(), updatedAt: now.toISOString(), version: sql`${fundCalls.version} + 1` })
      .where(and(eq(fundCalls.id, id), sql`${fundCalls.publishedAt} IS NULL`))
      .returning()
      .get()
    if (!published) throw new InvalidTransition({ key: 'error.stale' })
    events.record(tx, { actorId: user.id, action: 'fund_call.published', subjectType: 'fund_call', subjectId: id }, now)
    return published
  })
}

/** Who may apply, as a test the service runs at submission: each failing condition named. */
export function eligibility(db: Db, call: Call, orgId: number): string[] {
  const org = orgs.get(db, orgId)
  if (!org) return ['missing']
  const reasons: string[] = []
  if (!call.kinds.includes(org.kind)) reasons.push('kind')
  const rank = (t: string) => TRUST_LEVELS.indexOf(t as (typeof TRUST_LEVELS)[number])
  if (rank(org.trust) < rank(call.minTrust)) reasons.push('trust')
  if (call.focus.length && !call.focus.some((f) => org.focus.includes(f))) reasons.push('focus')
  const callArea = areaService.get(db, call.areaId)
  const orgArea = areaService.get(db, org.areaId)
  if (!callArea || !orgArea || !isWithin(orgArea.path, callArea.path)) reasons.push('area')
  if (org.id === call.holderOrgId) reasons.push('holder')
  return reasons
}

/** The groups a person leads that may apply to the call (and why the others may not). */
export function applicantGroups(db: Db, user: CurrentUser, call: Call) {
  if (!user.orgIds.length) return []
  return db
    .select({ id: organizations.id, name: organizations.name })
    .from(organizations)
    .where(inArray(organizations.id, user.orgIds))
    .orderBy(asc(organizations.name))
    .all()
    .map((o) => ({ ...o, reasons: eligibility(db, call, o.id) }))
}

/** People of an organization (leaders and members): the conflict-of-interest rule reads them. */
export function peopleOf(db: Db, orgIds: number[]): Set<number> {
  if (!orgIds.length) return new Set()
  return new Set(
    db
      .select({ userId: memberships.userId })
      .from(memberships)
      .where(inArray(memberships.orgId, orgIds))
      .all()
      .map((m) => m.userId),
  )
}
