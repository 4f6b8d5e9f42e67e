/**
 * An award's delivery as those it concerns see it: the scoped lookup (who this user is to the award), the tranche
 * schedule with where each milestone stands, the award's page, and the late awards a broker's desk follows up.
 * Reads only; the reports that move it are reporting.ts's.
 *
 * Rights: those who run the call, the award's group (its leaders, or the broker looking after it) and the group's
 * members see it all; anyone else finds nothing.
 */
import { asc, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import {
  fundApplications,
  fundAwards,
  fundBudgetLines,
  fundMilestones,
  fundReleases,
  fundReportFiles,
  fundReports,
  organizations,
  users,
} from '../db/schema.js'
import { localToday } from '../shared/time.js'
import { actsFor, seesOrg, type CurrentUser } from '../accounts/accounts.js'
import { getCall, runsCall } from './stewards.js'
import { tranches } from './tranches.js'

export type Report = typeof fundReports.$inferSelect

export type Access = 'steward' | 'group' | 'member'

/** Scoped lookup: the award with who this user is to it, or undefined when they may not see it. */
export function findVisible(db: Db, user: CurrentUser | null, awardId: number) {
  if (!user) return undefined
  const award = db.select().from(fundAwards).where(eq(fundAwards.id, awardId)).get()
  if (!award) return undefined
  const call = getCall(db, award.callId)!
  const access: Access | undefined = runsCall(db, user, call)
    ? 'steward'
    : actsFor(user, award.orgId)
      ? 'group'
      : seesOrg(user, award.orgId)
        ? 'member'
        : undefined
  return access ? { award, call, access } : undefined
}

function milestonesOf(db: Db, applicationId: number) {
  return db
    .select()
    .from(fundMilestones)
    .where(eq(fundMilestones.applicationId, applicationId))
    .orderBy(asc(fundMilestones.position), asc(fundMilestones.id))
    .all()
}

export function linesOf(db: Db, applicationId: number) {
  return db
    .select()
    .from(fundBudgetLines)
    .where(eq(fundBudgetLines.applicationId, applicationId))
    .orderBy(asc(fundBudgetLines.position))
    .all()
}

export function reportsOf(db: Db, awardId: number) {
  return db.select().from(fundReports).where(eq(fundReports.awardId, awardId)).orderBy(asc(fundReports.id)).all()
}

/** The tranche schedule with where each milestone stands today: released, waiting for a decision, more asked, late, or due. */
export function schedule(db: Db, award: typeof fundAwards.$inferSelect, now = new Date()) {
  const milestones = milestonesOf(db, award.applicationId)
  const plan = tranches(award.amountFen, milestones)
  const released = db.select().from(fundReleases).where(eq(fundReleases.awardId, award.id)).all()
  const reports = reportsOf(db, award.id)
  const today = localToday(now)
  return milestones.map((m) => {
    const t = plan.find((p) => p.milestoneId === m.id)!
    // The last milestone is reported by the close-out.
    const own = reports.filter((r) => (t.last ? r.milestoneId === null : r.milestoneId === m.id))
    const latest = own.at(-1)
    const release = released.find((r) => r.milestoneId === m.id)
    const approved = own.some((r) => r.state === 'approved')
    const state = approved
      ? 'approved'
      : latest?.state === 'submitted'
        ? 'submitted'
        : latest?.state === 'more_asked'
          ? 'more_asked'
          : m.dueOn < today
            ? 'late'
            : 'due'
    return {
      ...m,
      trancheFen: t.amountFen,
      last: t.last,
      releasedFen: release?.amountFen ?? 0,
      releasedAt: release?.releasedAt ?? null,
      state,
      late: !approved && m.dueOn < today,
    }
  })
}

/** Scoped lookup of a report's file: who sees the award sees its files. */
export function findFile(db: Db, user: CurrentUser | null, fileId: number) {
  const f = db
    .select({ file: fundReportFiles, awardId: fundReports.awardId })
    .from(fundReportFiles)
    .innerJoin(fundReports, eq(fundReports.id, fundReportFiles.reportId))
    .where(eq(fundReportFiles.id, fileId))
    .get()
  return f && findVisible(db, user, f.awardId) ? f.file : undefined
}

/** Everything the award's page shows. */
export function view(db: Db, found: NonNullable<ReturnType<typeof findVisible>>, now = new Date()) {
  const { award, call } = found
  const application = db.select().from(fundApplications).where(eq(fundApplications.id, award.applicationId)).get()!
  const group = db
    .select({ id: organizations.id, name: organizations.name })
    .from(organizations)
    .where(eq(organizations.id, award.orgId))
    .get()!
  const holder = db
    .select({ name: organizations.name })
    .from(organizations)
    .where(eq(organizations.id, call.holderOrgId))
    .get()!
  const milestones = schedule(db, award, now)
  const lines = linesOf(db, award.applicationId)
  const reports = reportsOf(db, award.id)
  const files = reports.length
    ? db
        .select({
          id: fundReportFiles.id,
          reportId: fundReportFiles.reportId,
          contentType: fundReportFiles.contentType,
          bytes: fundReportFiles.bytes,
          originalName: fundReportFiles.originalName,
        })
        .from(fundReportFiles)
        .where(
          inArray(
            fundReportFiles.reportId,
            reports.map((r) => r.id),
          ),
        )
        .orderBy(asc(fundReportFiles.id))
        .all()
    : []
  const names = new Map(
    db
      .select({ id: users.id, name: users.name })
      .from(users)
      .where(
        inArray(
          users.id,
          [...new Set(reports.flatMap((r) => [r.submittedBy, r.decidedBy ?? r.submittedBy]))].concat([0]),
        ),
      )
      .all()
      .map((u) => [u.id, u.name]),
  )
  const releasedFen = milestones.reduce((s, m) => s + m.releasedFen, 0)
  const closeout = reports.filter((r) => r.milestoneId === null && r.state === 'approved').at(-1)
  return {
    award,
    call,
    application,
    group,
    holder: holder.name,
    milestones,
    lines,
    releasedFen,
    remainingFen: award.amountFen - releasedFen,
    closeout,
    late: milestones.filter((m) => m.late),
    reports: reports
      .map((r) => ({
        ...r,
        milestone: r.milestoneId === null ? undefined : milestones.find((m) => m.id === r.milestoneId),
        submittedByName: names.get(r.submittedBy),
        decidedByName: r.decidedBy ? names.get(r.decidedBy) : undefined,
        spendingLines: r.spending.map((s) => ({ ...s, item: lines.find((l) => l.id === s.line)?.item ?? '' })),
        files: files.filter((f) => f.reportId === r.id),
      }))
      .reverse(),
    /** What the group may report now: the milestones not yet approved nor waiting, and the close-out once they all are. */
    reportable: milestones.filter(
      (m) => !m.last && (m.state === 'due' || m.state === 'late' || m.state === 'more_asked'),
    ),
    closeoutOpen:
      milestones.every((m) => m.last || m.state === 'approved') &&
      !reports.some((r) => r.milestoneId === null && r.state !== 'more_asked'),
  }
}

/**
 * Awards with a milestone past its date and no approved report, among those this user runs or reports for: the
 * broker's desk lists them so a late group is followed up, not only seen when someone opens its page.
 */
export function lateFor(db: Db, user: CurrentUser, now = new Date()) {
  const today = localToday(now)
  const candidates = db
    .selectDistinct({ id: fundAwards.id })
    .from(fundAwards)
    .innerJoin(fundMilestones, eq(fundMilestones.applicationId, fundAwards.applicationId))
    .where(sql`${fundMilestones.dueOn} < ${today}`)
    .orderBy(asc(fundAwards.id))
    .limit(500)
    .all()
  return candidates.flatMap(({ id }) => {
    const found = findVisible(db, user, id)
    if (!found || found.access === 'member') return []
    const late = schedule(db, found.award, now).filter((m) => m.late)
    if (!late.length) return []
    const a = db
      .select({ title: fundApplications.title, group: organizations.name })
      .from(fundApplications)
      .innerJoin(organizations, eq(organizations.id, fundApplications.orgId))
      .where(eq(fundApplications.id, found.award.applicationId))
      .get()!
    return [
      {
        awardId: id,
        title: a.title,
        group: a.group,
        milestones: late.map((m) => ({ title: m.title, dueOn: m.dueOn })),
      },
    ]
  })
}

export function awardOfReport(db: Db, reportId: number): number | undefined {
  return db.select({ awardId: fundReports.awardId }).from(fundReports).where(eq(fundReports.id, reportId)).get()
    ?.awardId
}
