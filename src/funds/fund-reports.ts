/**
 * Reports on community fund calls, per call and per period, for those who run the calls (a holder's leaders, the
 * brokers covering the holder, admins): applications, awards, money by community and by focus, the share of money
 * to unregistered community groups, milestones on time, money released and returned.
 *
 * A call belongs to a period when its applications closed within it. `figures` is pure (rows in, figures out), so
 * the page and the workbook print the same numbers and every breakdown adds up to its total.
 */
import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import {
  areas,
  fundApplications,
  fundAwards,
  fundCalls,
  fundMilestones,
  fundReleases,
  fundReports,
  organizations,
} from '../db/schema.js'
import { localToday } from '../shared/time.js'
import type { CurrentUser } from '../accounts/accounts.js'
import { runsCall } from './stewards.js'
import { tranches } from './tranches.js'

export interface CallRow {
  id: number
  title: string
  applicationsClose: string
  budgetFen: number
  applications: number
}
export interface AwardRow {
  id: number
  callId: number
  amountFen: number
  community: string
  focus: string | null
  unregisteredGroup: boolean
  releasedFen: number
  returnedFen: number
  milestones: { dueOn: string; reportedOn: string | null }[]
}

export interface Figures {
  calls: {
    id: number
    title: string
    applications: number
    awards: number
    budgetFen: number
    awardedFen: number
    releasedFen: number
    returnedFen: number
  }[]
  applications: number
  awards: number
  budgetFen: number
  awardedFen: number
  releasedFen: number
  returnedFen: number
  byCommunity: { name: string; awards: number; amountFen: number }[]
  byFocus: { focus: string | null; awards: number; amountFen: number }[]
  unregisteredFen: number
  /** Of the awarded money; null when nothing was awarded. */
  unregisteredShare: number | null
  milestones: { due: number; onTime: number; late: number; overdue: number }
}

function group<K extends string | null>(rows: AwardRow[], key: (r: AwardRow) => K) {
  const by = new Map<K, { awards: number; amountFen: number }>()
  for (const r of rows) {
    const g = by.get(key(r)) ?? { awards: 0, amountFen: 0 }
    g.awards++
    g.amountFen += r.amountFen
    by.set(key(r), g)
  }
  return [...by].sort(([a, x], [b, y]) => y.amountFen - x.amountFen || String(a).localeCompare(String(b)))
}

/** Pure. `today` decides which milestones are due: on time (approved report sent by the date), late, or overdue. */
export function figures(calls: CallRow[], awards: AwardRow[], today: string): Figures {
  const sum = (rows: AwardRow[], k: 'amountFen' | 'releasedFen' | 'returnedFen') => rows.reduce((s, r) => s + r[k], 0)
  const milestones = { due: 0, onTime: 0, late: 0, overdue: 0 }
  for (const m of awards.flatMap((a) => a.milestones)) {
    if (m.reportedOn === null && m.dueOn >= today) continue
    milestones.due++
    if (m.reportedOn === null) milestones.overdue++
    else if (m.reportedOn <= m.dueOn) milestones.onTime++
    else milestones.late++
  }
  const awardedFen = sum(awards, 'amountFen')
  const unregisteredFen = sum(
    awards.filter((a) => a.unregisteredGroup),
    'amountFen',
  )
  return {
    calls: calls.map((c) => {
      const mine = awards.filter((a) => a.callId === c.id)
      return {
        id: c.id,
        title: c.title,
        applications: c.applications,
        awards: mine.length,
        budgetFen: c.budgetFen,
        awardedFen: sum(mine, 'amountFen'),
        releasedFen: sum(mine, 'releasedFen'),
        returnedFen: sum(mine, 'returnedFen'),
      }
    }),
    applications: calls.reduce((s, c) => s + c.applications, 0),
    awards: awards.length,
    budgetFen: calls.reduce((s, c) => s + c.budgetFen, 0),
    awardedFen,
    releasedFen: sum(awards, 'releasedFen'),
    returnedFen: sum(awards, 'returnedFen'),
    byCommunity: group(awards, (a) => a.community).map(([name, g]) => ({ name, ...g })),
    byFocus: group(awards, (a) => a.focus).map(([focus, g]) => ({ focus, ...g })),
    unregisteredFen,
    unregisteredShare: awardedFen ? unregisteredFen / awardedFen : null,
    milestones,
  }
}

export interface Scope {
  call?: number
  from: string
  to: string
}

/** The calls this user runs, in the scope asked for. */
export function callsFor(db: Db, user: CurrentUser, scope: Scope) {
  return db
    .select()
    .from(fundCalls)
    .where(
      and(
        scope.call ? eq(fundCalls.id, scope.call) : undefined,
        sql`${fundCalls.applicationsClose} >= ${scope.from}`,
        sql`${fundCalls.applicationsClose} <= ${scope.to}`,
      ),
    )
    .orderBy(fundCalls.applicationsClose, fundCalls.id)
    .all()
    .filter((c) => runsCall(db, user, c))
}

/** Every call this user runs, for the form's choice. */
export const callOptions = (db: Db, user: CurrentUser) =>
  db
    .select({ id: fundCalls.id, title: fundCalls.title, holderOrgId: fundCalls.holderOrgId })
    .from(fundCalls)
    .orderBy(fundCalls.id)
    .all()
    .filter((c) => runsCall(db, user, c))

/** Loads the rows of the calls in scope and computes the figures. */
export function build(db: Db, user: CurrentUser, scope: Scope, now = new Date()): Figures {
  const calls = callsFor(db, user, scope)
  const ids = calls.map((c) => c.id)
  if (!ids.length) return figures([], [], localToday(now))
  const applications = new Map(
    db
      .select({ callId: fundApplications.callId, n: sql<number>`count(*)` })
      .from(fundApplications)
      .where(and(inArray(fundApplications.callId, ids), eq(fundApplications.status, 'submitted')))
      .groupBy(fundApplications.callId)
      .all()
      .map((r) => [r.callId, r.n]),
  )
  const awards = db
    .select({
      id: fundAwards.id,
      callId: fundAwards.callId,
      applicationId: fundAwards.applicationId,
      amountFen: fundAwards.amountFen,
      community: areas.name,
      focus: organizations.focus,
      kind: organizations.kind,
      registered: organizations.registered,
    })
    .from(fundAwards)
    .innerJoin(organizations, eq(organizations.id, fundAwards.orgId))
    .innerJoin(areas, eq(areas.id, organizations.areaId))
    .where(inArray(fundAwards.callId, ids))
    .all()
  const awardIds = awards.map((a) => a.id)
  const released = awardIds.length
    ? db
        .select({ awardId: fundReleases.awardId, fen: sql<number>`sum(${fundReleases.amountFen})` })
        .from(fundReleases)
        .where(inArray(fundReleases.awardId, awardIds))
        .groupBy(fundReleases.awardId)
        .all()
    : []
  const approved = awardIds.length
    ? db
        .select({
          awardId: fundReports.awardId,
          milestoneId: fundReports.milestoneId,
          submittedAt: fundReports.submittedAt,
          returnedFen: fundReports.returnedFen,
        })
        .from(fundReports)
        .where(and(inArray(fundReports.awardId, awardIds), eq(fundReports.state, 'approved')))
        .all()
    : []
  const milestones = awards.length
    ? db
        .select()
        .from(fundMilestones)
        .where(
          inArray(
            fundMilestones.applicationId,
            awards.map((a) => a.applicationId),
          ),
        )
        .all()
    : []
  const rows: AwardRow[] = awards.map((a) => {
    const mine = milestones.filter((m) => m.applicationId === a.applicationId)
    const last = tranches(a.amountFen, mine).find((t) => t.last)?.milestoneId
    const reports = approved.filter((r) => r.awardId === a.id)
    return {
      id: a.id,
      callId: a.callId,
      amountFen: a.amountFen,
      community: a.community,
      focus: a.focus[0] ?? null,
      unregisteredGroup: a.kind === 'community_group' && !a.registered,
      releasedFen: released.find((r) => r.awardId === a.id)?.fen ?? 0,
      returnedFen: reports.filter((r) => r.milestoneId === null).reduce((s, r) => s + r.returnedFen, 0),
      milestones: mine.map((m) => {
        const r = reports.find((x) => (m.id === last ? x.milestoneId === null : x.milestoneId === m.id))
        return { dueOn: m.dueOn, reportedOn: r ? localToday(new Date(r.submittedAt)) : null }
      }),
    }
  })
  return figures(
    calls.map((c) => ({
      id: c.id,
      title: c.title,
      applicationsClose: c.applicationsClose,
      budgetFen: c.budgetFen,
      applications: applications.get(c.id) ?? 0,
    })),
    rows,
    localToday(now),
  )
}

/** May this user see fund reports at all: an admin, a broker, or a leader of an organization holding a call. */
export function mayReport(db: Db, user: CurrentUser): boolean {
  if (user.role === 'admin' || user.role === 'broker') return true
  return (
    user.orgIds.length > 0 &&
    !!db.select({ id: fundCalls.id }).from(fundCalls).where(inArray(fundCalls.holderOrgId, user.orgIds)).limit(1).get()
  )
}
