/**
 * Which candidates a page must score in full. A page shows the first `limit` of a ranking (rank.ts), and most of a
 * candidate's cost is what only the shown need: its text relevance (the search index), the track record or matches
 * received copied onto its view, its reasons. Every other factor is known from the kept view, and the relevance
 * factor lies between its value at text relevance 0 and at 1 (the topic part is known), so each candidate's rounded
 * score has a lower and an upper bound. One whose upper bound is below the `limit`-th highest lower bound is strictly
 * below `limit` others whatever the texts say: it can be neither shown nor ahead of one shown, and is left out before
 * anything is looked up. Pure, like rank.ts, whose one recipe (factorValues) it bounds.
 */
import { lower as lowerOf, upper as upperOf } from './feasibility.js'
import {
  factorValues as factorValuesOf,
  prepareNeed,
  prepareOffer,
  trackValue,
  underResourcing,
  urgencyValue,
  type PreparedNeed,
  type PreparedOffer,
} from './rank.js'
import { ANY_TIME as ANY, parseSchedule as parse } from './schedule.js'
import type { NeedView, OfferView, OrgView, TrackRecord } from './types.js'
import { DEFAULT_WEIGHTS, SUB_WEIGHTS, weigh, type Weights } from './weights.js'

// Plain local functions, as in rank.ts: called for every candidate of a page.
const lower = lowerOf,
  upper = upperOf,
  parseSchedule = parse,
  factorValues = factorValuesOf,
  sum = weigh
const SUB = SUB_WEIGHTS

/**
 * The offers that could be among a need's first `limit` (rankOffers) once their text relevance is known, in the
 * order given; `trackOf` is each offer's track record when the views do not carry it yet. rankOffers of these, with
 * their relevance and tracks, shows the same first `limit` as rankOffers of all of them.
 */
export function offerContenders(
  need: NeedView,
  offers: readonly OfferView[],
  limit: number,
  trackOf: (o: OfferView) => TrackRecord = (o) => o.track,
  w: Weights = DEFAULT_WEIGHTS,
): OfferView[] {
  // None to show: a need page asks this of the offers of groups nobody answers for, a third of its candidates, when
  // twenty others fit.
  if (limit <= 0) return []
  if (offers.length <= limit || !boundable(w)) return offers.slice()
  const n = prepareNeed(need)
  const o: PreparedOffer = { offer: offers[0]!, slots: ANY, from: 0, until: 0, track: 0 }
  const lo = new Int16Array(offers.length),
    hi = new Int16Array(offers.length)
  for (let i = 0; i < offers.length; i++) {
    const offer = offers[i]!
    o.offer = offer
    o.slots = parseSchedule(offer.schedule)
    o.from = lower(offer.from)
    o.until = upper(offer.until)
    o.track = trackValue(trackOf(offer))
    bound(n, o, w, lo, hi, i)
  }
  return keepAbove(offers, lo, hi, limit)
}

/**
 * As offerContenders for an offer's needs (rankNeeds); `receivedOf` is each need's organization's matches received
 * when the views do not carry it yet.
 */
export function needContenders(
  offer: OfferView,
  needs: readonly NeedView[],
  limit: number,
  receivedOf: (n: NeedView) => number = (n) => n.org.matchesReceived,
  w: Weights = DEFAULT_WEIGHTS,
): NeedView[] {
  if (limit <= 0) return []
  if (needs.length <= limit || !boundable(w)) return needs.slice()
  const o = prepareOffer(offer)
  const org: OrgView = { ...needs[0]!.org }
  const lo = new Int16Array(needs.length),
    hi = new Int16Array(needs.length)
  for (let i = 0; i < needs.length; i++) {
    const need = needs[i]!
    // The need's organization as the page will weigh it, in one scratch object rather than a copy per need.
    Object.assign(org, need.org)
    org.matchesReceived = receivedOf(need)
    bound(
      {
        need,
        slots: parseSchedule(need.schedule),
        from: lower(need.from),
        until: upper(need.until),
        urgency: urgencyValue(need.urgency),
        fairness: underResourcing(org),
      },
      o,
      w,
      lo,
      hi,
      i,
    )
  }
  return keepAbove(needs, lo, hi, limit)
}

// The bounds rest on every weight counting up (a negative one would turn relevance 1 into the lower bound).
function boundable(w: Weights): boolean {
  for (const k of Object.keys(w) as (keyof Weights)[]) if (!(w[k] >= 0)) return false
  return true
}

const boundValues = new Float64Array(8),
  boundPoints = new Float64Array(8)

/** The pair's rounded score at text relevance 0 into lo[i] and at 1 into hi[i], through the one recipe. */
function bound(n: PreparedNeed, o: PreparedOffer, w: Weights, lo: Int16Array, hi: Int16Array, i: number): void {
  const v = factorValues(n, o, 0, boundValues)
  lo[i] = Math.round(sum(w, v, boundPoints))
  // subjectValue(same, 1): the topic part as found, the text part whole.
  v[0] = v[0]! + SUB.relevance.text
  hi[i] = Math.round(sum(w, v, boundPoints))
}

function keepAbove<T>(list: readonly T[], lo: Int16Array, hi: Int16Array, limit: number): T[] {
  if (limit <= 0) return []
  // The limit-th highest lower bound: scores are whole points in 0..100.
  const count = new Int32Array(101)
  for (let i = 0; i < lo.length; i++) {
    // Weights and values out of their ranges give scores out of 0..100: then nothing is left out.
    if (!(lo[i]! >= 0 && hi[i]! <= 100)) return list.slice()
    count[lo[i]!]++
  }
  let cut = 100
  for (let seen = count[100]!; seen < limit && cut > 0;) seen += count[--cut]!
  const out: T[] = []
  // Equal to the cut may still tie the limit-th and come first by id: only strictly below is left out.
  for (let i = 0; i < list.length; i++) if (hi[i]! >= cut) out.push(list[i]!)
  return out
}
