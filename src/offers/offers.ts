import { and, eq, inArray, or, sql, type SQL } from 'drizzle-orm'
import { sqliteOf, writeTx, type Db } from '../db/client.js'
import { areas, offers, organizations, CLOSE_REASONS, FOCUS_GROUPS, TRUST_LEVELS } from '../db/schema.js'
import * as fts from '../search/fts.js'
import { NotFound, StaleEdit, ValidationError } from '../shared/errors.js'
import { isCalendarDate } from '../shared/time.js'
import * as events from '../events/events.js'
import * as areasSvc from '../areas/areas.js'
import { actingOrgIds, actsFor, seesOrg, type CurrentUser } from '../accounts/accounts.js'
import {
  activeOffer,
  checkCommon,
  defaultExpiry,
  effectiveStatus,
  listingToday,
  throwIfAny,
  type CommonInput,
} from '../listings/listings.js'
import { browse } from '../listings/browse.js'
import { frozen } from '../shared/frozen.js'
import * as directory from '../listings/directory.js'
import { remember, type Source } from '../db/memo.js'
import * as topics from '../topics/topics.js'
import * as alerts from '../alerts/alerts.js'
import { pathIds } from '../areas/paths.js'
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

// Takes the root db (a transaction object has no raw connection); the write joins the open transaction.
function reindexOne(db: Db, offer: Pick<Offer, 'id' | 'title' | 'description' | 'status'>) {
  indexListing(sqliteOf(db), 'offer', offer)
}

/** Posting for an organization requires acting for it: a leader, or the broker looking after it. */
/** `also` runs inside the offer's transaction: a write that must stand or fall with the offer (an invitation redeemed). */
export function post(
  db: Db,
  user: CurrentUser,
  input: OfferInput,
  now = new Date(),
  also?: (tx: Db, offer: Offer) => void,
): Offer {
  if (!actsFor(user, input.orgId)) throw new ValidationError({ orgId: { key: 'validation.choose' } })
  const { unit, subject } = check(db, input, now)
  return writeTx(db, (tx) => {
    const at = now.toISOString()
    const offer = tx
      .insert(offers)
      .values({
        orgId: input.orgId,
        category: input.category,
        title: input.title.trim(),
        description: input.description?.trim() ?? '',
        quantity: input.quantity,
        remaining: input.quantity,
        unit,
        fromDate: input.fromDate ?? null,
        untilDate: input.untilDate ?? null,
        schedule: input.schedule ?? null,
        servesAreaId: input.servesAreaId,
        minTrust: input.minTrust ?? 'self_declared',
        focus: input.focus ?? [],
        expiresAt: input.expiresAt ?? defaultExpiry(now),
        status: input.draft ? 'draft' : 'open',
        ref: input.ref ?? null,
        topics: subject.topics,
        keywords: subject.keywords,
        topicsConfirmed: subject.topicsConfirmed,
        createdAt: at,
        updatedAt: at,
      })
      .returning()
      .get()
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
  return db
    .select()
    .from(offers)
    .where(and(eq(offers.id, id), inArray(offers.orgId, orgIds)))
    .get()
}

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
  const { unit, subject } = check(db, input, now, kept)
  const reserved = current.quantity - current.remaining
  if (input.quantity < reserved)
    throw new ValidationError({ quantity: { key: 'validation.below_reserved', params: { reserved } } })
  return writeTx(db, (tx) => {
    const publish = current.status === 'draft' && !input.draft
    const status = publish ? 'open' : current.status
    const updated = tx
      .update(offers)
      .set({
        orgId: input.orgId,
        category: input.category,
        title: input.title.trim(),
        description: input.description?.trim() ?? '',
        quantity: input.quantity,
        remaining: input.quantity - reserved,
        unit,
        fromDate: input.fromDate ?? null,
        untilDate: input.untilDate ?? null,
        schedule: input.schedule ?? null,
        servesAreaId: input.servesAreaId,
        minTrust: input.minTrust ?? 'self_declared',
        focus: input.focus ?? [],
        expiresAt: input.expiresAt ?? current.expiresAt,
        status,
        topics: subject.topics,
        keywords: subject.keywords,
        topicsConfirmed: subject.topicsConfirmed,
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

export function close(db: Db, user: CurrentUser, id: number, reason: CloseReason, now = new Date()): Offer {
  if (!findEditable(db, user, id)) throw new NotFound()
  return writeTx(db, (tx) => {
    const updated = tx
      .update(offers)
      .set({
        status: 'closed',
        closeReason: reason,
        closedAt: now.toISOString(),
        updatedAt: now.toISOString(),
        version: sql`${offers.version} + 1`,
      })
      .where(eq(offers.id, id))
      .returning()
      .get()!
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

const listColumns = {
  id: offers.id,
  ref: offers.ref,
  title: offers.title,
  category: offers.category,
  quantity: offers.quantity,
  remaining: offers.remaining,
  unit: offers.unit,
  status: offers.status,
  expiresAt: offers.expiresAt,
  createdAt: offers.createdAt,
  fromDate: offers.fromDate,
  untilDate: offers.untilDate,
  schedule: offers.schedule,
  minTrust: offers.minTrust,
  focus: offers.focus,
  topics: offers.topics,
  topicsConfirmed: offers.topicsConfirmed,
  orgId: offers.orgId,
  orgName: organizations.name,
  orgRef: organizations.ref,
  orgKind: organizations.kind,
  servesAreaId: offers.servesAreaId,
  areaName: areas.name,
  areaNameEn: areas.nameEn,
  areaRef: areas.ref,
}

export const SORTS = ['newest', 'deadline', 'capacity'] as const
export const STATUS_FILTERS = ['active', 'closed', 'expired'] as const
export interface OfferQuery {
  category?: string
  area?: number
  areaRef?: string
  status?: (typeof STATUS_FILTERS)[number]
  sort?: (typeof SORTS)[number]
  q?: string
  ref?: string
  orgId?: number
  /** A topic code: listings about it. */
  topic?: string
  page?: number
  pageSize?: number
}

function statusCondition(status: OfferQuery['status'], today: string): SQL | undefined {
  const s = status ?? 'active'
  if (s === 'active') return activeOffer(today)
  if (s === 'expired')
    return or(eq(offers.status, 'expired'), and(eq(offers.status, 'open'), sql`${offers.expiresAt} < ${today}`))
  return eq(offers.status, s)
}

// What a list page shows: its listings, their organizations and places (names, trust, an area's subtree).
const LIST_SOURCES: readonly Source[] = ['offers', 'organizations', 'areas']

/**
 * Browse offers. An area filter means "available there": offers serving the area or anything above it
 * (a street's offer serves its communities), and offers serving places within it.
 */
export function list(db: Db, query: OfferQuery, now = new Date()) {
  const today = listingToday(now)
  // The same page for every visitor until a listing, organization or area changes (db/memo.ts): a repeated search or the first
  // page of a filter costs a lookup, not a ranking. Frozen, since every later request shares it.
  return remember(
    sqliteOf(db),
    `offers.list ${today} ${JSON.stringify(query)}`,
    () => frozen(listOn(db, query, today)),
    LIST_SOURCES,
  )
}

function listOn(db: Db, query: OfferQuery, today: string) {
  const sqlite = sqliteOf(db)
  const area = query.area ? areasSvc.get(db, query.area) : query.areaRef ? areasSvc.byRef(db, query.areaRef) : undefined
  // Available there: offers serving the area, anything above it (a street's offer serves its communities) or a place within it.
  const areaIds =
    query.area || query.areaRef
      ? new Set(area ? [...areasSvc.subtreeIds(db, area.id), ...pathIds(area.path)] : [])
      : undefined
  // By ref through its index: the change log leaves out a change of ref alone, so the directory does not hold refs.
  const refIds =
    query.ref === undefined
      ? undefined
      : new Set(
          db
            .select({ id: offers.id })
            .from(offers)
            .where(eq(offers.ref, query.ref))
            .all()
            .map((r) => r.id),
        )
  const filter: directory.Filter = {
    status: query.status,
    today,
    category: query.category,
    areas: areaIds,
    ids: refIds,
    orgId: query.orgId,
    topic: query.topic,
  }
  const narrowed =
    [query.category, areaIds, query.ref, query.orgId, query.topic].some((f) => f !== undefined) ||
    (query.status !== undefined && query.status !== 'active')
  const page = browse(db, {
    kind: 'offer',
    narrowed,
    q: query.q,
    page: query.page,
    pageSize: query.pageSize,
    ids: (limit, offset) => directory.page(sqlite, 'offer', filter, query.sort ?? 'newest', limit, offset),
    keeps: directory.keeps(sqlite, 'offer', filter),
    load: (ids) => loadByIds(db, ids),
  })
  return {
    ...page,
    items: page.items.map((o) => ({ ...o, status: effectiveStatus(o.status, o.expiresAt, today, o.untilDate) })),
  }
}

// One statement for every page's rows, prepared once per connection: drizzle builds and prepares a query per call.
const byIds = new WeakMap<Db, ReturnType<typeof prepareByIds>>()
const prepareByIds = (db: Db) =>
  db
    .select(listColumns)
    .from(offers)
    .innerJoin(organizations, eq(organizations.id, offers.orgId))
    .innerJoin(areas, eq(areas.id, offers.servesAreaId))
    .where(sql`${offers.id} IN (SELECT value FROM json_each(${sql.placeholder('ids')}))`)
    .prepare()
export type OfferRow = ReturnType<typeof loadByIds>[number]
function loadByIds(db: Db, ids: number[]) {
  if (ids.length === 0) return []
  let q = byIds.get(db)
  if (!q) byIds.set(db, (q = prepareByIds(db)))
  return q.all({ ids: JSON.stringify(ids) })
}

/** The query behind get, built and prepared once per connection: drizzle building it costs more than running it. */
const getQueries = new WeakMap<Db, ReturnType<typeof getQuery>>()
function getQuery(db: Db) {
  return db
    .select({
      ...listColumns,
      description: offers.description,
      version: offers.version,
      areaPath: areas.path,
      closeReason: offers.closeReason,
    })
    .from(offers)
    .innerJoin(organizations, eq(organizations.id, offers.orgId))
    .innerJoin(areas, eq(areas.id, offers.servesAreaId))
    .where(eq(offers.id, sql.placeholder('id')))
    .prepare()
}

export function get(db: Db, id: number, now = new Date()) {
  let query = getQueries.get(db)
  if (!query) getQueries.set(db, (query = getQuery(db)))
  const row = query.get({ id })
  return row && { ...row, status: effectiveStatus(row.status, row.expiresAt, listingToday(now), row.untilDate) }
}

export function visible(db: Db, user: CurrentUser | null, id: number, now = new Date()) {
  const offer = get(db, id, now)
  if (!offer) return undefined
  if (offer.status === 'draft' && !seesOrg(user, offer.orgId)) return undefined
  return offer
}

export function countActive(db: Db, now = new Date()) {
  return (
    db
      .select({ n: sql<number>`count(*)` })
      .from(offers)
      .where(statusCondition('active', listingToday(now)))
      .get()?.n ?? 0
  )
}
