/**
 * Reading needs: a list page (filters through the list directory, words through the search index, one page at a
 * time, remembered until a listing changes), one need with its organization and place, whether a viewer may see it,
 * and how many are active. The writes (posting to expiry) are needs.ts.
 */
import { and, eq, inArray, or, sql, type SQL } from 'drizzle-orm'
import { preparedOn, sqliteOf, type Db } from '../db/client.js'
import { areas, needs, organizations } from '../db/schema.js'
import * as areasSvc from '../areas/areas.js'
import { seesOrg, type CurrentUser } from '../accounts/accounts.js'
import { activeNeed, effectiveStatus, listingToday } from '../listings/listings.js'
import { browse } from '../listings/browse.js'
import { rowsByIds } from '../listings/rows.js'
import { frozen } from '../shared/frozen.js'
import * as directory from '../listings/directory.js'
import { remember, type Source } from '../db/memo.js'
import { ACTIVE, type Urgency } from './needs.js'

const listColumns = {
  id: needs.id,
  ref: needs.ref,
  title: needs.title,
  category: needs.category,
  quantity: needs.quantity,
  remaining: needs.remaining,
  unit: needs.unit,
  status: needs.status,
  urgency: needs.urgency,
  expiresAt: needs.expiresAt,
  createdAt: needs.createdAt,
  fromDate: needs.fromDate,
  untilDate: needs.untilDate,
  schedule: needs.schedule,
  beneficiaries: needs.beneficiaries,
  topics: needs.topics,
  topicsConfirmed: needs.topicsConfirmed,
  orgId: needs.orgId,
  orgName: organizations.name,
  orgRef: organizations.ref,
  orgTrust: organizations.trust,
  areaId: needs.areaId,
  areaName: areas.name,
  areaNameEn: areas.nameEn,
  areaRef: areas.ref,
}

export const SORTS = ['newest', 'deadline', 'urgency'] as const
export const STATUS_FILTERS = ['active', 'open', 'partly_met', 'met', 'closed', 'expired'] as const
export interface NeedQuery {
  category?: string
  area?: number
  areaRef?: string
  urgency?: Urgency
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

function statusCondition(status: NeedQuery['status'], today: string): SQL | undefined {
  const lapsed = sql`${needs.expiresAt} < ${today}`
  const current = sql`(${needs.expiresAt} IS NULL OR ${needs.expiresAt} >= ${today}) AND (${needs.untilDate} IS NULL OR ${needs.untilDate} >= ${today})`
  const s = status ?? 'active'
  if (s === 'active') return activeNeed(today)
  if (s === 'open' || s === 'partly_met') return and(eq(needs.status, s), current)
  if (s === 'expired') return or(eq(needs.status, 'expired'), and(inArray(needs.status, [...ACTIVE]), lapsed))
  return eq(needs.status, s)
}

// What a list page shows: its listings, their organizations and places (names, trust, an area's subtree).
const LIST_SOURCES: readonly Source[] = ['needs', 'organizations', 'areas']

/** Browse needs: filters as SQL, text through the search index, one page at a time. */
export function list(db: Db, query: NeedQuery, now = new Date()) {
  const today = listingToday(now)
  // The same page for every visitor until a listing, organization or area changes (db/memo.ts): a repeated search or the first
  // page of a filter costs a lookup, not a ranking. Frozen, since every later request shares it.
  return remember(
    sqliteOf(db),
    `needs.list ${today} ${JSON.stringify(query)}`,
    () => frozen(listOn(db, query, today)),
    LIST_SOURCES,
  )
}

function listOn(db: Db, query: NeedQuery, today: string) {
  const sqlite = sqliteOf(db)
  const area = query.area ? areasSvc.get(db, query.area) : query.areaRef ? areasSvc.byRef(db, query.areaRef) : undefined
  // A street covers its communities: the area's subtree.
  const areaIds = query.area || query.areaRef ? new Set(area ? areasSvc.subtreeIds(db, area.id) : []) : undefined
  // By ref through its index: the change log leaves out a change of ref alone, so the directory does not hold refs.
  const refIds =
    query.ref === undefined
      ? undefined
      : new Set(
          db
            .select({ id: needs.id })
            .from(needs)
            .where(eq(needs.ref, query.ref))
            .all()
            .map((r) => r.id),
        )
  const filter: directory.Filter = {
    status: query.status,
    today,
    category: query.category,
    areas: areaIds,
    urgency: query.urgency,
    ids: refIds,
    orgId: query.orgId,
    topic: query.topic,
  }
  const narrowed =
    [query.category, areaIds, query.urgency, query.ref, query.orgId, query.topic].some((f) => f !== undefined) ||
    (query.status !== undefined && query.status !== 'active')
  const page = browse(db, {
    kind: 'need',
    narrowed,
    q: query.q,
    page: query.page,
    pageSize: query.pageSize,
    ids: (limit, offset) => directory.page(sqlite, 'need', filter, query.sort ?? 'newest', limit, offset),
    keeps: () => directory.keeps(sqlite, 'need', filter),
    load: (ids) => loadByIds(db, ids),
  })
  return {
    ...page,
    items: page.items.map((n) => ({ ...n, status: effectiveStatus(n.status, n.expiresAt, today, n.untilDate) })),
  }
}

// One statement for every page's rows, prepared once per connection (rows.ts).
const loadByIds = rowsByIds(listColumns, (db) =>
  db
    .select(listColumns)
    .from(needs)
    .innerJoin(organizations, eq(organizations.id, needs.orgId))
    .innerJoin(areas, eq(areas.id, needs.areaId))
    .where(sql`${needs.id} IN (SELECT value FROM json_each(${sql.placeholder('ids')}))`),
)

/** The query behind get, built and prepared once per connection: drizzle building it costs more than running it. */
const getQuery = preparedOn((db) =>
  db
    .select({
      ...listColumns,
      description: needs.description,
      place: needs.place,
      version: needs.version,
      areaPath: areas.path,
      closeReason: needs.closeReason,
      enteredBy: needs.enteredBy,
      // What the matcher reads besides, as stored (matching/page-listing.ts needOf): a need page reads its need once.
      matcher: {
        orgFocus: sql<string>`${organizations.focus}`,
        orgMembers: organizations.members,
        topics: sql<string | null>`${needs.topics}`,
        keywords: sql<string | null>`${needs.keywords}`,
      },
    })
    .from(needs)
    .innerJoin(organizations, eq(organizations.id, needs.orgId))
    .innerJoin(areas, eq(areas.id, needs.areaId))
    .where(eq(needs.id, sql.placeholder('id')))
    .prepare(),
)

export function get(db: Db, id: number, now = new Date()) {
  const row = getQuery(db).get({ id })
  return row && { ...row, status: effectiveStatus(row.status, row.expiresAt, listingToday(now), row.untilDate) }
}

/** Drafts are seen only by their organization. */
export function visible(db: Db, user: CurrentUser | null, id: number, now = new Date()) {
  const need = get(db, id, now)
  if (!need) return undefined
  if (need.status === 'draft' && !seesOrg(user, need.orgId) && !(user && need.enteredBy === user.id)) return undefined
  return need
}

export function countActive(db: Db, now = new Date()) {
  return (
    db
      .select({ n: sql<number>`count(*)` })
      .from(needs)
      .where(statusCondition('active', listingToday(now)))
      .get()?.n ?? 0
  )
}
