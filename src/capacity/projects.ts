/**
 * Capacity-building projects: a cohort of groups in a street or community over a period, and what it shows a
 * funder — the cohort's baseline against its endline (cohort.ts) and the assets the groups gained meanwhile.
 *
 * Who sees what: the brokers covering the project's area and admins run it and see every group's line; a
 * street office (or residents' committee) reporting on the area sees the cohort's figures and only the lines of
 * groups whose leader consented; a leader of a group in the cohort sees the figures and the group's own line.
 */
import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
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
  projects,
  tasks,
} from '../db/schema.js'
import { NotFound, NotPermitted, StaleEdit, ValidationError, type FieldErrors } from '../shared/errors.js'
import { isCalendarDate, localDayStart } from '../shared/time.js'
import * as events from '../events/events.js'
import * as coverage from '../areas/coverage.js'
import * as areaService from '../areas/areas.js'
import { reportableAreas } from '../reports/reports.js'
import type { CurrentUser } from '../accounts/accounts.js'
import { cohortReport, type CohortMember, type CohortReport, type DatedAssessment } from './cohort.js'
import type { IndicatorCode, Scores } from './indicators.js'

export type Project = typeof projects.$inferSelect
export type Access = 'full' | 'aggregate' | 'own'
export const NAME_MAX = 120
export const FUNDER_MAX = 120
export const DESCRIPTION_MAX = 2000
export const COHORT_MAX = 500

export interface ProjectInput {
  name: string
  funder?: string
  areaId: number
  startsOn: string
  endsOn: string
  description?: string
  orgIds: number[]
}

/** A broker covering the area, or an admin, runs a project there. */
export function canManage(db: Db, user: CurrentUser | null, areaId: number): boolean {
  return !!user && (user.role === 'admin' || coverage.brokerCovers(db, user, areaId))
}

function accessTo(db: Db, user: CurrentUser | null, p: Project): Access | undefined {
  if (!user) return undefined
  if (canManage(db, user, p.areaId)) return 'full'
  if (reportableAreas(db, user).some((a) => a.id === p.areaId)) return 'aggregate'
  if (
    user.orgIds.length &&
    db
      .select({ orgId: projectGroups.orgId })
      .from(projectGroups)
      .where(and(eq(projectGroups.projectId, p.id), inArray(projectGroups.orgId, user.orgIds)))
      .get()
  )
    return 'own'
  return undefined
}

/** Scoped lookup: the project and what this user may see of it, or undefined (a 404 for them). */
export function findVisible(
  db: Db,
  user: CurrentUser | null,
  id: number,
): { project: Project; access: Access } | undefined {
  const project = db.select().from(projects).where(eq(projects.id, id)).get()
  if (!project) return undefined
  const access = accessTo(db, user, project)
  return access ? { project, access } : undefined
}

/** The projects this user may see, newest period first. */
export function list(db: Db, user: CurrentUser) {
  const rows = db
    .select({
      project: projects,
      areaName: areas.name,
      areaNameEn: areas.nameEn,
      cohort: sql<number>`(SELECT count(*) FROM ${projectGroups} WHERE ${projectGroups.projectId} = ${projects.id} AND ${projectGroups.leftOn} IS NULL)`,
    })
    .from(projects)
    .innerJoin(areas, eq(areas.id, projects.areaId))
    .orderBy(sql`${projects.startsOn} DESC`, sql`${projects.id} DESC`)
    .all()
  return rows
    .filter((r) => accessTo(db, user, r.project))
    .map((r) => ({ ...r.project, areaName: r.areaName, areaNameEn: r.areaNameEn, cohort: r.cohort }))
}

function problemsWith(db: Db, input: ProjectInput): FieldErrors {
  const problems: FieldErrors = {}
  const name = input.name?.trim() ?? ''
  if (name.length < 2) problems.name = { key: 'validation.required' }
  else if (name.length > NAME_MAX) problems.name = { key: 'validation.too_long', params: { limit: NAME_MAX } }
  if ((input.funder ?? '').length > FUNDER_MAX)
    problems.funder = { key: 'validation.too_long', params: { limit: FUNDER_MAX } }
  if ((input.description ?? '').length > DESCRIPTION_MAX)
    problems.description = { key: 'validation.too_long', params: { limit: DESCRIPTION_MAX } }
  if (!isCalendarDate(input.startsOn)) problems.startsOn = { key: 'validation.date' }
  if (!isCalendarDate(input.endsOn)) problems.endsOn = { key: 'validation.date' }
  else if (isCalendarDate(input.startsOn) && input.endsOn < input.startsOn)
    problems.endsOn = { key: 'projects.validation.ends_before' }
  const area = areaService.get(db, input.areaId)
  if (!area) problems.areaId = { key: 'validation.area_missing' }
  const ids = [...new Set(input.orgIds)]
  if (ids.length > COHORT_MAX) problems.orgIds = { key: 'projects.validation.too_many', params: { limit: COHORT_MAX } }
  else if (area && ids.length) {
    const inside = db
      .select({ id: organizations.id })
      .from(organizations)
      .innerJoin(areas, eq(areas.id, organizations.areaId))
      .where(and(inArray(organizations.id, ids), sql`${areas.path} LIKE ${area.path + '%'}`))
      .all()
    if (inside.length !== ids.length) problems.orgIds = { key: 'projects.validation.outside' }
  }
  return problems
}

export function create(db: Db, user: CurrentUser, input: ProjectInput, now = new Date()): Project {
  const problems = problemsWith(db, input)
  if (Object.keys(problems).length) throw new ValidationError(problems)
  if (!canManage(db, user, input.areaId)) throw new NotPermitted({ key: 'projects.not_permitted' })
  return writeTx(db, (tx) => {
    const at = now.toISOString()
    const p = tx
      .insert(projects)
      .values({
        name: input.name.trim(),
        funder: (input.funder ?? '').trim(),
        areaId: input.areaId,
        startsOn: input.startsOn,
        endsOn: input.endsOn,
        description: input.description ?? '',
        createdBy: user.id,
        createdAt: at,
        updatedAt: at,
      })
      .returning()
      .get()
    const ids = [...new Set(input.orgIds)]
    if (ids.length)
      tx.insert(projectGroups)
        .values(ids.map((orgId) => ({ projectId: p.id, orgId, joinedOn: input.startsOn })))
        .run()
    events.record(
      tx,
      { actorId: user.id, action: 'project.created', subjectType: 'project', subjectId: p.id, data: { orgIds: ids } },
      now,
    )
    return p
  })
}

function managed(db: Db, user: CurrentUser, id: number): Project {
  const found = findVisible(db, user, id)
  if (!found) throw new NotFound()
  if (found.access !== 'full') throw new NotPermitted({ key: 'projects.not_permitted' })
  return found.project
}

/** A group joins the cohort (again, if it had left). */
export function addGroup(db: Db, user: CurrentUser, id: number, orgId: number, version: number, now = new Date()) {
  const p = managed(db, user, id)
  const problems = problemsWith(db, { ...p, orgIds: [orgId] })
  if (problems.orgIds) throw new ValidationError({ orgId: problems.orgIds })
  writeTx(db, (tx) => {
    bump(tx, p.id, version, now)
    tx.insert(projectGroups)
      .values({ projectId: p.id, orgId, joinedOn: now.toISOString().slice(0, 10) })
      .onConflictDoUpdate({ target: [projectGroups.projectId, projectGroups.orgId], set: { leftOn: null } })
      .run()
    events.record(
      tx,
      { actorId: user.id, action: 'project.group_added', subjectType: 'project', subjectId: p.id, data: { orgId } },
      now,
    )
  })
}

/** A group leaves: it stays listed, apart, and counts in no figure. */
export function removeGroup(db: Db, user: CurrentUser, id: number, orgId: number, version: number, now = new Date()) {
  const p = managed(db, user, id)
  writeTx(db, (tx) => {
    bump(tx, p.id, version, now)
    const changed = tx
      .update(projectGroups)
      .set({ leftOn: now.toISOString().slice(0, 10) })
      .where(
        and(eq(projectGroups.projectId, p.id), eq(projectGroups.orgId, orgId), sql`${projectGroups.leftOn} IS NULL`),
      )
      .run().changes
    if (!changed) throw new NotFound()
    events.record(
      tx,
      { actorId: user.id, action: 'project.group_left', subjectType: 'project', subjectId: p.id, data: { orgId } },
      now,
    )
  })
}

function bump(tx: Db, id: number, version: number, now: Date) {
  const changed = tx
    .update(projects)
    .set({ version: sql`${projects.version} + 1`, updatedAt: now.toISOString() })
    .where(and(eq(projects.id, id), eq(projects.version, version)))
    .run().changes
  if (!changed) throw new StaleEdit()
}

/** A leader of the group gives (or takes back) consent for the street office to see the group's own scores. */
export function setConsent(db: Db, user: CurrentUser, id: number, orgId: number, consent: boolean, now = new Date()) {
  if (!findVisible(db, user, id) || !user.orgIds.includes(orgId)) throw new NotFound()
  writeTx(db, (tx) => {
    const changed = tx
      .update(projectGroups)
      .set(consent ? { consentAt: now.toISOString(), consentBy: user.id } : { consentAt: null, consentBy: null })
      .where(and(eq(projectGroups.projectId, id), eq(projectGroups.orgId, orgId)))
      .run().changes
    if (!changed) throw new NotFound()
    events.record(
      tx,
      {
        actorId: user.id,
        action: consent ? 'project.consent_given' : 'project.consent_withdrawn',
        subjectType: 'project',
        subjectId: id,
        data: { orgId },
      },
      now,
    )
  })
}

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

/** Groups a manager may add: those in the project's area not already in the cohort. */
export function candidates(db: Db, p: Project) {
  const area = areaService.get(db, p.areaId)!
  return db
    .select({ id: organizations.id, name: organizations.name })
    .from(organizations)
    .innerJoin(areas, eq(areas.id, organizations.areaId))
    .where(
      and(
        sql`${areas.path} LIKE ${area.path + '%'}`,
        eq(organizations.kind, 'community_group'),
        sql`${organizations.id} NOT IN (SELECT ${projectGroups.orgId} FROM ${projectGroups} WHERE ${projectGroups.projectId} = ${p.id} AND ${projectGroups.leftOn} IS NULL)`,
      ),
    )
    .orderBy(asc(organizations.name))
    .all()
}
