/**
 * A group's community fund awards as its capacity record counts them: what was awarded and released, residents
 * reached, and whether it closed out on time (the close-out report that was approved was sent by the last milestone's
 * date). Read-only, for src/capacity; the whole story is on the award's page.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { fundAwards, fundCalls, fundDecisions, fundMilestones, fundReleases, fundReports } from '../db/schema.js'
import { localToday } from '../shared/time.js'

export interface Grant {
  awardId: number
  call: string
  decidedAt: string
  amountFen: number
  releasedFen: number
  residentsReached: number
  closed: boolean
  /** null while not closed out. */
  onTime: boolean | null
}

export function grantsOf(db: Db, orgId: number): Grant[] {
  const awards = db
    .select({
      id: fundAwards.id,
      applicationId: fundAwards.applicationId,
      amountFen: fundAwards.amountFen,
      call: fundCalls.title,
      decidedAt: fundDecisions.decidedAt,
    })
    .from(fundAwards)
    .innerJoin(fundCalls, eq(fundCalls.id, fundAwards.callId))
    .innerJoin(fundDecisions, eq(fundDecisions.id, fundAwards.decisionId))
    .where(eq(fundAwards.orgId, orgId))
    .orderBy(desc(fundDecisions.decidedAt), desc(fundAwards.id))
    .all()
  if (!awards.length) return []
  const ids = awards.map((a) => a.id)
  const released = new Map(
    db
      .select({ awardId: fundReleases.awardId, fen: sql<number>`sum(${fundReleases.amountFen})` })
      .from(fundReleases)
      .where(inArray(fundReleases.awardId, ids))
      .groupBy(fundReleases.awardId)
      .all()
      .map((r) => [r.awardId, r.fen]),
  )
  const approved = db
    .select()
    .from(fundReports)
    .where(and(inArray(fundReports.awardId, ids), eq(fundReports.state, 'approved')))
    .orderBy(asc(fundReports.id))
    .all()
  const lastDue = new Map(
    db
      .select({ applicationId: fundMilestones.applicationId, due: sql<string>`max(${fundMilestones.dueOn})` })
      .from(fundMilestones)
      .where(
        inArray(
          fundMilestones.applicationId,
          awards.map((a) => a.applicationId),
        ),
      )
      .groupBy(fundMilestones.applicationId)
      .all()
      .map((m) => [m.applicationId, m.due]),
  )
  return awards.map((a) => {
    const mine = approved.filter((r) => r.awardId === a.id)
    const closeout = mine.find((r) => r.milestoneId === null)
    const latest = closeout ?? mine.at(-1)
    const due = lastDue.get(a.applicationId)
    return {
      awardId: a.id,
      call: a.call,
      decidedAt: a.decidedAt,
      amountFen: a.amountFen,
      releasedFen: released.get(a.id) ?? 0,
      residentsReached: latest?.residentsReached ?? 0,
      closed: !!closeout,
      onTime: closeout ? !!due && localToday(new Date(closeout.submittedAt)) <= due : null,
    }
  })
}
