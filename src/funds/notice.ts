/**
 * The public notice (公示) of a decided call: the awards, their amounts and mean scores, the total against the
 * budget and the rule that decided them, open for objections for a stated period. Anyone — a visitor too — may object
 * to the call or to one award while the period runs; objections are listed publicly without the contact given, and
 * whoever runs the call answers each once. When the period is over the awards stand.
 *
 * Never on the notice: reviewers' names or their individual scores, and anyone's private contact.
 */
import { and, asc, eq, isNull, sql } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import {
  fundApplications,
  fundAwards,
  fundCalls,
  fundDecisions,
  fundObjections,
  organizations,
  users,
} from '../db/schema.js'
import {
  InvalidTransition,
  NotFound,
  NotPermitted,
  StaleEdit,
  ValidationError,
  type FieldErrors,
} from '../shared/errors.js'
import { addDays } from '../shared/time.js'
import * as events from '../events/events.js'
import { notify } from '../notifications/notifications.js'
import type { CurrentUser } from '../accounts/accounts.js'
import * as orgs from '../orgs/orgs.js'
import { getCall, runsCall, type Call } from './stewards.js'

export const DEFAULT_DAYS = 7
export const MAX_DAYS = 30
export const NAME_MAX = 60
export const CONTACT_MAX = 100
export const BODY_MAX = 2000
export const ANSWER_MAX = 2000

export type Period = 'unannounced' | 'open' | 'ended'

export function periodOf(call: Pick<Call, 'announcedAt' | 'objectionsUntil'>, now: Date): Period {
  if (!call.announcedAt || !call.objectionsUntil) return 'unannounced'
  return now.toISOString() < call.objectionsUntil ? 'open' : 'ended'
}

function decisionOf(db: Db, callId: number) {
  return db.select().from(fundDecisions).where(eq(fundDecisions.callId, callId)).get()
}

export function awardsOf(db: Db, callId: number) {
  return db
    .select({
      id: fundAwards.id,
      applicationId: fundAwards.applicationId,
      orgId: fundAwards.orgId,
      amountFen: fundAwards.amountFen,
      score: fundAwards.score,
      title: fundApplications.title,
      orgName: organizations.name,
    })
    .from(fundAwards)
    .innerJoin(fundApplications, eq(fundApplications.id, fundAwards.applicationId))
    .innerJoin(organizations, eq(organizations.id, fundAwards.orgId))
    .where(eq(fundAwards.callId, callId))
    .orderBy(sql`${fundAwards.score} DESC`, asc(fundAwards.id))
    .all()
}

/**
 * The notice as a reader sees it: undefined (not found) until it is published, except for those who run the call,
 * who see it beforehand with the form that publishes it. `contacts` only for them.
 */
export function view(db: Db, user: CurrentUser | null, callId: number, now = new Date()) {
  const call = getCall(db, callId)
  if (!call) return undefined
  const steward = runsCall(db, user, call)
  const decision = decisionOf(db, callId)
  if (!decision) return undefined
  const period = periodOf(call, now)
  if (period === 'unannounced' && !steward) return undefined
  const holder = db
    .select({ name: organizations.name })
    .from(organizations)
    .where(eq(organizations.id, call.holderOrgId))
    .get()!
  const awards = awardsOf(db, callId)
  const byApplication = new Map(awards.map((a) => [a.applicationId, a]))
  const objections = db
    .select({
      id: fundObjections.id,
      applicationId: fundObjections.applicationId,
      name: fundObjections.name,
      contact: fundObjections.contact,
      body: fundObjections.body,
      createdAt: fundObjections.createdAt,
      answer: fundObjections.answer,
      answeredAt: fundObjections.answeredAt,
      answeredBy: users.name,
    })
    .from(fundObjections)
    .leftJoin(users, eq(users.id, fundObjections.answeredBy))
    .where(eq(fundObjections.callId, callId))
    .orderBy(asc(fundObjections.id))
    .all()
    .map((o) => ({
      ...o,
      contact: steward ? o.contact : undefined,
      about: o.applicationId ? byApplication.get(o.applicationId)?.title : undefined,
    }))
  return {
    call,
    holder: holder.name,
    steward,
    period,
    decidedAt: decision.decidedAt,
    totalFen: decision.totalFen,
    awards,
    objections,
    unanswered: objections.filter((o) => o.answer === null).length,
  }
}

/** Publishes the notice: the objection period runs `days` from now. Once only; the decision must be confirmed. */
export function announce(
  db: Db,
  user: CurrentUser,
  callId: number,
  input: { days?: number; version?: number },
  now = new Date(),
): Call {
  const call = getCall(db, callId)
  if (!call) throw new NotFound()
  if (!runsCall(db, user, call)) throw new NotPermitted({ key: 'fundwork.not_permitted' })
  const days = input.days ?? DEFAULT_DAYS
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS)
    throw new ValidationError({ days: { key: 'fundwork.validation.days', params: { max: MAX_DAYS } } })
  if (!decisionOf(db, callId)) throw new InvalidTransition({ key: 'fundwork.error.not_decided' })
  if (call.announcedAt) throw new InvalidTransition({ key: 'fundwork.error.announced' })
  return writeTx(db, (tx) => {
    const at = now.toISOString()
    const until = addDays(now, days).toISOString()
    const row = tx
      .update(fundCalls)
      .set({ announcedAt: at, objectionsUntil: until, updatedAt: at, version: sql`${fundCalls.version} + 1` })
      .where(
        and(
          eq(fundCalls.id, callId),
          isNull(fundCalls.announcedAt),
          input.version !== undefined ? eq(fundCalls.version, input.version) : undefined,
        ),
      )
      .returning()
      .get()
    if (!row) throw new StaleEdit()
    events.record(
      tx,
      {
        actorId: user.id,
        action: 'fund.notice_published',
        subjectType: 'fund_call',
        subjectId: callId,
        data: { days, until },
      },
      now,
    )
    return row
  })
}

export interface ObjectionInput {
  name: string
  contact?: string
  body: string
  applicationId?: number
}

/** Anyone objects while the period runs: to the call, or to one of its awards. */
export function object(db: Db, user: CurrentUser | null, callId: number, input: ObjectionInput, now = new Date()) {
  const call = getCall(db, callId)
  if (!call || !decisionOf(db, callId)) throw new NotFound()
  const period = periodOf(call, now)
  if (period === 'unannounced') throw new NotFound()
  if (period === 'ended') throw new InvalidTransition({ key: 'fundwork.error.period_over' })
  const problems: FieldErrors = {}
  const name = input.name.trim()
  const body = input.body.trim()
  const contact = (input.contact ?? '').trim()
  if (!name) problems.name = { key: 'validation.required' }
  else if (name.length > NAME_MAX) problems.name = { key: 'validation.too_long', params: { limit: NAME_MAX } }
  if (!body) problems.body = { key: 'validation.required' }
  else if (body.length > BODY_MAX) problems.body = { key: 'validation.too_long', params: { limit: BODY_MAX } }
  if (contact.length > CONTACT_MAX) problems.contact = { key: 'validation.too_long', params: { limit: CONTACT_MAX } }
  if (input.applicationId !== undefined && !awardsOf(db, callId).some((a) => a.applicationId === input.applicationId))
    problems.applicationId = { key: 'validation.choose' }
  if (Object.keys(problems).length) throw new ValidationError(problems)
  return writeTx(db, (tx) => {
    const row = tx
      .insert(fundObjections)
      .values({
        callId,
        applicationId: input.applicationId ?? null,
        name,
        contact,
        body,
        createdBy: user?.id ?? null,
        createdAt: now.toISOString(),
      })
      .returning()
      .get()
    events.record(
      tx,
      {
        actorId: user?.id ?? null,
        action: 'fund.objection_raised',
        subjectType: 'fund_call',
        subjectId: callId,
        data: { objection: row.id, application: row.applicationId },
      },
      now,
    )
    notify(
      tx,
      orgs.leaders(tx, call.holderOrgId).map((u) => u.id),
      { kind: 'fund.objection', params: { call: call.title }, link: `/calls/${callId}/notice#objection-${row.id}` },
      now,
    )
    return row
  })
}

/** Whoever runs the call answers an objection, once; the answer is shown with it. */
export function answer(db: Db, user: CurrentUser, objectionId: number, text: string, now = new Date()) {
  const o = db.select().from(fundObjections).where(eq(fundObjections.id, objectionId)).get()
  if (!o) throw new NotFound()
  const call = getCall(db, o.callId)!
  if (!runsCall(db, user, call)) throw new NotFound()
  const body = text.trim()
  if (!body) throw new ValidationError({ answer: { key: 'validation.required' } })
  if (body.length > ANSWER_MAX)
    throw new ValidationError({ answer: { key: 'validation.too_long', params: { limit: ANSWER_MAX } } })
  if (o.answer !== null) throw new InvalidTransition({ key: 'fundwork.error.answered' })
  return writeTx(db, (tx) => {
    const row = tx
      .update(fundObjections)
      .set({ answer: body, answeredBy: user.id, answeredAt: now.toISOString() })
      .where(and(eq(fundObjections.id, objectionId), isNull(fundObjections.answer)))
      .returning()
      .get()
    if (!row) throw new InvalidTransition({ key: 'fundwork.error.answered' })
    events.record(
      tx,
      {
        actorId: user.id,
        action: 'fund.objection_answered',
        subjectType: 'fund_call',
        subjectId: o.callId,
        data: { objection: objectionId },
      },
      now,
    )
    return row
  })
}

export function callOfObjection(db: Db, objectionId: number): number | undefined {
  return db
    .select({ callId: fundObjections.callId })
    .from(fundObjections)
    .where(eq(fundObjections.id, objectionId))
    .get()?.callId
}
