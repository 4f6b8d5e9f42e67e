/**
 * Cultivation tasks: the social worker's own to-do list, each item born from something the desk, the agenda or
 * an assessment showed — a need no offer can serve, an idle offer, a community with unmet demand in a category,
 * a capacity indicator scored 1 or 2 — so that seeing a gap leads to doing something about it.
 *
 * Rights follow the area: brokers covering the task's area (and admins) see and act on it, whoever owns it; the
 * leaders of the group it is about see it, read-only. Lifecycle: open → in progress → done, or dropped with a
 * reason from any open state; a closed task can be reopened.
 */
import { and, asc, desc, eq, inArray, or, sql } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import {
  areas,
  needs,
  offers,
  organizations,
  taskNotes,
  tasks,
  users,
  TASK_DROP_REASONS,
  TASK_KINDS,
} from '../db/schema.js'
import {
  InvalidTransition,
  NotFound,
  NotPermitted,
  StaleEdit,
  ValidationError,
  type FieldErrors,
} from '../shared/errors.js'
import { addDays, isCalendarDate, localToday } from '../shared/time.js'
import * as events from '../events/events.js'
import * as coverage from '../areas/coverage.js'
import * as areaService from '../areas/areas.js'
import { notify } from '../notifications/notifications.js'
import { brokers } from '../brokering/desk.js'
import { isIndicator } from '../capacity/indicators.js'
import type { CurrentUser } from '../accounts/accounts.js'

export type Task = typeof tasks.$inferSelect
export type Kind = (typeof TASK_KINDS)[number]
export type DropReason = (typeof TASK_DROP_REASONS)[number]
export const EVENTS = ['start', 'complete', 'drop', 'reopen'] as const
export type TaskEvent = (typeof EVENTS)[number]
export const TITLE_MAX = 200
export const NOTE_MAX = 2000
export const OUTCOME_MAX = 500
export const DEFAULT_DUE_DAYS = 14

const MOVES: Record<TaskEvent, { from: Task['status'][]; to: Task['status'] }> = {
  start: { from: ['open'], to: 'in_progress' },
  complete: { from: ['open', 'in_progress'], to: 'done' },
  drop: { from: ['open', 'in_progress'], to: 'dropped' },
  reopen: { from: ['done', 'dropped'], to: 'open' },
}

/** Where the task came from; the service fills in the area, the group and a title from it. */
export interface TaskInput {
  kind: Kind
  title?: string
  areaId?: number
  orgId?: number
  needId?: number
  offerId?: number
  category?: string
  indicator?: string
  ownerId?: number
  dueOn?: string
  note?: string
}

/** Admins and brokers covering the area act on its tasks. */
export function canAct(db: Db, user: CurrentUser | null, areaId: number): boolean {
  return !!user && (user.role === 'admin' || coverage.brokerCovers(db, user, areaId))
}

type Origin = { areaId: number; orgId: number | null; category: string | null; subject: string }

/** The task's area, group, category and a few words naming its subject, from what it came from. */
function originOf(db: Db, input: TaskInput): Origin | FieldErrors {
  if (input.needId) {
    const n = db
      .select({ areaId: needs.areaId, orgId: needs.orgId, category: needs.category, title: needs.title })
      .from(needs)
      .where(eq(needs.id, input.needId))
      .get()
    return n
      ? { areaId: n.areaId, orgId: n.orgId, category: n.category, subject: n.title }
      : { needId: { key: 'validation.invalid' } }
  }
  if (input.offerId) {
    const o = db
      .select({ areaId: offers.servesAreaId, category: offers.category, title: offers.title })
      .from(offers)
      .where(eq(offers.id, input.offerId))
      .get()
    return o
      ? { areaId: o.areaId, orgId: null, category: o.category, subject: o.title }
      : { offerId: { key: 'validation.invalid' } }
  }
  if (input.orgId) {
    const g = db
      .select({ areaId: organizations.areaId, name: organizations.name })
      .from(organizations)
      .where(eq(organizations.id, input.orgId))
      .get()
    return g
      ? { areaId: g.areaId, orgId: input.orgId, category: input.category ?? null, subject: g.name }
      : { orgId: { key: 'validation.invalid' } }
  }
  const area = input.areaId ? areaService.get(db, input.areaId) : undefined
  return area
    ? { areaId: area.id, orgId: null, category: input.category ?? null, subject: area.name }
    : { areaId: { key: 'validation.area_missing' } }
}

/** A title in the reader's words when none was typed: "为「排练场地」寻找资源方". */
export type Titler = (
  kind: Kind,
  subject: string,
  extra: { category?: string | null; indicator?: string | null },
) => string

export function create(db: Db, user: CurrentUser, input: TaskInput, title: Titler, now = new Date()): Task {
  const problems: FieldErrors = {}
  if (!(TASK_KINDS as readonly string[]).includes(input.kind)) problems.kind = { key: 'validation.choose' }
  if (input.title && input.title.trim().length > TITLE_MAX)
    problems.title = { key: 'validation.too_long', params: { limit: TITLE_MAX } }
  if (input.dueOn !== undefined && !isCalendarDate(input.dueOn)) problems.dueOn = { key: 'validation.date' }
  if (input.indicator !== undefined && !isIndicator(input.indicator)) problems.indicator = { key: 'validation.invalid' }
  if ((input.note ?? '').length > NOTE_MAX) problems.note = { key: 'validation.too_long', params: { limit: NOTE_MAX } }
  const origin = originOf(db, input)
  if (!('areaId' in origin && typeof origin.areaId === 'number')) Object.assign(problems, origin)
  if (Object.keys(problems).length) throw new ValidationError(problems)
  const o = origin as Origin
  if (!canAct(db, user, o.areaId)) throw new NotPermitted({ key: 'tasks.not_permitted' })
  const ownerId = input.ownerId ?? user.id
  if (ownerId !== user.id && !brokers(db).some((b) => b.id === ownerId))
    throw new ValidationError({ ownerId: { key: 'validation.choose' } })
  return writeTx(db, (tx) => {
    const at = now.toISOString()
    const task = tx
      .insert(tasks)
      .values({
        kind: input.kind,
        title:
          input.title?.trim() || title(input.kind, o.subject, { category: o.category, indicator: input.indicator }),
        areaId: o.areaId,
        orgId: o.orgId,
        needId: input.needId ?? null,
        offerId: input.offerId ?? null,
        category: o.category,
        indicator: input.indicator ?? null,
        ownerId,
        dueOn: input.dueOn ?? localToday(addDays(now, DEFAULT_DUE_DAYS)),
        createdBy: user.id,
        createdAt: at,
        updatedAt: at,
      })
      .returning()
      .get()
    if (input.note?.trim())
      tx.insert(taskNotes).values({ taskId: task.id, authorId: user.id, body: input.note.trim(), createdAt: at }).run()
    events.record(
      tx,
      { actorId: user.id, action: 'task.created', subjectType: 'task', subjectId: task.id, data: { kind: input.kind } },
      now,
    )
    if (ownerId !== user.id)
      notify(
        tx,
        [ownerId],
        { kind: 'task.assigned', params: { title: task.title, from: user.name }, link: `/tasks/${task.id}` },
        now,
      )
    return task
  })
}

/** Scoped lookup: the task, with whether this user may act on it (broker or admin) or only read it (the group's leader). */
export function findVisible(db: Db, user: CurrentUser | null, id: number): { task: Task; canAct: boolean } | undefined {
  const task = db.select().from(tasks).where(eq(tasks.id, id)).get()
  if (!task || !user) return undefined
  if (canAct(db, user, task.areaId)) return { task, canAct: true }
  if (task.orgId !== null && user.orgIds.includes(task.orgId)) return { task, canAct: false }
  return undefined
}

function acting(db: Db, user: CurrentUser, id: number): Task {
  const found = findVisible(db, user, id)
  if (!found) throw new NotFound()
  if (!found.canAct) throw new NotPermitted({ key: 'tasks.not_permitted' })
  return found.task
}

export interface FireInput {
  version: number
  reason?: string
  outcome?: string
}

export function fire(
  db: Db,
  user: CurrentUser,
  id: number,
  event: TaskEvent,
  input: FireInput,
  now = new Date(),
): Task {
  const task = acting(db, user, id)
  const move = MOVES[event]
  if (!move) throw new ValidationError({ event: { key: 'validation.choose' } })
  if (!move.from.includes(task.status)) throw new InvalidTransition({ key: 'tasks.error.not_allowed' })
  if (event === 'drop' && !(TASK_DROP_REASONS as readonly string[]).includes(input.reason ?? ''))
    throw new ValidationError({ reason: { key: 'tasks.validation.reason' } })
  if ((input.outcome ?? '').length > OUTCOME_MAX)
    throw new ValidationError({ outcome: { key: 'validation.too_long', params: { limit: OUTCOME_MAX } } })
  return writeTx(db, (tx) => {
    const at = now.toISOString()
    const closing = move.to === 'done' || move.to === 'dropped'
    const row = tx
      .update(tasks)
      .set({
        status: move.to,
        dropReason: event === 'drop' ? (input.reason as DropReason) : null,
        updatedAt: at,
        closedAt: closing ? at : null,
        ...(input.outcome !== undefined ? { outcome: input.outcome.trim() } : {}),
        version: sql`${tasks.version} + 1`,
      })
      .where(and(eq(tasks.id, id), eq(tasks.version, input.version)))
      .returning()
      .get()
    if (!row) throw new StaleEdit()
    events.record(
      tx,
      {
        actorId: user.id,
        action: `task.${event}`,
        subjectType: 'task',
        subjectId: id,
        data: { from: task.status, to: move.to, reason: input.reason ?? null },
      },
      now,
    )
    return row
  })
}

/** Hands the task to another broker (or back), who is told. */
export function handOver(db: Db, user: CurrentUser, id: number, toId: number, version: number, now = new Date()): Task {
  const task = acting(db, user, id)
  if (!brokers(db).some((b) => b.id === toId) || toId === task.ownerId)
    throw new ValidationError({ ownerId: { key: 'validation.choose' } })
  return writeTx(db, (tx) => {
    const row = tx
      .update(tasks)
      .set({ ownerId: toId, updatedAt: now.toISOString(), version: sql`${tasks.version} + 1` })
      .where(and(eq(tasks.id, id), eq(tasks.version, version)))
      .returning()
      .get()
    if (!row) throw new StaleEdit()
    events.record(
      tx,
      {
        actorId: user.id,
        action: 'task.handed_over',
        subjectType: 'task',
        subjectId: id,
        data: { from: task.ownerId, to: toId },
      },
      now,
    )
    notify(
      tx,
      [toId],
      { kind: 'task.assigned', params: { title: task.title, from: user.name }, link: `/tasks/${id}` },
      now,
    )
    return row
  })
}

export function addNote(db: Db, user: CurrentUser, id: number, body: string, now = new Date()) {
  acting(db, user, id)
  const text = body.trim()
  if (!text) throw new ValidationError({ body: { key: 'validation.required' } })
  if (text.length > NOTE_MAX)
    throw new ValidationError({ body: { key: 'validation.too_long', params: { limit: NOTE_MAX } } })
  writeTx(db, (tx) => {
    tx.insert(taskNotes).values({ taskId: id, authorId: user.id, body: text, createdAt: now.toISOString() }).run()
    tx.update(tasks).set({ updatedAt: now.toISOString() }).where(eq(tasks.id, id)).run()
  })
}

export function notes(db: Db, id: number) {
  return db
    .select({ id: taskNotes.id, body: taskNotes.body, createdAt: taskNotes.createdAt, author: users.name })
    .from(taskNotes)
    .innerJoin(users, eq(users.id, taskNotes.authorId))
    .where(eq(taskNotes.taskId, id))
    .orderBy(asc(taskNotes.id))
    .all()
}

const listColumns = {
  id: tasks.id,
  kind: tasks.kind,
  title: tasks.title,
  status: tasks.status,
  dueOn: tasks.dueOn,
  createdAt: tasks.createdAt,
  updatedAt: tasks.updatedAt,
  ownerId: tasks.ownerId,
  owner: users.name,
  orgId: tasks.orgId,
  needId: tasks.needId,
  offerId: tasks.offerId,
  areaId: tasks.areaId,
  areaName: areas.name,
  dropReason: tasks.dropReason,
  outcome: tasks.outcome,
  category: tasks.category,
  indicator: tasks.indicator,
  version: tasks.version,
}

/**
 * The tasks this user may see: a broker's own and those in their areas, every task for an admin, the tasks about
 * their groups for a leader. Open ones (open, in progress) unless `closed` is asked for; soonest due first.
 */
export function listFor(db: Db, user: CurrentUser, opts: { closed?: boolean; limit?: number } = {}) {
  const scope = []
  if (user.role === 'admin') scope.push(sql`1`)
  if (user.role === 'broker') {
    scope.push(eq(tasks.ownerId, user.id))
    scope.push(coverage.pathCoveredSql(user.brokerAreaIds))
  }
  if (user.orgIds.length) scope.push(inArray(tasks.orgId, user.orgIds))
  if (!scope.length) return []
  const open = inArray(tasks.status, ['open', 'in_progress'])
  return db
    .select(listColumns)
    .from(tasks)
    .innerJoin(users, eq(users.id, tasks.ownerId))
    .innerJoin(areas, eq(areas.id, tasks.areaId))
    .where(and(or(...scope), opts.closed ? sql`NOT (${open})` : open))
    .orderBy(opts.closed ? desc(tasks.closedAt) : asc(tasks.dueOn), asc(tasks.id))
    .limit(opts.limit ?? 200)
    .all()
    .map((t) => ({ ...t, canAct: canAct(db, user, t.areaId) }))
}
