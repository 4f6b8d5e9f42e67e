/**
 * An offer's writes: posting it, editing, closing and renewing it, and the sweep that expires lapsed ones. Each keeps
 * the search index in step in its transaction, records what it did (events/) and queues the new-fit alert (alerts/)
 * where that applies. Reading offers (a list page, one offer, the count) is offer-queries.ts.
 */
import { and, eq, inArray, sql } from 'drizzle-orm'
import { placeholders, preparedOn, sqliteOf, writeTx, type Db } from '../db/client.js'
import { jsonValues } from '../db/json.js'
import { offers, CLOSE_REASONS, FOCUS_GROUPS, TRUST_LEVELS } from '../db/schema.js'
import * as fts from '../search/fts.js'
import { NotFound, StaleEdit, ValidationError } from '../shared/errors.js'
import { isCalendarDate } from '../shared/time.js'
import * as events from '../events/events.js'
import { actingOrgIds, actsFor, type CurrentUser } from '../accounts/accounts.js'
import { checkCommon, defaultExpiry, listingToday, throwIfAny, type CommonInput } from '../listings/listings.js'
import * as topics from '../topics/topics.js'
import * as alerts from '../alerts/alerts.js'
import { indexListing } from '../listings/search-text.js'

export type Offer = typeof offers.$inferSelect
export type Trust = (typeof TRUST_LEVELS)[number]
export type CloseReason = (typeof CLOSE_REASONS)[number]

export interface OfferInput extends CommonInput {
  orgId: number
  title: string
  description?: string
  servesAreaId: number
  minTrust?: Trust
  focus?: string[]
  draft?: boolean
  ref?: string | null
  /** Topic codes the poster confirmed; absent: inferred from the text (topics.subjectFor). */
  topics?: string[]
}

function check(db: Db, input: OfferInput, now: Date, confirmed = input.topics) {
  const { unit, problems } = checkCommon(db, input, { name: 'servesAreaId', id: input.servesAreaId }, now)
  const unknownFocus = (input.focus ?? []).filter((f) => !(FOCUS_GROUPS as readonly string[]).includes(f))
  if (unknownFocus.length) problems.focus = { key: 'validation.choose' }
  const subject = topics.subjectOrProblems(db, input, confirmed, problems)
  throwIfAny(problems)
  return { unit, subject: subject! }
}

/** What an offer's form sets, alike when it is posted and when it is edited. */
function formColumns(input: OfferInput, { unit, subject }: ReturnType<typeof check>) {
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
    servesAreaId: input.servesAreaId,
    minTrust: input.minTrust ?? 'self_declared',
    focus: input.focus ?? [],
    topics: subject.topics,
    keywords: subject.keywords,
    topicsConfirmed: subject.topicsConfirmed,
  }
}

// Takes the root db (a transaction object has no raw connection); the write joins the open transaction.
function reindexOne(db: Db, offer: Pick<Offer, 'id' | 'title' | 'description' | 'status' | 'category'>) {
  indexListing(sqliteOf(db), 'offer', offer)
}

// A posted offer's columns: its INSERT is built and prepared once per connection (~0.1 ms a write: drizzle's SQL and
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
  'servesAreaId',
  'minTrust',
  'focus',
  'expiresAt',
  'status',
  'ref',
  'topics',
  'keywords',
  'topicsConfirmed',
  'createdAt',
  'updatedAt',
] as const satisfies readonly (keyof NewOfferRow)[]
type NewOfferRow = typeof offers.$inferInsert
// Every column given (a placeholder left out throws); JSON never null, which its encoder would store as 'null'.
type PostedOffer = { [K in (typeof POSTED)[number]]: NewOfferRow[K] } & {
  focus: string[]
  topics: string[]
  keywords: string[]
}
const insertOffer = preparedOn((db) => db.insert(offers).values(placeholders(POSTED)).returning().prepare())

/**
 * Posting for an organization requires acting for it: a leader, or the broker looking after it. `also` runs inside the
 * offer's transaction: a write that must stand or fall with the offer (an invitation redeemed).
 */
export function post(
  db: Db,
  user: CurrentUser,
  input: OfferInput,
  now = new Date(),
  also?: (tx: Db, offer: Offer) => void,
): Offer {
  if (!actsFor(user, input.orgId)) throw new ValidationError({ orgId: { key: 'validation.choose' } })
  const checked = check(db, input, now)
  return writeTx(db, (tx) => {
    const at = now.toISOString()
    const offer = insertOffer(tx).get({
      ...formColumns(input, checked),
      remaining: input.quantity,
      expiresAt: input.expiresAt ?? defaultExpiry(now),
      status: input.draft ? 'draft' : 'open',
      ref: input.ref ?? null,
      createdAt: at,
      updatedAt: at,
    } satisfies PostedOffer)!
    reindexOne(db, offer)
    events.record(tx, { actorId: user.id, action: 'offer.posted', subjectType: 'offer', subjectId: offer.id }, now)
    if (offer.status === 'open') alerts.queue(tx, 'offer', offer.id, now)
    also?.(tx, offer)
    return offer
  })
}

/** Scoped lookup: an offer of an organization the user acts for. */
export function findEditable(db: Db, user: CurrentUser, id: number): Offer | undefined {
  const orgIds = actingOrgIds(user)
  if (orgIds.length === 0) return undefined
  return editableQuery(db).get({ id, orgIds: JSON.stringify(orgIds) })
}
// Every edit, close and renewal looks first: prepared once per connection, the organizations as one JSON parameter.
const editableQuery = preparedOn((db) =>
  db
    .select()
    .from(offers)
    .where(and(eq(offers.id, sql.placeholder('id')), inArray(offers.orgId, jsonValues(sql.placeholder('orgIds')))))
    .prepare(),
)

export function edit(
  db: Db,
  user: CurrentUser,
  id: number,
  input: OfferInput & { version: number },
  now = new Date(),
): Offer {
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
    const publish = current.status === 'draft' && !input.draft
    const status = publish ? 'open' : current.status
    const updated = tx
      .update(offers)
      .set({
        ...formColumns(input, checked),
        remaining: input.quantity - reserved,
        expiresAt: input.expiresAt ?? current.expiresAt,
        status,
        updatedAt: now.toISOString(),
        version: sql`${offers.version} + 1`,
      })
      .where(and(eq(offers.id, id), eq(offers.version, input.version)))
      .returning()
      .get()
    // Someone else saved since this form was loaded: refuse rather than overwrite their change.
    if (!updated) throw new StaleEdit()
    reindexOne(db, updated)
    events.record(
      tx,
      { actorId: user.id, action: publish ? 'offer.published' : 'offer.edited', subjectType: 'offer', subjectId: id },
      now,
    )
    if (updated.status === 'open') alerts.queue(tx, 'offer', id, now)
    return updated
  })
}

// Prepared once per connection, like the posting's INSERT.
const closeQuery = preparedOn((db) =>
  db
    .update(offers)
    .set({
      status: 'closed',
      closeReason: sql`${sql.placeholder('reason')}`,
      closedAt: sql`${sql.placeholder('at')}`,
      updatedAt: sql`${sql.placeholder('at')}`,
      version: sql`${offers.version} + 1`,
    })
    .where(eq(offers.id, sql.placeholder('id')))
    .returning()
    .prepare(),
)

export function close(db: Db, user: CurrentUser, id: number, reason: CloseReason, now = new Date()): Offer {
  if (!findEditable(db, user, id)) throw new NotFound()
  return writeTx(db, (tx) => {
    const updated = closeQuery(tx).get({ id, reason, at: now.toISOString() })!
    reindexOne(db, updated)
    events.record(
      tx,
      { actorId: user.id, action: 'offer.closed', subjectType: 'offer', subjectId: id, data: { reason } },
      now,
    )
    return updated
  })
}

export function renew(db: Db, user: CurrentUser, id: number, until: string | undefined, now = new Date()): Offer {
  if (!findEditable(db, user, id)) throw new NotFound()
  if (until !== undefined && !isCalendarDate(until))
    throw new ValidationError({ expiresAt: { key: 'validation.date' } })
  const expiresAt = until ?? defaultExpiry(now)
  if (expiresAt < listingToday(now)) throw new ValidationError({ expiresAt: { key: 'validation.expiry_past' } })
  return writeTx(db, (tx) => {
    const updated = tx
      .update(offers)
      .set({
        status: 'open',
        closeReason: null,
        closedAt: null,
        expiresAt,
        updatedAt: now.toISOString(),
        version: sql`${offers.version} + 1`,
      })
      .where(eq(offers.id, id))
      .returning()
      .get()!
    reindexOne(db, updated)
    events.record(
      tx,
      { actorId: user.id, action: 'offer.renewed', subjectType: 'offer', subjectId: id, data: { expiresAt } },
      now,
    )
    if (updated.status === 'open') alerts.queue(tx, 'offer', id, now)
    return updated
  })
}

export function expireDue(db: Db, now = new Date()): number {
  return writeTx(db, (tx) => {
    const due = tx
      .update(offers)
      .set({ status: 'expired', updatedAt: now.toISOString() })
      .where(and(eq(offers.status, 'open'), sql`${offers.expiresAt} < ${listingToday(now)}`))
      .returning({ id: offers.id })
      .all()
    for (const { id } of due) fts.removeDoc(sqliteOf(db), 'offer', id)
    return due.length
  })
}
