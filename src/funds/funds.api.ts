import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { signedIn } from '../plugins/auth.js'
import * as notice from './notice.js'
import * as delivery from './delivery.js'
import * as reporting from './reporting.js'
import { decisionOf } from './delivery.pages.js'
import { fields, idParam, int, oneOf, text } from '../shared/forms.js'
import { NotFound } from '../shared/errors.js'
import { apiFieldNames } from '../shared/http.js'
import { MAX_FEN } from './money.js'
import { count, nullable, Refusal } from '../shared/json.js'

const id = int(1, 2_147_483_647)
const fen = int(0, MAX_FEN)
const closed = { additionalProperties: false }
const ReportBody = fields(
  {
    // A milestone of the award, or null for the close-out (结项).
    milestone: Type.Union([Type.Null(), id]),
    done: text(reporting.DONE_MAX, 1),
    residents_reached: int(0, reporting.MAX_RESIDENTS),
    spending: Type.Array(fields({ line: id, spent: fen }, ['line', 'spent'], closed), { maxItems: 60 }),
    returned: fen,
  },
  ['milestone', 'done', 'residents_reached'],
  closed,
)
const DecisionBody = fields(
  { decision: oneOf(['approve', 'more']), note: text(reporting.NOTE_MAX) },
  ['decision'],
  closed,
)
const API_FIELD: Record<string, string> = {
  milestoneId: 'milestone',
  residentsReached: 'residents_reached',
  returnedFen: 'returned',
  note: 'note',
  done: 'done',
}
const apiField = (f: string) => API_FIELD[f] ?? (f.startsWith('spent_') ? 'spending' : f)
const reportJson = (r: delivery.Report) => ({
  id: r.id,
  award: r.awardId,
  milestone: r.milestoneId,
  state: r.state,
  done: r.done,
  residents_reached: r.residentsReached,
  spending: r.spending.map((s) => ({ line: s.line, spent: s.spentFen })),
  returned: r.returnedFen,
  review_note: r.reviewNote,
  submitted_at: r.submittedAt,
  decided_at: r.decidedAt,
})

/** The notice as the API spells it: the contact of who objected to the holder side only. */
function noticeJson(v: NonNullable<ReturnType<typeof notice.view>>) {
  const c = v.call
  return {
    call: {
      id: c.id,
      title: c.title,
      budget: c.budgetFen,
      cap: c.capFen,
      min_award: c.minAwardFen,
      preference: c.preference,
      reserve: c.reserveFen,
    },
    holder: v.holder,
    period: v.period,
    announced_at: c.announcedAt,
    objections_until: c.objectionsUntil,
    decided_at: v.decidedAt,
    total: v.totalFen,
    awards: v.awards.map((a) => ({
      id: a.id,
      application: a.applicationId,
      group: a.orgName,
      project: a.title,
      amount: a.amountFen,
      score: a.score,
    })),
    objections: v.objections.map((o) => ({
      id: o.id,
      application: o.applicationId,
      name: o.name,
      body: o.body,
      created_at: o.createdAt,
      answer: o.answer,
      answered_at: o.answeredAt,
      ...(v.steward ? { contact: o.contact } : {}),
    })),
  }
}

// Response schemas, field for field (src/shared/json.ts says why).
const orNull = nullable(Type.String())
const NoticeJson = Type.Object({
  call: Type.Object({
    id: count,
    title: Type.String(),
    budget: count,
    cap: count,
    min_award: nullable(count),
    preference: Type.String(),
    reserve: count,
  }),
  holder: Type.String(),
  period: Type.String(),
  announced_at: orNull,
  objections_until: orNull,
  decided_at: Type.String(),
  total: count,
  awards: Type.Array(
    Type.Object({
      id: count,
      application: count,
      group: Type.String(),
      project: Type.String(),
      amount: count,
      score: Type.Number(),
    }),
  ),
  objections: Type.Array(
    Type.Object({
      id: count,
      application: nullable(count),
      name: Type.String(),
      body: Type.String(),
      created_at: Type.String(),
      answer: orNull,
      answered_at: orNull,
      contact: Type.Optional(Type.String()),
    }),
  ),
})
const ReportJson = Type.Object({
  id: count,
  award: count,
  milestone: nullable(count),
  state: Type.String(),
  done: Type.String(),
  residents_reached: count,
  spending: Type.Array(Type.Object({ line: count, spent: count })),
  returned: count,
  review_note: Type.String(),
  submitted_at: Type.String(),
  decided_at: orNull,
})

/** The JSON side of the notice and of delivery, with the web's rights and rules; money in fen. */
const fundsApi: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/calls/:id/notice',
    { config: { access: 'anyone' }, schema: { params: idParam, response: { 200: NoticeJson, '4xx': Refusal } } },
    async (req) => {
      const v = notice.view(app.db, req.user, req.params.id)
      if (!v) throw new NotFound()
      return noticeJson(v)
    },
  )

  app.post(
    '/api/v1/awards/:id/reports',
    {
      config: { access: 'signed_in' },
      schema: { params: idParam, body: ReportBody, response: { 201: ReportJson, '4xx': Refusal } },
    },
    async (req, reply) => {
      const b = req.body
      const input = {
        milestoneId: b.milestone ?? undefined,
        done: b.done,
        residentsReached: b.residents_reached,
        spending: Object.fromEntries((b.spending ?? []).map((s) => [s.line, s.spent])),
        returnedFen: b.returned,
      }
      const r = apiFieldNames(apiField, () => reporting.submit(app.db, signedIn(req), req.params.id, input))
      return reply.code(201).header('location', `/awards/${r.awardId}#report-${r.id}`).send(reportJson(r))
    },
  )

  app.post(
    '/api/v1/reports/:id/decision',
    {
      config: { access: 'signed_in' },
      schema: {
        params: idParam,
        body: DecisionBody,
        response: { 200: Type.Object({ report: ReportJson, released: count }), '4xx': Refusal },
      },
    },
    async (req) => {
      const { report, releasedFen } = reporting.decide(app.db, signedIn(req), req.params.id, decisionOf(req.body))
      return { report: reportJson(report), released: releasedFen }
    },
  )
}

export default fundsApi
