import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { signedIn } from '../plugins/auth.js'
import { Type, type Static, type TSchema } from 'typebox'
import * as calls from './calls.js'
import * as callRules from './call-rules.js'
import * as applications from './applications.js'
import * as plan from './plan.js'
import * as reviews from './reviews.js'
import {
  applicationFormView,
  applicationView,
  applyingGroup,
  findApplication,
  loadApplication,
  loadApplicationForm,
  newApplicationValues,
  openCall,
  storedApplicationValues,
  type ApplicationFormValues,
} from './applications.pages.js'
import { fields, formSchema, idParam, int, oneOf, str, text } from '../shared/forms.js'
import { redirectAfterPost, submitForm } from '../shared/http.js'
import { NotPermitted, ValidationError, type FieldErrors } from '../shared/errors.js'
import { parseYuan } from './money.js'

const MAX_ID = 2_147_483_647
const many = <S extends TSchema>(items: S, maxItems: number) => Type.Array(items, { maxItems })
const ApplicationBody = formSchema(
  {
    orgId: int(1, MAX_ID),
    title: str(plan.TITLE_MAX),
    activity: text(plan.ACTIVITY_MAX),
    beneficiaries: text(plan.BENEFICIARIES_MAX),
    residentsPlanned: str(10),
    lineItem: many(str(callRules.ITEM_MAX), plan.LINES_MAX),
    lineAsked: many(str(20), plan.LINES_MAX),
    lineOwn: many(str(20), plan.LINES_MAX),
    offerIds: many(int(1, MAX_ID), plan.OFFERS_MAX),
    msTitle: many(str(plan.TITLE_MAX), plan.MILESTONES_MAX),
    msDue: many(Type.String({ maxLength: 10 }), plan.MILESTONES_MAX),
    msShare: many(str(4), plan.MILESTONES_MAX),
    action: oneOf(['save', 'submit']),
    version: int(1, MAX_ID),
  },
  ['title'],
)
const ReviewBody = Type.Unsafe<Record<string, string>>({
  type: 'object',
  additionalProperties: false,
  required: [],
  properties: { _csrf: { type: 'string', maxLength: 200 }, note: text(reviews.NOTE_MAX), recuse: oneOf(['yes']) },
  // One field per criterion: score-<criterion id> = 1…5.
  patternProperties: { '^score-[1-9][0-9]{0,9}$': { type: 'string', maxLength: 1 } },
})
const EmptyBody = formSchema({})
const NewQuery = fields({ org: int(1, MAX_ID) })

/** The plan form as its schema reads it (a refused one too is read back, so every field stays optional here). */
type Body = Partial<Static<typeof ApplicationBody>>
const asList = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)])

/** `score-<criterion id>` fields → scores; anything but 1…5 is left out, so the service names it missing. */
function scoresOf(b: Record<string, string>) {
  const scores: Record<number, number> = {}
  for (const [k, v] of Object.entries(b))
    if (k.startsWith('score-') && /^[1-5]$/.test(v)) scores[Number(k.slice(6))] = Number(v)
  return scores
}

/** The form's rows → the service's input: blank rows dropped, yuan read into fen, a bad amount named. */
function applicationInput(b: Body) {
  const problems: FieldErrors = {}
  const items = asList(b.lineItem)
  const asked = asList(b.lineAsked)
  const own = asList(b.lineOwn)
  const lines = items
    .map((item, i) => ({ item, asked: (asked[i] ?? '').trim(), own: (own[i] ?? '').trim() }))
    .filter((l) => l.item.trim() || l.asked || l.own)
    .map((l) => {
      const a = l.asked ? parseYuan(l.asked) : 0
      const o = l.own ? parseYuan(l.own) : 0
      if (a === undefined || o === undefined) problems.lines = { key: 'funds.validation.money' }
      return { item: l.item, askedFen: a ?? 0, ownFen: o ?? 0 }
    })
  const titles = asList(b.msTitle)
  const dues = asList(b.msDue)
  const shares = asList(b.msShare)
  const milestones = titles
    .map((title, i) => ({ title, dueOn: (dues[i] ?? '').trim(), share: (shares[i] ?? '').trim() }))
    .filter((m) => m.title.trim() || m.dueOn || m.share)
    .map((m) => ({ title: m.title, dueOn: m.dueOn, sharePct: /^\d{1,3}$/.test(m.share) ? Number(m.share) : NaN }))
  const residents = String(b.residentsPlanned ?? '').trim()
  if (residents && !/^\d{1,7}$/.test(residents)) problems.residentsPlanned = { key: 'validation.not_integer' }
  return {
    problems,
    input: {
      title: String(b.title ?? ''),
      activity: b.activity,
      beneficiaries: b.beneficiaries,
      residentsPlanned: residents && !problems.residentsPlanned ? Number(residents) : null,
      lines,
      milestones,
      offerIds: asList(b.offerIds).map(Number),
    },
  }
}

type PlanInput = ReturnType<typeof applicationInput>['input']

/** Values as the form shows them back after a refusal: what was typed, rows kept. */
const typed = (b: Body, input: PlanInput): ApplicationFormValues => ({
  title: b.title,
  activity: b.activity,
  beneficiaries: b.beneficiaries,
  residentsPlanned: b.residentsPlanned,
  version: b.version,
  offerIds: input.offerIds,
  lines: asList(b.lineItem)
    .map((item, i) => ({ item, asked: asList(b.lineAsked)[i] ?? '', own: asList(b.lineOwn)[i] ?? '' }))
    .filter((l) => l.item || l.asked || l.own),
  milestones: asList(b.msTitle)
    .map((title, i) => ({ title, dueOn: asList(b.msDue)[i] ?? '', sharePct: asList(b.msShare)[i] ?? '' }))
    .filter((m) => m.title || m.dueOn || m.sharePct),
})

const applicationsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  /** The plan form: new (for a group) or editing; the template's lines to start from; the matcher's suggestions to attach. */
  const showForm = (
    req: FastifyRequest,
    reply: FastifyReply,
    call: calls.Call,
    orgId: number,
    values: ApplicationFormValues,
    errors: FieldErrors = {},
    status = 200,
    applicationId?: number,
  ) => {
    const d = loadApplicationForm(app.db, orgId, req.locale, applicationId)
    return reply.render(
      'funds/application-form',
      applicationFormView(d, call, orgId, values, errors, req.t, applicationId),
      { status },
    )
  }

  const showApplication = (
    req: FastifyRequest,
    reply: FastifyReply,
    id: number,
    errors: FieldErrors = {},
    status = 200,
  ) => reply.render('funds/application', applicationView(loadApplication(app.db, req.user, id), errors), { status })

  /** The form read; a refusal shows it again as typed, or the plan is saved by `act`. */
  const submitPlan = (
    req: FastifyRequest,
    reply: FastifyReply,
    b: Body,
    call: calls.Call,
    orgId: number,
    act: (input: PlanInput, submit: boolean, b: Body) => FastifyReply,
    applicationId?: number,
  ) => {
    const { input, problems } = applicationInput(b)
    return submitForm(
      req,
      reply,
      (errors, status) => showForm(req, reply, call, orgId, typed(b, input), errors, status, applicationId),
      () => {
        if (Object.keys(problems).length) throw new ValidationError(problems)
        return act(input, b.action === 'submit', b)
      },
    )
  }

  app.get(
    '/calls/:id/applications/new',
    { config: { access: 'signed_in' }, schema: { params: idParam, querystring: NewQuery } },
    async (req, reply) => {
      const call = openCall(app.db, req.user, req.params.id)
      const orgId = applyingGroup(app.db, signedIn(req), call, req.query.org)
      return showForm(req, reply, call, orgId, newApplicationValues(call))
    },
  )

  app.post(
    '/calls/:id/applications',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: ApplicationBody }, attachValidation: true },
    async (req, reply) => {
      const call = openCall(app.db, req.user, req.params.id)
      const orgId = Number(req.body?.orgId)
      if (!signedIn(req).orgIds.includes(orgId)) throw new NotPermitted({ key: 'funds.not_leader' })
      return submitPlan(req, reply, req.body ?? {}, call, orgId, (input, submit) => {
        const a = applications.create(app.db, signedIn(req), call.id, { ...input, orgId }, { submit })
        reply.flash(a.status === 'submitted' ? 'funds.flash.submitted' : 'funds.flash.application_saved')
        return redirectAfterPost(req, reply, `/applications/${a.id}`)
      })
    },
  )

  app.get('/applications/:id', { config: { access: 'signed_in' }, schema: { params: idParam } }, async (req, reply) =>
    showApplication(req, reply, req.params.id),
  )

  app.get(
    '/applications/:id/edit',
    { config: { access: 'signed_in' }, schema: { params: idParam } },
    async (req, reply) => {
      const { application: a, call, access } = findApplication(app.db, req.user, req.params.id)
      if (!access.edit) return reply.redirect(`/applications/${a.id}`, 303)
      return showForm(req, reply, call, a.orgId, storedApplicationValues(app.db, a), {}, 200, a.id)
    },
  )

  app.post(
    '/applications/:id',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: ApplicationBody }, attachValidation: true },
    async (req, reply) => {
      const { application: a, call } = findApplication(app.db, req.user, req.params.id)
      const act = (input: PlanInput, submit: boolean, b: Body) => {
        const saved = applications.update(app.db, signedIn(req), a.id, input, Number(b.version ?? a.version), {
          submit,
        })
        const submitted = saved.status === 'submitted' && a.status === 'draft'
        reply.flash(submitted ? 'funds.flash.submitted' : 'funds.flash.application_saved')
        return redirectAfterPost(req, reply, `/applications/${a.id}`)
      }
      return submitPlan(req, reply, req.body ?? {}, call, a.orgId, act, a.id)
    },
  )

  app.post(
    '/applications/:id/withdrawal',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: EmptyBody } },
    async (req, reply) => {
      const { application: a } = findApplication(app.db, req.user, req.params.id)
      applications.withdraw(app.db, signedIn(req), a.id)
      reply.flash('funds.flash.withdrawn')
      return redirectAfterPost(req, reply, `/applications/${a.id}`)
    },
  )

  app.post(
    '/applications/:id/reviews',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: ReviewBody }, attachValidation: true },
    async (req, reply) => {
      const { application: a } = findApplication(app.db, req.user, req.params.id)
      const b = req.body ?? {}
      const again = (errors: FieldErrors, status: number) => showApplication(req, reply, a.id, errors, status)
      return submitForm(req, reply, again, () => {
        const input = { scores: scoresOf(b), note: b.note, recuse: b.recuse === 'yes' }
        const r = reviews.submit(app.db, signedIn(req), a.id, input)
        reply.flash(r.recused ? 'funds.flash.recused' : 'funds.flash.scored')
        return redirectAfterPost(req, reply, `/calls/${a.callId}`)
      })
    },
  )
}

export default applicationsRoutes
