/**
 * The listing a match page is about, whatever its status, as rows.ts reads listings in bulk: from its own statement
 * (pageNeed, pageOffer), or from the row the page already read (needOf, offerOf: need-queries.ts and offer-queries.ts
 * get, whose `matcher` holds the columns as stored), so that a page reads its listing once.
 */
import type { Db } from '../db/client.js'
import { subjectList } from './subject.js'
import type { Versions } from '../db/memo.js'
import { focusOf, prepared } from './view-rows.js'
import { matchesReceived, trackRecords } from './org-records.js'
import type { NeedView, OfferView, OrgView } from './types.js'
import { pathIds } from '../areas/paths.js'
import { searchText } from '../listings/search-text.js'

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
