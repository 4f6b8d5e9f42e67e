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
import { bounds, report, type Period, type ReportInput } from './figures.js'

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

type Row = Record<string, unknown>

/** Loads every row the report reads for one area and period, then computes it. */
export function build(db: Db, areaPath: string, period: Period, now = new Date()) {
  const sqlite = sqliteOf(db)
  const [start, end] = bounds(period)
  const all = <T>(sql: string, ...params: unknown[]) => sqlite.prepare(sql).all(...params) as T[]
  const needs = all<Row>(`
    SELECT n.id, n.org_id AS orgId, n.category, n.quantity, n.remaining, n.created_at AS createdAt, a.path AS areaPath,
      (SELECT min(m.accepted_at) FROM matches m WHERE m.need_id = n.id) AS firstAcceptedAt
    FROM needs n JOIN areas a ON a.id = n.area_id
    WHERE n.created_at >= ? AND n.created_at < ? AND n.status <> 'draft' AND a.path LIKE ? || '%'`, start, end, areaPath)
  const offers = all<Row>(`
    SELECT o.id, o.category, o.quantity, o.remaining, o.created_at AS createdAt, a.path AS servesPath
    FROM offers o JOIN areas a ON a.id = o.serves_area_id
    WHERE o.created_at >= ? AND o.created_at < ? AND o.status <> 'draft' AND (a.path LIKE ? || '%' OR ? LIKE a.path || '%')`, start, end, areaPath, areaPath)
  const acceptances = all<Row>(`
    SELECT n.org_id AS needOrgId, a.path AS needAreaPath, m.accepted_at AS acceptedAt
    FROM matches m JOIN needs n ON n.id = m.need_id JOIN areas a ON a.id = n.area_id
    WHERE m.accepted_at >= ? AND m.accepted_at < ? AND a.path LIKE ? || '%'`, start, end, areaPath)
  // A request's answer is the first move out of "requested" after it was made.
  const requests = all<Row>(`
    SELECT e.at AS requestedAt, a.path AS needAreaPath, answer.at AS answeredAt, answer.to_state AS outcome
    FROM match_events e JOIN matches m ON m.id = e.match_id JOIN needs n ON n.id = m.need_id JOIN areas a ON a.id = n.area_id
    LEFT JOIN match_events answer ON answer.id = (
      SELECT x.id FROM match_events x WHERE x.match_id = e.match_id AND x.from_state = 'requested' AND x.id > e.id ORDER BY x.id LIMIT 1)
    WHERE e.to_state = 'requested' AND e.at >= ? AND e.at < ? AND a.path LIKE ? || '%'`, start, end, areaPath)
  const feedback = all<Row>(`
    SELECT f.side, f.rating, f.created_at AS createdAt, a.path AS needAreaPath
    FROM feedback f JOIN matches m ON m.id = f.match_id JOIN needs n ON n.id = m.need_id JOIN areas a ON a.id = n.area_id
    WHERE f.created_at >= ? AND f.created_at < ? AND a.path LIKE ? || '%'`, start, end, areaPath)
  const orgIds = [...new Set([...needs.map((n) => n.orgId), ...acceptances.map((a) => a.needOrgId)])] as number[]
  const orgs = orgIds.length
    ? all<{ id: number; registered: number }>(`SELECT id, registered FROM organizations WHERE id IN (SELECT value FROM json_each(?))`, JSON.stringify(orgIds))
      .map((o) => ({ id: o.id, registered: o.registered === 1 }))
    : []
  const input = {
    period, areaPath, now, answerDays: reminderDays(db),
    categories: allCategories(db).map((c) => ({ code: c.code, unit: c.unit })),
    needs, offers, acceptances, requests, feedback, orgs,
  } as unknown as ReportInput
  return report(input)
}

