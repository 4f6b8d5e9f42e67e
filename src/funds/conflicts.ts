/**
 * Conflicts of interest: the call's rule sets a reviewer aside for an application of their own group (or, under
 * 'member_or_partner', of a group whose offers the plan uses). Submitting records the recusals; the review form
 * refuses a conflicted reviewer (reviews.ts).
 */
import { eq, inArray } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { fundApplications, fundReviewers, fundReviews, offers } from '../db/schema.js'
import * as events from '../events/events.js'
import * as calls from './calls.js'

type Application = typeof fundApplications.$inferSelect

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
export function recuseConflicted(tx: Db, call: calls.Call, a: Application, offerIds: number[], now: Date) {
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
