/**
 * A call's rules as its holder side writes them — budget and cap, who may apply, criteria, the review panel, the
 * dates — with their limits and every problem with them, by field. The forms and the API read the limits here;
 * calls.ts writes what passes.
 */
import { eq } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { users, CALL_CONFLICT_RULES, CALL_PREFERENCES, FOCUS_GROUPS, ORG_KINDS, TRUST_LEVELS } from '../db/schema.js'
import type { FieldErrors } from '../shared/errors.js'
import { isCalendarDate } from '../shared/time.js'
import * as orgs from '../orgs/orgs.js'
import * as areaService from '../areas/areas.js'
import { normalizeEmail } from '../accounts/accounts.js'
import { MAX_FEN } from './money.js'

export type Preference = (typeof CALL_PREFERENCES)[number]
export type ConflictRule = (typeof CALL_CONFLICT_RULES)[number]
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

export type ReviewerIds = { userId: number; resident: boolean }[]

export function problemsWith(
  db: Db,
  input: CallInput,
  reviewerIds: ReviewerIds,
  unknownReviewers: string[],
): FieldErrors {
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
export function resolveReviewers(db: Db, named: CallInput['reviewers'] = []): { ids: ReviewerIds; unknown: string[] } {
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

/** Every problem with the input, by field (a form adds its own, such as an amount it could not read). */
export function problems(db: Db, input: CallInput): FieldErrors {
  const { ids, unknown } = resolveReviewers(db, input.reviewers)
  return problemsWith(db, input, ids, unknown)
}
