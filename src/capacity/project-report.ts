/**
 * A project's report, what it shows a funder: the cohort's baseline against its endline (cohort.ts), each group's
 * line as far as this user may see it, and the assets the staying groups gained in the period — arrangements
 * delivered, holders newly linked, partnerships, cultivation tasks done, community fund awards and tranches.
 * Who sees which lines is projects.ts's scoped lookup.
 */
import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import {
  areas,
  capacityAssessments,
  capacityScores,
  categories,
  fundAwards,
  fundDecisions,
  fundReleases,
  matches,
  needs,
  offers,
  organizations,
  partnerships,
  projectGroups,
  tasks,
} from '../db/schema.js'
import { localDayStart } from '../shared/time.js'
import type { CurrentUser } from '../accounts/accounts.js'
import { cohortReport, type CohortMember, type CohortReport, type DatedAssessment } from './cohort.js'
import type { IndicatorCode, Scores } from './indicators.js'
import { findVisible, type Access, type Project } from './projects.js'

export interface Assets {
  /** Holders whose first accepted arrangement with a cohort group fell in the period. */
  holdersNewlyLinked: number
  /** Partnerships (a holder and a group working together, see brokering/partnerships.ts) standing at some time in the period. */
  partnerships: number
  delivered: { category: string; unit: string; matches: number; quantity: number }[]
  fundsReceived: number
  volunteerHours: number
  /** Cultivation tasks about the groups completed in the period. */
  tasksDone: number
  /** Community fund awards to the groups decided in the period, and the money released to them in it (tranches, fen). */
  awards: number
  awardReleasedFen: number
}

/** What the cohort's groups gained in the period, from their needs' accepted and delivered arrangements. */
function assets(db: Db, orgIds: number[], p: Project): Assets {
  const none: Assets = {
    holdersNewlyLinked: 0,
    partnerships: 0,
    delivered: [],
    fundsReceived: 0,
    volunteerHours: 0,
    tasksDone: 0,
    awards: 0,
    awardReleasedFen: 0,
  }
  if (!orgIds.length) return none
  const start = localDayStart(p.startsOn)
  const end = new Date(Date.parse(localDayStart(p.endsOn)) + 86_400_000).toISOString()
  const rows = db
    .select({
      needOrg: needs.orgId,
      offerOrg: offers.orgId,
      category: needs.category,
      unit: categories.unit,
      acceptedAt: matches.acceptedAt,
      deliveredAt: matches.deliveredAt,
      quantity: sql<number>`coalesce(${matches.deliveredQuantity}, ${matches.quantity})`,
    })
    .from(matches)
    .innerJoin(needs, eq(needs.id, matches.needId))
    .innerJoin(offers, eq(offers.id, matches.offerId))
    .innerJoin(categories, eq(categories.code, needs.category))
    .where(
      and(
        inArray(needs.orgId, orgIds),
        inArray(matches.state, ['accepted', 'delivered', 'reviewed']),
        lt(matches.acceptedAt, end),
      ),
    )
    .all()
  const inPeriod = (at: string | null) => !!at && at >= start && at < end
  const holders = new Map<number, string>()
  const byCategory = new Map<string, Assets['delivered'][number]>()
  for (const r of rows) {
    const first = holders.get(r.offerOrg)
    if (!first || r.acceptedAt! < first) holders.set(r.offerOrg, r.acceptedAt!)
    if (inPeriod(r.deliveredAt)) {
      const c = byCategory.get(r.category) ?? { category: r.category, unit: r.unit, matches: 0, quantity: 0 }
      c.matches++
      c.quantity += r.quantity
      byCategory.set(r.category, c)
    }
  }
  const delivered = [...byCategory.values()].sort((a, b) => a.category.localeCompare(b.category))
  const sum = (code: string) => byCategory.get(code)?.quantity ?? 0
  return {
    holdersNewlyLinked: [...holders.values()].filter((first) => inPeriod(first)).length,
    partnerships: db
      .select({ n: sql<number>`count(*)` })
      .from(partnerships)
      .where(
        and(
          inArray(partnerships.groupOrgId, orgIds),
          lt(partnerships.startedAt, end),
          sql`(${partnerships.endedAt} IS NULL OR ${partnerships.endedAt} >= ${start})`,
        ),
      )
      .get()!.n,
    delivered,
    fundsReceived: sum('funds'),
    volunteerHours: sum('volunteers'),
    tasksDone: db
      .select({ n: sql<number>`count(*)` })
      .from(tasks)
      .where(
        and(
          inArray(tasks.orgId, orgIds),
          sql`${tasks.status} = 'done'`,
          sql`${tasks.closedAt} >= ${start}`,
          lt(tasks.closedAt, end),
        ),
      )
      .get()!.n,
    ...grants(db, orgIds, start, end),
  }
}

/** The groups' community fund awards decided in [start, end) and the tranches released to them in it. */
function grants(db: Db, orgIds: number[], start: string, end: string) {
  const awards = db
    .select({ n: sql<number>`count(*)` })
    .from(fundAwards)
    .innerJoin(fundDecisions, eq(fundDecisions.id, fundAwards.decisionId))
    .where(
      and(
        inArray(fundAwards.orgId, orgIds),
        sql`${fundDecisions.decidedAt} >= ${start}`,
        lt(fundDecisions.decidedAt, end),
      ),
    )
    .get()!.n
  const released = db
    .select({ fen: sql<number>`coalesce(sum(${fundReleases.amountFen}), 0)` })
    .from(fundReleases)
    .innerJoin(fundAwards, eq(fundAwards.id, fundReleases.awardId))
    .where(
      and(
        inArray(fundAwards.orgId, orgIds),
        sql`${fundReleases.releasedAt} >= ${start}`,
        lt(fundReleases.releasedAt, end),
      ),
    )
    .get()!.fen
  return { awards, awardReleasedFen: released }
}

function assessmentsOf(db: Db, orgIds: number[]): Map<number, DatedAssessment[]> {
  const byOrg = new Map<number, DatedAssessment[]>()
  if (!orgIds.length) return byOrg
  const heads = db
    .select({
      id: capacityAssessments.id,
      orgId: capacityAssessments.orgId,
      assessedOn: capacityAssessments.assessedOn,
    })
    .from(capacityAssessments)
    .where(inArray(capacityAssessments.orgId, orgIds))
    .all()
  const scores = heads.length
    ? db
        .select()
        .from(capacityScores)
        .where(
          inArray(
            capacityScores.assessmentId,
            heads.map((h) => h.id),
          ),
        )
        .all()
    : []
  const byId = new Map<number, Scores>()
  for (const s of scores)
    (byId.get(s.assessmentId) ?? byId.set(s.assessmentId, {}).get(s.assessmentId)!)[s.indicator as IndicatorCode] =
      s.score
  for (const h of heads) {
    const list = byOrg.get(h.orgId) ?? []
    list.push({ id: h.id, assessedOn: h.assessedOn, scores: byId.get(h.id) ?? {} })
    byOrg.set(h.orgId, list)
  }
  return byOrg
}

export interface ProjectReport {
  project: Project & { areaName: string; areaNameEn: string | null; areaRef: string | null }
  access: Access
  cohort: CohortReport
  /** Lines this user may see: all for those who run it, consenting groups for a street office, their own for a leader. */
  groups: (CohortReport['members'][number] & { consent: boolean; shown: boolean; mine: boolean })[]
  assets: Assets
}

/** The project page's content for this user, or undefined when they may not see it. */
export function report(db: Db, user: CurrentUser | null, id: number): ProjectReport | undefined {
  const found = findVisible(db, user, id)
  if (!found) return undefined
  const { project: p, access } = found
  const area = db
    .select({ name: areas.name, nameEn: areas.nameEn, ref: areas.ref })
    .from(areas)
    .where(eq(areas.id, p.areaId))
    .get()!
  const members = db
    .select({
      orgId: projectGroups.orgId,
      name: organizations.name,
      leftOn: projectGroups.leftOn,
      consentAt: projectGroups.consentAt,
    })
    .from(projectGroups)
    .innerJoin(organizations, eq(organizations.id, projectGroups.orgId))
    .where(eq(projectGroups.projectId, p.id))
    .orderBy(asc(organizations.name))
    .all()
  const assessed = assessmentsOf(
    db,
    members.map((m) => m.orgId),
  )
  const cohort = cohortReport(
    members.map((m): CohortMember => ({
      orgId: m.orgId,
      name: m.name,
      leftOn: m.leftOn,
      assessments: assessed.get(m.orgId) ?? [],
    })),
    { from: p.startsOn, to: p.endsOn },
  )
  const consent = new Map(members.map((m) => [m.orgId, m.consentAt !== null]))
  const groups = cohort.members.map((line) => {
    const mine = !!user?.orgIds.includes(line.orgId)
    const shown = access === 'full' || mine || (access === 'aggregate' && consent.get(line.orgId)!)
    return { ...line, consent: consent.get(line.orgId)!, shown, mine }
  })
  const staying = members.filter((m) => m.leftOn === null).map((m) => m.orgId)
  return {
    project: { ...p, areaName: area.name, areaNameEn: area.nameEn, areaRef: area.ref },
    access,
    cohort,
    groups,
    assets: assets(db, staying, p),
  }
}
