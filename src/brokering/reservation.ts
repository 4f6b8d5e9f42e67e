import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { matchEvents, matches, needs, offers } from '../db/schema.js'
import { DomainError } from '../shared/errors.js'
import * as events from '../events/events.js'
import { notify } from '../notifications/notifications.js'
import { matchWords } from '../notifications/words.js'
import { demandStatus } from '../listings/listings.js'
import type { State } from './lifecycle.js'
import { audience } from './match-record.js'

// What a match holds of its need and its offer: an accepted match takes its quantity from both, a cancelled or
// short delivery gives it back, the need's status follows what is left, and a need met in full withdraws the matches
// still waiting on it. Called inside the transaction that moves the match (matches.ts), so the quantities and the
// matches' states never disagree.

type Match = typeof matches.$inferSelect

/** Not enough capacity or demand left: the clear "someone else got there first" answer. */
export class CapacityTaken extends DomainError {}

export function reserve(tx: Db, m: Match, at: string) {
  const offerTaken = tx
    .update(offers)
    .set({ remaining: sql`${offers.remaining} - ${m.quantity}`, updatedAt: at })
    .where(and(eq(offers.id, m.offerId), sql`${offers.remaining} >= ${m.quantity}`))
    .run()
  if (offerTaken.changes !== 1) throw new CapacityTaken({ key: 'match.error.capacity_taken' })
  const needTaken = tx
    .update(needs)
    .set({ remaining: sql`${needs.remaining} - ${m.quantity}`, updatedAt: at })
    .where(and(eq(needs.id, m.needId), sql`${needs.remaining} >= ${m.quantity}`))
    .run()
  if (needTaken.changes !== 1) throw new CapacityTaken({ key: 'match.error.demand_met' })
  syncNeedStatus(tx, m.needId, at)
}

export function release(tx: Db, m: Match, amount: number, at: string) {
  tx.update(offers)
    .set({ remaining: sql`min(${offers.quantity}, ${offers.remaining} + ${amount})`, updatedAt: at })
    .where(eq(offers.id, m.offerId))
    .run()
  tx.update(needs)
    .set({ remaining: sql`min(${needs.quantity}, ${needs.remaining} + ${amount})`, updatedAt: at })
    .where(eq(needs.id, m.needId))
    .run()
  syncNeedStatus(tx, m.needId, at)
}

const WAITING: readonly State[] = ['proposed', 'requested', 'pledged']

/**
 * A need met in full has nothing left to ask for: its other open requests, pledges and proposals are withdrawn in
 * the transaction that met it (by nobody: the history says why, not who), and everyone on them is told, so no
 * holder answers a request that can no longer be kept.
 */
export function withdrawWhenMet(tx: Db, needId: number, now: Date) {
  const need = tx.select({ status: needs.status }).from(needs).where(eq(needs.id, needId)).get()
  if (need?.status !== 'met') return
  const at = now.toISOString()
  const waiting = tx
    .select()
    .from(matches)
    .where(and(eq(matches.needId, needId), inArray(matches.state, [...WAITING])))
    .all()
  for (const m of waiting) {
    tx.update(matches)
      .set({ state: 'withdrawn', reason: 'met_elsewhere', updatedAt: at, version: sql`${matches.version} + 1` })
      .where(eq(matches.id, m.id))
      .run()
    tx.insert(matchEvents)
      .values({
        matchId: m.id,
        at,
        actorId: null,
        event: 'withdraw',
        fromState: m.state,
        toState: 'withdrawn',
        reason: 'met_elsewhere',
        quantity: null,
      })
      .run()
    events.record(
      tx,
      {
        actorId: null,
        action: 'match.withdraw',
        subjectType: 'match',
        subjectId: m.id,
        data: { from: m.state, to: 'withdrawn', reason: 'met_elsewhere' },
      },
      now,
    )
    const who = audience(tx, m.needId, m.offerId)
    notify(
      tx,
      [...who.need, ...who.offer, ...who.broker],
      { kind: 'match.met_elsewhere', params: matchWords(tx, m.id), link: `/matches/${m.id}` },
      now,
    )
  }
}

/** A need turns "partly met" and "met" by itself as matches reserve it; a closed one stays closed. */
function syncNeedStatus(tx: Db, needId: number, at: string) {
  const n = tx
    .select({ status: needs.status, quantity: needs.quantity, remaining: needs.remaining })
    .from(needs)
    .where(eq(needs.id, needId))
    .get()!
  if (!['open', 'partly_met', 'met'].includes(n.status)) return
  const status = demandStatus(n.quantity, n.remaining)
  if (status !== n.status) tx.update(needs).set({ status, updatedAt: at }).where(eq(needs.id, needId)).run()
}
