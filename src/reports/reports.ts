/**
 * The reports' shell: who may report on which areas, and the rows `figures.report` needs, preselected in SQL
 * by period and area (the same rules the pure functions apply again).
 */
import { inArray } from 'drizzle-orm'
import { sqliteOf, type Db } from '../db/client.js'
import { organizations } from '../db/schema.js'
import * as areaService from '../areas/areas.js'
import { allCategories } from '../listings/listings.js'
import { reminderDays } from '../jobs/jobs.js'
import { NotPermitted, ValidationError } from '../shared/errors.js'
import { addDays, isoDate } from '../shared/time.js'
import type { CurrentUser } from '../accounts/accounts.js'
import { bounds, offerInArea, report, type Period, } from './figures.js'

/** Organizations whose members report on their own area: the street office decides, a residents' committee asks. */
const REPORTING_KINDS = ['street_office', 'residents_committee'] as const
export const MAX_PERIOD_DAYS = 3700

/**
 * The areas a user may report on, top-most first: an admin every area; a broker the areas assigned to them and
 * below; a street office's or residents' committee's member their organization's area and below.
 */
export function reportableAreas(db: Db, user: CurrentUser): areaService.Area[] {
  const all = areaService.all(db)
  if (user.role === 'admin') return all
  const roots = new Set(user.role === 'broker' ? user.brokerAreaIds : [])
  if (user.orgIds.length) {
    const own = db.select({ areaId: organizations.areaId, kind: organizations.kind }).from(organizations).where(inArray(organizations.id, user.orgIds)).all()
    for (const o of own) if ((REPORTING_KINDS as readonly string[]).includes(o.kind)) roots.add(o.areaId)
  }
  const rootPaths = all.filter((a) => roots.has(a.id)).map((a) => a.path)
  return all.filter((a) => rootPaths.some((p) => a.path.startsWith(p)))
}

export function mayReport(db: Db, user: CurrentUser): boolean {
  return reportableAreas(db, user).length > 0
}

/** The last 90 days, today included. */
export function defaultPeriod(now: Date): Period {
  return { from: isoDate(addDays(now, -89)), to: isoDate(now) }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/
const validDate = (s: string) => {
  const at = new Date(`${s}T00:00:00Z`)
  return ISO_DATE.test(s) && !Number.isNaN(at.getTime()) && isoDate(at) === s
}

export interface ReportQuery { area?: number; from?: string; to?: string }

/** Checks what the form asked for against what this user may see; every problem at once, next to its field. */
export function resolve(db: Db, user: CurrentUser, query: ReportQuery, now: Date) {
  const scope = reportableAreas(db, user)
  if (!scope.length) throw new NotPermitted({ key: 'reports.not_permitted' })
  const fallback = defaultPeriod(now)
  const period = { from: query.from || fallback.from, to: query.to || fallback.to }
  const problems: Record<string, { key: string; params?: Record<string, number> }> = {}
  if (!validDate(period.from)) problems.from = { key: 'validation.date' }
  if (!validDate(period.to)) problems.to = { key: 'validation.date' }
  if (!problems.from && !problems.to) {
    if (period.from > period.to) problems.to = { key: 'reports.period_order' }
    else if ((Date.parse(period.to) - Date.parse(period.from)) / 86_400_000 > MAX_PERIOD_DAYS) problems.to = { key: 'reports.period_long', params: { years: 10 } }
  }
  const area = query.area === undefined ? scope[0] : scope.find((a) => a.id === query.area)
  if (!area) problems.area = { key: 'reports.area_outside' }
  if (Object.keys(problems).length) throw new ValidationError(problems)
  return { area: area!, period, scope }
}

/**
 * Loads every row the report reads for one area and period, then computes it. Areas are resolved to ids first
 * (a district has hundreds, not thousands), so each table is read once through its own index, and matches
 * are joined to their needs here rather than per row in SQL: 50k needs and a year of history in ~0.2 s.
 */
export function build(db: Db, areaPath: string, period: Period, now = new Date()) {
  const sqlite = sqliteOf(db)
  const [start, end] = bounds(period)
  // Rows as arrays, each made into one object of a fixed shape: spreading 50k row objects costs more than the SQL.
  const rows = (sql: string, ...params: unknown[]) => sqlite.prepare(sql).raw().all(...params) as any[][]
  const paths = new Map(rows('SELECT id, path FROM areas').map(([id, path]) => [id as number, path as string]))
  const ids = (keep: (path: string) => boolean) => JSON.stringify([...paths].filter(([, p]) => keep(p)).map(([id]) => id))
  const inside = ids((p) => p.startsWith(areaPath))
  const serving = ids((p) => offerInArea(areaPath, p))

  const matches = rows(`SELECT m.id, m.need_id, m.accepted_at, n.area_id, n.org_id FROM matches m JOIN needs n ON n.id = m.need_id
    WHERE n.area_id IN (SELECT value FROM json_each(?))`, inside)
    .map(([id, needId, acceptedAt, areaId, orgId]) => ({ id: id as number, needId: needId as number, acceptedAt: acceptedAt as string | null, areaPath: paths.get(areaId)!, orgId: orgId as number }))
  const byMatch = new Map(matches.map((m) => [m.id, m]))
  const firstAccepted = new Map<number, string>()
  for (const m of matches) {
    if (m.acceptedAt && !(firstAccepted.get(m.needId)! <= m.acceptedAt)) firstAccepted.set(m.needId, m.acceptedAt)
  }

  const needs = rows(`SELECT id, org_id, category, quantity, remaining, created_at, area_id FROM needs
    WHERE created_at >= ? AND created_at < ? AND status <> 'draft' AND area_id IN (SELECT value FROM json_each(?))`, start, end, inside)
    .map(([id, orgId, category, quantity, remaining, createdAt, areaId]) => ({ id, orgId, category, quantity, remaining, createdAt, areaPath: paths.get(areaId)!, firstAcceptedAt: firstAccepted.get(id) ?? null }))
  const offers = rows(`SELECT id, category, quantity, remaining, created_at, serves_area_id FROM offers
    WHERE created_at >= ? AND created_at < ? AND status <> 'draft' AND serves_area_id IN (SELECT value FROM json_each(?))`, start, end, serving)
    .map(([id, category, quantity, remaining, createdAt, areaId]) => ({ id, category, quantity, remaining, createdAt, servesPath: paths.get(areaId)! }))
  const acceptances = matches.filter((m) => m.acceptedAt !== null && m.acceptedAt >= start && m.acceptedAt < end)
    .map((m) => ({ needOrgId: m.orgId, needAreaPath: m.areaPath, acceptedAt: m.acceptedAt! }))

  // A request's answer is the first move out of "requested" after it was made.
  const moves = rows(`SELECT id, match_id, at, from_state, to_state FROM match_events WHERE to_state = 'requested' OR from_state = 'requested' ORDER BY id`)
  const answers = new Map<number, any[][]>()
  for (const e of moves) if (e[3] === 'requested') (answers.get(e[1]) ?? answers.set(e[1], []).get(e[1])!).push(e)
  const requests = moves.filter(([, matchId, at, , to]) => to === 'requested' && at >= start && at < end && byMatch.has(matchId)).map(([id, matchId, at]) => {
    const answer = answers.get(matchId)?.find((a) => a[0] > id)
    return { requestedAt: at, needAreaPath: byMatch.get(matchId)!.areaPath, answeredAt: answer?.[2] ?? null, outcome: answer?.[4] ?? null }
  })
  const feedback = rows('SELECT match_id, side, rating, created_at FROM feedback WHERE created_at >= ? AND created_at < ?', start, end)
    .filter(([matchId]) => byMatch.has(matchId))
    .map(([matchId, side, rating, createdAt]) => ({ side, rating, createdAt, needAreaPath: byMatch.get(matchId)!.areaPath }))

  const orgIds = [...new Set([...needs.map((n) => n.orgId), ...acceptances.map((a) => a.needOrgId)])]
  const orgs = rows('SELECT id, registered FROM organizations WHERE id IN (SELECT value FROM json_each(?))', JSON.stringify(orgIds))
    .map(([id, registered]) => ({ id, registered: registered === 1 }))
  return report({
    period, areaPath, now, answerDays: reminderDays(db),
    categories: allCategories(db).map((c) => ({ code: c.code, unit: c.unit })),
    needs, offers, acceptances, requests, feedback, orgs,
  })
}
