import { eq } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import { needs, offers } from '../db/schema.js'
import { DomainError, InvalidTransition, NotFound } from '../shared/errors.js'
import { addDays, isoDate } from '../shared/time.js'
import * as needsSvc from '../needs/needs.js'
import * as events from '../events/events.js'
import { defaultExpiry, listingToday } from '../listings/listings.js'
import type { CurrentUser } from '../accounts/accounts.js'
import { findVisible } from './match-record.js'
import { open, type Match } from './matches.js'

// A delivered arrangement that goes on (the match page's button, a check-in's "yes"): the need is posted again for
// the next period and the same offer asked again.

/**
 * "Does the arrangement continue?" answered yes: the need runs again for the next period of the same
 * length, and the same offer is asked again for what was delivered. One transaction: the new need and its
 * request exist together. If the offer can no longer take it (closed, full), the new need still stands
 * and the matcher ranks other offers for it.
 */
export function repeat(
  db: Db,
  user: CurrentUser,
  matchId: number,
  now = new Date(),
): { needId: number; match?: Match } {
  const m = findVisible(db, user, matchId)
  if (!m || !m.sides.includes('need')) throw new NotFound()
  if (m.state !== 'delivered' && m.state !== 'reviewed') throw new InvalidTransition({ key: 'match.error.not_allowed' })
  const need = db.select().from(needs).where(eq(needs.id, m.needId)).get()!
  const quantity = m.deliveredQuantity || m.quantity
  const today = listingToday(now)
  let fromDate: string | null = null,
    untilDate: string | null = null
  if (need.fromDate && need.untilDate) {
    const length = Date.parse(need.untilDate) - Date.parse(need.fromDate)
    const after = isoDate(addDays(new Date(`${need.untilDate}T00:00:00Z`), 1))
    fromDate = after > today ? after : today
    untilDate = isoDate(new Date(Date.parse(fromDate) + length))
  }
  return writeTx(db, () => {
    const next = needsSvc.post(
      db,
      user,
      {
        orgId: need.orgId,
        category: need.category,
        title: need.title,
        description: need.description,
        quantity,
        fromDate,
        untilDate,
        schedule: need.schedule,
        areaId: need.areaId,
        place: need.place,
        urgency: need.urgency,
        beneficiaries: need.beneficiaries,
        expiresAt: untilDate ?? defaultExpiry(now),
      },
      now,
    )
    events.record(
      db,
      { actorId: user.id, action: 'match.repeated', subjectType: 'match', subjectId: matchId, data: { need: next.id } },
      now,
    )
    let match: Match | undefined
    try {
      const offerLeft =
        db.select({ remaining: offers.remaining }).from(offers).where(eq(offers.id, m.offerId)).get()?.remaining ?? 0
      match = open(
        db,
        user,
        'request',
        { needId: next.id, offerId: m.offerId, quantity: Math.min(quantity, offerLeft) },
        now,
      )
    } catch (err) {
      if (!(err instanceof DomainError)) throw err
    }
    return { needId: next.id, match }
  })
}
