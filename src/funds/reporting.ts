/**
 * Reporting on an award: the group's leader reports each milestone — what was done, residents reached, spending per
 * budget line, evidence files — and whoever runs the call approves it, which releases that milestone's tranche in the
 * same transaction, or asks for more (the leader then reports again). The close-out report (结项, no milestone) comes
 * after every other milestone is approved; approving it releases the last tranche and, once every award of the call is
 * closed out, closes the call.
 *
 * Rights: the award's group (its leaders, or the broker looking after it) reports; those who run the call decide.
 * Who sees what is delivery.ts's scoped lookup.
 */
import { and, count, eq, isNull, sql } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import { fundAwards, fundCalls, fundReleases, fundReportFiles, fundReports, organizations } from '../db/schema.js'
import { InvalidTransition, NotFound, NotPermitted, ValidationError, type FieldErrors } from '../shared/errors.js'
import * as events from '../events/events.js'
import * as orgs from '../orgs/orgs.js'
import { notify } from '../notifications/notifications.js'
import { actsFor, type CurrentUser } from '../accounts/accounts.js'
import * as evidence from '../evidence/files.js'
import { MAX_FEN } from './money.js'
import { findVisible, linesOf, reportsOf, schedule, type Report } from './delivery.js'

export const DONE_MAX = 4000
export const NOTE_MAX = 2000
export const MAX_RESIDENTS = 1_000_000
export const MAX_FILES_PER_REPORT = 10

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
