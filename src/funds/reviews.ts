/**
 * The review panel. Each named reviewer scores every submitted application of the call 1–5 per criterion, with a
 * note, or steps aside (recused: by the call's conflict-of-interest rule, automatically, or declared). Reviews open
 * as soon as an application is submitted (rolling) and are append-only.
 *
 * Privacy: an application's individual scores are shown to nobody until every reviewer has answered for it (scored
 * or recused); then the holder side and the reviewers see each reviewer's scores, the weighted mean and the spread.
 * Applicants never see a reviewer's name against scores: after the decision they see their mean per criterion.
 */
import { and, asc, eq, inArray } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import { fundApplicationOffers, fundReviewers, fundReviews, fundScores, users } from '../db/schema.js'
import { InvalidTransition, NotFound, NotPermitted, ValidationError } from '../shared/errors.js'
import * as events from '../events/events.js'
import type { CurrentUser } from '../accounts/accounts.js'
import * as calls from './calls.js'
import * as applications from './applications.js'
import { conflicts } from './conflicts.js'

export const NOTE_MAX = 2000

export interface ReviewInput {
  /** criterion id → score 1–5, one for every criterion of the call. */
  scores: Record<number, number>
  note?: string
  /** Declared conflict of interest: no scores, the note says why (optional). */
  recuse?: boolean
}

/** A reviewer's weighted score of one application: Σ score × weight / 100 (weights sum to 100), 1–5. */
export function weighted(criteria: Pick<calls.Criterion, 'id' | 'weight'>[], scores: Map<number, number>): number {
  return criteria.reduce((s, c) => s + (scores.get(c.id) ?? 0) * c.weight, 0) / 100
}

type ReviewRow = typeof fundReviews.$inferSelect & { reviewerName: string; scores: Map<number, number> }

function reviewsOf(db: Db, applicationIds: number[]): ReviewRow[] {
  if (!applicationIds.length) return []
  const rows = db
    .select({ review: fundReviews, reviewerName: users.name })
    .from(fundReviews)
    .innerJoin(users, eq(users.id, fundReviews.reviewerId))
    .where(inArray(fundReviews.applicationId, applicationIds))
    .orderBy(asc(fundReviews.id))
    .all()
  const scores = rows.length
    ? db
        .select()
        .from(fundScores)
        .where(
          inArray(
            fundScores.reviewId,
            rows.map((r) => r.review.id),
          ),
        )
        .all()
    : []
  const byReview = new Map<number, Map<number, number>>()
  for (const s of scores)
    (byReview.get(s.reviewId) ?? byReview.set(s.reviewId, new Map()).get(s.reviewId)!).set(s.criterionId, s.score)
  return rows.map((r) => ({
    ...r.review,
    reviewerName: r.reviewerName,
    scores: byReview.get(r.review.id) ?? new Map(),
  }))
}

export interface PanelLine {
  application: applications.Application & { orgName: string; registered: boolean }
  /** Every reviewer has answered for it (scored or recused). */
  complete: boolean
  answered: {
    userId: number
    name: string
    resident: boolean
    state: 'scored' | 'recused' | 'waiting'
    recuseReason: string | null
  }[]
  /** Only when complete: */
  score: number | null
  min: number | null
  max: number | null
  std: number | null
  perCriterion: { criterionId: number; mean: number | null }[]
  reviews: {
    reviewerId: number
    name: string
    weighted: number
    scores: { criterionId: number; score: number }[]
    note: string
  }[]
}

export interface Panel {
  call: calls.Call
  criteria: calls.Criterion[]
  reviewers: ReturnType<typeof calls.reviewersOf>
  lines: PanelLine[]
  /** Every submitted application complete. */
  complete: boolean
}

/** The panel's state for the call's submitted applications; scores are filled in only for complete lines. */
export function panel(db: Db, call: calls.Call): Panel {
  const criteria = calls.criteriaOf(db, call.id)
  const reviewers = calls.reviewersOf(db, call.id)
  const apps = applications.ofCall(db, call.id)
  const all = reviewsOf(
    db,
    apps.map((a) => a.id),
  )
  const lines = apps.map((application): PanelLine => {
    const mine = all.filter((r) => r.applicationId === application.id)
    const byReviewer = new Map(mine.map((r) => [r.reviewerId, r]))
    const answered = reviewers.map((r) => {
      const review = byReviewer.get(r.userId)
      return {
        userId: r.userId,
        name: r.name,
        resident: r.resident,
        state: !review ? ('waiting' as const) : review.recused ? ('recused' as const) : ('scored' as const),
        recuseReason: review?.recuseReason ?? null,
      }
    })
    const complete = reviewers.length > 0 && answered.every((a) => a.state !== 'waiting')
    const scored = complete
      ? mine.filter(
          (r) => !r.recused && byReviewer.get(r.reviewerId) === r && reviewers.some((x) => x.userId === r.reviewerId),
        )
      : []
    const values = scored.map((r) => weighted(criteria, r.scores))
    const mean = values.length ? values.reduce((s, v) => s + v, 0) / values.length : null
    return {
      application,
      complete,
      answered,
      score: mean,
      min: values.length ? Math.min(...values) : null,
      max: values.length ? Math.max(...values) : null,
      std: mean === null ? null : Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length),
      perCriterion: criteria.map((c) => ({
        criterionId: c.id,
        mean: scored.length ? scored.reduce((s, r) => s + (r.scores.get(c.id) ?? 0), 0) / scored.length : null,
      })),
      reviews: scored.map((r) => ({
        reviewerId: r.reviewerId,
        name: r.reviewerName,
        weighted: weighted(criteria, r.scores),
        note: r.note,
        scores: criteria.map((c) => ({ criterionId: c.id, score: r.scores.get(c.id)! })),
      })),
    }
  })
  return { call, criteria, reviewers, lines, complete: lines.every((l) => l.complete) }
}

/** Has this reviewer answered for every submitted application of the call? Then they may read the panel page. */
export function doneBy(db: Db, callId: number, userId: number): boolean {
  const apps = applications.ofCall(db, callId).map((a) => a.id)
  if (!apps.length) return false
  const mine = db
    .select({ a: fundReviews.applicationId })
    .from(fundReviews)
    .where(and(inArray(fundReviews.applicationId, apps), eq(fundReviews.reviewerId, userId)))
    .all()
  return mine.length === apps.length
}

/** A reviewer's list: the call's submitted applications and their own answer to each (their own scores only). */
export function queue(db: Db, user: CurrentUser, callId: number) {
  const apps = applications.ofCall(db, callId)
  const mine = new Map(
    reviewsOf(
      db,
      apps.map((a) => a.id),
    )
      .filter((r) => r.reviewerId === user.id)
      .map((r) => [r.applicationId, r]),
  )
  return apps.map((a) => ({ ...a, review: mine.get(a.id) ?? null }))
}

/** This reviewer's own review of an application, if any. */
export function own(db: Db, user: CurrentUser, applicationId: number) {
  return reviewsOf(db, [applicationId]).find((r) => r.reviewerId === user.id)
}

/**
 * A reviewer submits their review of a submitted application: scores for every criterion and a note, or a declared
 * recusal. A reviewer the conflict rule sets aside is recorded as recused instead, whatever they sent. Once only.
 */
export function submit(
  db: Db,
  user: CurrentUser,
  applicationId: number,
  input: ReviewInput,
  now = new Date(),
): { recused: string | null; reviewId: number } {
  const found = applications.findVisible(db, user, applicationId, now)
  if (!found) throw new NotFound()
  const { application: a, call } = found
  if (!found.access.review) {
    if (a.status !== 'submitted' && calls.isReviewer(db, user, call.id))
      throw new InvalidTransition({ key: 'funds.review_not_submitted' })
    throw new NotPermitted({ key: 'funds.not_reviewer' })
  }
  if (calls.isDecided(db, call.id)) throw new InvalidTransition({ key: 'funds.already_decided' })
  if (own(db, user, applicationId)) throw new InvalidTransition({ key: 'funds.review_once' })
  const criteria = calls.criteriaOf(db, call.id)
  const note = (input.note ?? '').trim()
  if (note.length > NOTE_MAX)
    throw new ValidationError({ note: { key: 'validation.too_long', params: { limit: NOTE_MAX } } })
  const offerIds = db
    .select({ id: fundApplicationOffers.offerId })
    .from(fundApplicationOffers)
    .where(eq(fundApplicationOffers.applicationId, a.id))
    .all()
    .map((o) => o.id)
  const conflict = conflicts(db, call, a.orgId, offerIds).get(user.id)
  const recuse = conflict ?? (input.recuse ? 'declared' : null)
  if (!recuse) {
    const ids = new Set(criteria.map((c) => c.id))
    const given = Object.keys(input.scores ?? {}).map(Number)
    const missing = criteria.filter((c) => input.scores?.[c.id] === undefined)
    if (given.some((id) => !ids.has(id)))
      throw new ValidationError({ scores: { key: 'funds.validation.criterion_unknown' } })
    if (missing.length)
      throw new ValidationError({
        scores: { key: 'funds.validation.score_missing', params: { criterion: missing.map((c) => c.name).join('、') } },
      })
    if (criteria.some((c) => !Number.isInteger(input.scores[c.id]) || input.scores[c.id] < 1 || input.scores[c.id] > 5))
      throw new ValidationError({ scores: { key: 'funds.validation.score_scale' } })
  }
  return writeTx(db, (tx) => {
    const review = tx
      .insert(fundReviews)
      .values({
        applicationId,
        reviewerId: user.id,
        recused: !!recuse,
        recuseReason: recuse,
        note,
        submittedAt: now.toISOString(),
      })
      .onConflictDoNothing()
      .returning()
      .get()
    if (!review) throw new InvalidTransition({ key: 'funds.review_once' })
    if (!recuse)
      tx.insert(fundScores)
        .values(criteria.map((c) => ({ reviewId: review.id, criterionId: c.id, score: input.scores[c.id] })))
        .run()
    events.record(
      tx,
      {
        actorId: user.id,
        action: recuse ? 'fund_review.recused' : 'fund_review.submitted',
        subjectType: 'fund_application',
        subjectId: applicationId,
        data: recuse
          ? { reason: recuse }
          : { scores: Object.fromEntries(criteria.map((c) => [c.id, input.scores[c.id]])) },
      },
      now,
    )
    return { recused: recuse, reviewId: review.id }
  })
}

/** The calls this user sits on the panel of, published, with how many applications wait for their answer. */
export function myPanels(db: Db, user: CurrentUser) {
  const callIds = db
    .select({ callId: fundReviewers.callId })
    .from(fundReviewers)
    .where(eq(fundReviewers.userId, user.id))
    .all()
    .map((r) => r.callId)
  return callIds
    .map((id) => calls.findVisible(db, user, id))
    .filter((f) => f?.call.publishedAt)
    .map((f) => {
      const q = queue(db, user, f!.call.id)
      return { call: f!.call, waiting: q.filter((x) => !x.review).length, total: q.length }
    })
}
