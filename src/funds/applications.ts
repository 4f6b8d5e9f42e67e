/**
 * Applying to a call: a group's leaders (any of them — co-leaders work on the same application) write a plan with
 * budget lines from the call's template, other assets it will use (offers the matcher says fit the group's needs)
 * and milestones with tranche shares. Drafts are kept; an application can be edited until the call stops taking
 * applications or a reviewer has scored it, and withdrawn until the decision. A broker sees, never applies.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import {
  fundApplicationOffers,
  fundApplications,
  fundBudgetLines,
  fundCalls,
  fundMilestones,
  fundReviewers,
  fundReviews,
  needs,
  offers,
  organizations,
} from '../db/schema.js'
import { InvalidTransition, NotFound, NotPermitted, ValidationError, type FieldErrors } from '../shared/errors.js'
import { isCalendarDate } from '../shared/time.js'
import * as events from '../events/events.js'
import * as orgs from '../orgs/orgs.js'
import * as matching from '../matching/matching.js'
import { seesOrg, type CurrentUser } from '../accounts/accounts.js'
import * as calls from './calls.js'
import { MAX_FEN, yuan } from './money.js'
import * as coverage from '../areas/coverage.js'

export type Application = typeof fundApplications.$inferSelect
export const TITLE_MAX = 120
export const ACTIVITY_MAX = 4000
export const BENEFICIARIES_MAX = 500
export const LINES_MAX = 30
export const MILESTONES_MAX = 12
export const OFFERS_MAX = 10
export const RESIDENTS_MAX = 1_000_000
/** Categories whose offers a plan attaches as other assets it will use. */
export const ASSET_CATEGORIES = ['venue', 'volunteers', 'training'] as const

export interface Line {
  item: string
  askedFen: number
  ownFen: number
}
export interface Milestone {
  title: string
  dueOn: string
  sharePct: number
}
export interface ApplicationInput {
  orgId: number
  title: string
  activity?: string
  beneficiaries?: string
  residentsPlanned?: number | null
  lines: Line[]
  offerIds?: number[]
  milestones?: Milestone[]
}

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

function problemsWith(db: Db, call: calls.Call, input: ApplicationInput, submitting: boolean): FieldErrors {
  const p: FieldErrors = {}
  const title = input.title?.trim() ?? ''
  if (title.length < 2) p.title = { key: 'validation.required' }
  else if (title.length > TITLE_MAX) p.title = { key: 'validation.too_long', params: { limit: TITLE_MAX } }
  if ((input.activity ?? '').length > ACTIVITY_MAX)
    p.activity = { key: 'validation.too_long', params: { limit: ACTIVITY_MAX } }
  else if (submitting && !(input.activity ?? '').trim()) p.activity = { key: 'validation.required' }
  if ((input.beneficiaries ?? '').length > BENEFICIARIES_MAX)
    p.beneficiaries = { key: 'validation.too_long', params: { limit: BENEFICIARIES_MAX } }
  const residents = input.residentsPlanned
  if (
    residents !== undefined &&
    residents !== null &&
    (!Number.isInteger(residents) || residents < 0 || residents > RESIDENTS_MAX)
  )
    p.residentsPlanned = { key: 'validation.too_large', params: { limit: RESIDENTS_MAX } }
  const lines = input.lines
  if (lines.length > LINES_MAX) p.lines = { key: 'validation.too_large', params: { limit: LINES_MAX } }
  else if (lines.some((l) => !l.item?.trim() || l.item.trim().length > calls.ITEM_MAX))
    p.lines = { key: 'funds.validation.line_item', params: { limit: calls.ITEM_MAX } }
  else if (
    lines.some(
      (l) =>
        !Number.isSafeInteger(l.askedFen) ||
        !Number.isSafeInteger(l.ownFen) ||
        l.askedFen < 0 ||
        l.ownFen < 0 ||
        l.askedFen > MAX_FEN ||
        l.ownFen > MAX_FEN,
    )
  )
    p.lines = { key: 'funds.validation.money' }
  else {
    const asked = lines.reduce((s, l) => s + l.askedFen, 0)
    if (asked > call.capFen)
      p.lines = { key: 'funds.validation.over_cap', params: { asked: yuan(asked), cap: yuan(call.capFen) } }
    else if (submitting && asked === 0) p.lines = { key: 'funds.validation.nothing_asked' }
  }
  const ms = input.milestones ?? []
  if (ms.length > MILESTONES_MAX) p.milestones = { key: 'validation.too_large', params: { limit: MILESTONES_MAX } }
  else if (ms.some((m) => !m.title?.trim() || m.title.trim().length > TITLE_MAX))
    p.milestones = { key: 'funds.validation.milestone_title' }
  else if (ms.some((m) => !isCalendarDate(m.dueOn))) p.milestones = { key: 'validation.date' }
  else if (ms.some((m) => !Number.isInteger(m.sharePct) || m.sharePct < 0 || m.sharePct > 100))
    p.milestones = { key: 'funds.validation.shares' }
  else if (ms.length && ms.reduce((s, m) => s + m.sharePct, 0) !== 100)
    p.milestones = { key: 'funds.validation.shares_sum', params: { sum: ms.reduce((s, m) => s + m.sharePct, 0) } }
  const ids = [...new Set(input.offerIds ?? [])]
  if (ids.length > OFFERS_MAX) p.offerIds = { key: 'validation.too_large', params: { limit: OFFERS_MAX } }
  else if (
    ids.length &&
    db
      .select({ id: offers.id })
      .from(offers)
      .where(and(inArray(offers.id, ids), eq(offers.status, 'open')))
      .all().length !== ids.length
  )
    p.offerIds = { key: 'funds.validation.offer_gone' }
  return p
}

/** Reviewers the call's conflict-of-interest rule sets aside for this application, with the rule that does. */
export function conflicts(
  db: Db,
  call: calls.Call,
  orgId: number,
  offerIds: number[],
): Map<number, 'member' | 'partner'> {
  const out = new Map<number, 'member' | 'partner'>()
  const reviewers = db
    .select({ userId: fundReviewers.userId })
    .from(fundReviewers)
    .where(eq(fundReviewers.callId, call.id))
    .all()
    .map((r) => r.userId)
  if (!reviewers.length) return out
  const members = calls.peopleOf(db, [orgId])
  const partnerOrgs =
    call.conflictRule === 'member_or_partner' && offerIds.length
      ? [
          ...new Set(
            db
              .select({ orgId: offers.orgId })
              .from(offers)
              .where(inArray(offers.id, offerIds))
              .all()
              .map((o) => o.orgId),
          ),
        ]
      : []
  const partners = calls.peopleOf(db, partnerOrgs)
  for (const r of reviewers) {
    if (members.has(r)) out.set(r, 'member')
    else if (partners.has(r)) out.set(r, 'partner')
  }
  return out
}

/** Inside the submission's transaction: a recusal (fund_reviews, recused) for every conflicted reviewer not yet recorded. */
function recuseConflicted(tx: Db, call: calls.Call, a: Application, offerIds: number[], now: Date) {
  for (const [reviewerId, reason] of conflicts(tx, call, a.orgId, offerIds)) {
    const inserted = tx
      .insert(fundReviews)
      .values({ applicationId: a.id, reviewerId, recused: true, recuseReason: reason, submittedAt: now.toISOString() })
      .onConflictDoNothing()
      .run().changes
    if (inserted)
      events.record(
        tx,
        {
          actorId: null,
          action: 'fund_review.recused',
          subjectType: 'fund_application',
          subjectId: a.id,
          data: { reviewerId, reason },
        },
        now,
      )
  }
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

export interface Suggestion {
  offerId: number
  title: string
  category: string
  orgName: string
  score: number
  forNeed: string
}

/**
 * Offers to attach: for each of the group's open venue, volunteer and training needs, the offers the matcher says
 * fit it (the one definition of fits: offersForNeed), best first; an offer fitting several needs is listed once.
 */
export function suggestions(db: Db, orgId: number, limit = 8, now = new Date()): Suggestion[] {
  const open = db
    .select({ id: needs.id, title: needs.title })
    .from(needs)
    .where(
      and(
        eq(needs.orgId, orgId),
        inArray(needs.status, ['open', 'partly_met']),
        inArray(needs.category, [...ASSET_CATEGORIES]),
      ),
    )
    .all()
  const best = new Map<number, Suggestion>()
  for (const need of open) {
    const ranked = matching.offersForNeed(db, need.id, { limit, now })
    for (const m of ranked?.matches ?? []) {
      const seen = best.get(m.offer.id)
      if (!seen || seen.score < m.score) {
        const category = db.select({ category: offers.category }).from(offers).where(eq(offers.id, m.offer.id)).get()!
          .category
        best.set(m.offer.id, {
          offerId: m.offer.id,
          title: m.offer.title,
          category,
          orgName: m.offer.orgName,
          score: m.score,
          forNeed: need.title,
        })
      }
    }
  }
  return [...best.values()].sort((a, b) => b.score - a.score || a.offerId - b.offerId).slice(0, limit)
}
