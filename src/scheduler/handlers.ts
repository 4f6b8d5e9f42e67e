import { and, eq, gte, inArray, lt, lte, isNotNull } from 'drizzle-orm'
import { refreshStatistics, sqliteOf, type Db } from '../db/client.js'
import { answerersFor } from '../members/answering.js'
import { areas, jobs as jobsTable, matches, memberships, needs, offers } from '../db/schema.js'
import { addDays, isoDate } from '../shared/time.js'
import { listingToday } from '../listings/listings.js'
import * as needsSvc from '../needs/needs.js'
import * as offersSvc from '../offers/offers.js'
import { sweepExpired } from '../accounts/sessions.js'
import * as resets from '../accounts/resets.js'
import { notify, sendDigests } from '../notifications/notifications.js'
import { matchWords } from '../notifications/words.js'
import * as jobs from '../jobs/jobs.js'
import * as alerts from '../alerts/alerts.js'
import * as checkins from '../brokering/checkins.js'
import type { Handler } from '../jobs/jobs.js'
import { brokersCovering } from '../areas/coverage.js'

/**
 * What each kind of scheduled job does. A handler runs inside the job's transaction (see runDue): what it
 * writes commits together with the job's "done" mark, or not at all. It receives the root connection, so
 * services that need it (the search index) work; their own transactions nest as savepoints.
 */

const DAY = 86_400_000
/** How far ahead a listing's owners hear "still needed?". */
export const EXPIRY_WARNING_DAYS = 3
/** Matches still waiting for the other side's answer, and who that is. */
const WAITING_ON: Record<string, ('need' | 'offer')[]> = {
  requested: ['offer'],
  pledged: ['need'],
  proposed: ['need', 'offer'],
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v))

const members = (db: Db, orgId: number) =>
  db
    .select({ id: memberships.userId })
    .from(memberships)
    .where(eq(memberships.orgId, orgId))
    .all()
    .map((r) => r.id)

/** A match's two organizations' members and the brokers covering the need's area (or named on the match). */
function audience(db: Db, matchId: number) {
  const m = db
    .select({
      state: matches.state,
      brokerId: matches.brokerId,
      updatedAt: matches.updatedAt,
      needOrg: needs.orgId,
      offerOrg: offers.orgId,
      path: areas.path,
    })
    .from(matches)
    .innerJoin(needs, eq(needs.id, matches.needId))
    .innerJoin(offers, eq(offers.id, matches.offerId))
    .innerJoin(areas, eq(areas.id, needs.areaId))
    .where(eq(matches.id, matchId))
    .get()
  if (!m) return undefined
  const covering = brokersCovering(db, m.path)
  const broker = [...new Set([...covering, ...(m.brokerId ? [m.brokerId] : [])])]
  return { match: m, need: members(db, m.needOrg), offer: members(db, m.offerOrg), broker }
}

/** "Unanswered for N days": only if the match still waits in the state the reminder was set for. */
const remind: Handler = (db, payload, now) => {
  const matchId = num(payload.matchId)
  const who = audience(db, matchId)
  if (!who || who.match.state !== payload.state) return
  const sides = WAITING_ON[who.match.state] ?? []
  const days = Math.max(1, Math.floor((now.getTime() - Date.parse(who.match.updatedAt)) / DAY))
  // Reminded: who answers for the waiting side (its leaders, or the brokers looking after a group with none).
  const answering = sides.flatMap((s) => answerersFor(db, s === 'need' ? who.match.needOrg : who.match.offerOrg))
  notify(
    db,
    [...answering, ...who.broker],
    {
      kind: 'match.reminder',
      params: { ...matchWords(db, matchId), days, state: who.match.state },
      link: `/matches/${matchId}`,
    },
    now,
  )
}

/**
 * 30 and 90 days after delivery: does the arrangement continue? Both sides and the broker hear it, unless it was
 * answered already (or said to have ended) on the match page.
 */
const followUp: Handler = (db, payload, now) => {
  const matchId = num(payload.matchId)
  const who = audience(db, matchId)
  if (!who || !['delivered', 'reviewed'].includes(who.match.state)) return
  const m = db
    .select({ id: matches.id, state: matches.state, deliveredAt: matches.deliveredAt })
    .from(matches)
    .where(eq(matches.id, matchId))
    .get()!
  if (!checkins.stillAsked(db, m, num(payload.days), now)) return
  notify(
    db,
    [...who.need, ...who.offer, ...who.broker],
    {
      kind: 'match.followup',
      params: { ...matchWords(db, matchId), days: num(payload.days) },
      link: `/matches/${matchId}`,
    },
    now,
  )
}

/**
 * Hourly: lapsed listings become 'expired', and each open listing about to expire gets one "still needed?"
 * notice per expiry date (renewing moves the date, so a renewed listing is asked again next time).
 */
const sweep: Handler = (db, _payload, now) => {
  needsSvc.expireDue(db, now)
  offersSvc.expireDue(db, now)
  const today = listingToday(now)
  const horizon = listingToday(addDays(now, EXPIRY_WARNING_DAYS))
  const soon = <T extends typeof needs | typeof offers>(t: T) =>
    and(isNotNull(t.expiresAt), gte(t.expiresAt, today), lte(t.expiresAt, horizon))
  const expiring = [
    ...db
      .select({ id: needs.id, expiresAt: needs.expiresAt })
      .from(needs)
      .where(and(inArray(needs.status, [...needsSvc.ACTIVE]), soon(needs)))
      .all()
      .map((r) => ({ ...r, kind: 'need' })),
    ...db
      .select({ id: offers.id, expiresAt: offers.expiresAt })
      .from(offers)
      .where(and(eq(offers.status, 'open'), soon(offers)))
      .all()
      .map((r) => ({ ...r, kind: 'offer' })),
  ]
  for (const l of expiring) {
    jobs.schedule(db, {
      key: `expiring:${l.kind}:${l.id}:${l.expiresAt}`,
      kind: 'listing.expiring',
      runAt: now,
      payload: { kind: l.kind, id: l.id, expiresAt: l.expiresAt },
    })
  }
  // Done housekeeping jobs pile up (24 sweeps a day), and so do new-fit alert jobs (one a listing written; each key
  // names its write's time, so none is scheduled again, and fit_alerts keeps what was told). Match reminders and
  // follow-ups stay as history.
  db.delete(jobsTable)
    .where(
      and(
        inArray(jobsTable.kind, ['sweep', 'sessions.sweep', 'digest', alerts.JOB_KIND]),
        isNotNull(jobsTable.doneAt),
        lt(jobsTable.runAt, addDays(now, -30).toISOString()),
      ),
    )
    .run()
  refreshStatistics(sqliteOf(db))
}

/** The notice itself, sent only if the listing is still open with that same expiry date. */
const warnExpiring: Handler = (db, payload, now) => {
  const id = num(payload.id)
  const kind = payload.kind === 'offer' ? 'offer' : 'need'
  const t = kind === 'offer' ? offers : needs
  const active = kind === 'offer' ? ['open'] : [...needsSvc.ACTIVE]
  const l = db
    .select({ orgId: t.orgId, title: t.title, status: t.status, expiresAt: t.expiresAt })
    .from(t)
    .where(eq(t.id, id))
    .get()
  if (
    !l ||
    !l.expiresAt ||
    !active.includes(l.status) ||
    l.expiresAt !== payload.expiresAt ||
    l.expiresAt < listingToday(now)
  )
    return
  notify(
    db,
    members(db, l.orgId),
    { kind: 'listing.expiring', params: { kind, id, title: l.title, date: l.expiresAt }, link: `/${kind}s/${id}` },
    now,
  )
}

/** Hourly: rows of sessions that ended without coming back (visitors who opened a form and left, closed browsers). */
const sweepSessions: Handler = (db, _payload, now) => {
  sweepExpired(db, now)
}

/**
 * A "forgot your password?" request, queued so that its answer took the same time whoever asked. Done requests
 * (this one included: it is marked done in this transaction) are deleted, so asked-for addresses are not kept.
 */
const sendReset: Handler = (db, payload, now) => {
  resets.send(db, String(payload.email ?? ''), now)
  db.delete(jobsTable)
    .where(and(eq(jobsTable.kind, 'password.reset'), isNotNull(jobsTable.doneAt)))
    .run()
}

/** Daily: one e-mail per digest reader with what they have not been e-mailed yet. */
const digest: Handler = (db, _payload, now) => {
  sendDigests(db, now)
}

/** A listing was posted or changed: tell the other side's leaders of fits they did not have (src/alerts/). */
const fitAlerts: Handler = {
  read: (db, payload, now) =>
    alerts.readNewFits(db, payload.side === 'offer' ? 'offer' : 'need', num(payload.id), String(payload.at), now),
}

export const HANDLERS: Record<string, Handler> = {
  'match.reminder': remind,
  'match.followup': followUp,
  'listing.expiring': warnExpiring,
  sweep,
  'sessions.sweep': sweepSessions,
  'password.reset': sendReset,
  digest,
  [alerts.JOB_KIND]: fitAlerts,
}

const pad = (n: number) => String(n).padStart(2, '0')

/**
 * One scheduler round: make sure this hour's sweep and today's digest exist (their keys make that
 * idempotent, across rounds, restarts and processes), then run whatever is due. The digest goes out at
 * 00:30 UTC, 08:30 in Beijing; a server started later in the day sends that day's digest when it starts.
 */
export function tick(db: Db, now = new Date(), log?: (msg: string, err?: unknown) => void): number {
  return jobs.runAll(db, HANDLERS, startRound(db, now), now, log)
}

/** tick's first half: the round's standing jobs scheduled, and the jobs due now, for jobs.runSome to run. */
export function startRound(db: Db, now = new Date()): jobs.Job[] {
  const hour = `${isoDate(now)}T${pad(now.getUTCHours())}`
  // Once an hour per connection: a round comes every 2 s, and each insert takes the write lock even when its key
  // exists, which a long CLI import holds (better-sqlite3 waits for it on the event loop, up to busy_timeout).
  if (scheduledHour.get(db) !== hour) {
    jobs.schedule(db, { key: `sweep:${hour}`, kind: 'sweep', runAt: new Date(`${hour}:00:00.000Z`), payload: {} })
    jobs.schedule(db, {
      key: `sessions.sweep:${hour}`,
      kind: 'sessions.sweep',
      runAt: new Date(`${hour}:00:00.000Z`),
      payload: {},
    })
    jobs.schedule(db, {
      key: `digest:${isoDate(now)}`,
      kind: 'digest',
      runAt: new Date(`${isoDate(now)}T00:30:00.000Z`),
      payload: {},
    })
    scheduledHour.set(db, hour)
  }
  return jobs.dueJobs(db, now)
}

/** The hour whose standing jobs a connection last scheduled (startRound). */
const scheduledHour = new WeakMap<Db, string>()
