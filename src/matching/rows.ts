/**
 * Needs and offers read from the database as the pure core's views (types.ts), in bulk, for the match pages,
 * allocation and the map (a page's own listing: page-listing.ts). The names of those shown are read by shown-names.ts, and
 * what every page shares about organizations (matches received, track records, groups nobody answers for) by
 * org-records.ts.
 */
import { eq, type SQL } from 'drizzle-orm'
import { sqliteOf, type Db } from '../db/client.js'
import { areas, needs, offers, organizations } from '../db/schema.js'
import { subjectList } from './subject.js'
import { remember } from '../db/memo.js'
import { prepared } from './view-rows.js'
import { matchesReceived, trackRecords } from './org-records.js'
import type { NeedView, OfferView, OrgView } from './types.js'
import { pathIds } from '../areas/paths.js'
import { searchText } from '../listings/search-text.js'

// ---------------------------------------------------------------------------------------------------------
// Candidates in bulk. A match page reads thousands of candidate rows and an allocation tens of thousands, so
// they are read with raw prepared statements (plain SQL; only `.raw()` and the statement cache are
// better-sqlite3's) and only the columns the pure core reads: drizzle's query building and row mapping, the
// title and description, and a join per row for an organization's name cost several times the query itself
// (4k offers: ~45 ms → ~8 ms). Names and titles are read for the top N shown; history (track records, matches
// received) for the candidates that pass the hard constraints. The indexes offers_candidates and needs_candidates
// (schema.ts) find the rows; only topics and keywords (what a listing is about, variable-length JSON that would
// bloat the index) are read from the table, for the candidates found.

const needColumns = {
  id: needs.id,
  orgId: needs.orgId,
  category: needs.category,
  unit: needs.unit,
  remaining: needs.remaining,
  fromDate: needs.fromDate,
  untilDate: needs.untilDate,
  schedule: needs.schedule,
  urgency: needs.urgency,
  beneficiaries: needs.beneficiaries,
  createdAt: needs.createdAt,
  areaPath: areas.path,
  title: needs.title,
  description: needs.description,
  place: needs.place,
  orgName: organizations.name,
  trust: organizations.trust,
  focus: organizations.focus,
  members: organizations.members,
  topics: needs.topics,
  keywords: needs.keywords,
}
const offerColumns = {
  id: offers.id,
  orgId: offers.orgId,
  orgName: organizations.name,
  category: offers.category,
  unit: offers.unit,
  remaining: offers.remaining,
  quantity: offers.quantity,
  fromDate: offers.fromDate,
  untilDate: offers.untilDate,
  schedule: offers.schedule,
  servesPath: areas.path,
  minTrust: offers.minTrust,
  focus: offers.focus,
  createdAt: offers.createdAt,
  title: offers.title,
  description: offers.description,
  topics: offers.topics,
  keywords: offers.keywords,
}

export function loadNeeds(db: Db, where: SQL | undefined) {
  const rows = db
    .select(needColumns)
    .from(needs)
    .innerJoin(organizations, eq(organizations.id, needs.orgId))
    .innerJoin(areas, eq(areas.id, needs.areaId))
    .where(where)
    .all()
  const received = matchesReceived(db)
  return rows.map((r) => {
    const org: OrgView = {
      id: r.orgId,
      name: r.orgName,
      trust: r.trust,
      focus: r.focus,
      matchesReceived: received.get(r.orgId) ?? 0,
      members: r.members,
    }
    const view: NeedView = {
      id: r.id,
      orgId: r.orgId,
      org,
      category: r.category,
      unit: r.unit,
      quantity: r.remaining,
      from: r.fromDate,
      until: r.untilDate,
      schedule: r.schedule,
      areaPath: pathIds(r.areaPath),
      urgency: r.urgency,
      beneficiaries: r.beneficiaries,
      createdAt: r.createdAt,
      topics: subjectList(r.topics),
      keywords: subjectList(r.keywords),
    }
    return { view, title: r.title, text: searchText(r) }
  })
}

export function loadOffers(db: Db, where: SQL | undefined) {
  const rows = db
    .select(offerColumns)
    .from(offers)
    .innerJoin(organizations, eq(organizations.id, offers.orgId))
    .innerJoin(areas, eq(areas.id, offers.servesAreaId))
    .where(where)
    .all()
  const tracks = trackRecords(db)
  return rows.map((r) => {
    const view: OfferView = {
      id: r.id,
      orgId: r.orgId,
      orgName: r.orgName,
      category: r.category,
      unit: r.unit,
      remaining: r.remaining,
      quantity: r.quantity,
      from: r.fromDate,
      until: r.untilDate,
      schedule: r.schedule,
      servesPath: pathIds(r.servesPath),
      minTrust: r.minTrust,
      focus: r.focus,
      createdAt: r.createdAt,
      track: tracks.get(r.orgId) ?? { delivered: 0, rating: null },
      topics: subjectList(r.topics),
      keywords: subjectList(r.keywords),
    }
    return { view, title: r.title, text: searchText(r) }
  })
}

// What the matcher reads: active needs and available offers (listings.ts defines both).

/** Every area's root → area ids. */
export function areaIndex(db: Db) {
  return remember(
    sqliteOf(db),
    'matching.areas',
    () => {
      const rows = prepared(db, 'SELECT id, path FROM areas').all() as [number, string][]
      const paths = new Map(rows.map(([id, path]) => [id, { path, ids: pathIds(path) }]))
      return { path: (id: number) => paths.get(id)?.ids ?? [] }
    },
    ['areas'],
  )
}
