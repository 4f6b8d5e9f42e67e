import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { signedIn } from '../plugins/auth.js'
import { CALL_CONFLICT_RULES, CALL_PREFERENCES, FOCUS_GROUPS, ORG_KINDS, TRUST_LEVELS } from '../db/schema.js'
import { bool, date, fields, idParam, int, listOf, oneOf, str, text } from '../shared/forms.js'
import { NotFound, ValidationError } from '../shared/errors.js'
import { addDays, localToday } from '../shared/time.js'
import * as areaService from '../areas/areas.js'
import * as orgs from '../orgs/orgs.js'
import * as calls from './calls.js'
import * as applications from './applications.js'
import * as reviews from './reviews.js'
import * as decision from './decision.js'
import { MAX_FEN } from './money.js'
import { count, nullable } from '../shared/json.js'

const id = int(1, 2_147_483_647)
const fen = int(0, MAX_FEN)
const closed = { additionalProperties: false }
const email = Type.String({ format: 'email', maxLength: 254 })
const reviewer = Type.Union([email, id, fields({ email, user: id, resident: bool() }, [], closed)])
const CallBody = fields(
  {
    title: str(calls.TITLE_MAX, 2),
    description: text(calls.DESCRIPTION_MAX),
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
    budget_template: Type.Array(str(calls.ITEM_MAX, 1), { maxItems: calls.TEMPLATE_MAX }),
    applications_close: date,
    review_close: date,
    criteria: Type.Array(
      fields(
        { name: str(calls.CRITERION_MAX, 1), weight: int(1, 100), guide: text(calls.GUIDE_MAX) },
        ['name', 'weight'],
        closed,
      ),
      { minItems: 1, maxItems: calls.CRITERIA_MAX },
    ),
    reviewers: Type.Array(reviewer, { maxItems: calls.REVIEWERS_MAX * 2 }),
    draft: bool(),
  },
  ['title', 'budget', 'cap'],
  closed,
)
const ApplicationBody = fields(
  {
    org: id,
    title: str(applications.TITLE_MAX, 2),
    activity: text(applications.ACTIVITY_MAX),
    beneficiaries: text(applications.BENEFICIARIES_MAX),
    residents: int(0, applications.RESIDENTS_MAX),
    budget_lines: Type.Array(
      fields({ item: str(calls.ITEM_MAX, 1), asked: fen, own: fen }, ['item', 'asked'], closed),
      { maxItems: applications.LINES_MAX },
    ),
    asked: fen,
    own: fen,
    offers: Type.Array(id, { maxItems: applications.OFFERS_MAX }),
    milestones: Type.Array(
      fields(
        { title: str(applications.TITLE_MAX, 1), due_on: date, share: int(0, 100) },
        ['title', 'due_on', 'share'],
        closed,
      ),
      { maxItems: applications.MILESTONES_MAX },
    ),
    submit: bool(),
  },
  ['title'],
  closed,
)
const score = int(1, 5)
const ScoresBody = fields(
  {
    scores: Type.Union([
      Type.Array(
        fields({ criterion: Type.Union([id, str(calls.CRITERION_MAX, 1)]), score }, ['criterion', 'score'], closed),
        { maxItems: calls.CRITERIA_MAX },
      ),
      Type.Unsafe<Record<string, number>>({
        type: 'object',
        maxProperties: calls.CRITERIA_MAX,
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
const DecisionBody = fields({ preview: bool() }, [], closed)

/** The service names fields as the forms do; the API's caller sent them as the API spells them. Refused input is a 400 here. */
function refuse(req: FastifyRequest, reply: FastifyReply, err: ValidationError, names: Record<string, string>) {
  return reply.code(400).send({
    errors: Object.entries(err.fields).map(([f, p]) => ({ field: names[f] ?? f, message: req.t(p.key, p.params) })),
  })
}
/** One refusal, sent as plain JSON: the routes' response schemas describe their successes only. */
const refused = (reply: FastifyReply, status: number, field: string | null, message: string) =>
  reply.code(status).send({ errors: [{ field, message }] })
const CALL_FIELDS: Record<string, string> = {
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
const APPLICATION_FIELDS: Record<string, string> = {
  orgId: 'org',
  residentsPlanned: 'residents',
  lines: 'budget_lines',
  offerIds: 'offers',
}

function callJson(c: calls.Call, stage: calls.Stage) {
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

function applicationJson(db: Parameters<typeof applications.linesOf>[0], a: applications.Application) {
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

function outcomeJson(o: decision.Outcome) {
  return {
    awards: o.awards.map((a) => ({ application: a.application, amount: a.amountFen, org: a.orgId, score: a.score })),
    not_awarded: o.notAwarded.map((n) => ({ application: n.application, reason: n.reason, score: n.score })),
    total: o.totalFen,
  }
}

// Response schemas, field for field (src/shared/json.ts says why).
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
const CallJson = Type.Object({
  ...callFields,
  criteria: Type.Array(Type.Object({ id: count, name: Type.String(), weight: count, guide: Type.String() })),
  reviewers: Type.Optional(Type.Array(Type.Object({ id: count, name: Type.String(), resident: Type.Boolean() }))),
  panel_complete: Type.Optional(Type.Boolean()),
  applications: Type.Array(ApplicationItemJson),
  decision: Type.Optional(Type.Object(OutcomeFields)),
})
const CallsJson = Type.Object({ items: Type.Array(Type.Object({ ...callFields, applications: count })) })
const ApplicationJson = Type.Object({
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
const ReviewJson = Type.Object({ application: count, review: count, recused: Type.Boolean(), recuse_reason: orNull })
const DecisionJson = Type.Object({
  ...OutcomeFields,
  decided: Type.Boolean(),
  preview: Type.Boolean(),
  ready: Type.Optional(Type.Boolean()),
})

/** Community fund calls: the web's rights and rules; money in integer fen. */
const callsApi: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/v1/calls', { config: { access: 'anyone' }, schema: { response: { 200: CallsJson } } }, async (req) => ({
    items: calls.list(app.db, req.user).map((c) => ({ ...callJson(c, c.stage), applications: c.applications })),
  }))

  app.post(
    '/api/v1/calls',
    { config: { access: 'signed_in' }, schema: { body: CallBody, response: { 201: CallJson } } },
    async (req, reply) => {
      const b = req.body
      const user = signedIn(req)
      const holders = calls.holderOptions(app.db, user).filter((o) => user.orgIds.includes(o.id))
      const holderOrgId: number | undefined = b.holder ?? (holders.length === 1 ? holders[0].id : undefined)
      if (holderOrgId === undefined) return refused(reply, 400, 'holder', req.t('funds.validation.holder_required'))
      const holder = orgs.get(app.db, holderOrgId)
      const areaId =
        typeof b.area === 'number'
          ? b.area
          : typeof b.area === 'string'
            ? (areaService.byRef(app.db, b.area)?.id ?? 0)
            : (holder?.areaId ?? 0)
      const today = localToday(new Date())
      const applicationsClose: string = b.applications_close ?? localToday(addDays(new Date(), 30))
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
      try {
        const c = calls.create(
          app.db,
          user,
          {
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
          },
          { publish: !b.draft },
        )
        return reply.code(201).header('location', `/api/v1/calls/${c.id}`).send(show(req, c.id))
      } catch (err) {
        if (err instanceof ValidationError) return refuse(req, reply, err, CALL_FIELDS)
        throw err
      }
    },
  )

  /** One call as the caller may see it: reviewers' names to the holder side only; applications' scores once complete, to the holder side. */
  function show(req: FastifyRequest, callId: number) {
    const found = calls.findVisible(app.db, req.user, callId)
    if (!found) throw new NotFound()
    const { call, access } = found
    const decided = calls.isDecided(app.db, call.id)
    const panel = access.manage || access.review ? reviews.panel(app.db, call) : undefined
    const own = req.user ? applications.ofGroups(app.db, call.id, [...req.user.orgIds, ...req.user.memberOrgIds]) : []
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
      criteria: calls
        .criteriaOf(app.db, call.id)
        .map((c) => ({ id: c.id, name: c.name, weight: c.weight, guide: c.guide })),
      ...(access.manage
        ? {
            reviewers: calls
              .reviewersOf(app.db, call.id)
              .map((r) => ({ id: r.userId, name: r.name, resident: r.resident })),
          }
        : {}),
      panel_complete: panel ? panel.complete : undefined,
      applications: [...listed.values()],
      decision: decided && access.manage ? outcomeJson(decision.confirmed(app.db, call.id)!) : undefined,
    }
  }

  app.get(
    '/api/v1/calls/:id',
    { config: { access: 'anyone' }, schema: { params: idParam, response: { 200: CallJson } } },
    async (req) => show(req, req.params.id),
  )

  app.post(
    '/api/v1/calls/:id/applications',
    {
      config: { access: 'signed_in' },
      schema: { params: idParam, body: ApplicationBody, response: { 201: ApplicationJson } },
    },
    async (req, reply) => {
      const callId = req.params.id
      const b = req.body
      const user = signedIn(req)
      const found = calls.findVisible(app.db, user, callId)
      if (!found?.call.publishedAt) throw new NotFound()
      // Without `org`: the one group the caller leads that may apply, if there is exactly one.
      const groups = calls.applicantGroups(app.db, user, found.call)
      const orgId: number | undefined =
        b.org ??
        (groups.length === 1
          ? groups[0].id
          : groups.filter((g) => !g.reasons.length).length === 1
            ? groups.find((g) => !g.reasons.length)!.id
            : undefined)
      if (orgId === undefined) {
        if (!groups.length) return refused(reply, 403, null, req.t('funds.not_leader'))
        return refused(reply, 400, 'org', req.t('funds.validation.org_required'))
      }
      const lines =
        b.budget_lines?.map((l) => ({ item: l.item, askedFen: l.asked, ownFen: l.own ?? 0 })) ??
        (b.asked !== undefined ? [{ item: b.title, askedFen: b.asked, ownFen: b.own ?? 0 }] : [])
      try {
        const a = applications.create(
          app.db,
          user,
          callId,
          {
            orgId,
            title: b.title,
            activity: b.activity ?? (b.submit ? b.title : ''),
            beneficiaries: b.beneficiaries,
            residentsPlanned: b.residents ?? null,
            lines,
            offerIds: b.offers,
            milestones: b.milestones?.map((m) => ({ title: m.title, dueOn: m.due_on, sharePct: m.share })),
          },
          { submit: !!b.submit },
        )
        return reply.code(201).header('location', `/applications/${a.id}`).send(applicationJson(app.db, a))
      } catch (err) {
        if (err instanceof ValidationError) return refuse(req, reply, err, APPLICATION_FIELDS)
        throw err
      }
    },
  )

  app.post(
    '/api/v1/applications/:id/scores',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: ScoresBody, response: { 201: ReviewJson } } },
    async (req, reply) => {
      const applicationId = req.params.id
      const b = req.body
      const found = applications.findVisible(app.db, req.user, applicationId)
      if (!found) throw new NotFound()
      const criteria = calls.criteriaOf(app.db, found.call.id)
      const scores: Record<number, number> = {}
      let unknown = false
      if (Array.isArray(b.scores)) {
        for (const s of b.scores) {
          const c =
            typeof s.criterion === 'number'
              ? criteria.find((x) => x.id === s.criterion)
              : criteria.find((x) => x.name === s.criterion)
          if (c) scores[c.id] = s.score
          else unknown = true
        }
      } else for (const [k, v] of Object.entries(b.scores ?? {})) scores[Number(k)] = v
      try {
        if (unknown) throw new ValidationError({ scores: { key: 'funds.validation.criterion_unknown' } })
        const r = reviews.submit(app.db, signedIn(req), applicationId, { scores, note: b.note, recuse: b.recuse })
        return reply.code(201).send({
          application: applicationId,
          review: r.reviewId,
          recused: r.recused !== null,
          recuse_reason: r.recused,
        })
      } catch (err) {
        if (err instanceof ValidationError) return refuse(req, reply, err, {})
        throw err
      }
    },
  )

  // A bare POST (no body at all) confirms: callers need not invent an empty object. A body that is not an object is still refused.
  const noBodyIsEmpty = async (req: FastifyRequest) => {
    if (req.body === undefined) req.body = {}
  }
  app.post(
    '/api/v1/calls/:id/decision',
    {
      config: { access: 'signed_in' },
      schema: { params: idParam, body: DecisionBody, response: { 200: DecisionJson, 201: DecisionJson } },
      preValidation: noBodyIsEmpty,
    },
    async (req, reply) => {
      const callId = req.params.id
      const b = req.body ?? {}
      const call = calls.managed(app.db, signedIn(req), callId)
      if (b.preview) {
        const done = decision.confirmed(app.db, callId)
        if (done) return { ...outcomeJson(done), decided: true, preview: false }
        const p = decision.propose(app.db, call)
        return { ...outcomeJson(p), decided: false, preview: true, ready: p.ready }
      }
      const { decision: d, already } = decision.confirm(app.db, signedIn(req), callId)
      return reply.code(already ? 200 : 201).send({ ...outcomeJson(d), decided: true, preview: false })
    },
  )
}

export default callsApi
