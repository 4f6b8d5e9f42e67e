import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import * as calls from './calls.js'
import * as applications from './applications.js'
import * as reviews from './reviews.js'
import * as decision from './decision.js'
import { formSchema, idParam, int, oneOf, str, text } from '../shared/forms.js'
import { redirectAfterPost, submitForm } from '../shared/http.js'
import { NotFound, NotPermitted, ValidationError, type FieldErrors } from '../shared/errors.js'
import { categoryNames } from '../listings/forms.js'
import { parseYuan, yuanInput } from './money.js'
import * as orgs from '../orgs/orgs.js'

const MAX_ID = 2_147_483_647
const many = (schema: object, maxItems: number) => ({ type: 'array', items: schema, maxItems })
const ApplicationBody = formSchema({
  orgId: int(1, MAX_ID), title: str(applications.TITLE_MAX), activity: text(applications.ACTIVITY_MAX), beneficiaries: text(applications.BENEFICIARIES_MAX),
  residentsPlanned: str(10), lineItem: many(str(calls.ITEM_MAX), applications.LINES_MAX), lineAsked: many(str(20), applications.LINES_MAX), lineOwn: many(str(20), applications.LINES_MAX),
  offerIds: many(int(1, MAX_ID), applications.OFFERS_MAX), msTitle: many(str(applications.TITLE_MAX), applications.MILESTONES_MAX),
  msDue: many({ type: 'string', maxLength: 10 }, applications.MILESTONES_MAX), msShare: many(str(4), applications.MILESTONES_MAX),
  action: oneOf(['save', 'submit']), version: int(1, MAX_ID),
}, ['title'])
const ReviewBody = {
  type: 'object', additionalProperties: false, required: [],
  properties: { _csrf: { type: 'string', maxLength: 200 }, note: text(reviews.NOTE_MAX), recuse: oneOf(['yes']) },
  // One field per criterion: score-<criterion id> = 1…5.
  patternProperties: { '^score-[1-9][0-9]{0,9}$': { type: 'string', maxLength: 1 } },
}
const EmptyBody = formSchema({})
const NewQuery = { type: 'object', properties: { org: int(1, MAX_ID) } }

type Body = Record<string, unknown>
const asList = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)])
const LINE_ROWS = 3
const MILESTONE_ROWS = 4

/** The form's rows → the service's input: blank rows dropped, yuan read into fen, a bad amount named. */
function applicationInput(b: Body) {
  const problems: FieldErrors = {}
  const items = asList(b.lineItem)
  const asked = asList(b.lineAsked)
  const own = asList(b.lineOwn)
  const lines = items.map((item, i) => ({ item, asked: (asked[i] ?? '').trim(), own: (own[i] ?? '').trim() }))
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
  const milestones = titles.map((title, i) => ({ title, dueOn: (dues[i] ?? '').trim(), share: (shares[i] ?? '').trim() }))
    .filter((m) => m.title.trim() || m.dueOn || m.share)
    .map((m) => ({ title: m.title, dueOn: m.dueOn, sharePct: /^\d{1,3}$/.test(m.share) ? Number(m.share) : NaN }))
  const residents = String(b.residentsPlanned ?? '').trim()
  if (residents && !/^\d{1,7}$/.test(residents)) problems.residentsPlanned = { key: 'validation.not_integer' }
  return {
    problems,
    input: {
      title: String(b.title ?? ''), activity: b.activity as string | undefined, beneficiaries: b.beneficiaries as string | undefined,
      residentsPlanned: residents && !problems.residentsPlanned ? Number(residents) : null, lines, milestones,
      offerIds: asList(b.offerIds).map(Number),
    },
  }
}

const applicationsRoutes: FastifyPluginAsync = async (app) => {
  const pad = <T>(rows: T[], n: number, blank: T) => [...rows, ...Array.from({ length: Math.max(1, n - rows.length) }, () => ({ ...blank }))]

  /** The plan form: new (for a group) or editing; the template's lines to start from; the matcher's suggestions to attach. */
  const showForm = (req: FastifyRequest, reply: FastifyReply, call: calls.Call, orgId: number, values: Record<string, any>, errors: FieldErrors = {}, status = 200, applicationId?: number) => {
    const names = categoryNames(app.db, req.locale)
    const suggested = applications.suggestions(app.db, orgId).map((s) => ({ ...s, categoryName: names[s.category] ?? s.category }))
    const chosen = new Set<number>((values.offerIds ?? []).map(Number))
    const attached = applicationId ? applications.offersOf(app.db, applicationId).filter((o) => !suggested.some((s) => s.offerId === o.id)) : []
    const lines = values.lines as { item: string; asked: string; own: string }[]
    return reply.render('funds/application-form', {
      title: req.t(applicationId ? 'funds.apply.edit_title' : 'funds.apply.title'), call, orgId, applicationId, errors: Object.keys(errors).length ? errors : undefined,
      values: {
        ...values,
        lines: pad(lines, lines.length + LINE_ROWS, { item: '', asked: '', own: '' }),
        milestones: pad(values.milestones as object[], MILESTONE_ROWS, { title: '', dueOn: '', sharePct: '' }),
      },
      suggestions: suggested.map((s) => ({ ...s, checked: chosen.has(s.offerId) })),
      attached: attached.map((o) => ({ ...o, checked: chosen.has(o.id) })),
      cap: call.capFen,
    }, { status })
  }

  /** Values as the form shows them back after a refusal: what was typed, rows kept. */
  const typed = (b: Body, input: ReturnType<typeof applicationInput>['input']) => ({
    title: b.title, activity: b.activity, beneficiaries: b.beneficiaries, residentsPlanned: b.residentsPlanned, version: b.version, offerIds: input.offerIds,
    lines: asList(b.lineItem).map((item, i) => ({ item, asked: asList(b.lineAsked)[i] ?? '', own: asList(b.lineOwn)[i] ?? '' })).filter((l) => l.item || l.asked || l.own),
    milestones: asList(b.msTitle).map((title, i) => ({ title, dueOn: asList(b.msDue)[i] ?? '', sharePct: asList(b.msShare)[i] ?? '' })).filter((m) => m.title || m.dueOn || m.sharePct),
  })

  const openCall = (req: FastifyRequest) => {
    const found = calls.findVisible(app.db, req.user, (req.params as { id: number }).id)
    if (!found?.call.publishedAt) throw new NotFound()
    return found.call
  }

  app.get('/calls/:id/applications/new', { config: { access: 'signed_in' }, schema: { params: idParam, querystring: NewQuery } }, async (req, reply) => {
    const call = openCall(req)
    const groups = calls.applicantGroups(app.db, req.user!, call)
    const orgId = (req.query as { org?: number }).org ?? groups[0]?.id
    if (!orgId || !groups.some((g) => g.id === orgId)) throw new NotPermitted({ key: 'funds.not_leader' })
    return showForm(req, reply, call, orgId, { lines: call.budgetTemplate.map((item) => ({ item, asked: '', own: '' })), milestones: [] })
  })

  app.post('/calls/:id/applications', { config: { access: 'signed_in' }, schema: { params: idParam, body: ApplicationBody }, attachValidation: true }, async (req, reply) => {
    const call = openCall(req)
    const b = (req.body ?? {}) as Body
    const orgId = Number(b.orgId)
    if (!req.user!.orgIds.includes(orgId)) throw new NotPermitted({ key: 'funds.not_leader' })
    const { input, problems } = applicationInput(b)
    return submitForm(req, reply, (errors, status) => showForm(req, reply, call, orgId, typed(b, input), errors, status), () => {
      if (Object.keys(problems).length) throw new ValidationError(problems)
      const a = applications.create(app.db, req.user!, call.id, { ...input, orgId }, { submit: b.action === 'submit' })
      reply.flash(a.status === 'submitted' ? 'funds.flash.submitted' : 'funds.flash.application_saved')
      return redirectAfterPost(req, reply, `/applications/${a.id}`)
    })
  })

  const visible = (req: FastifyRequest) => {
    const f = applications.findVisible(app.db, req.user, (req.params as { id: number }).id)
    if (!f) throw new NotFound()
    return f
  }

  const showApplication = (req: FastifyRequest, reply: FastifyReply, errors: FieldErrors = {}, status = 200) => {
    const { application: a, call, access } = visible(req)
    const lines = applications.linesOf(app.db, a.id)
    const criteria = calls.criteriaOf(app.db, call.id)
    const myReview = access.review ? reviews.own(app.db, req.user!, a.id) : undefined
    const decided = calls.isDecided(app.db, call.id)
    // After the decision the group's leaders and members see their means per criterion — never a reviewer's name.
    const line = decided && !access.manage ? reviews.panel(app.db, call).lines.find((l) => l.application.id === a.id) : undefined
    const outcome = decided ? decision.confirmed(app.db, call.id) : undefined
    const award = outcome?.awards.find((w) => w.application === a.id)
    return reply.render('funds/application', {
      title: a.title, a, call, access, lines, criteria, errors: Object.keys(errors).length ? errors : undefined,
      org: orgs.get(app.db, a.orgId), milestones: applications.milestonesOf(app.db, a.id), offers: applications.offersOf(app.db, a.id),
      totals: { askedFen: a.askedFen, ownFen: a.ownFen, allFen: a.askedFen + a.ownFen },
      canScore: access.review && !myReview && !decided, myReview: myReview && { ...myReview, scores: criteria.map((c) => ({ name: c.name, score: myReview.scores.get(c.id) })) },
      means: line?.complete ? criteria.map((c) => ({ name: c.name, mean: line.perCriterion.find((p) => p.criterionId === c.id)?.mean?.toFixed(2) ?? '—' })) : undefined,
      meanText: line?.score?.toFixed(2), award, decided, canWithdraw: access.own && a.status !== 'withdrawn' && !decided,
    }, { status })
  }

  app.get('/applications/:id', { config: { access: 'signed_in' }, schema: { params: idParam } }, async (req, reply) => showApplication(req, reply))

  app.get('/applications/:id/edit', { config: { access: 'signed_in' }, schema: { params: idParam } }, async (req, reply) => {
    const { application: a, call, access } = visible(req)
    if (!access.edit) return reply.redirect(`/applications/${a.id}`, 303)
    return showForm(req, reply, call, a.orgId, {
      title: a.title, activity: a.activity, beneficiaries: a.beneficiaries, residentsPlanned: a.residentsPlanned ?? '', version: a.version, status: a.status,
      lines: applications.linesOf(app.db, a.id).map((l) => ({ item: l.item, asked: yuanInput(l.askedFen), own: l.ownFen ? yuanInput(l.ownFen) : '' })),
      milestones: applications.milestonesOf(app.db, a.id).map((m) => ({ title: m.title, dueOn: m.dueOn, sharePct: m.sharePct })),
      offerIds: applications.offersOf(app.db, a.id).map((o) => o.id),
    }, {}, 200, a.id)
  })

  app.post('/applications/:id', { config: { access: 'signed_in' }, schema: { params: idParam, body: ApplicationBody }, attachValidation: true }, async (req, reply) => {
    const { application: a, call } = visible(req)
    const b = (req.body ?? {}) as Body
    const { input, problems } = applicationInput(b)
    return submitForm(req, reply, (errors, status) => showForm(req, reply, call, a.orgId, typed(b, input), errors, status, a.id), () => {
      if (Object.keys(problems).length) throw new ValidationError(problems)
      const saved = applications.update(app.db, req.user!, a.id, input, Number(b.version ?? a.version), { submit: b.action === 'submit' })
      reply.flash(saved.status === 'submitted' && a.status === 'draft' ? 'funds.flash.submitted' : 'funds.flash.application_saved')
      return redirectAfterPost(req, reply, `/applications/${a.id}`)
    })
  })

  app.post('/applications/:id/withdrawal', { config: { access: 'signed_in' }, schema: { params: idParam, body: EmptyBody } }, async (req, reply) => {
    const { application: a } = visible(req)
    applications.withdraw(app.db, req.user!, a.id)
    reply.flash('funds.flash.withdrawn')
    return redirectAfterPost(req, reply, `/applications/${a.id}`)
  })

  app.post('/applications/:id/reviews', { config: { access: 'signed_in' }, schema: { params: idParam, body: ReviewBody }, attachValidation: true }, async (req, reply) => {
    const { application: a } = visible(req)
    const b = (req.body ?? {}) as Record<string, string>
    const scores: Record<number, number> = {}
    for (const [k, v] of Object.entries(b)) if (k.startsWith('score-') && /^[1-5]$/.test(v)) scores[Number(k.slice(6))] = Number(v)
    return submitForm(req, reply, (errors, status) => showApplication(req, reply, errors, status), () => {
      const r = reviews.submit(app.db, req.user!, a.id, { scores, note: b.note, recuse: b.recuse === 'yes' })
      reply.flash(r.recused ? 'funds.flash.recused' : 'funds.flash.scored')
      return redirectAfterPost(req, reply, `/calls/${a.callId}`)
    })
  })
}

export default applicationsRoutes
