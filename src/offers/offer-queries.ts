/**
 * Reading offers: a list page (filters through the list directory, words through the search index, one page at a
 * time, remembered until a listing changes; an area means "available there"), one offer with its organization and
 * place, whether a viewer may see it, and how many are active. The writes (posting to expiry) are offers.ts.
 */
import { and, eq, or, sql, type SQL } from 'drizzle-orm'
import { preparedOn, sqliteOf, type Db } from '../db/client.js'
import { areas, offers, organizations } from '../db/schema.js'
import * as areasSvc from '../areas/areas.js'
import { seesOrg, type CurrentUser } from '../accounts/accounts.js'
import { activeOffer, effectiveStatus, listingToday } from '../listings/listings.js'
import { browse } from '../listings/browse.js'
import { rowsByIds } from '../listings/rows.js'
import { frozen } from '../shared/frozen.js'
import * as directory from '../listings/directory.js'
import { remember, type Source } from '../db/memo.js'
import { pathIds } from '../areas/paths.js'

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
    keeps: () => directory.keeps(sqlite, 'offer', filter),
    load: (ids) => loadByIds(db, ids),
  })
  return {
    ...page,
    items: page.items.map((o) => ({ ...o, status: effectiveStatus(o.status, o.expiresAt, today, o.untilDate) })),
  }
}

// One statement for every page's rows, prepared once per connection (rows.ts).
const loadByIds = rowsByIds(listColumns, (db) =>
  db
    .select(listColumns)
    .from(offers)
    .innerJoin(organizations, eq(organizations.id, offers.orgId))
    .innerJoin(areas, eq(areas.id, offers.servesAreaId))
    .where(sql`${offers.id} IN (SELECT value FROM json_each(${sql.placeholder('ids')}))`),
)

/** The query behind get, built and prepared once per connection: drizzle building it costs more than running it. */
const getQuery = preparedOn((db) =>
  db
    .select({
      ...listColumns,
      description: offers.description,
      version: offers.version,
      areaPath: areas.path,
      closeReason: offers.closeReason,
      // What the matcher reads besides, as stored (matching/page-listing.ts offerOf): an offer page reads its offer once.
      matcher: {
        focus: sql<string>`${offers.focus}`,
        topics: sql<string | null>`${offers.topics}`,
        keywords: sql<string | null>`${offers.keywords}`,
      },
    })
    .from(offers)
    .innerJoin(organizations, eq(organizations.id, offers.orgId))
    .innerJoin(areas, eq(areas.id, offers.servesAreaId))
    .where(eq(offers.id, sql.placeholder('id')))
    .prepare(),
)

export function get(db: Db, id: number, now = new Date()) {
  const row = getQuery(db).get({ id })
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
