/**
 * "Not relevant", said by a person about a pair the matcher put forward: a leader declining a suggestion or a
 * request, a broker unticking an allocation row. Counted per category and topic, it is the matcher's precision
 * on real use (the broker's precision page).
 */
import { and, eq } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { fitFeedback, needs, offers } from '../db/schema.js'

export type FeedbackSource = (typeof fitFeedback.$inferInsert)['source']

export interface NotRelevant {
  needId: number
  offerId: number
  source: FeedbackSource
  userId: number | null
}

/**
 * Records it once per pair and source (a broker unticking the same row in two allocation runs says it once).
 * The topics kept are both sides' at the time, so later re-tagging does not move old judgements. Call it
 * inside the write's transaction (the decline, the allocation review). Returns false when already recorded
 * or when either listing is gone.
 */
export function recordNotRelevant(db: Db, input: NotRelevant, now = new Date()): boolean {
  const need = db
    .select({ category: needs.category, topics: needs.topics })
    .from(needs)
    .where(eq(needs.id, input.needId))
    .get()
  const offer = db.select({ topics: offers.topics }).from(offers).where(eq(offers.id, input.offerId)).get()
  if (!need || !offer) return false
  const seen = db
    .select({ id: fitFeedback.id })
    .from(fitFeedback)
    .where(
      and(
        eq(fitFeedback.needId, input.needId),
        eq(fitFeedback.offerId, input.offerId),
        eq(fitFeedback.source, input.source),
      ),
    )
    .get()
  if (seen) return false
  const topics = [...new Set([...(need.topics ?? []), ...(offer.topics ?? [])])]
  db.insert(fitFeedback)
    .values({
      needId: input.needId,
      offerId: input.offerId,
      category: need.category,
      topics,
      source: input.source,
      reason: 'not_relevant',
      userId: input.userId,
      createdAt: now.toISOString(),
    })
    .run()
  return true
}
