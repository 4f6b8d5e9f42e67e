/**
 * Other assets a plan could use: offers of venues, volunteers and training that the matcher says fit the group's
 * own open needs, shown on the application form to attach.
 */
import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { needs, offers } from '../db/schema.js'
import * as matching from '../matching/matching.js'

/** Categories whose offers a plan attaches as other assets it will use. */
export const ASSET_CATEGORIES = ['venue', 'volunteers', 'training'] as const

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
