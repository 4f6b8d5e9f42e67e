import { and, eq, inArray, sql } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import { areas, matchEvents, matches, needs, offers, feedback } from '../db/schema.js'
import { InvalidTransition, NotFound, NotPermitted, ValidationError } from '../shared/errors.js'
import * as events from '../events/events.js'
import { recordNotRelevant } from '../topics/feedback.js'
import { answerersFor } from '../members/answering.js'
import { notify } from '../notifications/notifications.js'
import { matchWords } from '../notifications/words.js'
import * as jobs from '../jobs/jobs.js'
import * as matching from '../matching/matching.js'
import { isActiveNeed, isActiveOffer, listingToday } from '../listings/listings.js'
import { actsFor, type CurrentUser } from '../accounts/accounts.js'
import { ACTIVE_STATES, transition, type Event, type Side, type State } from './lifecycle.js'
import { brokerCoversPath } from '../areas/coverage.js'
import { audience, findVisible } from './match-record.js'
import { fingerprint, idempotent, remember } from './idempotency.js'
import { CapacityTaken, release, reserve, withdrawWhenMet } from './reservation.js'

// A match's writes: opening one and moving it through its lifecycle (lifecycle.ts says which moves are allowed),
// each in one transaction with its history, the quantities it holds (reservation.ts), who is told and what is
// scheduled. Its reads are in match-record.ts; its messages in messages.ts; repeating a delivered one in repeat.ts.

export type Match = typeof matches.$inferSelect
type Origin = Match['origin']

/** The organization for which this acting user answers on someone's behalf (a broker looking after it), if any. */
function behalfOf(
  user: CurrentUser,
  side: Side | undefined,
  m: { needOrgId: number; offerOrgId: number },
): number | null {
  const orgId = side === 'need' ? m.needOrgId : side === 'offer' ? m.offerOrgId : undefined
  return orgId !== undefined && !user.orgIds.includes(orgId) && user.lookedAfterOrgIds.includes(orgId) ? orgId : null
}

export interface OpenInput {
  needId: number
  offerId: number
  quantity: number
  idempotencyKey?: string
}

/**
 * Opens a match: a leader requests an offer for a need, a holder pledges an offer to a need, a broker
 * proposes a pair. The pair must meet every hard constraint: a holder is never sent a request that breaks
 * the offer's stated conditions.
 */
export function open(
  db: Db,
  user: CurrentUser,
  as: 'request' | 'pledge' | 'propose',
  input: OpenInput,
  now = new Date(),
  extra: { origin?: Origin } = {},
): Match {
  const request = fingerprint(['open', as, input.needId, input.offerId, input.quantity])
  const replay = idempotent(db, user, input.idempotencyKey, request)
  if (replay) return replay
  const pair = matching.assessPair(db, input.needId, input.offerId)
  if (!pair) throw new NotFound()
  const needRow = db
    .select({
      orgId: needs.orgId,
      status: needs.status,
      remaining: needs.remaining,
      expiresAt: needs.expiresAt,
      untilDate: needs.untilDate,
      path: areas.path,
    })
    .from(needs)
    .innerJoin(areas, eq(areas.id, needs.areaId))
    .where(eq(needs.id, input.needId))
    .get()!
  const offerRow = db
    .select({ orgId: offers.orgId, status: offers.status, expiresAt: offers.expiresAt, untilDate: offers.untilDate })
    .from(offers)
    .where(eq(offers.id, input.offerId))
    .get()!
  const side: Side = as === 'request' ? 'need' : as === 'pledge' ? 'offer' : 'broker'
  const allowed =
    side === 'need'
      ? actsFor(user, needRow.orgId)
      : side === 'offer'
        ? actsFor(user, offerRow.orgId)
        : brokerCoversPath(user, needRow.path)
  if (!allowed) throw new NotFound()
  const today = listingToday(now)
  if (!isActiveNeed(needRow, today) || !isActiveOffer(offerRow, today))
    throw new InvalidTransition({ key: 'match.error.listing_closed' })
  if (pair.violations.length)
    throw new InvalidTransition({ key: 'match.error.infeasible', params: { constraints: pair.violations.join(', ') } })
  const limit = Math.min(pair.need.quantity, pair.offer.remaining)
  if (input.quantity < 1 || input.quantity > limit)
    throw new ValidationError({ quantity: { key: 'validation.too_large', params: { limit } } })
  const state: State = as === 'request' ? 'requested' : as === 'pledge' ? 'pledged' : 'proposed'
  const origin: Origin = extra.origin ?? (side === 'need' ? 'need_side' : side === 'offer' ? 'offer_side' : 'broker')
  return writeTx(db, (tx) => {
    const duplicate = tx
      .select({ id: matches.id })
      .from(matches)
      .where(
        and(
          eq(matches.needId, input.needId),
          eq(matches.offerId, input.offerId),
          inArray(matches.state, [...ACTIVE_STATES]),
        ),
      )
      .get()
    if (duplicate) throw new InvalidTransition({ key: 'match.error.duplicate', params: { id: duplicate.id } })
    const at = now.toISOString()
    const match = tx
      .insert(matches)
      .values({
        needId: input.needId,
        offerId: input.offerId,
        quantity: input.quantity,
        state,
        origin,
        proposedBy: user.id,
        brokerId: side === 'broker' ? user.id : null,
        score: pair.score,
        reasons: pair.reasons,
        createdAt: at,
        updatedAt: at,
      })
      .returning()
      .get()
    const onBehalfOf = behalfOf(user, side, { needOrgId: needRow.orgId, offerOrgId: offerRow.orgId })
    tx.insert(matchEvents)
      .values({
        matchId: match.id,
        at,
        actorId: user.id,
        event: as,
        fromState: null,
        toState: state,
        quantity: input.quantity,
        onBehalfOf,
      })
      .run()
    events.record(tx, { actorId: user.id, action: `match.${as}`, subjectType: 'match', subjectId: match.id }, now)
    const who = audience(tx, input.needId, input.offerId)
    // "Please answer" goes only to whoever has the buttons: the other side's leaders, or the brokers looking
    // after it when it has none. Its members, the requester's co-leaders and covering brokers are told, not asked.
    const answering =
      side === 'need'
        ? answerersFor(tx, offerRow.orgId)
        : side === 'offer'
          ? answerersFor(tx, needRow.orgId)
          : [...answerersFor(tx, needRow.orgId), ...answerersFor(tx, offerRow.orgId)]
    const params = matchWords(tx, match.id)
    notify(
      tx,
      answering.filter((id) => id !== user.id),
      { kind: `match.${state}`, params, link: `/matches/${match.id}` },
      now,
    )
    const following = [...who.need, ...who.offer, ...who.broker].filter(
      (id) => id !== user.id && !answering.includes(id),
    )
    notify(
      tx,
      following,
      { kind: state === 'proposed' ? `match.${state}` : `match.${state}_fyi`, params, link: `/matches/${match.id}` },
      now,
    )
    jobs.schedule(tx, {
      key: `remind:${match.id}:${state}`,
      kind: 'match.reminder',
      runAt: new Date(now.getTime() + jobs.reminderDays(tx) * 86_400_000),
      payload: { matchId: match.id, state },
    })
    remember(tx, user, input.idempotencyKey, match, request, now)
    return match
  })
}

export interface FireInput {
  reason?: string
  /** For 'deliver': what was actually delivered. */
  quantity?: number
  rating?: number
  comment?: string
  idempotencyKey?: string
}

/**
 * Moves a match through its lifecycle. Accepting reserves the quantity on both the offer and the need in
 * one IMMEDIATE transaction with guarded updates (`remaining >= quantity`, exactly one row changed), so the
 * last unit can never be promised twice; cancelling releases it.
 */
export function fire(
  db: Db,
  user: CurrentUser,
  matchId: number,
  event: Event,
  input: FireInput = {},
  now = new Date(),
): Match {
  const request = fingerprint([
    'fire',
    matchId,
    event,
    input.reason ?? null,
    input.quantity ?? null,
    input.rating ?? null,
    input.comment ?? null,
  ])
  const replay = idempotent(db, user, input.idempotencyKey, request)
  if (replay) return replay
  const visible = findVisible(db, user, matchId)
  if (!visible) throw new NotFound()
  // A member sees the group's matches and never acts for it.
  if (visible.sides.length === 0) throw new NotPermitted({ key: 'members.error.member_cannot_act' })
  if (
    event === 'deliver' &&
    (input.quantity === undefined || input.quantity < 0 || input.quantity > visible.quantity)
  ) {
    throw new ValidationError({ quantity: { key: 'validation.too_large', params: { limit: visible.quantity } } })
  }
  if (event === 'review' && (!input.rating || input.rating < 1 || input.rating > 5))
    throw new ValidationError({ rating: { key: 'validation.choose' } })
  return writeTx(db, (tx) => {
    // Re-read inside the write lock: the state may have moved since the page was drawn.
    const current = tx.select().from(matches).where(eq(matches.id, matchId)).get()!
    const reviewed = tx
      .select({ side: feedback.side })
      .from(feedback)
      .where(eq(feedback.matchId, matchId))
      .all()
      .map((f) => f.side as Side)
    // Withdrawn because another offer met the need (withdrawWhenMet): say that, not "not allowed in this state".
    if (
      current.state === 'withdrawn' &&
      current.reason === 'met_elsewhere' &&
      (event === 'accept' || event === 'decline')
    )
      throw new CapacityTaken({ key: 'match.error.demand_met' })
    const outcome = transition({ state: current.state, reviewed }, event, { sides: visible.sides }, input.reason)
    if (!outcome.ok) throw new InvalidTransition({ key: outcome.key, params: outcome.params })
    const at = now.toISOString()
    if (outcome.reserves) reserve(tx, current, at)
    if (outcome.releases) release(tx, current, current.quantity, at)
    if (event === 'deliver' && input.quantity! < current.quantity)
      release(tx, current, current.quantity - input.quantity!, at)
    if (event === 'review') {
      const side = visible.sides.includes('need') && !reviewed.includes('need') ? 'need' : 'offer'
      tx.insert(feedback)
        .values({
          matchId,
          side,
          authorId: user.id,
          rating: input.rating!,
          comment: input.comment?.trim() ?? '',
          createdAt: at,
        })
        .run()
    }
    const changed = tx
      .update(matches)
      .set({
        state: outcome.to,
        updatedAt: at,
        version: sql`${matches.version} + 1`,
        ...(outcome.reserves ? { acceptedAt: at } : {}),
        ...(event === 'deliver' ? { deliveredAt: at, deliveredQuantity: input.quantity } : {}),
        ...(input.reason && (event === 'decline' || event === 'cancel')
          ? { reason: input.reason as Match['reason'] }
          : {}),
      })
      .where(and(eq(matches.id, matchId), eq(matches.version, current.version)))
      .returning()
      .get()
    if (!changed) throw new InvalidTransition({ key: 'error.stale' })
    const onBehalfOf = behalfOf(user, outcome.side, visible)
    tx.insert(matchEvents)
      .values({
        matchId,
        at,
        actorId: user.id,
        event,
        fromState: current.state,
        toState: outcome.to,
        reason: input.reason ?? null,
        quantity: input.quantity ?? null,
        onBehalfOf,
      })
      .run()
    // The matcher learns from it: the broker's precision page counts pairs people said are about other things.
    if (event === 'decline' && input.reason === 'not_relevant')
      recordNotRelevant(
        tx,
        { needId: current.needId, offerId: current.offerId, source: 'decline', userId: user.id },
        now,
      )
    events.record(
      tx,
      {
        actorId: user.id,
        action: `match.${event}`,
        subjectType: 'match',
        subjectId: matchId,
        data: { from: current.state, to: outcome.to },
      },
      now,
    )
    const who = audience(tx, current.needId, current.offerId)
    notify(
      tx,
      [...who.need, ...who.offer, ...who.broker].filter((id) => id !== user.id),
      { kind: `match.${event}`, params: matchWords(tx, matchId), link: `/matches/${matchId}` },
      now,
    )
    if (outcome.reserves) withdrawWhenMet(tx, current.needId, now)
    if (event === 'deliver') {
      for (const days of [30, 90])
        jobs.schedule(tx, {
          key: `followup:${matchId}:${days}`,
          kind: 'match.followup',
          runAt: new Date(now.getTime() + days * 86_400_000),
          payload: { matchId, days },
        })
    }
    remember(tx, user, input.idempotencyKey, changed, request, now)
    return changed
  })
}
