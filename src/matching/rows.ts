/**
 * Needs and offers read from the database as the pure core's views (types.ts), for the match pages, allocation
 * and the map: a page's own listing, listings in bulk, the names of those shown, and what every page shares until
 * a match, a rating or a membership changes (matches received, track records, groups nobody answers for).
 */
import { eq, type SQL } from 'drizzle-orm'
import type Database from 'better-sqlite3'
import { sqliteOf, type Db, type Sqlite } from '../db/client.js'
import { areas, needs, offers, organizations } from '../db/schema.js'
import { subjectList } from './subject.js'
import { remember } from '../db/memo.js'
import { focusOf, NO_TRACK } from './view-rows.js'
import type { NeedView, OfferView, OrgView } from './types.js'
import { unanswered } from '../members/answering.js'
import { pathIds } from '../areas/paths.js'
import { searchText } from '../listings/search-text.js'

const RESERVING = ['accepted', 'delivered', 'reviewed'] as const
const DELIVERED = ['delivered', 'reviewed'] as const

// ---------------------------------------------------------------------------------------------------------
// Candidates in bulk. A match page reads thousands of candidate rows and an allocation tens of thousands, so
// they are read with raw prepared statements (plain SQL; only `.raw()` and the statement cache are
// better-sqlite3's) and only the columns the pure core reads: drizzle's query building and row mapping, the
// title and description, and a join per row for an organization's name cost several times the query itself
// (4k offers: ~45 ms → ~8 ms). Names and titles are read for the top N shown; history (track records, matches
// received) for the candidates that pass the hard constraints. The indexes offers_candidates and needs_candidates
// (schema.ts) find the rows; only topics and keywords (what a listing is about, variable-length JSON that would
// bloat the index) are read from the table, for the candidates found.

const statements = new WeakMap<Sqlite, Map<string, Database.Statement>>()
export function prepared(db: Db, text: string): Database.Statement {
  const sqlite = sqliteOf(db)
  let cache = statements.get(sqlite)
  if (!cache) statements.set(sqlite, (cache = new Map()))
  let st = cache.get(text)
  if (!st) {
    // Candidate areas and organizations make IN lists of many lengths; a burst of new ones must not grow the cache without end.
    if (cache.size >= 200) cache.clear()
    cache.set(text, (st = sqliteOf(db).prepare(text).raw()))
  }
  return st
}
const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ')
/**
 * An id list padded (with its first id again) to a power of two, so lists of a few hundred lengths share
 * a dozen statements rather than each preparing its own.
 */
function padded(ids: number[]): number[] {
  let n = 8
  while (n < ids.length) n *= 2
  return ids.length === n || ids.length === 0 ? ids : [...ids, ...Array<number>(n - ids.length).fill(ids[0]!)]
}

/**
 * Matches received so far by every organization: the fewer, the more the matcher favours it. The same for every
 * page until a match changes (a need's organization never changes), so computed once for all organizations.
 */
export function matchesReceived(db: Db): ReadonlyMap<number, number> {
  return remember(
    sqliteOf(db),
    'matching.received',
    () => {
      const rows = prepared(
        db,
        `SELECT needs.org_id, count(*) FROM matches JOIN needs ON needs.id = matches.need_id
      WHERE matches.state IN (${marks(RESERVING.length)}) GROUP BY needs.org_id`,
      ).all(...RESERVING) as [number, number][]
      return new Map(rows)
    },
    ['matches'],
  )
}

type Track = OfferView['track']
/**
 * Every holder's record: deliveries and the mean rating the receiving side gave. Like matchesReceived, one answer
 * for every page until a match or a rating changes (an offer's organization never changes).
 */
export function trackRecords(db: Db): ReadonlyMap<number, Track> {
  return remember(
    sqliteOf(db),
    'matching.tracks',
    () => {
      // count(*) counts matches: feedback_match_side lets the join add at most one row to each.
      const rows = prepared(
        db,
        `SELECT offers.org_id, count(*), avg(feedback.rating) FROM matches
      JOIN offers ON offers.id = matches.offer_id LEFT JOIN feedback ON feedback.match_id = matches.id AND feedback.side = 'need'
      WHERE matches.state IN (${marks(DELIVERED.length)}) GROUP BY offers.org_id`,
      ).all(...DELIVERED) as [number, number, number | null][]
      return new Map(
        rows.map(([orgId, delivered, rating]): [number, Track] => [
          orgId,
          Object.freeze({ delivered, rating: rating === null ? null : Math.round(rating * 10) / 10 }),
        ]),
      )
    },
    ['matches', 'feedback'],
  )
}

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
export function pageNeed(db: Db, id: number) {
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
    from,
    until,
    schedule,
    path,
    urgency,
    beneficiaries,
    createdAt,
    title,
    description,
    place,
    orgName,
    trust,
    focus,
    members,
    topics,
    keywords,
  ] = row
  const org: OrgView = {
    id: orgId,
    name: orgName,
    trust,
    focus: [...focusOf(focus)],
    matchesReceived: matchesReceived(db).get(orgId) ?? 0,
    members,
  }
  const view: NeedView = {
    id,
    orgId,
    org,
    category,
    unit,
    quantity: remaining,
    from,
    until,
    schedule,
    areaPath: pathIds(path),
    urgency,
    beneficiaries,
    createdAt,
    topics: subjectList(topics),
    keywords: subjectList(keywords),
  }
  return { view, title, text: searchText({ title, description, place }) }
}

/** The offer a page is about, whatever its status, as loadOffers reads it (see pageNeed). */
export function pageOffer(db: Db, id: number) {
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
    from,
    until,
    schedule,
    path,
    minTrust,
    focus,
    createdAt,
    title,
    description,
    topics,
    keywords,
  ] = row
  const view: OfferView = {
    id,
    orgId,
    orgName,
    category,
    unit,
    remaining,
    quantity,
    from,
    until,
    schedule,
    servesPath: pathIds(path),
    minTrust,
    focus: [...focusOf(focus)],
    createdAt,
    track: trackRecords(db).get(orgId) ?? { delivered: 0, rating: null },
    topics: subjectList(topics),
    keywords: subjectList(keywords),
  }
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

/** The offers with their holders' track records (trackRecords): copies, since the views are shared (views.ts). */
export function withTracks(db: Db, views: readonly OfferView[]): OfferView[] {
  const tracks = trackRecords(db)
  return views.map((v) => ({ ...v, track: tracks.get(v.orgId) ?? NO_TRACK }))
}

/** The needs with their organizations' matches received (matchesReceived): copies, since the views are shared. */
export function withMatchesReceived(db: Db, views: readonly NeedView[]): NeedView[] {
  const received = matchesReceived(db)
  return views.map((v) => ({ ...v, org: { ...v.org, matchesReceived: received.get(v.orgId) ?? 0 } }))
}

/** Titles and holders' names of the offers shown: `views` as offersFor returned them (views.ts keeps them). */
export function offerNames(db: Db, views: readonly OfferView[]): Map<number, { title: string; orgName: string }> {
  return names(db, 'offers', views)
}

/** Titles and organizations' names of the needs shown: `views` as needsFor returned them. */
export function needNames(db: Db, views: readonly NeedView[]): Map<number, { title: string; orgName: string }> {
  return names(db, 'needs', views)
}

/**
 * A kept view's title, by the view: a listing that changes is read again as a new view (views.ts patches from the
 * change log), so a title found here is the listing's current one, and a page reads only those of views not seen yet.
 */
const titles = new WeakMap<OfferView | NeedView, string>()

function names(
  db: Db,
  table: 'needs' | 'offers',
  views: readonly (OfferView | NeedView)[],
): Map<number, { title: string; orgName: string }> {
  if (views.length === 0) return new Map()
  // Inside a transaction the views are read afresh and the memo is not used: read the names with the titles.
  if (sqliteOf(db).inTransaction) return namesRead(db, table, views)
  const missing = views.filter((v) => !titles.has(v))
  if (missing.length > 0) {
    const list = padded(missing.map((v) => v.id))
    const rows = prepared(db, `SELECT id, title FROM ${table} WHERE id IN (${marks(list.length)})`).all(...list) as [
      number,
      string,
    ][]
    const byId = new Map(rows)
    for (const v of missing) {
      const title = byId.get(v.id)
      if (title !== undefined) titles.set(v, title)
    }
  }
  const orgs = orgNames(db)
  return new Map(views.map((v) => [v.id, { title: titles.get(v) ?? '', orgName: orgs.get(v.orgId) ?? '' }] as const))
}

function namesRead(
  db: Db,
  table: 'needs' | 'offers',
  views: readonly (OfferView | NeedView)[],
): Map<number, { title: string; orgName: string }> {
  const list = padded(views.map((v) => v.id))
  const rows = prepared(
    db,
    `SELECT ${table}.id, ${table}.title, organizations.name FROM ${table} JOIN organizations ON organizations.id = ${table}.org_id
    WHERE ${table}.id IN (${marks(list.length)})`,
  ).all(...list) as [number, string, string][]
  return new Map(rows.map(([id, title, orgName]) => [id, { title, orgName }]))
}

/** Every organization's name, read again when an organization changes (a thousand at 100k listings). */
function orgNames(db: Db): ReadonlyMap<number, string> {
  return remember(
    sqliteOf(db),
    'matching.orgNames',
    () => new Map(prepared(db, 'SELECT id, name FROM organizations').all() as [number, string][]),
    ['organizations'],
  )
}

/**
 * Every organization nobody answers for (members/answering.ts), for all organizations at once: the same for every
 * match page until a membership, an account, a broker's areas, an organization or an area changes.
 */
export function unansweredOrgs(db: Db): ReadonlySet<number> {
  return remember(
    sqliteOf(db),
    'matching.unanswered',
    () => {
      const ids = prepared(db, 'SELECT id FROM organizations')
        .all()
        .map((r) => (r as [number])[0])
      const out = new Set<number>()
      for (let at = 0; at < ids.length; at += 8192)
        for (const id of unanswered(db, ids.slice(at, at + 8192))) out.add(id)
      return out
    },
    ['memberships', 'users', 'broker_areas', 'organizations', 'areas'],
  )
}
