import { asc, eq } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import { CHECKIN_REASONS, matchCheckins, users } from '../db/schema.js'
import { DomainError, NotFound, NotPermitted, ValidationError } from '../shared/errors.js'
import * as events from '../events/events.js'
import type { CurrentUser } from '../accounts/accounts.js'
import { repeat } from './repeat.js'
import { findVisible } from './match-record.js'
import * as partnerships from './partnerships.js'

/**
 * The 30- and 90-day check-in after delivery, answered in one step by either party or the broker: the arrangement
 * continues (as it is, repeated for the next period, or as a standing partnership), changed (a note says how), or
 * ended for a reason. One answer per follow-up; once answered it is not asked again, and after "ended" nothing is.
 */

export const FOLLOWUP_DAYS = [30, 90] as const
/** What the form offers: "continues" in its three forms, "changed", "ended". */
export const ANSWERS = ['continues', 'repeat', 'partnership', 'changed', 'ended'] as const
export type Answer = (typeof ANSWERS)[number]
export type Reason = (typeof CHECKIN_REASONS)[number]
export const REASONS = CHECKIN_REASONS
export const NOTE_MAX = 500
const DAY = 86_400_000

type Checkin = typeof matchCheckins.$inferSelect

export function answersFor(db: Db, matchId: number) {
  return db
    .select({
      id: matchCheckins.id,
      followupDays: matchCheckins.followupDays,
      outcome: matchCheckins.outcome,
      continuation: matchCheckins.continuation,
      reason: matchCheckins.reason,
      note: matchCheckins.note,
      answeredAs: matchCheckins.answeredAs,
      by: users.name,
      at: matchCheckins.createdAt,
    })
    .from(matchCheckins)
    .innerJoin(users, eq(users.id, matchCheckins.answeredBy))
    .where(eq(matchCheckins.matchId, matchId))
    .orderBy(asc(matchCheckins.followupDays))
    .all()
}

/**
 * Which follow-up is waiting for an answer: the latest one whose day has come (a 30-day one left unanswered until
 * the 90th is overtaken by it), unless it was answered or the arrangement was said to have ended. Pure.
 */
export function due(
  m: { state: string; deliveredAt: string | null },
  answered: Pick<Checkin, 'followupDays' | 'outcome'>[],
  now: Date,
): number | undefined {
  if (!m.deliveredAt || (m.state !== 'delivered' && m.state !== 'reviewed')) return undefined
  if (answered.some((a) => a.outcome === 'ended')) return undefined
  const reached = FOLLOWUP_DAYS.filter((d) => Date.parse(m.deliveredAt!) + d * DAY <= now.getTime())
  const latest = reached.at(-1)
  if (latest === undefined || answered.some((a) => a.followupDays >= latest)) return undefined
  return latest
}

/** For the follow-up job: is this follow-up still to be asked? */
export function stillAsked(
  db: Db,
  m: { id: number; state: string; deliveredAt: string | null },
  days: number,
  now: Date,
): boolean {
  return due(m, answersFor(db, m.id), now) === days
}

export interface AnswerInput {
  answer?: string
  reason?: string
  note?: string
}

function problemsWith(input: AnswerInput): Record<string, { key: string; params?: Record<string, number> }> {
  const problems: Record<string, { key: string; params?: Record<string, number> }> = {}
  const note = (input.note ?? '').trim()
  if (!input.answer || !(ANSWERS as readonly string[]).includes(input.answer))
    problems.answer = { key: 'checkin.validation.answer' }
  if (input.answer === 'ended' && !(REASONS as readonly string[]).includes(input.reason ?? ''))
    problems.reason = { key: 'checkin.validation.reason' }
  if (input.answer !== 'ended' && input.reason) problems.reason = { key: 'checkin.validation.reason_only_ended' }
  if (input.answer === 'changed' && !note) problems.note = { key: 'checkin.validation.note' }
  if (note.length > NOTE_MAX) problems.note = { key: 'checkin.validation.note_long', params: { max: NOTE_MAX } }
  return problems
}

/**
 * Records the answer to the waiting follow-up, with what it sets going in the same transaction: "repeat" posts the
 * next period's need and asks the same offer (the group's side only, as 继续下一期 does), "partnership" begins
 * the pair's standing partnership. Two people answering at once: the second is told it was already answered.
 */
export function answer(db: Db, user: CurrentUser, matchId: number, input: AnswerInput, now = new Date()) {
  const m = findVisible(db, user, matchId)
  if (!m) throw new NotFound()
  const problems = problemsWith(input)
  if (Object.keys(problems).length) throw new ValidationError(problems)
  const choice = input.answer as Answer
  if (choice === 'repeat' && !m.sides.includes('need')) throw new NotPermitted({ key: 'checkin.repeat_need_only' })
  const answeredAs = m.sides.includes('need') ? 'need' : m.sides.includes('offer') ? 'offer' : 'broker'
  const outcome = choice === 'changed' || choice === 'ended' ? choice : 'continues'
  const continuation = outcome === 'continues' ? (choice === 'continues' ? 'as_is' : choice) : null
  return writeTx(db, (tx) => {
    // Read again under the write lock: whoever answers second finds the follow-up answered.
    const days = due(m, answersFor(tx, matchId), now)
    if (days === undefined) throw new DomainError({ key: 'checkin.not_due' })
    const row = tx
      .insert(matchCheckins)
      .values({
        matchId,
        followupDays: days,
        outcome,
        continuation: continuation as Checkin['continuation'],
        reason: outcome === 'ended' ? (input.reason as Reason) : null,
        note: (input.note ?? '').trim(),
        answeredBy: user.id,
        answeredAs,
        createdAt: now.toISOString(),
      })
      .returning()
      .get()
    events.record(
      tx,
      {
        actorId: user.id,
        action: 'match.checkin',
        subjectType: 'match',
        subjectId: matchId,
        data: { days, outcome, continuation, reason: row.reason },
      },
      now,
    )
    const partnership =
      choice === 'partnership'
        ? partnerships.begin(
            tx,
            user,
            { holderOrgId: m.offerOrgId, groupOrgId: m.needOrgId, fromMatchId: matchId },
            now,
          )
        : undefined
    // The root connection: posting a need writes the search index, which a transaction handle cannot reach; on the
    // same connection its transaction nests in this one as a savepoint, so the answer and the next need commit together.
    const repeated = choice === 'repeat' ? repeat(db, user, matchId, now) : undefined
    return { checkin: row, partnership, repeated }
  })
}

/** A broker marks a delivered arrangement as a standing partnership, outside any check-in. */
export function markPartnership(db: Db, user: CurrentUser, matchId: number, now = new Date()) {
  const m = findVisible(db, user, matchId)
  if (!m) throw new NotFound()
  if (!m.sides.includes('broker')) throw new NotPermitted({ key: 'partnership.broker_only' })
  if (m.state !== 'delivered' && m.state !== 'reviewed') throw new DomainError({ key: 'partnership.not_delivered' })
  return writeTx(db, (tx) =>
    partnerships.begin(tx, user, { holderOrgId: m.offerOrgId, groupOrgId: m.needOrgId, fromMatchId: matchId }, now),
  )
}

/** What the match page shows: the waiting follow-up (if any) and the answers given. */
export function panel(
  db: Db,
  m: { id: number; state: string; deliveredAt: string | null; sides: string[]; needOrgId: number; offerOrgId: number },
  now = new Date(),
) {
  const answers = answersFor(db, m.id)
  const days = due(m, answers, now)
  const delivered = m.state === 'delivered' || m.state === 'reviewed'
  const standing = delivered ? partnerships.standing(db, m.offerOrgId, m.needOrgId) : undefined
  if (days === undefined && !answers.length && !standing && !(delivered && m.sides.includes('broker'))) return undefined
  return {
    due: days,
    answers,
    reasons: REASONS,
    canRepeat: m.sides.includes('need'),
    partnership: standing,
    canMark: delivered && !standing && m.sides.includes('broker'),
  }
}
