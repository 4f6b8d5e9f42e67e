import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import * as calls from './calls.js'
import * as applications from './applications.js'
import * as reviews from './reviews.js'
import * as decision from './decision.js'
import * as share from '../share/share.js'
import * as areaService from '../areas/areas.js'
import * as orgs from '../orgs/orgs.js'
import { CALL_CONFLICT_RULES, CALL_PREFERENCES, FOCUS_GROUPS, ORG_KINDS, TRUST_LEVELS } from '../db/schema.js'
import { date, formSchema, idParam, int, listOf, oneOf, str, text } from '../shared/forms.js'
import { redirectAfterPost, submitForm } from '../shared/http.js'
import { addDays, localToday } from '../shared/time.js'
import { NotFound, NotPermitted, ValidationError, type FieldErrors } from '../shared/errors.js'
import { parseYuan, yuan, yuanInput } from './money.js'

const MAX_ID = 2_147_483_647
const many = (schema: object, maxItems: number) => ({ type: 'array', items: schema, maxItems })
const CallFields = {
  holderOrgId: int(1, MAX_ID), areaId: int(1, MAX_ID), title: str(calls.TITLE_MAX), description: text(calls.DESCRIPTION_MAX),
  budget: str(20), cap: str(20), minAward: str(20), preference: oneOf(CALL_PREFERENCES), reserve: str(20),
  minTrust: oneOf(TRUST_LEVELS), kinds: listOf(ORG_KINDS, ORG_KINDS.length), focus: listOf(FOCUS_GROUPS, FOCUS_GROUPS.length), conflictRule: oneOf(CALL_CONFLICT_RULES),
  budgetTemplate: text(calls.TEMPLATE_MAX * (calls.ITEM_MAX + 2)), applicationsClose: date, reviewClose: date,
  criterionName: many(str(calls.CRITERION_MAX), calls.CRITERIA_MAX), criterionWeight: many(str(4), calls.CRITERIA_MAX), criterionGuide: many(text(calls.GUIDE_MAX), calls.CRITERIA_MAX),
  reviewers: text(calls.REVIEWERS_MAX * 260), residents: text(calls.REVIEWERS_MAX * 260), version: int(1, MAX_ID),
}
const CallBody = formSchema(CallFields, ['holderOrgId', 'areaId', 'title'])
const EmptyBody = formSchema({})

type Body = Record<string, unknown>
const asList = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)])
const emails = (v: unknown) => String(v ?? '').split(/[\s,;，；]+/).map((s) => s.trim()).filter(Boolean)

/** The call form's fields → the service's input; money typed in yuan, a field that is not an amount named. */
export function callInput(b: Body): { input: calls.CallInput; problems: FieldErrors } {
  const problems: FieldErrors = {}
  const money = (field: string, required: boolean): number | undefined => {
    const raw = String(b[field] ?? '').trim()
    if (!raw) { if (required) problems[`${field}Fen`] = { key: 'funds.validation.money' }; return undefined }
    const fen = parseYuan(raw)
    if (fen === undefined) problems[`${field}Fen`] = { key: 'funds.validation.money' }
    return fen
  }
  const names = asList(b.criterionName)
  const weights = asList(b.criterionWeight)
  const guides = asList(b.criterionGuide)
  const criteria = names.map((name, i) => ({ name, weight: Number(weights[i] ?? ''), guide: guides[i] ?? '' }))
    .filter((c, i) => c.name.trim() || (weights[i] ?? '').trim())
  const residents = new Set(emails(b.residents).map((e) => e.toLowerCase()))
  const reviewers = [...new Set([...emails(b.reviewers), ...residents])].map((email) => ({ email, resident: residents.has(email.toLowerCase()) }))
  return {
    problems,
    input: {
      holderOrgId: Number(b.holderOrgId), areaId: Number(b.areaId), title: String(b.title ?? ''), description: b.description as string | undefined,
      budgetFen: money('budget', true) ?? 0, capFen: money('cap', true) ?? 0, minAwardFen: money('minAward', false) ?? null,
      preference: (b.preference as calls.Preference | undefined) ?? 'none', reserveFen: money('reserve', false) ?? 0,
      minTrust: b.minTrust as calls.CallInput['minTrust'], kinds: asList(b.kinds).length ? asList(b.kinds) : ['community_group'], focus: asList(b.focus),
      conflictRule: b.conflictRule as calls.ConflictRule | undefined, budgetTemplate: String(b.budgetTemplate ?? '').split(/\r?\n/).map((s) => s.trim()).filter(Boolean),
      applicationsClose: String(b.applicationsClose ?? ''), reviewClose: String(b.reviewClose ?? ''), criteria, reviewers,
    },
  }
}

/** A stored call as the form shows it back. */
function formValues(db: Parameters<typeof calls.criteriaOf>[0], c: calls.Call) {
  const reviewers = calls.reviewersOf(db, c.id)
  return {
    holderOrgId: c.holderOrgId, areaId: c.areaId, title: c.title, description: c.description, budget: yuanInput(c.budgetFen), cap: yuanInput(c.capFen),
    minAward: yuanInput(c.minAwardFen), preference: c.preference, reserve: c.reserveFen ? yuanInput(c.reserveFen) : '', minTrust: c.minTrust, kinds: c.kinds, focus: c.focus,
    conflictRule: c.conflictRule, budgetTemplate: c.budgetTemplate.join('\n'), applicationsClose: c.applicationsClose, reviewClose: c.reviewClose,
    criteria: calls.criteriaOf(db, c.id).map((x) => ({ name: x.name, weight: x.weight, guide: x.guide })),
    reviewers: reviewers.filter((r) => !r.resident).map((r) => r.email).join('\n'), residents: reviewers.filter((r) => r.resident).map((r) => r.email).join('\n'), version: c.version,
  }
}

const CRITERIA_ROWS = 7
const padCriteria = (rows: { name: string; weight: number | string; guide: string }[]) =>
  [...rows, ...Array.from({ length: Math.max(0, CRITERIA_ROWS - rows.length) }, () => ({ name: '', weight: '', guide: '' }))]

/** "¥3,400.50 asked, scored 3.40": the decision's reasons in words, from the stored codes and figures. */
export function reasonText(t: FastifyRequest['t'], n: { reason: string; score: number | null; detail: Record<string, unknown> }) {
  const d = n.detail
  const fixed = (v: unknown) => (typeof v === 'number' ? v.toFixed(2) : '—')
  switch (n.reason) {
    case 'budget': return t('funds.reason.budget', { score: fixed(n.score), lowest: fixed(d.lowestAwardedScore), remaining: yuan(Number(d.remainingFen ?? 0)), asked: yuan(Number(d.askedFen ?? 0)) })
    case 'over_cap': return t('funds.reason.over_cap', { asked: yuan(Number(d.askedFen ?? 0)), cap: yuan(Number(d.capFen ?? 0)) })
    case 'same_group': return t('funds.reason.same_group')
    case 'reserve': return t('funds.reason.reserve', { score: fixed(n.score), asked: yuan(Number(d.askedFen ?? 0)), remaining: yuan(Number(d.remainingFen ?? 0)) })
    case 'not_reviewed': return t('funds.reason.not_reviewed')
    case 'not_eligible': return t('funds.reason.not_eligible', { why: (Array.isArray(d.reasons) ? d.reasons : []).map((r) => t(`funds.ineligible.${r}`)).join(' ') })
    default: return n.reason
  }
}

/** The stated problem in plain words: budget, cap, minimum, and the preference as a rule. */
export function problemText(t: FastifyRequest['t'], c: calls.Call, partialDropped = false): string[] {
  return [
    t('funds.problem.budget', { budget: yuan(c.budgetFen), cap: yuan(c.capFen) }),
    partialDropped ? t('funds.problem.partial_dropped', { min: yuan(c.minAwardFen ?? 0) })
      : c.minAwardFen ? t('funds.problem.partial', { min: yuan(c.minAwardFen) }) : t('funds.problem.whole'),
    t('funds.problem.one_per_group'),
    c.preference === 'none' ? t('funds.problem.no_preference') : t('funds.problem.preference', { rule: t(`funds.preference.${c.preference}`), reserve: yuan(c.reserveFen) }),
    t('funds.problem.objective'),
  ]
}

const callsRoutes: FastifyPluginAsync = async (app) => {
  const areaOptions = (req: FastifyRequest) => areaService.options(app.db, req.locale)

  const showForm = (req: FastifyRequest, reply: FastifyReply, values: Record<string, unknown>, errors: FieldErrors = {}, status = 200, callId?: number) => {
    const holders = calls.holderOptions(app.db, req.user!)
    // Nobody to open a call for: the page says who can, instead of a bare refusal.
    if (!holders.length) return reply.render('funds/no-holder', { title: req.t('funds.new.title') })
    const criteria = (values.criteria as { name: string; weight: number | string; guide: string }[] | undefined) ?? calls.DEFAULT_CRITERIA
    return reply.render('funds/call-form', {
      title: req.t(callId ? 'funds.edit.title' : 'funds.new.title'), callId, values: { ...values, criteria: padCriteria(criteria) }, errors: Object.keys(errors).length ? errors : undefined,
      holders, areaOptions: areaOptions(req), preferences: CALL_PREFERENCES, trusts: TRUST_LEVELS, kinds: ORG_KINDS, focusGroups: FOCUS_GROUPS, conflictRules: CALL_CONFLICT_RULES,
    }, { status })
  }

  const found = (req: FastifyRequest) => {
    const f = calls.findVisible(app.db, req.user, (req.params as { id: number }).id)
    if (!f) throw new NotFound()
    return f
  }

  app.get('/calls', { config: { access: 'anyone' } }, async (req, reply) => {
    const all = calls.list(app.db, req.user).map((c) => ({ ...c, areaLabel: areaService.displayName({ name: c.areaName, nameEn: c.areaNameEn }, req.locale) }))
    const of = (stage: calls.Stage) => all.filter((c) => c.stage === stage)
    return reply.render('funds/calls', {
      title: req.t('funds.title'), canOpen: !!req.user && calls.holderOptions(app.db, req.user).length > 0,
      drafts: of('draft'), open: of('open'), review: of('review'), decided: of('decided'), panels: req.user ? reviews.myPanels(app.db, req.user) : [],
    })
  })

  app.get('/calls/new', { config: { access: 'signed_in' } }, async (req, reply) => {
    const holders = calls.holderOptions(app.db, req.user!)
    const today = new Date()
    return showForm(req, reply, {
      holderOrgId: holders[0]?.id, areaId: holders[0]?.areaId, kinds: ['community_group'], preference: 'none', minTrust: 'self_declared', conflictRule: 'member',
      applicationsClose: localToday(addDays(today, 30)), reviewClose: localToday(addDays(today, 45)), budgetTemplate: req.t('funds.template.default'),
    })
  })

  app.post('/calls', { config: { access: 'signed_in' }, schema: { body: CallBody }, attachValidation: true }, async (req, reply) => {
    const b = req.body as Body
    const { input, problems } = callInput(b ?? {})
    const values = { ...b, criteria: input.criteria }
    return submitForm(req, reply, (errors, status) => showForm(req, reply, values, errors, status), () => {
      if (Object.keys(problems).length) throw new ValidationError({ ...calls.problems(app.db, input), ...problems })
      const c = calls.create(app.db, req.user!, input)
      reply.flash('funds.flash.drafted')
      return redirectAfterPost(req, reply, `/calls/${c.id}`)
    })
  })

  app.get('/calls/:id', { config: { access: 'anyone' }, schema: { params: idParam } }, async (req, reply) => {
    const { call, access } = found(req)
    const decided = calls.isDecided(app.db, call.id)
    const stage = calls.stageOf(call, decided)
    const area = areaService.get(app.db, call.areaId)!
    const user = req.user
    const groups = user && stage === 'open' ? calls.applicantGroups(app.db, user, call).map((g) => ({ ...g, reasonText: g.reasons.map((r) => req.t(`funds.ineligible.${r}`)).join(' ') })) : []
    const mine = user ? applications.ofGroups(app.db, call.id, [...user.orgIds, ...user.memberOrgIds]) : []
    const queue = access.review ? reviews.queue(app.db, user!, call.id) : []
    const d = decided ? decision.confirmed(app.db, call.id) : undefined
    return reply.render('funds/call', {
      title: call.title, call, stage, access, holderName: orgs.get(app.db, call.holderOrgId)?.name,
      areaLabel: areaService.displayName(area, req.locale), criteria: calls.criteriaOf(app.db, call.id),
      reviewers: access.manage ? calls.reviewersOf(app.db, call.id) : [], reviewerCount: calls.reviewersOf(app.db, call.id).length,
      groups, mine, queue, problem: problemText(req.t, call, !!d?.problem.partialDropped), awards: d?.awards ?? [],
      kindsText: call.kinds.map((k) => req.t(`kind.${k}`)).join('、'), focusText: call.focus.map((f) => req.t(`focus.${f}`)).join('、'),
      share: call.publishedAt ? { url: `${app.config.baseUrl.replace(/\/+$/, '')}/calls/${call.id}`, qr: `/calls/${call.id}/qr.svg`, poster: `/calls/${call.id}/poster` } : undefined,
    })
  })

  app.get('/calls/:id/edit', { config: { access: 'signed_in' }, schema: { params: idParam } }, async (req, reply) => {
    const call = calls.managed(app.db, req.user!, (req.params as { id: number }).id)
    if (call.publishedAt) return reply.redirect(`/calls/${call.id}`, 303)
    return showForm(req, reply, formValues(app.db, call), {}, 200, call.id)
  })

  app.post('/calls/:id', { config: { access: 'signed_in' }, schema: { params: idParam, body: CallBody }, attachValidation: true }, async (req, reply) => {
    const call = calls.managed(app.db, req.user!, (req.params as { id: number }).id)
    const b = req.body as Body
    const { input, problems } = callInput(b ?? {})
    return submitForm(req, reply, (errors, status) => showForm(req, reply, { ...b, criteria: input.criteria }, errors, status, call.id), () => {
      if (Object.keys(problems).length) throw new ValidationError({ ...calls.problems(app.db, input), ...problems })
      calls.update(app.db, req.user!, call.id, input, Number(b.version ?? call.version))
      reply.flash('funds.flash.saved')
      return redirectAfterPost(req, reply, `/calls/${call.id}`)
    })
  })

  app.post('/calls/:id/publication', { config: { access: 'signed_in' }, schema: { params: idParam, body: EmptyBody } }, async (req, reply) => {
    const c = calls.publish(app.db, req.user!, (req.params as { id: number }).id)
    reply.flash('funds.flash.published')
    return redirectAfterPost(req, reply, `/calls/${c.id}`)
  })

  app.get('/calls/:id/qr.svg', { config: { access: 'anyone' }, schema: { params: idParam } }, async (req, reply) => {
    const { call } = found(req)
    if (!call.publishedAt) throw new NotFound()
    return reply.type('image/svg+xml; charset=utf-8').header('Cache-Control', 'public, max-age=86400')
      .send(await share.qrSvg(`${app.config.baseUrl.replace(/\/+$/, '')}/calls/${call.id}`))
  })

  app.get('/calls/:id/poster', { config: { access: 'anyone' }, schema: { params: idParam } }, async (req, reply) => {
    const { call } = found(req)
    if (!call.publishedAt) throw new NotFound()
    const holder = orgs.get(app.db, call.holderOrgId)
    return reply.render('funds/poster', {
      title: call.title, call, holderName: holder?.name, poster: true, url: `${app.config.baseUrl.replace(/\/+$/, '')}/calls/${call.id}`, qr: `/calls/${call.id}/qr.svg`,
    })
  })

  /** The panel: who has answered; scores, means and spread only for applications every reviewer has answered for. */
  app.get('/calls/:id/panel', { config: { access: 'signed_in' }, schema: { params: idParam } }, async (req, reply) => {
    const { call, access } = found(req)
    if (!access.manage && !(access.review && reviews.doneBy(app.db, call.id, req.user!.id))) throw new NotPermitted({ key: 'funds.panel_hidden' })
    const p = reviews.panel(app.db, call)
    const fixed = (v: number | null) => (v === null ? '—' : v.toFixed(2))
    return reply.render('funds/panel', {
      title: req.t('funds.panel.title'), call, criteria: p.criteria, reviewers: p.reviewers, complete: p.complete, manage: access.manage,
      lines: p.lines.map((l) => ({
        ...l, scoreText: fixed(l.score), spreadText: l.min === null ? '—' : `${fixed(l.min)}–${fixed(l.max)}`, stdText: fixed(l.std),
        reviews: l.reviews.map((r) => ({ ...r, weightedText: fixed(r.weighted) })),
        waiting: l.answered.filter((a) => a.state === 'waiting').length,
      })),
    })
  })

  app.get('/calls/:id/decision', { config: { access: 'signed_in' }, schema: { params: idParam } }, async (req, reply) => {
    const { call, access } = found(req)
    if (!access.manage) throw new NotPermitted({ key: 'funds.not_permitted' })
    const done = decision.confirmed(app.db, call.id)
    const shown = done ?? decision.propose(app.db, call)
    const proposal = done ? undefined : (shown as decision.Proposal)
    return reply.render('funds/decision', {
      title: req.t('funds.decision.title'), call, decided: !!done, decidedAt: done?.decidedAt, ready: proposal?.ready ?? true, panelComplete: proposal?.panelComplete ?? true,
      problem: problemText(req.t, call, proposal ? proposal.partialDropped : !!done?.problem.partialDropped), awards: shown.awards.map((a) => ({ ...a, scoreText: a.score.toFixed(2), partial: a.amountFen < a.askedFen })),
      notAwarded: shown.notAwarded.map((n) => ({ ...n, scoreText: n.score === null ? '—' : n.score.toFixed(2), why: reasonText(req.t, n) })),
      totals: proposal?.totals ?? {
        budgetFen: call.budgetFen, awardedFen: done!.totalFen, remainingFen: call.budgetFen - done!.totalFen, reserveFen: call.reserveFen,
        preferredFen: done!.awards.filter((a) => a.preferred).reduce((s, a) => s + a.amountFen, 0), askedFen: done!.awards.reduce((s, a) => s + a.askedFen, 0)
          + done!.notAwarded.filter((n) => n.reason !== 'not_reviewed' && n.reason !== 'not_eligible').reduce((s, n) => s + Number(n.detail.askedFen ?? 0), 0),
        ownFen: done!.awards.reduce((s, a) => s + a.ownFen, 0),
      },
    })
  })

  app.post('/calls/:id/decision', { config: { access: 'signed_in' }, schema: { params: idParam, body: EmptyBody } }, async (req, reply) => {
    const { call } = found(req)
    const { already } = decision.confirm(app.db, req.user!, call.id)
    reply.flash(already ? 'funds.flash.already_decided' : 'funds.flash.decided')
    return redirectAfterPost(req, reply, `/calls/${call.id}/decision`)
  })
}

export default callsRoutes
