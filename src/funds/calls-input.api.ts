import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type, type Static } from 'typebox'
import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import { CALL_CONFLICT_RULES, CALL_PREFERENCES, FOCUS_GROUPS, ORG_KINDS, TRUST_LEVELS } from '../db/schema.js'
import { bool, date, fields, int, listOf, oneOf, str, text } from '../shared/forms.js'
import { NotFound, ValidationError } from '../shared/errors.js'
import { addDays, localToday } from '../shared/time.js'
import * as areaService from '../areas/areas.js'
import * as orgs from '../orgs/orgs.js'
import * as calls from './calls.js'
import * as callRules from './call-rules.js'
import * as plan from './plan.js'
import * as reviews from './reviews.js'
import { MAX_FEN } from './money.js'

/**
 * What the call API accepts, and how it becomes the services' input: the API's snake_case fields, its defaults
 * (the one group a caller could mean, the dates a call closes by) and its names for a refused field.
 */

const id = int(1, 2_147_483_647)
const fen = int(0, MAX_FEN)
const closed = { additionalProperties: false }
const email = Type.String({ format: 'email', maxLength: 254 })
const reviewer = Type.Union([email, id, fields({ email, user: id, resident: bool() }, [], closed)])
export const CallBody = fields(
  {
    title: str(callRules.TITLE_MAX, 2),
    description: text(callRules.DESCRIPTION_MAX),
    holder: id,
    area: Type.Union([id, str(60, 1)]),
    budget: int(1, MAX_FEN),
    cap: int(1, MAX_FEN),
    min_award: Type.Union([int(1, MAX_FEN), Type.Null()]),
    preference: oneOf(CALL_PREFERENCES),
    reserve: fen,
    min_trust: oneOf(TRUST_LEVELS),
    kinds: listOf(ORG_KINDS, ORG_KINDS.length),
    focus: listOf(FOCUS_GROUPS, FOCUS_GROUPS.length),
    conflict_rule: oneOf(CALL_CONFLICT_RULES),
    budget_template: Type.Array(str(callRules.ITEM_MAX, 1), { maxItems: callRules.TEMPLATE_MAX }),
    applications_close: date,
    review_close: date,
    criteria: Type.Array(
      fields(
        { name: str(callRules.CRITERION_MAX, 1), weight: int(1, 100), guide: text(callRules.GUIDE_MAX) },
        ['name', 'weight'],
        closed,
      ),
      { minItems: 1, maxItems: callRules.CRITERIA_MAX },
    ),
    reviewers: Type.Array(reviewer, { maxItems: callRules.REVIEWERS_MAX * 2 }),
    draft: bool(),
  },
  ['title', 'budget', 'cap'],
  closed,
)
export const ApplicationBody = fields(
  {
    org: id,
    title: str(plan.TITLE_MAX, 2),
    activity: text(plan.ACTIVITY_MAX),
    beneficiaries: text(plan.BENEFICIARIES_MAX),
    residents: int(0, plan.RESIDENTS_MAX),
    budget_lines: Type.Array(
      fields({ item: str(callRules.ITEM_MAX, 1), asked: fen, own: fen }, ['item', 'asked'], closed),
      { maxItems: plan.LINES_MAX },
    ),
    asked: fen,
    own: fen,
    offers: Type.Array(id, { maxItems: plan.OFFERS_MAX }),
    milestones: Type.Array(
      fields({ title: str(plan.TITLE_MAX, 1), due_on: date, share: int(0, 100) }, ['title', 'due_on', 'share'], closed),
      { maxItems: plan.MILESTONES_MAX },
    ),
    submit: bool(),
  },
  ['title'],
  closed,
)
const score = int(1, 5)
export const ScoresBody = fields(
  {
    scores: Type.Union([
      Type.Array(
        fields({ criterion: Type.Union([id, str(callRules.CRITERION_MAX, 1)]), score }, ['criterion', 'score'], closed),
        { maxItems: callRules.CRITERIA_MAX },
      ),
      Type.Unsafe<Record<string, number>>({
        type: 'object',
        maxProperties: callRules.CRITERIA_MAX,
        propertyNames: { pattern: '^[1-9][0-9]{0,9}$' },
        additionalProperties: score,
      }),
    ]),
    note: text(reviews.NOTE_MAX),
    recuse: bool(),
  },
  [],
  closed,
)
export const DecisionBody = fields({ preview: bool() }, [], closed)

export const CALL_FIELDS: Record<string, string> = {
  holderOrgId: 'holder',
  areaId: 'area',
  budgetFen: 'budget',
  capFen: 'cap',
  minAwardFen: 'min_award',
  reserveFen: 'reserve',
  minTrust: 'min_trust',
  conflictRule: 'conflict_rule',
  budgetTemplate: 'budget_template',
  applicationsClose: 'applications_close',
  reviewClose: 'review_close',
}
export const APPLICATION_FIELDS: Record<string, string> = {
  orgId: 'org',
  residentsPlanned: 'residents',
  lines: 'budget_lines',
  offerIds: 'offers',
}

/**
 * Runs `act`, answering a ValidationError it throws 400 with the fields as the API spells them (the service names
 * them as the forms do); anything else propagates.
 */
export function refusingInvalid(
  req: FastifyRequest,
  reply: FastifyReply,
  names: Record<string, string>,
  act: () => FastifyReply,
) {
  try {
    return act()
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err
    return reply.code(400).send({
      errors: Object.entries(err.fields).map(([f, p]) => ({ field: names[f] ?? f, message: req.t(p.key, p.params) })),
    })
  }
}

/**
 * A new call as the service takes it, or undefined when no holder was named and the caller holds calls for more
 * than one group (or none). The area defaults to the holder's; applications close in 30 days, reviews 30 days after.
 */
export function callInput(
  db: Db,
  user: CurrentUser,
  b: Static<typeof CallBody>,
  now: Date,
): callRules.CallInput | undefined {
  const holders = calls.holderOptions(db, user).filter((o) => user.orgIds.includes(o.id))
  const holderOrgId: number | undefined = b.holder ?? (holders.length === 1 ? holders[0].id : undefined)
  if (holderOrgId === undefined) return undefined
  const holder = orgs.get(db, holderOrgId)
  const areaId =
    typeof b.area === 'number'
      ? b.area
      : typeof b.area === 'string'
        ? (areaService.byRef(db, b.area)?.id ?? 0)
        : (holder?.areaId ?? 0)
  const today = localToday(now)
  const applicationsClose: string = b.applications_close ?? localToday(addDays(now, 30))
  const reviewClose: string =
    b.review_close ??
    localToday(addDays(new Date(`${applicationsClose > today ? applicationsClose : today}T12:00:00Z`), 30))
  const named = (b.reviewers ?? []).map((r) =>
    typeof r === 'string'
      ? { email: r }
      : typeof r === 'number'
        ? { userId: r }
        : { email: r.email, userId: r.user, resident: r.resident },
  )
  return {
    holderOrgId,
    areaId,
    title: b.title,
    description: b.description,
    budgetFen: b.budget,
    capFen: b.cap,
    minAwardFen: b.min_award ?? null,
    preference: b.preference,
    reserveFen: b.reserve,
    minTrust: b.min_trust,
    kinds: b.kinds,
    focus: b.focus,
    conflictRule: b.conflict_rule,
    budgetTemplate: b.budget_template,
    applicationsClose,
    reviewClose,
    criteria: b.criteria,
    reviewers: named,
  }
}

/** A published call the caller may see, to apply to; otherwise not found. */
export function publishedCall(db: Db, user: CurrentUser, id: number) {
  const found = calls.findVisible(db, user, id)
  if (!found?.call.publishedAt) throw new NotFound()
  return found.call
}

/**
 * The group an application is for: `org` as sent, else the one group the caller leads that may apply (the only
 * one, or the only one without a reason it may not); else the refusal: 403 when the caller leads no group, 400
 * when several could be meant.
 */
export function groupMeant(
  db: Db,
  user: CurrentUser,
  call: calls.Call,
  org: number | undefined,
): number | { status: number; field: string | null; key: string } {
  if (org !== undefined) return org
  const groups = calls.applicantGroups(db, user, call)
  const eligible = groups.filter((g) => !g.reasons.length)
  if (groups.length === 1) return groups[0].id
  if (eligible.length === 1) return eligible[0].id
  if (!groups.length) return { status: 403, field: null, key: 'funds.not_leader' }
  return { status: 400, field: 'org', key: 'funds.validation.org_required' }
}

/** The application as the service takes it: one budget line of the title when only an amount was sent. */
export function applicationInput(b: Static<typeof ApplicationBody>, orgId: number): plan.ApplicationInput {
  const lines =
    b.budget_lines?.map((l) => ({ item: l.item, askedFen: l.asked, ownFen: l.own ?? 0 })) ??
    (b.asked !== undefined ? [{ item: b.title, askedFen: b.asked, ownFen: b.own ?? 0 }] : [])
  return {
    orgId,
    title: b.title,
    activity: b.activity ?? (b.submit ? b.title : ''),
    beneficiaries: b.beneficiaries,
    residentsPlanned: b.residents ?? null,
    lines,
    offerIds: b.offers,
    milestones: b.milestones?.map((m) => ({ title: m.title, dueOn: m.due_on, sharePct: m.share })),
  }
}

/** Scores by criterion id, the criteria named by id or by name; a criterion the call does not have is refused. */
export function scoresInput(criteria: calls.Criterion[], sent: Static<typeof ScoresBody>['scores']) {
  const scores: Record<number, number> = {}
  if (!Array.isArray(sent)) {
    for (const [k, v] of Object.entries(sent ?? {})) scores[Number(k)] = v
    return scores
  }
  for (const s of sent) {
    const c = criteria.find((x) => (typeof s.criterion === 'number' ? x.id === s.criterion : x.name === s.criterion))
    if (!c) throw new ValidationError({ scores: { key: 'funds.validation.criterion_unknown' } })
    scores[c.id] = s.score
  }
  return scores
}
