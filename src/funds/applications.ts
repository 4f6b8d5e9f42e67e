/**
 * Applying to a call: a group's leaders (any of them — co-leaders work on the same application) write a plan with
 * budget lines from the call's template, other assets it will use (offers the matcher says fit the group's needs)
 * and milestones with tranche shares. Drafts are kept; an application can be edited until the call stops taking
 * applications or a reviewer has scored it, and withdrawn until the decision. A broker sees, never applies.
 *
 * Here: who sees an application, its parts as stored, and the leaders' writes. The plan's shape and limits are in
 * plan.ts, the reviewers a submission sets aside in conflicts.ts, the offers the form suggests in suggestions.ts.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import {
  fundApplicationOffers,
  fundApplications,
  fundBudgetLines,
  fundCalls,
  fundMilestones,
  fundReviews,
  offers,
  organizations,
} from '../db/schema.js'
import { InvalidTransition, NotFound, NotPermitted, ValidationError } from '../shared/errors.js'
import * as events from '../events/events.js'
import * as orgs from '../orgs/orgs.js'
import { seesOrg, type CurrentUser } from '../accounts/accounts.js'
import * as calls from './calls.js'
import * as coverage from '../areas/coverage.js'
import { problemsWith, type ApplicationInput, type Line } from './plan.js'
import { recuseConflicted } from './conflicts.js'

export type Application = typeof fundApplications.$inferSelect

export interface AppAccess {
  /** A leader of the group, while the application may still change. */
  edit: boolean
  /** A leader of the group: may withdraw, sees its own results. */
  own: boolean
  /** The call's holder side. */
  manage: boolean
  /** A reviewer of the call (submitted applications only). */
  review: boolean
}

/** Reviews that lock an application: a reviewer's scores (a recusal is not a reading of the plan). */
const scoredReviews = (db: Db, applicationId: number) =>
  db
    .select({ n: sql<number>`count(*)` })
    .from(fundReviews)
    .where(and(eq(fundReviews.applicationId, applicationId), eq(fundReviews.recused, false)))
    .get()!.n

export function editable(db: Db, call: calls.Call, a: Application, now = new Date()): boolean {
  return a.status !== 'withdrawn' && calls.takesApplications(db, call, now) && scoredReviews(db, a.id) === 0
}

/**
 * Scoped lookup: the application with its call, for the group's leaders and members, the brokers covering the
 * group, the call's holder side, and (once submitted) the call's reviewers. Anyone else: not found.
 */
export function findVisible(
  db: Db,
  user: CurrentUser | null | undefined,
  id: number,
  now = new Date(),
): { application: Application; call: calls.Call; access: AppAccess } | undefined {
  if (!user) return undefined
  const application = db.select().from(fundApplications).where(eq(fundApplications.id, id)).get()
  if (!application) return undefined
  const call = db.select().from(fundCalls).where(eq(fundCalls.id, application.callId)).get()!
  const own = user.orgIds.includes(application.orgId)
  const manage = call.publishedAt !== null && calls.manages(db, user, call)
  const review = application.status === 'submitted' && calls.isReviewer(db, user, call.id)
  const org = orgs.get(db, application.orgId)!
  const sees =
    own ||
    manage ||
    review ||
    seesOrg(user, application.orgId) ||
    coverage.brokerCovers(db, user, org.areaId) ||
    user.role === 'admin'
  if (!sees) return undefined
  return { application, call, access: { own, manage, review, edit: own && editable(db, call, application, now) } }
}

export function linesOf(db: Db, id: number) {
  return db
    .select()
    .from(fundBudgetLines)
    .where(eq(fundBudgetLines.applicationId, id))
    .orderBy(asc(fundBudgetLines.position))
    .all()
}

export function milestonesOf(db: Db, id: number) {
  return db
    .select()
    .from(fundMilestones)
    .where(eq(fundMilestones.applicationId, id))
    .orderBy(asc(fundMilestones.position))
    .all()
}

export function offersOf(db: Db, id: number) {
  return db
    .select({
      id: offers.id,
      title: offers.title,
      category: offers.category,
      orgId: offers.orgId,
      orgName: organizations.name,
    })
    .from(fundApplicationOffers)
    .innerJoin(offers, eq(offers.id, fundApplicationOffers.offerId))
    .innerJoin(organizations, eq(organizations.id, offers.orgId))
    .where(eq(fundApplicationOffers.applicationId, id))
    .orderBy(asc(offers.id))
    .all()
}

/** The applications of a call, with their groups; the holder side and reviewers see the submitted ones. */
export function ofCall(db: Db, callId: number, { submittedOnly = true } = {}) {
  return db
    .select({ application: fundApplications, orgName: organizations.name, registered: organizations.registered })
    .from(fundApplications)
    .innerJoin(organizations, eq(organizations.id, fundApplications.orgId))
    .where(
      and(eq(fundApplications.callId, callId), submittedOnly ? eq(fundApplications.status, 'submitted') : undefined),
    )
    .orderBy(asc(fundApplications.id))
    .all()
    .map((r) => ({ ...r.application, orgName: r.orgName, registered: r.registered }))
}

/** A group's own applications to a call, drafts included (for its leaders and members). */
export function ofGroups(db: Db, callId: number, orgIds: number[]) {
  if (!orgIds.length) return []
  return db
    .select({ application: fundApplications, orgName: organizations.name })
    .from(fundApplications)
    .innerJoin(organizations, eq(organizations.id, fundApplications.orgId))
    .where(and(eq(fundApplications.callId, callId), inArray(fundApplications.orgId, orgIds)))
    .orderBy(asc(fundApplications.id))
    .all()
    .map((r) => ({ ...r.application, orgName: r.orgName }))
}

function writeParts(tx: Db, id: number, input: ApplicationInput) {
  tx.delete(fundBudgetLines).where(eq(fundBudgetLines.applicationId, id)).run()
  if (input.lines.length)
    tx.insert(fundBudgetLines)
      .values(
        input.lines.map((l, i) => ({
          applicationId: id,
          position: i + 1,
          item: l.item.trim(),
          askedFen: l.askedFen,
          ownFen: l.ownFen,
        })),
      )
      .run()
  tx.delete(fundMilestones).where(eq(fundMilestones.applicationId, id)).run()
  const ms = input.milestones ?? []
  if (ms.length)
    tx.insert(fundMilestones)
      .values(
        ms.map((m, i) => ({
          applicationId: id,
          position: i + 1,
          title: m.title.trim(),
          dueOn: m.dueOn,
          sharePct: m.sharePct,
        })),
      )
      .run()
  tx.delete(fundApplicationOffers).where(eq(fundApplicationOffers.applicationId, id)).run()
  const offerIds = [...new Set(input.offerIds ?? [])]
  if (offerIds.length)
    tx.insert(fundApplicationOffers)
      .values(offerIds.map((offerId) => ({ applicationId: id, offerId })))
      .run()
}

const sums = (lines: Line[]) => ({
  askedFen: lines.reduce((s, l) => s + l.askedFen, 0),
  ownFen: lines.reduce((s, l) => s + l.ownFen, 0),
})

function checkEligible(db: Db, call: calls.Call, orgId: number) {
  const reasons = calls.eligibility(db, call, orgId)
  if (reasons.length) throw new ValidationError({ orgId: { key: `funds.ineligible.${reasons[0]}` } })
}

/**
 * A leader starts an application for their group (a draft, or submitted at once). Eligibility is checked when it
 * is submitted, with the reason in words; a broker looking after a group cannot apply for it.
 */
export function create(
  db: Db,
  user: CurrentUser,
  callId: number,
  input: ApplicationInput,
  { submit = false } = {},
  now = new Date(),
): Application {
  const found = calls.findVisible(db, user, callId)
  if (!found || !found.call.publishedAt) throw new NotFound()
  const call = found.call
  if (!user.orgIds.includes(input.orgId)) throw new NotPermitted({ key: 'funds.not_leader' })
  if (!calls.takesApplications(db, call, now)) throw new InvalidTransition({ key: 'funds.closed_for_applications' })
  const problems = problemsWith(db, call, input, submit)
  if (Object.keys(problems).length) throw new ValidationError(problems)
  if (submit) checkEligible(db, call, input.orgId)
  return writeTx(db, (tx) => {
    const at = now.toISOString()
    const a = tx
      .insert(fundApplications)
      .values({
        callId,
        orgId: input.orgId,
        title: input.title.trim(),
        activity: (input.activity ?? '').trim(),
        beneficiaries: (input.beneficiaries ?? '').trim(),
        residentsPlanned: input.residentsPlanned ?? null,
        ...sums(input.lines),
        status: submit ? 'submitted' : 'draft',
        submittedAt: submit ? at : null,
        createdBy: user.id,
        createdAt: at,
        updatedAt: at,
      })
      .returning()
      .get()
    writeParts(tx, a.id, input)
    events.record(
      tx,
      {
        actorId: user.id,
        action: submit ? 'fund_application.submitted' : 'fund_application.drafted',
        subjectType: 'fund_application',
        subjectId: a.id,
        data: { callId, orgId: a.orgId, askedFen: a.askedFen },
      },
      now,
    )
    if (submit) recuseConflicted(tx, call, a, input.offerIds ?? [], now)
    return a
  })
}

function editableBy(db: Db, user: CurrentUser, id: number, now: Date) {
  const found = findVisible(db, user, id, now)
  if (!found) throw new NotFound()
  if (!found.access.own) throw new NotPermitted({ key: 'funds.not_leader' })
  if (!found.access.edit)
    throw new InvalidTransition({
      key: found.application.status === 'withdrawn' ? 'funds.application_withdrawn' : 'funds.application_locked',
    })
  return found
}

/** Saves the whole plan again (the group stays), optionally submitting it; a submitted application stays submitted. */
export function update(
  db: Db,
  user: CurrentUser,
  id: number,
  input: Omit<ApplicationInput, 'orgId'>,
  version: number,
  { submit = false } = {},
  now = new Date(),
): Application {
  const { application: a, call } = editableBy(db, user, id, now)
  const submitting = submit || a.status === 'submitted'
  const full = { ...input, orgId: a.orgId }
  const problems = problemsWith(db, call, full, submitting)
  if (Object.keys(problems).length) throw new ValidationError(problems)
  if (submitting) checkEligible(db, call, a.orgId)
  return writeTx(db, (tx) => {
    const at = now.toISOString()
    const saved = tx
      .update(fundApplications)
      .set({
        title: input.title.trim(),
        activity: (input.activity ?? '').trim(),
        beneficiaries: (input.beneficiaries ?? '').trim(),
        residentsPlanned: input.residentsPlanned ?? null,
        ...sums(input.lines),
        status: submitting ? 'submitted' : 'draft',
        submittedAt: a.submittedAt ?? (submitting ? at : null),
        updatedAt: at,
        version: sql`${fundApplications.version} + 1`,
      })
      .where(and(eq(fundApplications.id, id), eq(fundApplications.version, version)))
      .returning()
      .get()
    if (!saved) throw new InvalidTransition({ key: 'error.stale' })
    writeParts(tx, id, full)
    events.record(
      tx,
      {
        actorId: user.id,
        action: submit && a.status === 'draft' ? 'fund_application.submitted' : 'fund_application.edited',
        subjectType: 'fund_application',
        subjectId: id,
        data: { askedFen: saved.askedFen },
      },
      now,
    )
    if (submitting) recuseConflicted(tx, call, saved, input.offerIds ?? [], now)
    return saved
  })
}

/** A leader takes the application back (until the decision); it is then simply not listed for review or decision. */
export function withdraw(db: Db, user: CurrentUser, id: number, now = new Date()) {
  const found = findVisible(db, user, id, now)
  if (!found) throw new NotFound()
  if (!found.access.own) throw new NotPermitted({ key: 'funds.not_leader' })
  if (found.application.status === 'withdrawn') return
  if (calls.isDecided(db, found.call.id)) throw new InvalidTransition({ key: 'funds.already_decided' })
  writeTx(db, (tx) => {
    tx.update(fundApplications)
      .set({ status: 'withdrawn', updatedAt: now.toISOString(), version: sql`${fundApplications.version} + 1` })
      .where(eq(fundApplications.id, id))
      .run()
    events.record(
      tx,
      { actorId: user.id, action: 'fund_application.withdrawn', subjectType: 'fund_application', subjectId: id },
      now,
    )
  })
}
