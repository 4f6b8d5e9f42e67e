/**
 * What every match page shares about organizations, the same for all pages until a match, a rating or a membership
 * changes: matches received (the fairness factor), holders' track records, and groups nobody answers for (who come
 * last). Each is computed once for all organizations and remembered (db/memo.ts); a page copies them onto the few
 * views it scores (the kept views are shared).
 */
import { sqliteOf, type Db } from '../db/client.js'
import { remember, type Source, type Versions } from '../db/memo.js'
import { unanswered } from '../members/answering.js'
import type { NeedView, OfferView } from './types.js'
import { marks, NO_TRACK, prepared } from './view-rows.js'

const RESERVING = ['accepted', 'delivered', 'reviewed'] as const
const DELIVERED = ['delivered', 'reviewed'] as const

const RECEIVED_FROM: readonly Source[] = ['matches']
const TRACKS_FROM: readonly Source[] = ['matches', 'feedback']
const UNANSWERED_FROM: readonly Source[] = ['memberships', 'users', 'broker_areas', 'organizations', 'areas']
/** The tables this file's answers read: a match page reads their versions once (memo.ts versions) for all of them. */
export const RECORDS_FROM: readonly Source[] = [...new Set([...RECEIVED_FROM, ...TRACKS_FROM, ...UNANSWERED_FROM])]

/**
 * Matches received so far by every organization: the fewer, the more the matcher favours it. The same for every
 * page until a match changes (a need's organization never changes), so computed once for all organizations.
 */
export function matchesReceived(db: Db, seen?: Versions): ReadonlyMap<number, number> {
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
    RECEIVED_FROM,
    seen,
  )
}

type Track = OfferView['track']
/**
 * Every holder's record: deliveries and the mean rating the receiving side gave. Like matchesReceived, one answer
 * for every page until a match or a rating changes (an offer's organization never changes).
 */
export function trackRecords(db: Db, seen?: Versions): ReadonlyMap<number, Track> {
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
    TRACKS_FROM,
    seen,
  )
}

/**
 * The offers with their holders' track records (trackRecords' answer, which the page has already asked for: each ask
 * is a statement): copies, since the views are shared (kept-views.ts).
 */
export function withTracks(tracks: ReadonlyMap<number, Track>, views: readonly OfferView[]): OfferView[] {
  return views.map((v) => ({ ...v, track: tracks.get(v.orgId) ?? NO_TRACK }))
}

/** The needs with their organizations' matches received (matchesReceived's answer): copies, as withTracks. */
export function withMatchesReceived(received: ReadonlyMap<number, number>, views: readonly NeedView[]): NeedView[] {
  return views.map((v) => ({ ...v, org: { ...v.org, matchesReceived: received.get(v.orgId) ?? 0 } }))
}

/**
 * Every organization nobody answers for (members/answering.ts), for all organizations at once: the same for every
 * match page until a membership, an account, a broker's areas, an organization or an area changes.
 */
export function unansweredOrgs(db: Db, seen?: Versions): ReadonlySet<number> {
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
    UNANSWERED_FROM,
    seen,
  )
}
