/**
 * Scores for feasible pairs, from named factors, and the order they give a need's offers or an offer's needs.
 *
 * Candidates arrive already filtered by the hard constraints (feasibility.ts); ranking never hides a
 * pair, it only orders them. Every factor yields a value in 0..1 (the `*Value` functions, shared with the
 * allocator so both speak the same scale) and a Reason (reasons.ts) whose contribution is its share of the score.
 */
import { lower as lowerOf, upper as upperOf } from './feasibility.js'
import { fewMatchesSign, notVouchedSign, smallSign } from './fairness.js'
import { ReasonMemo, reasonsFor } from './reasons.js'
import { ANY_TIME as ANY, parseSchedule as parse, slotShare as share_, type Slots } from './schedule.js'
import { relate } from './topic-relation.js'
import type {
  Candidate,
  NeedCandidate,
  NeedFit,
  NeedView,
  OfferFit,
  OfferView,
  OrgView,
  Reason,
  TrackRecord,
  Urgency,
} from './types.js'
import { DEFAULT_WEIGHTS, SUB_WEIGHTS, weigh, type Weights } from './weights.js'

// Plain local functions: the loader's accessors for imported bindings cost more than these calls do,
// and ranking calls them tens of thousands of times a request.
const lower = lowerOf,
  upper = upperOf,
  parseSchedule = parse,
  slotShare = share_,
  sum = weigh
const SUB = SUB_WEIGHTS

// ---- factor values (0..1) ----

/** The text index's relevance, clamped to 0..1. */
export function relevanceValue(relevance: number): number {
  return relevance > 1 ? 1 : relevance > 0 ? relevance : 0
}

/**
 * The relevance factor: about the same thing (a topic in common, or a fund for any purpose: topics.ts 'same')
 * and how well the texts match. A feasible pair without a shared topic fits by related words only, and ranks
 * below one that shares a topic when their texts match alike.
 */
export function subjectValue(same: boolean, text: number): number {
  return SUB.relevance.topic * (same ? 1 : 0) + SUB.relevance.text * relevanceValue(text)
}

/** Whether the pair is about the same thing in relate's sense (topic-relation.ts), not merely by related words. */
export function sameSubject(need: NeedView, offer: OfferView, relevance?: number): boolean {
  return relate(need.category, need, offer, relevance) === 'same'
}

/** The smaller the offer's served area around the need, the nearer: same community 1, whole district 1/3. */
export function areaValue(servesDepth: number, needDepth: number): number {
  if (needDepth <= 0) return 1
  return Math.min(servesDepth, needDepth) / needDepth
}

export function coverageValue(remaining: number, quantity: number): number {
  if (quantity <= 0) return 1
  return Math.max(0, Math.min(remaining, quantity)) / quantity
}

/**
 * Share of the need's dates the offer is available on. An open-ended need cannot be measured in days,
 * so it counts as fully served only when the offer is at least as open.
 */
export function datesValue(needFrom: number, needUntil: number, offerFrom: number, offerUntil: number): number {
  const from = Math.max(needFrom, offerFrom),
    until = Math.min(needUntil, offerUntil)
  if (from > until) return 0
  if (from === needFrom && until === needUntil) return 1
  if (!Number.isFinite(needFrom) || !Number.isFinite(needUntil)) return 0.5
  return (until - from + 1) / (needUntil - needFrom + 1)
}

const URGENCY = SUB.urgency
export function urgencyValue(u: Urgency): number {
  return URGENCY[u] ?? URGENCY.normal
}

/**
 * How under-resourced an organization looks: mostly how few matches it has received (the platform's own
 * evidence), then whether no one has vouched for it yet, then how small it is (fairness.ts weighs each sign).
 */
export function underResourcing(org: OrgView): number {
  return fewMatchesSign(org) + notVouchedSign(org) + smallSign(org)
}

/** Deliveries and the mean rating (1–5); a new holder scores a quarter, not zero, so being new never buries an offer. */
export function trackValue(t: TrackRecord): number {
  const k = SUB.track,
    d = Math.max(0, t.delivered)
  const rated = t.rating == null ? k.unrated : Math.max(0, Math.min(1, (t.rating - 1) / 4))
  return k.delivered * (d / (d + k.halfAtDeliveries)) + k.rating * rated
}

// ---- prepared views: what each side contributes, computed once per entity ----

export interface PreparedNeed {
  need: NeedView
  slots: Slots
  from: number
  until: number
  urgency: number
  fairness: number
}
export interface PreparedOffer {
  offer: OfferView
  slots: Slots
  from: number
  until: number
  track: number
}

export function prepareNeed(need: NeedView): PreparedNeed {
  return {
    need,
    slots: parseSchedule(need.schedule),
    from: lower(need.from),
    until: upper(need.until),
    urgency: urgencyValue(need.urgency),
    fairness: underResourcing(need.org),
  }
}
export function prepareOffer(offer: OfferView): PreparedOffer {
  return {
    offer,
    slots: parseSchedule(offer.schedule),
    from: lower(offer.from),
    until: upper(offer.until),
    track: trackValue(offer.track),
  }
}

/**
 * The pair's score in 0..100, numbers only. Without a text relevance (the allocator has none unless given
 * one) the relevance factor drops out of the mean rather than counting as zero.
 */
export function pairScore(n: PreparedNeed, o: PreparedOffer, w: Weights = DEFAULT_WEIGHTS, relevance?: number): number {
  return sum(w, factorValues(n, o, relevance, scratchValues), scratchPoints)
}

const scratchValues = new Float64Array(8),
  scratchPoints = new Float64Array(8)

/**
 * A pair's factor values in FACTORS order, written into `v`: the one recipe every ranked score is weighed from
 * (`weigh` then sums them). Without a text relevance the relevance value is NaN, which drops it out of the mean.
 * The allocator's typed-array twin (pairs.ts) is held to it by a test.
 */
export function factorValues(
  n: PreparedNeed,
  o: PreparedOffer,
  relevance: number | undefined,
  v: Float64Array,
): Float64Array {
  const need = n.need,
    offer = o.offer
  v[0] = relevance === undefined ? NaN : subjectValue(sameSubject(need, offer), relevance)
  v[1] = areaValue(offer.servesPath.length, need.areaPath.length)
  v[2] = coverageValue(offer.remaining, need.quantity)
  v[3] = slotShare(n.slots, o.slots)
  v[4] = datesValue(n.from, n.until, o.from, o.until)
  v[5] = n.urgency
  v[6] = n.fairness
  v[7] = o.track
  return v
}

/**
 * The score of factor values already computed (the relevance factor's value, not the raw text relevance;
 * undefined drops it out of the mean), through the one weighted sum.
 */
export function combine(
  w: Weights,
  area: number,
  coverage: number,
  schedule: number,
  dates: number,
  urgency: number,
  fairness: number,
  track: number,
  relevance?: number,
): number {
  const v = scratchValues
  v[0] = relevance === undefined ? NaN : relevance
  v[1] = area
  v[2] = coverage
  v[3] = schedule
  v[4] = dates
  v[5] = urgency
  v[6] = fairness
  v[7] = track
  return sum(w, v, scratchPoints)
}

// ---- ranking with reasons ----
//
// Ranking 10,000 candidates must stay under 5 ms, so the hot path creates no closures and few objects: one
// scratch view and one memo per call, which also shares the reasons many fits have in common (reasons.ts).

/**
 * Offers for one need, best first. With `limit`, every candidate is still scored (so the order and the
 * count are exact) but only the first `limit` fits carry reasons: a page shows twenty, and words for
 * the other 9,980 would be most of the cost. Fits past the limit are not returned.
 */
export function rankOffers(
  need: NeedView,
  candidates: readonly Candidate[],
  w: Weights = DEFAULT_WEIGHTS,
  limit = Infinity,
): OfferFit[] {
  if (limit < candidates.length) return topOffers(need, candidates, w, limit)
  const n = prepareNeed(need)
  const memo = new ReasonMemo()
  const fits: OfferFit[] = new Array(candidates.length)
  const ids: number[] = new Array(candidates.length)
  // One scratch view, refilled per candidate: fitFor reads it and keeps nothing.
  const o: PreparedOffer = { offer: candidates[0]?.offer, slots: ANY, from: 0, until: 0, track: 0 }
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i],
      offer = c.offer
    refill(o, offer)
    const reasons = fitFor(n, o, c.relevance, c.terms, w, memo)
    fits[i] = { offerId: (ids[i] = c.offer.id), score: memo.score, reasons }
  }
  return sortFits(fits, ids)
}

/** Needs for one offer, best first; `limit` as for rankOffers. */
export function rankNeeds(
  offer: OfferView,
  candidates: readonly NeedCandidate[],
  w: Weights = DEFAULT_WEIGHTS,
  limit = Infinity,
): NeedFit[] {
  if (limit < candidates.length) return topNeeds(offer, candidates, w, limit)
  const o = prepareOffer(offer)
  const fits: NeedFit[] = new Array(candidates.length)
  const ids: number[] = new Array(candidates.length)
  const memo = new ReasonMemo()
  memo.sharing = false
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]
    // Each need brings its own urgency, organization, schedule and quantity, so fits share nothing here.
    memo.clear()
    const reasons = fitFor(prepareNeed(c.need), o, c.relevance, c.terms, w, memo)
    fits[i] = { needId: (ids[i] = c.need.id), score: memo.score, reasons }
  }
  return sortFits(fits, ids)
}

/** Points a scratch view at another offer: one object reused per call instead of one per candidate. */
function refill(o: PreparedOffer, offer: OfferView): void {
  o.offer = offer
  o.slots = parseSchedule(offer.schedule)
  o.from = lower(offer.from)
  o.until = upper(offer.until)
  o.track = trackValue(offer.track)
}

function topOffers(need: NeedView, candidates: readonly Candidate[], w: Weights, limit: number): OfferFit[] {
  const n = prepareNeed(need)
  const scored: { score: number; i: number }[] = new Array(candidates.length)
  const ids: number[] = new Array(candidates.length)
  const v = new Float64Array(8),
    points = new Float64Array(8)
  const o: PreparedOffer = { offer: candidates[0]?.offer, slots: ANY, from: 0, until: 0, track: 0 }
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]
    refill(o, c.offer)
    scored[i] = { score: Math.round(sum(w, factorValues(n, o, c.relevance, v), points)), i }
    ids[i] = c.offer.id
  }
  const top = sortFits(scored, ids).slice(0, Math.max(0, limit))
  const memo = new ReasonMemo()
  return top.map(({ i }) => {
    const c = candidates[i],
      offer = c.offer
    refill(o, offer)
    const reasons = fitFor(n, o, c.relevance, c.terms, w, memo)
    return { offerId: offer.id, score: memo.score, reasons }
  })
}

function topNeeds(offer: OfferView, candidates: readonly NeedCandidate[], w: Weights, limit: number): NeedFit[] {
  const o = prepareOffer(offer)
  const prepared: PreparedNeed[] = new Array(candidates.length)
  const scored: { score: number; i: number }[] = new Array(candidates.length)
  const ids: number[] = new Array(candidates.length)
  const v = new Float64Array(8),
    points = new Float64Array(8)
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]
    scored[i] = {
      score: Math.round(sum(w, factorValues((prepared[i] = prepareNeed(c.need)), o, c.relevance, v), points)),
      i,
    }
    ids[i] = c.need.id
  }
  const memo = new ReasonMemo()
  memo.sharing = false
  return sortFits(scored, ids)
    .slice(0, Math.max(0, limit))
    .map(({ i }) => {
      memo.clear()
      const c = candidates[i]
      const reasons = fitFor(prepared[i], o, c.relevance, c.terms, w, memo)
      return { needId: c.need.id, score: memo.score, reasons }
    })
}

/** One pair's score and reasons; reasons come in FACTORS order and their contributions sum to the score (± rounding). */
export function scoreFit(
  n: PreparedNeed,
  o: PreparedOffer,
  relevance: number,
  terms: readonly string[],
  w: Weights = DEFAULT_WEIGHTS,
): { score: number; reasons: Reason[] } {
  const memo = new ReasonMemo()
  const reasons = fitFor(n, o, relevance, terms, w, memo)
  return { score: memo.score, reasons }
}

/**
 * One fit's score, left in `memo.score` to save an object per candidate, and its reasons, written from the
 * same factor values and points (filled into the memo's scratch) so that their contributions sum to the score.
 */
function fitFor(
  n: PreparedNeed,
  o: PreparedOffer,
  relevance: number,
  terms: readonly string[],
  w: Weights,
  memo: ReasonMemo,
): Reason[] {
  const v = factorValues(n, o, relevance, memo.values)
  memo.score = Math.round(sum(w, v, memo.points))
  return reasonsFor(n, o, sameSubject(n.need, o.offer), relevanceValue(relevance), terms, memo)
}

/**
 * Score descending, then id ascending. A comparator sort of 10,000 fits costs about 2 ms, a fifth of the
 * budget, so ids go through an 11-bit radix sort and scores (whole points) through one counting pass.
 */
function sortFits<T extends { score: number }>(fits: T[], ids: number[]): T[] {
  const n = fits.length
  let radixable = n > 64,
    maxId = 0
  for (let i = 0; radixable && i < n; i++) {
    radixable =
      Number.isInteger(ids[i]) && ids[i] >= 0 && ids[i] < 2 ** 31 && fits[i].score >= 0 && fits[i].score <= 100
    if (ids[i] > maxId) maxId = ids[i]
  }
  if (!radixable) {
    const idx = fits.map((_, i) => i).sort((a, b) => fits[b].score - fits[a].score || ids[a] - ids[b])
    return idx.map((i) => fits[i])
  }
  let order = new Int32Array(n),
    next = new Int32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  const count = new Int32Array(2049)
  for (let shift = 0; shift < 33 && (shift === 0 || maxId >>> shift > 0); shift += 11) {
    count.fill(0)
    for (let i = 0; i < n; i++) count[((ids[i] >>> shift) & 2047) + 1]++
    for (let b = 1; b < 2049; b++) count[b] += count[b - 1]
    for (let k = 0; k < n; k++) {
      const i = order[k]
      next[count[(ids[i] >>> shift) & 2047]++] = i
    }
    const swap = order
    order = next
    next = swap
  }
  const start = new Int32Array(102)
  for (let i = 0; i < n; i++) start[101 - fits[i].score]++
  for (let b = 1; b < 102; b++) start[b] += start[b - 1]
  const out: T[] = new Array(n)
  for (let k = 0; k < n; k++) {
    const f = fits[order[k]]
    out[start[100 - f.score]++] = f
  }
  return out
}
