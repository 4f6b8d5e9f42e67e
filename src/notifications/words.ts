import { eq } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { matches, needs, offers, organizations } from '../db/schema.js'

/**
 * A match as a notice names it: the two listings and their organizations, the quantity and its unit (a code,
 * put into the reader's words when the notice is read) — never "need #43 … match #5", which nobody can place.
 * Stored with the notice, so a later rename does not rewrite what someone was told.
 */
export function matchWords(db: Db, matchId: number): Record<string, string | number> {
  const m = db
    .select({
      quantity: matches.quantity,
      need: needs.title,
      offer: offers.title,
      unit: needs.unit,
      needOrgId: needs.orgId,
      offerOrgId: offers.orgId,
    })
    .from(matches)
    .innerJoin(needs, eq(needs.id, matches.needId))
    .innerJoin(offers, eq(offers.id, matches.offerId))
    .where(eq(matches.id, matchId))
    .get()
  if (!m) return { id: matchId }
  const name = (id: number) =>
    db.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, id)).get()?.name ?? ''
  return {
    id: matchId,
    need: m.need,
    offer: m.offer,
    needOrg: name(m.needOrgId),
    offerOrg: name(m.offerOrgId),
    quantity: m.quantity,
    unit: m.unit,
  }
}
