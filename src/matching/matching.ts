/**
 * The match pages' shell: a need's ranked offers and an offer's ranked needs (with why none fits), one pair's
 * assessment, and who fits a listing for the alerts. Reads the views (rows.ts, views.ts, org-records.ts, shown-names.ts), asks the search index
 * for text relevance, and calls the pure core: no ranking logic lives here.
 */
import { eq } from 'drizzle-orm'
import { sqliteOf, type Db } from '../db/client.js'
import { needs, offers } from '../db/schema.js'
import * as text from '../search/relevance.js'
import { listingToday } from '../listings/listings.js'
import { needContenders, offerContenders } from './contenders.js'
import { prepareNeed, prepareOffer, rankNeeds, rankOffers, scoreFit } from './rank.js'
import { isFeasible, violations } from './feasibility.js'
import { whyNot, type WhyNot } from './why-not.js'
import {
  needFitsEach,
  needIndex,
  needsFor,
  needsNow,
  offerFitsEach,
  offerIndex,
  offersAround,
  offersFor,
  offersNow,
} from './views.js'
import type { OfferView } from './types.js'
import { areaIndex, loadNeeds, loadOffers } from './rows.js'
import { needOf, offerOf, pageNeed, pageOffer, type NeedFields, type OfferFields } from './page-listing.js'
import {
  matchesReceived,
  RECORDS_FROM,
  trackRecords,
  unansweredOrgs,
  withMatchesReceived,
  withTracks,
} from './org-records.js'
import { NAMES_FROM, needNames, offerNames } from './shown-names.js'
import { versions, type Versions } from '../db/memo.js'
import { needsNotWitnessed } from './first-fits.js'
import { NO_TRACK } from './view-rows.js'

/** What a match page's remembered answers read (organizations' records and names). */
const PAGE_FROM = [...RECORDS_FROM, ...NAMES_FROM]

/**
 * The versions a match page reads in one statement (memo.ts versions), for offersForNeed / needsForOffer and the rest
 * of its page: with the vocabulary's and the categories' (the page names topics and categories), each a statement of
 * its own when asked apart.
 */
export function pageVersions(db: Db): Versions {
  return versions(sqliteOf(db), PAGE_STAMPS)
}
const PAGE_STAMPS = [...PAGE_FROM, 'topic_terms', 'categories'] as const

/** A match page's: how many to show, when, and the versions read for it (at least PAGE_FROM's). */
interface PageOptions {
  limit?: number
  now?: Date
  seen?: Versions
}

/**
 * Offers that fit a need, best first, with reasons; and, when none fits, why not. Candidates are narrowed
 * in SQL (same category, capacity left, serving an area above the need's place); the pure core checks the rest.
 */
export function offersForNeed(
  db: Db,
  needId: number,
  {
    limit = 20,
    now = new Date(),
    seen = versions(sqliteOf(db), PAGE_FROM),
    row,
  }: PageOptions & { row?: NeedFields } = {},
) {
  // The page writes nothing: the versions of what its remembered answers read are read once for all of them (`seen`,
  // or pageVersions for the whole page). A need page has read its need already (`row`).
  const need = row?.id === needId ? needOf(db, row, seen) : pageNeed(db, needId, seen)
  if (!need) return undefined
  const today = listingToday(now)
  const open = need.view.quantity > 0
  // The kept views (views.ts) name the fitting offers; every one counts in `total`.
  const kept = open ? offersFor(db, need.view, today) : []
  // Offers of groups nobody answers for come after the others (a tie-break after fit: what fits is unchanged), so a
  // request reaches a person. Each part is ranked alone, and only the offers that could be shown from it (contenders.ts
  // offerContenders) get a track record copied on, a text relevance and a score.
  const nobody = kept.length ? unansweredOrgs(db, seen) : new Set<number>()
  const tracks = trackRecords(db, seen)
  const trackOf = (o: OfferView) => tracks.get(o.orgId) ?? NO_TRACK
  const answerable = kept.filter((o) => !nobody.has(o.orgId))
  const late = kept.filter((o) => nobody.has(o.orgId))
  const ahead = offerContenders(need.view, answerable, limit, trackOf)
  const after = offerContenders(need.view, late, limit - Math.min(limit, answerable.length), trackOf)
  const contenders = [...ahead, ...after]
  const candidates = contenders.length ? withTracks(tracks, contenders) : []
  const relevance = candidates.length
    ? text.relevance(
        sqliteOf(db),
        'offer',
        need.text,
        candidates.map((o) => o.id),
      )
    : new Map()
  // Only the shown ones get their reasons written.
  const rank = (list: OfferView[], n: number) =>
    n <= 0 || list.length === 0
      ? []
      : rankOffers(
          need.view,
          list.map((o) => ({
            offer: o,
            relevance: relevance.get(o.id)?.score0to1 ?? 0,
            terms: relevance.get(o.id)?.terms ?? [],
          })),
          undefined,
          n,
        )
  const first = rank(candidates.slice(0, ahead.length), limit)
  const shown = [...first, ...rank(candidates.slice(ahead.length), limit - first.length)]
  const at = new Map(candidates.map((o, i) => [o.id, i]))
  const names = offerNames(
    db,
    shown.map((f) => contenders[at.get(f.offerId)!]!),
    seen,
  )
  const ranked = shown.map((f) => {
    const o = candidates[at.get(f.offerId)!]!
    const { title, orgName } = names.get(o.id)!
    return {
      offer: {
        id: o.id,
        title,
        orgId: o.orgId,
        orgName,
        remaining: o.remaining,
        unit: o.unit,
        unanswered: nobody.has(o.orgId),
      },
      score: f.score,
      reasons: f.reasons,
    }
  })
  let why: (WhyNot & { otherCategories: number }) | undefined
  if (open && kept.length === 0) {
    // Only offers in the same category can ever be unlocked; the others are counted, not examined.
    // why-not reads the hard constraints only, so these views go without names and track records.
    const { index, elsewhere } = offersAround(db, need.view.category, today)
    why = { ...whyNot(need.view, index.columns(), index.relation(need.view)), otherCategories: elsewhere }
  }
  return { need: need.view, total: kept.length, matches: ranked, whyNot: why }
}

/** Needs an offer could serve, best first; under-resourced organizations rise through the fairness factor. */
export function needsForOffer(
  db: Db,
  offerId: number,
  {
    limit = 20,
    now = new Date(),
    seen = versions(sqliteOf(db), PAGE_FROM),
    row,
  }: PageOptions & { row?: OfferFields } = {},
) {
  // An offer page has read its offer already (`row`).
  const offer = row?.id === offerId ? offerOf(db, row, seen) : pageOffer(db, offerId, seen)
  if (!offer) return undefined
  const today = listingToday(now)
  const kept = offer.view.remaining > 0 ? needsFor(db, offer.view, today) : []
  // As offersForNeed: only the needs that could be shown get matches received copied on, a relevance and a score.
  const received = kept.length ? matchesReceived(db, seen) : new Map<number, number>()
  const contenders = needContenders(offer.view, kept, limit, (n) => received.get(n.orgId) ?? 0)
  const candidates = contenders.length ? withMatchesReceived(received, contenders) : []
  const relevance = candidates.length
    ? text.relevance(
        sqliteOf(db),
        'need',
        offer.text,
        candidates.map((n) => n.id),
      )
    : new Map()
  const shown = rankNeeds(
    offer.view,
    candidates.map((n) => ({
      need: n,
      relevance: relevance.get(n.id)?.score0to1 ?? 0,
      terms: relevance.get(n.id)?.terms ?? [],
    })),
    undefined,
    limit,
  )
  const at = new Map(candidates.map((n, i) => [n.id, i]))
  const names = needNames(
    db,
    shown.map((f) => contenders[at.get(f.needId)!]!),
    seen,
  )
  const ranked = shown.map((f) => {
    const n = candidates[at.get(f.needId)!]!
    const { title, orgName } = names.get(n.id)!
    return {
      need: {
        id: n.id,
        title,
        orgId: n.orgId,
        orgName,
        remaining: n.quantity,
        unit: n.unit,
        areaId: n.areaPath.at(-1)!,
      },
      score: f.score,
      reasons: f.reasons,
    }
  })
  return { offer: offer.view, total: kept.length, matches: ranked }
}

/**
 * One need and one offer as the matcher sees them: which hard constraints the pair breaks, and its score
 * and reasons now (a match keeps them as they were when it was made).
 */
export function assessPair(db: Db, needId: number, offerId: number) {
  const [need] = loadNeeds(db, eq(needs.id, needId))
  const [offer] = loadOffers(db, eq(offers.id, offerId))
  if (!need || !offer) return undefined
  const rel = text.relevance(sqliteOf(db), 'offer', need.text, [offer.view.id]).get(offer.view.id)
  const fit = scoreFit(prepareNeed(need.view), prepareOffer(offer.view), rel?.score0to1 ?? 0, rel?.terms ?? [])
  return {
    need: need.view,
    offer: offer.view,
    violations: violations(need.view, offer.view),
    score: fit.score,
    reasons: fit.reasons,
  }
}

/**
 * Every available offer that fits an active need now, as ids: the same candidates and hard constraints as
 * offersForNeed, without scoring (the "new fit" alerts ask who fits, not who is best).
 */
export function offersFitting(db: Db, needId: number, now = new Date()): number[] {
  const need = pageNeed(db, needId)
  if (!need || need.view.quantity <= 0) return []
  return offersFor(db, need.view, listingToday(now)).map((o) => o.id)
}

/**
 * Of these listings on the other side, the ones the listing fits now (offersFitting / needsFitting's answer, kept to
 * `among`): a signed-in visitor's "what of ours could help" asks it of their own group's few listings, where listing
 * every fit first cost a pass over thousands of candidates a page at 1M listings.
 */
export function fittingAmong(
  db: Db,
  side: 'need' | 'offer',
  id: number,
  among: readonly number[],
  now = new Date(),
): number[] {
  if (among.length === 0) return []
  const today = listingToday(now)
  if (side === 'need') {
    const need = pageNeed(db, id)
    if (!need || need.view.quantity <= 0) return []
    const index = offerIndex(db, need.view.category, today)
    return among.filter((x) => {
      const offer = index.get(x)
      return offer !== undefined && isFeasible(need.view, offer)
    })
  }
  const offer = pageOffer(db, id)
  if (!offer || offer.view.remaining <= 0) return []
  const index = needIndex(db, offer.view.category, today)
  return among.filter((x) => {
    const need = index.get(x)
    return need !== undefined && isFeasible(need, offer.view)
  })
}

/** Every active need that an offer fits now, as ids: needsForOffer's candidates and constraints, without scoring. */
export function needsFitting(db: Db, offerId: number, now = new Date()): number[] {
  const offer = pageOffer(db, offerId)
  if (!offer || offer.view.remaining <= 0) return []
  return needsFor(db, offer.view, listingToday(now)).map((n) => n.id)
}

/** Whether a listing was there before; `ask` may first say it of many at once (one statement instead of one each). */
export type Before = ((side: 'need' | 'offer', id: number) => boolean) & {
  ask?: (side: 'need' | 'offer', ids: readonly number[]) => void
}

/**
 * The listings on the other side that this listing fits now and that nothing else `before` takes fits: those it is
 * the first fit for (the "new fit" alerts, with `before` saying which listings were there before it was written).
 * The same fit as offersFitting / needsFitting, asked of each counterpart until its first other fit is found.
 */
export function firstFitFor(db: Db, side: 'need' | 'offer', id: number, before: Before, now = new Date()): number[] {
  const today = listingToday(now)
  const sqlite = sqliteOf(db)
  // The listing as the kept views hold it (none when not active or available now), without the organizations' records
  // a page's view carries: what fits does not read them, and pageNeed, asked in the job's transaction where nothing
  // remembered is kept, worked out every organization's matches received again each time (~2/3 of the job's CPU at
  // 100k listings).
  const pathOf = (areaId: number) => areaIndex(db).path(areaId)
  // Whether a counterpart was there before is asked last, of the few nothing else fits: most have another fit, and
  // each ask is a statement.
  if (side === 'offer') {
    const [offer] = offersNow(sqlite, [id], pathOf, today)
    if (!offer) return []
    const other = (x: number) => x !== id && before('offer', x)
    const counterparts =
      needsNotWitnessed(db, id, today, other, (ids) => before.ask?.('offer', ids)) ?? needsFor(db, offer, today)
    const fitted = offerFitsEach(db, counterparts, today, other)
    return counterparts.filter((n, i) => !fitted[i] && before('need', n.id)).map((n) => n.id)
  }
  const [need] = needsNow(sqlite, [id], pathOf, today)
  if (!need) return []
  const counterparts = offersFor(db, need, today)
  const fitted = needFitsEach(db, counterparts, today, (other) => other !== id && before('need', other))
  return counterparts.filter((o, i) => !fitted[i] && before('offer', o.id)).map((o) => o.id)
}
