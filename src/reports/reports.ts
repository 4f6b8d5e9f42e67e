/**
 * The reports' shell: who may report on which areas, and the rows `figures.report` needs, preselected in SQL
 * by period and area (the same rules the pure functions apply again).
 */
import { and, asc, eq, gte, inArray, isNull, lt, ne, or } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { areas, feedback, matchCheckins, matchEvents, matches, needs, offers, organizations } from '../db/schema.js'
import * as areaService from '../areas/areas.js'
import { allCategories } from '../listings/listings.js'
import { reminderDays } from '../jobs/jobs.js'
import { NotPermitted, ValidationError } from '../shared/errors.js'
import { addDays, isCalendarDate, localToday } from '../shared/time.js'
import type { CurrentUser } from '../accounts/accounts.js'
import {
  bounds,
  offerInArea,
  report,
  type AcceptanceRow,
  type CheckinRow,
  type FeedbackRow,
  type NeedRow,
  type OfferRow,
  type Period,
  type RequestRow,
  type UseRow,
} from './figures.js'
import { isWithin } from '../areas/paths.js'

/**
 * Organizations whose members report on their own area: the street office decides, a residents' committee asks.
 * Only once the street office has endorsed them: anyone can declare an organization to be a street office.
 */
const REPORTING_KINDS = ['street_office', 'residents_committee'] as const
const MAX_PERIOD_YEARS = 10

/**
 * The areas a user may report on, top-most first: an admin every area; a broker the areas assigned to them and
 * below; a street office's or residents' committee's member their organization's area and below.
 */
export function reportableAreas(db: Db, user: CurrentUser): areaService.Area[] {
  const all = areaService.all(db)
  if (user.role === 'admin') return all
  const roots = new Set(user.role === 'broker' ? user.brokerAreaIds : [])
  if (user.orgIds.length) {
    const own = db
      .select({ areaId: organizations.areaId })
      .from(organizations)
      .where(
        and(
          inArray(organizations.id, user.orgIds),
          inArray(organizations.kind, REPORTING_KINDS),
          eq(organizations.trust, 'endorsed'),
        ),
      )
      .all()
    for (const o of own) roots.add(o.areaId)
  }
  const rootPaths = all.filter((a) => roots.has(a.id)).map((a) => a.path)
  return all.filter((a) => rootPaths.some((p) => isWithin(a.path, p)))
}

/** Whether any area is reportable, cheaply: the header asks on every page. */
export function mayReport(db: Db, user: CurrentUser): boolean {
  if (user.role === 'admin' || (user.role === 'broker' && user.brokerAreaIds.length)) return true
  return (
    user.orgIds.length > 0 &&
    db
      .select({ id: organizations.id })
      .from(organizations)
      .where(
        and(
          inArray(organizations.id, user.orgIds),
          inArray(organizations.kind, REPORTING_KINDS),
          eq(organizations.trust, 'endorsed'),
        ),
      )
      .limit(1)
      .get() !== undefined
  )
}

/** The last 90 days, today included. */
export function defaultPeriod(now: Date): Period {
  return { from: localToday(addDays(now, -89)), to: localToday(now) }
}

/** The periods a street office reports on most: this month, the last 90 days, this year and last year. */
export function presets(now: Date): { key: string; from: string; to: string }[] {
  const today = localToday(now)
  const year = Number(today.slice(0, 4))
  return [
    { key: 'month', from: `${today.slice(0, 8)}01`, to: today },
    { key: 'quarter', ...defaultPeriod(now) },
    { key: 'year', from: `${year}-01-01`, to: today },
    { key: 'last_year', from: `${year - 1}-01-01`, to: `${year - 1}-12-31` },
  ]
}

/** Ten calendar years from `from`, by the calendar: 2016-03-01 → 2026-02-28 is within, 2026-03-01 is not. */
const latestEnd = (from: string) => `${Number(from.slice(0, 4)) + MAX_PERIOD_YEARS}${from.slice(4)}`

export interface ReportQuery {
  area?: number
  from?: string
  to?: string
}

/** Checks what the form asked for against what this user may see; every problem at once, next to its field. */
export function resolve(db: Db, user: CurrentUser, query: ReportQuery, now: Date) {
  const scope = reportableAreas(db, user)
  if (!scope.length) throw new NotPermitted({ key: 'reports.not_permitted' })
  const fallback = defaultPeriod(now)
  const period = { from: query.from || fallback.from, to: query.to || fallback.to }
  const problems: Record<string, { key: string; params?: Record<string, number> }> = {}
  if (!isCalendarDate(period.from)) problems.from = { key: 'validation.date' }
  if (!isCalendarDate(period.to)) problems.to = { key: 'validation.date' }
  if (!problems.from && !problems.to) {
    if (period.from > period.to) problems.to = { key: 'reports.period_order' }
    else if (period.to >= latestEnd(period.from))
      problems.to = { key: 'reports.period_long', params: { years: MAX_PERIOD_YEARS } }
  }
  const area = query.area === undefined ? scope[0] : scope.find((a) => a.id === query.area)
  if (!area) problems.area = { key: 'reports.area_outside' }
  if (Object.keys(problems).length) throw new ValidationError(problems)
  return { area: area!, period, scope }
}

/**
 * Loads every row the report reads for one area and period, then computes it. Areas are resolved to ids first
 * (a district has hundreds, not thousands) so each table is read once through its own index; matches are joined
 * to their needs here, and rows come back as arrays made into objects of one fixed shape: spreading 50k row
 * objects costs more than the queries. A district's year at 100k listings takes ~0.3 s.
 */
export function build(db: Db, areaPath: string, period: Period, now = new Date()) {
  const [start, end] = bounds(period)
  const paths = new Map(db.select({ id: areas.id, path: areas.path }).from(areas).values() as [number, string][])
  const idsWhere = (keep: (path: string) => boolean) => [...paths].filter(([, p]) => keep(p)).map(([id]) => id)
  const inside = idsWhere((p) => p.startsWith(areaPath))
  const serving = idsWhere((p) => offerInArea(areaPath, p))

  const matchRows = db
    .select({
      id: matches.id,
      needId: matches.needId,
      offerId: matches.offerId,
      state: matches.state,
      quantity: matches.quantity,
      delivered: matches.deliveredQuantity,
      acceptedAt: matches.acceptedAt,
      areaId: needs.areaId,
      orgId: needs.orgId,
    })
    .from(matches)
    .innerJoin(needs, eq(needs.id, matches.needId))
    .where(inArray(needs.areaId, inside))
    .values() as [number, number, number, string, number, number | null, string | null, number, number][]
  const byMatch = new Map<number, string>()
  const firstAccepted = new Map<number, string>()
  const uses: UseRow[] = []
  const acceptances: AcceptanceRow[] = []
  for (const [id, needId, offerId, state, quantity, delivered, acceptedAt, areaId, orgId] of matchRows) {
    const needAreaPath = paths.get(areaId)!
    byMatch.set(id, needAreaPath)
    if (!acceptedAt) continue
    if (!(firstAccepted.get(needId)! <= acceptedAt)) firstAccepted.set(needId, acceptedAt)
    if (acceptedAt >= start && acceptedAt < end) acceptances.push({ needOrgId: orgId, needAreaPath, acceptedAt })
    if (state === 'accepted') uses.push({ offerId, needAreaPath, acceptedAt, quantity })
    else if (state === 'delivered' || state === 'reviewed')
      uses.push({ offerId, needAreaPath, acceptedAt, quantity: delivered ?? quantity })
  }

  const needRows: NeedRow[] = (
    db
      .select({
        id: needs.id,
        orgId: needs.orgId,
        category: needs.category,
        status: needs.status,
        quantity: needs.quantity,
        remaining: needs.remaining,
        createdAt: needs.createdAt,
        areaId: needs.areaId,
        closeReason: needs.closeReason,
      })
      .from(needs)
      .where(
        and(
          gte(needs.createdAt, start),
          lt(needs.createdAt, end),
          ne(needs.status, 'draft'),
          inArray(needs.areaId, inside),
        ),
      )
      .values() as [number, number, string, string, number, number, string, number, string | null][]
  ).map(([id, orgId, category, status, quantity, remaining, createdAt, areaId, closeReason]) => ({
    id,
    orgId,
    category,
    status,
    quantity,
    remaining,
    createdAt,
    areaPath: paths.get(areaId)!,
    closeReason,
    firstAcceptedAt: firstAccepted.get(id) ?? null,
  }))
  const offerRows: OfferRow[] = (
    db
      .select({
        id: offers.id,
        category: offers.category,
        quantity: offers.quantity,
        status: offers.status,
        expiresAt: offers.expiresAt,
        createdAt: offers.createdAt,
        closedAt: offers.closedAt,
        areaId: offers.servesAreaId,
      })
      .from(offers)
      .where(
        and(
          lt(offers.createdAt, end),
          ne(offers.status, 'draft'),
          inArray(offers.servesAreaId, serving),
          or(ne(offers.status, 'closed'), isNull(offers.closedAt), gte(offers.closedAt, start)),
          or(isNull(offers.expiresAt), gte(offers.expiresAt, period.from)),
        ),
      )
      .values() as [number, string, number, OfferRow['status'], string | null, string, string | null, number][]
  ).map(([id, category, quantity, status, expiresAt, createdAt, closedAt, areaId]) => ({
    id,
    category,
    quantity,
    status,
    expiresAt,
    createdAt,
    closedAt,
    servesPath: paths.get(areaId)!,
  }))

  // A request's answer is the first move out of "requested" after it was made.
  const moves = db
    .select({
      id: matchEvents.id,
      matchId: matchEvents.matchId,
      at: matchEvents.at,
      from: matchEvents.fromState,
      to: matchEvents.toState,
    })
    .from(matchEvents)
    .where(or(eq(matchEvents.toState, 'requested'), eq(matchEvents.fromState, 'requested')))
    .orderBy(asc(matchEvents.id))
    .values() as [number, number, string, string | null, string][]
  const answers = new Map<number, (typeof moves)[number][]>()
  for (const e of moves) if (e[3] === 'requested') (answers.get(e[1]) ?? answers.set(e[1], []).get(e[1])!).push(e)
  const requests: RequestRow[] = moves
    .filter(([, matchId, at, , to]) => to === 'requested' && at >= start && at < end && byMatch.has(matchId))
    .map(([id, matchId, at]) => {
      const answer = answers.get(matchId)?.find((a) => a[0] > id)
      return {
        requestedAt: at,
        needAreaPath: byMatch.get(matchId)!,
        answeredAt: answer?.[2] ?? null,
        outcome: (answer?.[4] ?? null) as RequestRow['outcome'],
      }
    })
  const feedbackRows: FeedbackRow[] = (
    db
      .select({
        matchId: feedback.matchId,
        side: feedback.side,
        rating: feedback.rating,
        createdAt: feedback.createdAt,
      })
      .from(feedback)
      .where(and(gte(feedback.createdAt, start), lt(feedback.createdAt, end)))
      .values() as [number, FeedbackRow['side'], number, string][]
  )
    .filter(([matchId]) => byMatch.has(matchId))
    .map(([matchId, side, rating, createdAt]) => ({ side, rating, createdAt, needAreaPath: byMatch.get(matchId)! }))

  const checkinRows: CheckinRow[] = (
    db
      .select({
        matchId: matchCheckins.matchId,
        createdAt: matchCheckins.createdAt,
        outcome: matchCheckins.outcome,
        reason: matchCheckins.reason,
      })
      .from(matchCheckins)
      .where(and(gte(matchCheckins.createdAt, start), lt(matchCheckins.createdAt, end)))
      .values() as [number, string, CheckinRow['outcome'], string | null][]
  )
    .filter(([matchId]) => byMatch.has(matchId))
    .map(([matchId, answeredAt, outcome, reason]) => ({
      answeredAt,
      outcome,
      reason,
      needAreaPath: byMatch.get(matchId)!,
    }))

  const orgIds = [...new Set([...needRows.map((n) => n.orgId), ...acceptances.map((a) => a.needOrgId)])]
  const orgRows = orgIds.length
    ? db
        .select({ id: organizations.id, registered: organizations.registered, kind: organizations.kind })
        .from(organizations)
        .where(inArray(organizations.id, orgIds))
        .all()
    : []
  return report({
    period,
    areaPath,
    now,
    answerDays: reminderDays(db),
    categories: allCategories(db).map((c) => ({ code: c.code, unit: c.unit })),
    needs: needRows,
    offers: offerRows,
    uses,
    acceptances,
    requests,
    feedback: feedbackRows,
    checkins: checkinRows,
    orgs: orgRows,
  })
}
