import { createHash } from 'node:crypto'
import { and, eq, inArray, sql } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import { areas, idempotencyKeys, matchEvents, matches, messages, needs, offers, feedback } from '../db/schema.js'
import {
  DomainError,
  IdempotencyKeyReused,
  InvalidTransition,
  NotFound,
  NotPermitted,
  ValidationError,
} from '../shared/errors.js'
import { addDays, isoDate } from '../shared/time.js'
import * as needsSvc from '../needs/needs.js'
import * as events from '../events/events.js'
import { recordNotRelevant } from '../topics/feedback.js'
import { answerersFor } from '../members/answering.js'
import { notify } from '../notifications/notifications.js'
import { matchWords } from '../notifications/words.js'
import * as jobs from '../jobs/jobs.js'
import * as matching from '../matching/matching.js'
import { defaultExpiry, demandStatus, isActiveNeed, isActiveOffer, listingToday } from '../listings/listings.js'
import { actsFor, type CurrentUser } from '../accounts/accounts.js'
import { ACTIVE_STATES, transition, type Event, type Side, type State } from './lifecycle.js'
import { brokerCoversPath } from '../areas/coverage.js'
import { audience, findVisible } from './match-record.js'

// Whether anyone answers for a group is read with the match (match-record.ts); its callers have found it here.
export { answeredFor } from './match-record.js'

export type Match = typeof matches.$inferSelect
type Origin = Match['origin']

/** Not enough capacity or demand left: the clear "someone else got there first" answer. */
export class CapacityTaken extends DomainError {}

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

// Keys are chosen by clients (API callers pick their own), and the column is unique across users: stored
// under the user's id, one caller's key can never collide with another's (which failed the second one's write).
const scopedKey = (user: CurrentUser, key: string) => `${user.id}:${key}`

/** What a request asked for, as a hash: the same key may only ever replay the same request. */
const fingerprint = (request: unknown[]) => createHash('sha256').update(JSON.stringify(request)).digest('base64url')

/**
 * The earlier answer to a retried request. The row's result is `<match id> <fingerprint>` (rows from before the
 * fingerprint hold the id alone and are replayed as they were); a key reused for a different request is refused,
 * not answered with the first request's result.
 */
function idempotent(db: Db, user: CurrentUser, key: string | undefined, request: string): Match | undefined {
  if (!key) return undefined
  const row = db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.key, scopedKey(user, key)), eq(idempotencyKeys.userId, user.id)))
    .get()
  if (!row) return undefined
  const [id, stored] = row.result.split(' ')
  if (stored !== undefined && stored !== request) throw new IdempotencyKeyReused()
  return db
    .select()
    .from(matches)
    .where(eq(matches.id, Number(id)))
    .get()
}

// The key is written in the same transaction as the change: a retried form finds it and does nothing more.
function remember(db: Db, user: CurrentUser, key: string | undefined, match: Match, request: string, now: Date) {
  if (key)
    db.insert(idempotencyKeys)
      .values({
        key: scopedKey(user, key),
        userId: user.id,
        result: `${match.id} ${request}`,
        createdAt: now.toISOString(),
      })
      .run()
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

function reserve(tx: Db, m: Match, at: string) {
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

function release(tx: Db, m: Match, amount: number, at: string) {
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
function withdrawWhenMet(tx: Db, needId: number, now: Date) {
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

export function say(db: Db, user: CurrentUser, matchId: number, body: string, now = new Date()) {
  const match = findVisible(db, user, matchId)
  if (!match) throw new NotFound()
  if (match.sides.length === 0) throw new NotPermitted({ key: 'members.error.member_cannot_act' })
  writeTx(db, (tx) => {
    tx.insert(messages).values({ matchId, authorId: user.id, body: body.trim(), createdAt: now.toISOString() }).run()
    const who = audience(tx, match.needId, match.offerId)
    notify(
      tx,
      [...who.need, ...who.offer, ...who.broker].filter((id) => id !== user.id),
      { kind: 'match.message', params: { ...matchWords(tx, matchId), author: user.name }, link: `/matches/${matchId}` },
      now,
    )
  })
}

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
