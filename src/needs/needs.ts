/**
 * A need's writes: posting it (or a broker entering it for a group, 代填, kept as a draft until a leader confirms),
 * editing, closing, confirming and renewing it, and the sweep that expires lapsed ones. Each keeps the search index in
 * step in its transaction, records what it did (events/) and queues the new-fit alert (alerts/) where that applies.
 * Reading needs (a list page, one need, the count) is need-queries.ts.
 */
import { and, eq, inArray, sql } from 'drizzle-orm'
import { placeholders, preparedOn, sqliteOf, writeTx, type Db } from '../db/client.js'
import { jsonValues } from '../db/json.js'
import { needs, organizations, URGENCIES, CLOSE_REASONS } from '../db/schema.js'
import * as fts from '../search/fts.js'
import { NotFound, StaleEdit, ValidationError } from '../shared/errors.js'
import { isCalendarDate } from '../shared/time.js'
import * as events from '../events/events.js'
import { actingOrgIds, actsFor, type CurrentUser } from '../accounts/accounts.js'
import {
  ACTIVE_NEED_STATUSES,
  checkCommon,
  defaultExpiry,
  demandStatus,
  listingToday,
  throwIfAny,
  type CommonInput,
} from '../listings/listings.js'
import * as topics from '../topics/topics.js'
import * as alerts from '../alerts/alerts.js'
import { brokerCovers } from '../areas/coverage.js'
import { indexListing } from '../listings/search-text.js'

export type Need = typeof needs.$inferSelect
export type Urgency = (typeof URGENCIES)[number]
export type CloseReason = (typeof CLOSE_REASONS)[number]
/** A need's active statuses (listings.ts says what an active need is). */
export const ACTIVE = ACTIVE_NEED_STATUSES

export interface NeedInput extends CommonInput {
  orgId: number
  title: string
  description?: string
  areaId: number
  place?: string
  urgency?: Urgency
  beneficiaries?: number | null
  draft?: boolean
  ref?: string | null
  /** Topic codes the poster confirmed; absent: inferred from the text (topics.subjectFor). */
  topics?: string[]
}

function check(db: Db, input: NeedInput, now: Date, confirmed = input.topics) {
  const { unit, problems } = checkCommon(db, input, { name: 'areaId', id: input.areaId }, now)
  const subject = topics.subjectOrProblems(db, input, confirmed, problems)
  throwIfAny(problems)
  return { unit, subject: subject! }
}

/** What a need's form sets, alike when it is posted and when it is edited. */
function formColumns(input: NeedInput, { unit, subject }: ReturnType<typeof check>) {
  return {
    orgId: input.orgId,
    category: input.category,
    title: input.title.trim(),
    description: input.description?.trim() ?? '',
    quantity: input.quantity,
    unit,
    fromDate: input.fromDate ?? null,
    untilDate: input.untilDate ?? null,
    schedule: input.schedule ?? null,
    areaId: input.areaId,
    place: input.place?.trim() ?? '',
    urgency: input.urgency ?? 'normal',
    beneficiaries: input.beneficiaries ?? null,
    topics: subject.topics,
    keywords: subject.keywords,
    topicsConfirmed: subject.topicsConfirmed,
  }
}

const isActive = (status: string) => (ACTIVE as readonly string[]).includes(status)

/** The index holds active needs only, so a plain text search never shows a closed one. */
// Takes the root db (a transaction object has no $client); the write joins the open transaction.
function reindexOne(db: Db, need: Pick<Need, 'id' | 'title' | 'description' | 'place' | 'status' | 'category'>) {
  indexListing(sqliteOf(db), 'need', need)
}

// A posted need's columns: its INSERT is built and prepared once per connection (~0.1 ms a write: drizzle's SQL and
// SQLite's plan, the change log's triggers included), and runs on the write's transaction.
const POSTED = [
  'orgId',
  'category',
  'title',
  'description',
  'quantity',
  'remaining',
  'unit',
  'fromDate',
  'untilDate',
  'schedule',
  'areaId',
  'place',
  'urgency',
  'beneficiaries',
  'expiresAt',
  'status',
  'enteredBy',
  'ref',
  'topics',
  'keywords',
  'topicsConfirmed',
  'createdAt',
  'updatedAt',
] as const satisfies readonly (keyof NewNeedRow)[]
type NewNeedRow = typeof needs.$inferInsert
// Every column given (a placeholder left out throws); JSON never null, which its encoder would store as 'null'.
type PostedNeed = { [K in (typeof POSTED)[number]]: NewNeedRow[K] } & { topics: string[]; keywords: string[] }
const insertNeed = preparedOn((db) => db.insert(needs).values(placeholders(POSTED)).returning().prepare())

/**
 * Posting for an organization requires acting for it: a leader, or the broker looking after a group with no
 * leader (it publishes as any post). A broker covering a group that has leaders may enter a need for it (代填):
 * it is kept as a draft waiting for a leader's confirmation, since the group speaks for itself once it can.
 */
export function post(db: Db, user: CurrentUser, input: NeedInput, now = new Date()): Need {
  const assisted = !actsFor(user, input.orgId) && entersFor(db, user, input.orgId)
  if (!actsFor(user, input.orgId) && !assisted) throw new ValidationError({ orgId: { key: 'validation.choose' } })
  const checked = check(db, input, now)
  return writeTx(db, (tx) => {
    const at = now.toISOString()
    const need = insertNeed(tx).get({
      ...formColumns(input, checked),
      remaining: input.quantity,
      expiresAt: input.expiresAt ?? defaultExpiry(now),
      status: input.draft || assisted ? 'draft' : 'open',
      enteredBy: assisted ? user.id : null,
      ref: input.ref ?? null,
      createdAt: at,
      updatedAt: at,
    } satisfies PostedNeed)!
    reindexOne(db, need)
    events.record(
      tx,
      {
        actorId: user.id,
        action: assisted ? 'need.entered_for' : 'need.posted',
        subjectType: 'need',
        subjectId: need.id,
        data: assisted ? { orgId: input.orgId } : undefined,
      },
      now,
    )
    if (isActive(need.status)) alerts.queue(tx, 'need', need.id, now)
    return need
  })
}

/** A broker covering the organization's home area may enter a need for it (代填). */
export function entersFor(db: Db, user: CurrentUser, orgId: number): boolean {
  const org = db.select({ areaId: organizations.areaId }).from(organizations).where(eq(organizations.id, orgId)).get()
  return !!org && brokerCovers(db, user, org.areaId)
}

/** A need a broker entered for a group with leaders, not yet confirmed by one of them. */
export const awaitsConfirmation = (need: { status: string; enteredBy: number | null }) =>
  need.status === 'draft' && need.enteredBy !== null

/** Scoped lookup: a need of an organization the user acts for. */
export function findEditable(db: Db, user: CurrentUser, id: number): Need | undefined {
  const orgIds = actingOrgIds(user)
  if (orgIds.length === 0) return undefined
  return editableQuery(db).get({ id, orgIds: JSON.stringify(orgIds) })
}
// Every edit, close and renewal looks first: prepared once per connection, the organizations as one JSON parameter.
const editableQuery = preparedOn((db) =>
  db
    .select()
    .from(needs)
    .where(and(eq(needs.id, sql.placeholder('id')), inArray(needs.orgId, jsonValues(sql.placeholder('orgIds')))))
    .prepare(),
)

export function edit(
  db: Db,
  user: CurrentUser,
  id: number,
  input: NeedInput & { version: number },
  now = new Date(),
): Need {
  const current = findEditable(db, user, id)
  if (!current) throw new NotFound()
  if (!actsFor(user, input.orgId)) throw new ValidationError({ orgId: { key: 'validation.choose' } })
  // A write that says nothing of topics (an API PUT from before topics) keeps the poster's confirmed ones.
  const kept =
    input.topics ??
    (current.topicsConfirmed && current.category === input.category ? (current.topics ?? undefined) : undefined)
  const checked = check(db, input, now, kept)
  const reserved = current.quantity - current.remaining
  if (input.quantity < reserved)
    throw new ValidationError({ quantity: { key: 'validation.below_reserved', params: { reserved } } })
  return writeTx(db, (tx) => {
    const remaining = input.quantity - reserved
    const publish = current.status === 'draft' && !input.draft
    const status =
      current.status === 'draft' && input.draft
        ? 'draft'
        : isActive(current.status) || current.status === 'met' || publish
          ? demandStatus(input.quantity, remaining)
          : current.status
    const updated = tx
      .update(needs)
      .set({
        ...formColumns(input, checked),
        remaining,
        expiresAt: input.expiresAt ?? current.expiresAt,
        status,
        updatedAt: now.toISOString(),
        version: sql`${needs.version} + 1`,
      })
      .where(and(eq(needs.id, id), eq(needs.version, input.version)))
      .returning()
      .get()
    // Someone else saved since this form was loaded: refuse rather than overwrite their change.
    if (!updated) throw new StaleEdit()
    reindexOne(db, updated)
    events.record(
      tx,
      { actorId: user.id, action: publish ? 'need.published' : 'need.edited', subjectType: 'need', subjectId: id },
      now,
    )
    if (isActive(updated.status)) alerts.queue(tx, 'need', id, now)
    // Publishing what a broker entered is the leader's confirmation of it (edited or as it was).
    if (publish && current.enteredBy !== null)
      events.record(
        tx,
        {
          actorId: user.id,
          action: 'need.confirmed',
          subjectType: 'need',
          subjectId: id,
          data: { enteredBy: current.enteredBy },
        },
        now,
      )
    return updated
  })
}

// Prepared once per connection, like the posting's INSERT.
const closeQuery = preparedOn((db) =>
  db
    .update(needs)
    .set({
      status: 'closed',
      closeReason: sql`${sql.placeholder('reason')}`,
      updatedAt: sql`${sql.placeholder('at')}`,
      version: sql`${needs.version} + 1`,
    })
    .where(eq(needs.id, sql.placeholder('id')))
    .returning()
    .prepare(),
)

export function close(db: Db, user: CurrentUser, id: number, reason: CloseReason, now = new Date()): Need {
  const current = findEditable(db, user, id)
  if (!current) throw new NotFound()
  return writeTx(db, (tx) => {
    const updated = closeQuery(tx).get({ id, reason, at: now.toISOString() })!
    reindexOne(db, updated)
    events.record(
      tx,
      { actorId: user.id, action: 'need.closed', subjectType: 'need', subjectId: id, data: { reason } },
      now,
    )
    return updated
  })
}

/** A leader confirms, as it is, what a broker entered for the group (代填): it publishes. */
export function confirm(db: Db, user: CurrentUser, id: number, now = new Date()): Need {
  const current = findEditable(db, user, id)
  if (!current || !awaitsConfirmation(current)) throw new NotFound()
  return writeTx(db, (tx) => {
    const updated = tx
      .update(needs)
      .set({
        status: demandStatus(current.quantity, current.remaining),
        updatedAt: now.toISOString(),
        version: sql`${needs.version} + 1`,
      })
      .where(and(eq(needs.id, id), eq(needs.version, current.version)))
      .returning()
      .get()
    if (!updated) throw new StaleEdit()
    reindexOne(db, updated)
    alerts.queue(tx, 'need', id, now)
    events.record(tx, { actorId: user.id, action: 'need.published', subjectType: 'need', subjectId: id }, now)
    events.record(
      tx,
      {
        actorId: user.id,
        action: 'need.confirmed',
        subjectType: 'need',
        subjectId: id,
        data: { enteredBy: current.enteredBy },
      },
      now,
    )
    return updated
  })
}

/** "Still needed?": a renewed need runs for another period from today and is open again if it had lapsed. */
export function renew(db: Db, user: CurrentUser, id: number, until: string | undefined, now = new Date()): Need {
  const current = findEditable(db, user, id)
  if (!current) throw new NotFound()
  if (until !== undefined && !isCalendarDate(until))
    throw new ValidationError({ expiresAt: { key: 'validation.date' } })
  const expiresAt = until ?? defaultExpiry(now)
  if (expiresAt < listingToday(now)) throw new ValidationError({ expiresAt: { key: 'validation.expiry_past' } })
  return writeTx(db, (tx) => {
    const status = demandStatus(current.quantity, current.remaining)
    const updated = tx
      .update(needs)
      .set({ status, closeReason: null, expiresAt, updatedAt: now.toISOString(), version: sql`${needs.version} + 1` })
      .where(eq(needs.id, id))
      .returning()
      .get()!
    reindexOne(db, updated)
    events.record(
      tx,
      { actorId: user.id, action: 'need.renewed', subjectType: 'need', subjectId: id, data: { expiresAt } },
      now,
    )
    if (isActive(updated.status)) alerts.queue(tx, 'need', id, now)
    return updated
  })
}

/** The scheduled sweep: lapsed needs become 'expired' and leave the search index. Returns how many. */
export function expireDue(db: Db, now = new Date()): number {
  return writeTx(db, (tx) => {
    const due = tx
      .update(needs)
      .set({ status: 'expired', updatedAt: now.toISOString() })
      .where(and(inArray(needs.status, [...ACTIVE]), sql`${needs.expiresAt} < ${listingToday(now)}`))
      .returning({ id: needs.id })
      .all()
    for (const { id } of due) fts.removeDoc(sqliteOf(db), 'need', id)
    return due.length
  })
}
