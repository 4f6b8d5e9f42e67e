/**
 * Delivering an award: the group's leader reports each milestone — what was done, residents reached, spending per
 * budget line, evidence files — and whoever runs the call approves it, which releases that milestone's tranche in the
 * same transaction, or asks for more (the leader then reports again). The close-out report (结项, no milestone) comes
 * after every other milestone is approved; approving it releases the last tranche and, once every award of the call is
 * closed out, closes the call.
 *
 * Rights: the award's group (its leaders, or the broker looking after it) reports; those who run the call decide;
 * the group's members and those who run the call see it all; anyone else finds nothing.
 */
import { and, asc, count, eq, inArray, isNull, sql } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import {
  fundApplications,
  fundAwards,
  fundBudgetLines,
  fundCalls,
  fundMilestones,
  fundReleases,
  fundReportFiles,
  fundReports,
  organizations,
  users,
} from '../db/schema.js'
import { InvalidTransition, NotFound, NotPermitted, ValidationError, type FieldErrors } from '../shared/errors.js'
import { localToday } from '../shared/time.js'
import * as events from '../events/events.js'
import * as orgs from '../orgs/orgs.js'
import { notify } from '../notifications/notifications.js'
import { actsFor, seesOrg, type CurrentUser } from '../accounts/accounts.js'
import * as evidence from '../evidence/files.js'
import { getCall, runsCall } from './stewards.js'
import { tranches } from './tranches.js'
import { MAX_FEN } from './money.js'

export type Report = typeof fundReports.$inferSelect
export const DONE_MAX = 4000
export const NOTE_MAX = 2000
export const MAX_RESIDENTS = 1_000_000
export const MAX_FILES_PER_REPORT = 10

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

function linesOf(db: Db, applicationId: number) {
  return db
    .select()
    .from(fundBudgetLines)
    .where(eq(fundBudgetLines.applicationId, applicationId))
    .orderBy(asc(fundBudgetLines.position))
    .all()
}

function reportsOf(db: Db, awardId: number) {
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

export interface ReportInput {
  /** Undefined: the close-out report. */
  milestoneId?: number
  done: string
  residentsReached: number
  /** Spent so far per budget line id, in fen. */
  spending: Record<number, number>
  returnedFen?: number
}

function checkInput(lines: { id: number }[], input: ReportInput, closeout: boolean, awardFen: number): FieldErrors {
  const problems: FieldErrors = {}
  const done = input.done.trim()
  if (!done) problems.done = { key: 'validation.required' }
  else if (done.length > DONE_MAX) problems.done = { key: 'validation.too_long', params: { limit: DONE_MAX } }
  if (!Number.isInteger(input.residentsReached) || input.residentsReached < 0 || input.residentsReached > MAX_RESIDENTS)
    problems.residentsReached = { key: 'validation.too_large', params: { limit: MAX_RESIDENTS } }
  for (const [line, fen] of Object.entries(input.spending)) {
    if (!lines.some((l) => l.id === Number(line))) problems[`spent_${line}`] = { key: 'validation.choose' }
    else if (!Number.isInteger(fen) || fen < 0 || fen > MAX_FEN)
      problems[`spent_${line}`] = { key: 'fundwork.validation.money' }
  }
  const returned = input.returnedFen ?? 0
  if (returned && !closeout) problems.returnedFen = { key: 'fundwork.validation.returned_closeout' }
  else if (!Number.isInteger(returned) || returned < 0 || returned > awardFen)
    problems.returnedFen = { key: 'fundwork.validation.returned', params: { max: awardFen / 100 } }
  return problems
}

/** The group reports a milestone, or closes out. */
export function submit(db: Db, user: CurrentUser, awardId: number, input: ReportInput, now = new Date()): Report {
  const found = findVisible(db, user, awardId)
  if (!found) throw new NotFound()
  if (!actsFor(user, found.award.orgId)) throw new NotPermitted({ key: 'fundwork.not_group' })
  const { award, call } = found
  const closeout = input.milestoneId === undefined
  const plan = schedule(db, award, now)
  const lines = linesOf(db, award.applicationId)
  const problems = checkInput(lines, input, closeout, award.amountFen)
  let milestone: (typeof plan)[number] | undefined
  if (closeout) {
    if (plan.some((m) => !m.last && m.state !== 'approved'))
      throw new InvalidTransition({ key: 'fundwork.error.milestones_first' })
  } else {
    milestone = plan.find((m) => m.id === input.milestoneId && !m.last)
    if (!milestone) problems.milestoneId = { key: 'validation.choose' }
  }
  if (Object.keys(problems).length) throw new ValidationError(problems)
  const pendingOrDone = reportsOf(db, awardId).filter(
    (r) => (closeout ? r.milestoneId === null : r.milestoneId === input.milestoneId) && r.state !== 'more_asked',
  )
  if (pendingOrDone.some((r) => r.state === 'approved'))
    throw new InvalidTransition({ key: 'fundwork.error.already_approved' })
  if (pendingOrDone.length) throw new InvalidTransition({ key: 'fundwork.error.pending' })
  return writeTx(db, (tx) => {
    // Under the write lock: a second report sent at the same moment finds the first.
    const again = tx
      .select({ n: count() })
      .from(fundReports)
      .where(
        and(
          eq(fundReports.awardId, awardId),
          closeout ? isNull(fundReports.milestoneId) : eq(fundReports.milestoneId, input.milestoneId!),
          sql`${fundReports.state} <> 'more_asked'`,
        ),
      )
      .get()!.n
    if (again) throw new InvalidTransition({ key: 'fundwork.error.pending' })
    const at = now.toISOString()
    const row = tx
      .insert(fundReports)
      .values({
        awardId,
        milestoneId: input.milestoneId ?? null,
        done: input.done.trim(),
        residentsReached: input.residentsReached,
        spending: lines
          .filter((l) => input.spending[l.id] !== undefined)
          .map((l) => ({ line: l.id, spentFen: input.spending[l.id] })),
        returnedFen: input.returnedFen ?? 0,
        submittedBy: user.id,
        submittedAt: at,
      })
      .returning()
      .get()
    events.record(
      tx,
      {
        actorId: user.id,
        action: closeout ? 'fund.closeout_submitted' : 'fund.report_submitted',
        subjectType: 'fund_award',
        subjectId: awardId,
        data: { report: row.id, milestone: row.milestoneId },
      },
      now,
    )
    const group = tx
      .select({ name: organizations.name })
      .from(organizations)
      .where(eq(organizations.id, award.orgId))
      .get()!
    notify(
      tx,
      orgs.leaders(tx, call.holderOrgId).map((u) => u.id),
      {
        kind: 'fund.report_submitted',
        params: { org: group.name, call: call.title },
        link: `/awards/${awardId}#report-${row.id}`,
      },
      now,
    )
    return row
  })
}

/** Evidence on a report not yet decided: the capacity evidence's checks and folder, all files or none. */
export function addFiles(
  db: Db,
  dir: string,
  user: CurrentUser,
  reportId: number,
  files: evidence.IncomingFile[],
  opts: { tooMany?: boolean } = {},
  now = new Date(),
) {
  const report = db.select().from(fundReports).where(eq(fundReports.id, reportId)).get()
  const found = report && findVisible(db, user, report.awardId)
  if (!report || !found) throw new NotFound()
  if (!actsFor(user, found.award.orgId)) throw new NotPermitted({ key: 'fundwork.not_group' })
  if (report.state !== 'submitted') throw new InvalidTransition({ key: 'fundwork.error.decided' })
  const countOf = (tx: Db) =>
    tx.select({ n: count() }).from(fundReportFiles).where(eq(fundReportFiles.reportId, reportId)).get()!.n
  const problems = evidence.problemsWith(files, countOf(db), opts.tooMany === true, MAX_FILES_PER_REPORT)
  if (problems.length) evidence.refuse(problems)
  return evidence.keepFiles(dir, files, (stored) =>
    writeTx(db, (tx) => {
      const already = countOf(tx)
      if (already + stored.length > MAX_FILES_PER_REPORT)
        evidence.refuse([
          {
            key: 'evidence.error.too_many',
            params: { limit: MAX_FILES_PER_REPORT, left: Math.max(0, MAX_FILES_PER_REPORT - already) },
          },
        ])
      const kept = tx
        .insert(fundReportFiles)
        .values(stored.map((f) => ({ ...f, reportId, uploadedBy: user.id, createdAt: now.toISOString() })))
        .returning()
        .all()
      for (const f of kept)
        events.record(
          tx,
          {
            actorId: user.id,
            action: 'fund.report_file_added',
            subjectType: 'fund_award',
            subjectId: report.awardId,
            data: { report: reportId, file: f.id, sha256: f.sha256, bytes: f.bytes },
          },
          now,
        )
      return kept
    }),
  )
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

export type Decision = { approve: true } | { approve: false; note: string }

/** Whoever runs the call approves a report (its tranche released in the same transaction) or asks for more. */
export function decide(db: Db, user: CurrentUser, reportId: number, decision: Decision, now = new Date()) {
  const report = db.select().from(fundReports).where(eq(fundReports.id, reportId)).get()
  const found = report && findVisible(db, user, report.awardId)
  if (!report || !found) throw new NotFound()
  if (found.access !== 'steward') throw new NotPermitted({ key: 'fundwork.not_permitted' })
  const note = decision.approve ? '' : decision.note.trim()
  if (!decision.approve && !note) throw new ValidationError({ note: { key: 'fundwork.validation.note' } })
  if (note.length > NOTE_MAX)
    throw new ValidationError({ note: { key: 'validation.too_long', params: { limit: NOTE_MAX } } })
  if (report.state !== 'submitted') throw new InvalidTransition({ key: 'fundwork.error.decided' })
  const { award, call } = found
  const plan = schedule(db, award, now)
  const milestone =
    report.milestoneId === null ? plan.find((m) => m.last) : plan.find((m) => m.id === report.milestoneId)
  return writeTx(db, (tx) => {
    const at = now.toISOString()
    const row = tx
      .update(fundReports)
      .set({ state: decision.approve ? 'approved' : 'more_asked', reviewNote: note, decidedBy: user.id, decidedAt: at })
      .where(and(eq(fundReports.id, reportId), eq(fundReports.state, 'submitted')))
      .returning()
      .get()
    if (!row) throw new InvalidTransition({ key: 'fundwork.error.decided' })
    const group = tx
      .select({ name: organizations.name })
      .from(organizations)
      .where(eq(organizations.id, award.orgId))
      .get()!
    const leaders = orgs.leaders(tx, award.orgId).map((u) => u.id)
    if (!decision.approve) {
      events.record(
        tx,
        {
          actorId: user.id,
          action: 'fund.report_more_asked',
          subjectType: 'fund_award',
          subjectId: award.id,
          data: { report: reportId },
        },
        now,
      )
      notify(
        tx,
        leaders,
        { kind: 'fund.more_asked', params: { call: call.title }, link: `/awards/${award.id}#report-${reportId}` },
        now,
      )
      return { report: row, releasedFen: 0 }
    }
    events.record(
      tx,
      {
        actorId: user.id,
        action: report.milestoneId === null ? 'fund.closeout_approved' : 'fund.report_approved',
        subjectType: 'fund_award',
        subjectId: award.id,
        data: { report: reportId },
      },
      now,
    )
    let releasedFen = 0
    if (milestone && milestone.trancheFen > 0 && milestone.releasedFen === 0) {
      const release = tx
        .insert(fundReleases)
        .values({
          awardId: award.id,
          milestoneId: milestone.id,
          reportId,
          amountFen: milestone.trancheFen,
          releasedBy: user.id,
          releasedAt: at,
        })
        .returning()
        .get()
      releasedFen = release.amountFen
      events.record(
        tx,
        {
          actorId: user.id,
          action: 'fund.released',
          subjectType: 'fund_award',
          subjectId: award.id,
          data: { release: release.id, milestone: milestone.id, amount_fen: release.amountFen },
        },
        now,
      )
    }
    if (report.milestoneId === null) {
      const open = tx
        .select({ n: count() })
        .from(fundAwards)
        .where(
          and(
            eq(fundAwards.callId, call.id),
            sql`NOT EXISTS (SELECT 1 FROM ${fundReports}
        WHERE ${fundReports.awardId} = ${fundAwards.id} AND ${fundReports.milestoneId} IS NULL AND ${fundReports.state} = 'approved')`,
          ),
        )
        .get()!.n
      if (open === 0) {
        tx.update(fundCalls)
          .set({ closedAt: at, updatedAt: at })
          .where(and(eq(fundCalls.id, call.id), isNull(fundCalls.closedAt)))
          .run()
        events.record(
          tx,
          { actorId: user.id, action: 'fund.call_closed', subjectType: 'fund_call', subjectId: call.id },
          now,
        )
      }
    }
    notify(
      tx,
      leaders,
      {
        kind: 'fund.report_approved',
        params: { call: call.title, org: group.name },
        link: `/awards/${award.id}#report-${reportId}`,
      },
      now,
    )
    return { report: row, releasedFen }
  })
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
