/**
 * Needs and offers read from the database as the pure core's views (types.ts), for the match pages, allocation
 * and the map: a page's own listing, and listings in bulk. The names of those shown are read by shown-names.ts, and
 * what every page shares about organizations (matches received, track records, groups nobody answers for) by
 * org-records.ts.
 */
import { eq, type SQL } from 'drizzle-orm'
import { sqliteOf, type Db } from '../db/client.js'
import { areas, needs, offers, organizations } from '../db/schema.js'
import { subjectList } from './subject.js'
import { remember, type Versions } from '../db/memo.js'
import { focusOf, prepared } from './view-rows.js'
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

/**
 * The need a page is about, whatever its status, as loadNeeds reads it: one prepared statement, since drizzle
 * building and mapping the query costs more than the query on a page that otherwise reads from memory.
 */
export function pageNeed(db: Db, id: number, seen?: Versions) {
  const row = prepared(
    db,
    `SELECT needs.id, needs.org_id, needs.category, needs.unit, needs.remaining, needs.from_date, needs.until_date, needs.schedule,
    areas.path, needs.urgency, needs.beneficiaries, needs.created_at, needs.title, needs.description, needs.place, organizations.name, organizations.trust,
    organizations.focus, organizations.members, needs.topics, needs.keywords
    FROM needs JOIN organizations ON organizations.id = needs.org_id JOIN areas ON areas.id = needs.area_id WHERE needs.id = ?`,
  ).get(id) as
    | [
        number,
        number,
        string,
        string,
        number,
        string | null,
        string | null,
        string | null,
        string,
        NeedView['urgency'],
        number | null,
        string,
        string,
        string,
        string,
        string,
        OrgView['trust'],
        string,
        number | null,
        string | null,
        string | null,
      ]
    | undefined
  if (!row) return undefined
  const [
    ,
    orgId,
    category,
    unit,
    remaining,
    fromDate,
    untilDate,
    schedule,
    areaPath,
    urgency,
    beneficiaries,
    createdAt,
    title,
    description,
    place,
    orgName,
    orgTrust,
    orgFocus,
    orgMembers,
    topics,
    keywords,
  ] = row
  return needOf(
    db,
    {
      id,
      orgId,
      category,
      unit,
      remaining,
      fromDate,
      untilDate,
      schedule,
      areaPath,
      urgency,
      beneficiaries,
      createdAt,
      title,
      description,
      place,
      orgName,
      orgTrust,
      matcher: { orgFocus, orgMembers, topics, keywords },
    },
    seen,
  )
}

/**
 * What a need's view is made of: pageNeed's row, or a need page's own (need-queries.ts get, whose `matcher` holds the
 * columns as stored), so that the page reads its need once.
 */
export interface NeedFields {
  id: number
  orgId: number
  category: string
  unit: string
  remaining: number
  fromDate: string | null
  untilDate: string | null
  schedule: string | null
  areaPath: string
  urgency: NeedView['urgency']
  beneficiaries: number | null
  createdAt: string
  title: string
  description: string
  place: string
  orgName: string
  orgTrust: OrgView['trust']
  matcher: { orgFocus: string; orgMembers: number | null; topics: string | null; keywords: string | null }
}

/** The need as pageNeed reads it, from its fields. */
export function needOf(db: Db, f: NeedFields, seen?: Versions) {
  const org: OrgView = {
    id: f.orgId,
    name: f.orgName,
    trust: f.orgTrust,
    focus: [...focusOf(f.matcher.orgFocus)],
    matchesReceived: matchesReceived(db, seen).get(f.orgId) ?? 0,
    members: f.matcher.orgMembers,
  }
  const view: NeedView = {
    id: f.id,
    orgId: f.orgId,
    org,
    category: f.category,
    unit: f.unit,
    quantity: f.remaining,
    from: f.fromDate,
    until: f.untilDate,
    schedule: f.schedule,
    areaPath: pathIds(f.areaPath),
    urgency: f.urgency,
    beneficiaries: f.beneficiaries,
    createdAt: f.createdAt,
    topics: subjectList(f.matcher.topics),
    keywords: subjectList(f.matcher.keywords),
  }
  const { title, description, place } = f
  return { view, title, text: searchText({ title, description, place }) }
}

export type PageNeed = ReturnType<typeof needOf>

/** The offer a page is about, whatever its status, as loadOffers reads it (see pageNeed). */
export function pageOffer(db: Db, id: number, seen?: Versions) {
  const row = prepared(
    db,
    `SELECT offers.id, offers.org_id, organizations.name, offers.category, offers.unit, offers.remaining, offers.quantity, offers.from_date,
    offers.until_date, offers.schedule, areas.path, offers.min_trust, offers.focus, offers.created_at, offers.title, offers.description, offers.topics, offers.keywords
    FROM offers JOIN organizations ON organizations.id = offers.org_id JOIN areas ON areas.id = offers.serves_area_id WHERE offers.id = ?`,
  ).get(id) as
    | [
        number,
        number,
        string,
        string,
        string,
        number,
        number,
        string | null,
        string | null,
        string | null,
        string,
        OfferView['minTrust'],
        string,
        string,
        string,
        string,
        string | null,
        string | null,
      ]
    | undefined
  if (!row) return undefined
  const [
    ,
    orgId,
    orgName,
    category,
    unit,
    remaining,
    quantity,
    fromDate,
    untilDate,
    schedule,
    areaPath,
    minTrust,
    focus,
    createdAt,
    title,
    description,
    topics,
    keywords,
  ] = row
  return offerOf(
    db,
    {
      id,
      orgId,
      orgName,
      category,
      unit,
      remaining,
      quantity,
      fromDate,
      untilDate,
      schedule,
      areaPath,
      minTrust,
      createdAt,
      title,
      description,
      matcher: { focus, topics, keywords },
    },
    seen,
  )
}

/** What an offer's view is made of: pageOffer's row, or an offer page's own (offer-queries.ts get; see NeedFields). */
export interface OfferFields {
  id: number
  orgId: number
  orgName: string
  category: string
  unit: string
  remaining: number
  quantity: number
  fromDate: string | null
  untilDate: string | null
  schedule: string | null
  areaPath: string
  minTrust: OfferView['minTrust']
  createdAt: string
  title: string
  description: string
  matcher: { focus: string; topics: string | null; keywords: string | null }
}

/** The offer as pageOffer reads it, from its fields. */
export function offerOf(db: Db, f: OfferFields, seen?: Versions) {
  const view: OfferView = {
    id: f.id,
    orgId: f.orgId,
    orgName: f.orgName,
    category: f.category,
    unit: f.unit,
    remaining: f.remaining,
    quantity: f.quantity,
    from: f.fromDate,
    until: f.untilDate,
    schedule: f.schedule,
    servesPath: pathIds(f.areaPath),
    minTrust: f.minTrust,
    focus: [...focusOf(f.matcher.focus)],
    createdAt: f.createdAt,
    track: trackRecords(db, seen).get(f.orgId) ?? { delivered: 0, rating: null },
    topics: subjectList(f.matcher.topics),
    keywords: subjectList(f.matcher.keywords),
  }
  const { title, description } = f
  return { view, title, text: searchText({ title, description }) }
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
