/**
 * Capacity-building projects: a cohort of groups in a street or community over a period, and what it shows a
 * funder — the cohort's baseline against its endline (cohort.ts) and the assets the groups gained meanwhile.
 *
 * Who sees what: the brokers covering the project's area and admins run it and see every group's line; a
 * street office (or residents' committee) reporting on the area sees the cohort's figures and only the lines of
 * groups whose leader consented; a leader of a group in the cohort sees the figures and the group's own line.
 *
 * Here: that scoped lookup, the list, and running a project (its cohort, a group's consent). The report itself is
 * project-report.ts's.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import { areas, organizations, projectGroups, projects } from '../db/schema.js'
import { NotFound, NotPermitted, StaleEdit, ValidationError, type FieldErrors } from '../shared/errors.js'
import { isCalendarDate } from '../shared/time.js'
import * as events from '../events/events.js'
import * as coverage from '../areas/coverage.js'
import * as areaService from '../areas/areas.js'
import { reportableAreas } from '../reports/reports.js'
import type { CurrentUser } from '../accounts/accounts.js'

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
