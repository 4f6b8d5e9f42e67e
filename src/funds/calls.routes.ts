import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { signedIn } from '../plugins/auth.js'
import { Type, type Static, type TSchema } from 'typebox'
import * as calls from './calls.js'
import * as callRules from './call-rules.js'
import * as decision from './decision.js'
import * as share from '../share/share.js'
import * as orgs from '../orgs/orgs.js'
import {
  callFormView,
  callsView,
  callUrl,
  callView,
  decisionView,
  findCall,
  loadCall,
  loadCallForm,
  loadCalls,
  loadDecision,
  loadPanel,
  newCallValues,
  panelView,
  posterView,
  publishedCall,
  storedCallValues,
} from './calls.pages.js'
import { CALL_CONFLICT_RULES, CALL_PREFERENCES, FOCUS_GROUPS, ORG_KINDS, TRUST_LEVELS } from '../db/schema.js'
import { date, formSchema, idParam, int, listOf, oneOf, str, text } from '../shared/forms.js'
import { redirectAfterPost, submitForm } from '../shared/http.js'
import { ValidationError, type FieldErrors } from '../shared/errors.js'
import { parseYuan } from './money.js'

const MAX_ID = 2_147_483_647
const many = <S extends TSchema>(items: S, maxItems: number) => Type.Array(items, { maxItems })
const CallFields = {
  holderOrgId: int(1, MAX_ID),
  areaId: int(1, MAX_ID),
  title: str(callRules.TITLE_MAX),
  description: text(callRules.DESCRIPTION_MAX),
  budget: str(20),
  cap: str(20),
  minAward: str(20),
  preference: oneOf(CALL_PREFERENCES),
  reserve: str(20),
  minTrust: oneOf(TRUST_LEVELS),
  kinds: listOf(ORG_KINDS, ORG_KINDS.length),
  focus: listOf(FOCUS_GROUPS, FOCUS_GROUPS.length),
  conflictRule: oneOf(CALL_CONFLICT_RULES),
  budgetTemplate: text(callRules.TEMPLATE_MAX * (callRules.ITEM_MAX + 2)),
  applicationsClose: date,
  reviewClose: date,
  criterionName: many(str(callRules.CRITERION_MAX), callRules.CRITERIA_MAX),
  criterionWeight: many(str(4), callRules.CRITERIA_MAX),
  criterionGuide: many(text(callRules.GUIDE_MAX), callRules.CRITERIA_MAX),
  reviewers: text(callRules.REVIEWERS_MAX * 260),
  residents: text(callRules.REVIEWERS_MAX * 260),
  version: int(1, MAX_ID),
}
const CallBody = formSchema(CallFields, ['holderOrgId', 'areaId', 'title'])
const EmptyBody = formSchema({})

/** The call form as its schema reads it (a refused one too is read back, so every field stays optional here). */
type Body = Partial<Static<typeof CallBody>>
const asList = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)])
const emails = (v: unknown) =>
  String(v ?? '')
    .split(/[\s,;，；]+/)
    .map((s) => s.trim())
    .filter(Boolean)

/** The call form's fields → the service's input; money typed in yuan, a field that is not an amount named. */
export function callInput(b: Body): { input: callRules.CallInput; problems: FieldErrors } {
  const problems: FieldErrors = {}
  const money = (field: 'budget' | 'cap' | 'minAward' | 'reserve', required: boolean): number | undefined => {
    const raw = String(b[field] ?? '').trim()
    if (!raw) {
      if (required) problems[`${field}Fen`] = { key: 'funds.validation.money' }
      return undefined
    }
    const fen = parseYuan(raw)
    if (fen === undefined) problems[`${field}Fen`] = { key: 'funds.validation.money' }
    return fen
  }
  const names = asList(b.criterionName)
  const weights = asList(b.criterionWeight)
  const guides = asList(b.criterionGuide)
  const criteria = names
    .map((name, i) => ({ name, weight: Number(weights[i] ?? ''), guide: guides[i] ?? '' }))
    .filter((c, i) => c.name.trim() || (weights[i] ?? '').trim())
  const residents = new Set(emails(b.residents).map((e) => e.toLowerCase()))
  const reviewers = [...new Set([...emails(b.reviewers), ...residents])].map((email) => ({
    email,
    resident: residents.has(email.toLowerCase()),
  }))
  return {
    problems,
    input: {
      holderOrgId: Number(b.holderOrgId),
      areaId: Number(b.areaId),
      title: String(b.title ?? ''),
      description: b.description,
      budgetFen: money('budget', true) ?? 0,
      capFen: money('cap', true) ?? 0,
      minAwardFen: money('minAward', false) ?? null,
      preference: b.preference ?? 'none',
      reserveFen: money('reserve', false) ?? 0,
      minTrust: b.minTrust,
      kinds: asList(b.kinds).length ? asList(b.kinds) : ['community_group'],
      focus: asList(b.focus),
      conflictRule: b.conflictRule,
      budgetTemplate: String(b.budgetTemplate ?? '')
        .split(/\r?\n/)
        .map((s) => s.trim())
        .filter(Boolean),
      applicationsClose: String(b.applicationsClose ?? ''),
      reviewClose: String(b.reviewClose ?? ''),
      criteria,
      reviewers,
    },
  }
}

const callsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const baseUrl = app.config.baseUrl

  const showForm = (
    req: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown>,
    errors: FieldErrors = {},
    status = 200,
    callId?: number,
  ) => {
    const v = callFormView(loadCallForm(app.db, signedIn(req), req.locale), values, errors, req.t, callId)
    return reply.render(v.page, v.data, { status })
  }

  /** The form's fields read; refused with both the service's problems and the unreadable amounts, or handed on. */
  const submitCall = (
    req: FastifyRequest,
    reply: FastifyReply,
    b: Body,
    act: (input: callRules.CallInput, b: Body) => FastifyReply,
    callId?: number,
  ) => {
    const { input, problems } = callInput(b)
    return submitForm(
      req,
      reply,
      (errors, status) => showForm(req, reply, { ...b, criteria: input.criteria }, errors, status, callId),
      () => {
        if (Object.keys(problems).length)
          throw new ValidationError({ ...callRules.problems(app.db, input), ...problems })
        return act(input, b)
      },
    )
  }

  app.get('/calls', { config: { access: 'anyone' } }, async (req, reply) =>
    reply.render('funds/calls', callsView(loadCalls(app.db, req.user), req.t, req.locale)),
  )

  app.get('/calls/new', { config: { access: 'signed_in' } }, async (req, reply) =>
    showForm(req, reply, newCallValues(calls.holderOptions(app.db, signedIn(req)), req.t)),
  )

  app.post(
    '/calls',
    { config: { access: 'signed_in' }, schema: { body: CallBody }, attachValidation: true },
    async (req, reply) =>
      submitCall(req, reply, req.body ?? {}, (input) => {
        const c = calls.create(app.db, signedIn(req), input)
        reply.flash('funds.flash.drafted')
        return redirectAfterPost(req, reply, `/calls/${c.id}`)
      }),
  )

  app.get('/calls/:id', { config: { access: 'anyone' }, schema: { params: idParam } }, async (req, reply) =>
    reply.render('funds/call', callView(loadCall(app.db, req.user, req.params.id), req.t, req.locale, baseUrl)),
  )

  app.get('/calls/:id/edit', { config: { access: 'signed_in' }, schema: { params: idParam } }, async (req, reply) => {
    const call = calls.managed(app.db, signedIn(req), req.params.id)
    if (call.publishedAt) return reply.redirect(`/calls/${call.id}`, 303)
    return showForm(req, reply, storedCallValues(app.db, call), {}, 200, call.id)
  })

  app.post(
    '/calls/:id',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: CallBody }, attachValidation: true },
    async (req, reply) => {
      const call = calls.managed(app.db, signedIn(req), req.params.id)
      const act = (input: callRules.CallInput, b: Body) => {
        calls.update(app.db, signedIn(req), call.id, input, Number(b.version ?? call.version))
        reply.flash('funds.flash.saved')
        return redirectAfterPost(req, reply, `/calls/${call.id}`)
      }
      return submitCall(req, reply, req.body ?? {}, act, call.id)
    },
  )

  app.post(
    '/calls/:id/publication',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: EmptyBody } },
    async (req, reply) => {
      const c = calls.publish(app.db, signedIn(req), req.params.id)
      reply.flash('funds.flash.published')
      return redirectAfterPost(req, reply, `/calls/${c.id}`)
    },
  )

  app.get('/calls/:id/qr.svg', { config: { access: 'anyone' }, schema: { params: idParam } }, async (req, reply) => {
    const call = publishedCall(app.db, req.user, req.params.id)
    return reply
      .type('image/svg+xml; charset=utf-8')
      .header('Cache-Control', 'public, max-age=86400')
      .send(await share.qrSvg(callUrl(baseUrl, call.id)))
  })

  app.get('/calls/:id/poster', { config: { access: 'anyone' }, schema: { params: idParam } }, async (req, reply) => {
    const call = publishedCall(app.db, req.user, req.params.id)
    return reply.render('funds/poster', posterView(call, orgs.get(app.db, call.holderOrgId)?.name, baseUrl))
  })

  app.get('/calls/:id/panel', { config: { access: 'signed_in' }, schema: { params: idParam } }, async (req, reply) =>
    reply.render('funds/panel', panelView(loadPanel(app.db, signedIn(req), req.params.id), req.t)),
  )

  app.get('/calls/:id/decision', { config: { access: 'signed_in' }, schema: { params: idParam } }, async (req, reply) =>
    reply.render('funds/decision', decisionView(loadDecision(app.db, signedIn(req), req.params.id), req.t)),
  )

  app.post(
    '/calls/:id/decision',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: EmptyBody } },
    async (req, reply) => {
      const { call } = findCall(app.db, req.user, req.params.id)
      const { already } = decision.confirm(app.db, signedIn(req), call.id)
      reply.flash(already ? 'funds.flash.already_decided' : 'funds.flash.decided')
      return redirectAfterPost(req, reply, `/calls/${call.id}/decision`)
    },
  )
}

export default callsRoutes
