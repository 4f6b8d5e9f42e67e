/**
 * Community fund calls (社区基金 / 微创投): a funds holder — a street office, a foundation, a social work agency, a
 * business, any organization that is not itself a community group — opens a call with a budget, a cap per project,
 * who may apply, scoring criteria and a named review panel. Its leaders, the brokers covering its area and admins
 * run the call ("the holder side"); a draft is theirs alone, a published call is public.
 *
 * A call's stage is read from its dates and records, never stored: draft → open (until applications close) →
 * in review → decided (a fund_decisions row; deciding also closes applications).
 *
 * Here: who sees and runs a call, its stage and lists, opening, editing and publishing it, and who may apply. The
 * rules a holder writes, their limits and their checks are call-rules.ts's.
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
  ORG_KINDS,
  TRUST_LEVELS,
} from '../db/schema.js'
import { InvalidTransition, NotFound, NotPermitted, ValidationError } from '../shared/errors.js'
import { localToday } from '../shared/time.js'
import * as events from '../events/events.js'
import * as orgs from '../orgs/orgs.js'
import * as areaService from '../areas/areas.js'
import type { CurrentUser } from '../accounts/accounts.js'
import { runsCall } from './stewards.js'
import * as coverage from '../areas/coverage.js'
import { isWithin } from '../areas/paths.js'
import {
  DEFAULT_CRITERIA,
  problemsWith,
  resolveReviewers,
  type CallInput,
  type Preference,
  type ReviewerIds,
} from './call-rules.js'

export type Call = typeof fundCalls.$inferSelect
export type Criterion = typeof fundCriteria.$inferSelect
export type Stage = 'draft' | 'open' | 'review' | 'decided'

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
