/**
 * Scores for feasible pairs, from named factors, each with the words that explain it.
 *
 * Candidates arrive already filtered by the hard constraints (feasibility.ts); ranking never hides a
 * pair, it only orders them. Every factor yields a value in 0..1 (the `*Value` functions, shared with the
 * allocator so both speak the same scale) and a Reason whose contribution is its share of the score.
 */
import { lower as lowerOf, upper as upperOf } from './feasibility.js'
import {
  ANY_TIME as ANY,
  describeSlots,
  intersect,
  isAnyTime,
  parseSchedule as parse,
  slotShare as share_,
  type Slots,
} from './schedule.js'
import { relate } from './topics.js'
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
import { DEFAULT_WEIGHTS, FACTORS, SUB_WEIGHTS, weigh, type Factor, type Weights } from './weights.js'

export { FACTORS }

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

/** Whether the pair is about the same thing in topics.ts's sense (not merely related words). */
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

const TRUST_NEED = SUB.trustNeed

/**
 * How under-resourced an organization looks: mostly how few matches it has received (the platform's own
 * evidence), then whether no one has vouched for it yet, then how small it is.
 */
export function underResourcing(org: OrgView): number {
  const f = SUB.fairness
  return (
    f.fewMatches * fewMatches(org.matchesReceived) +
    f.notVouched * (TRUST_NEED[org.trust] ?? 1) +
    f.small * smallness(org.members)
  )
}
function fewMatches(n: number): number {
  return 1 / (1 + Math.max(0, n) / SUB.fairness.halfAtMatches)
}
function smallness(members: number | null): number {
  return members == null ? SUB.fairness.unknownSize : 1 / (1 + Math.max(0, members) / SUB.fairness.halfAtMembers)
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
function factorValues(n: PreparedNeed, o: PreparedOffer, relevance: number | undefined, v: Float64Array): Float64Array {
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
// Ranking 10,000 candidates must stay under 5 ms, so the hot path creates no closures and few objects:
// a reason that depends only on a value many candidates share (the need's urgency, an area level, a
// schedule overlap, a coverage amount) is built once per call and shared, frozen, between fits.

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
  const memo = new Memo()
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
  const memo = new Memo()
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
  const memo = new Memo()
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
  const memo = new Memo()
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
  const memo = new Memo()
  const reasons = fitFor(n, o, relevance, terms, w, memo)
  return { score: memo.score, reasons }
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

/** Reasons shared between the fits of one call, keyed (by numbers, which hash fast) by what they depend on. */
class Memo {
  readonly area: (Reason | undefined)[] = []
  // Keys are kept to small integers, which V8 hashes without boxing (topic lists excepted).
  readonly relevance = new Map<number, Reason>()
  readonly coverage = new Map<number, Reason>()
  /** shared hours → reasons by shared days */
  readonly schedule = new Map<number, (Reason | undefined)[]>()
  readonly dates = new Map<number, Reason>()
  readonly track = new Map<number, Reason>()
  readonly coverageByAmount: (Reason | undefined)[] = []
  datesFull: Reason | undefined
  urgency: Reason | undefined
  fairness: Reason | undefined
  /** The score of the last fit, returned this way to save an object per candidate. */
  score = 0
  /** False when every fit is for a different need, so nothing is shared and nothing needs freezing. */
  sharing = true
  /** Factor values of the fit being written, and their points: scratch, refilled per fit. */
  readonly values = new Float64Array(8)
  readonly points = new Float64Array(8)
  clear(): void {
    this.area.length = 0
    this.coverageByAmount.length = 0
    this.relevance.clear()
    this.coverage.clear()
    this.schedule.clear()
    this.dates.clear()
    this.track.clear()
    this.datesFull = this.urgency = this.fairness = undefined
  }
}

function reason(factor: Factor, points: number, key: string, params: Reason['params']): Reason {
  return { factor, contribution: Math.round(points * 10) / 10, key, params }
}

/** A reason that may be shared between fits, so nobody can edit it under another fit's feet. */
function shared(memo: Memo, factor: Factor, points: number, key: string, params: Reason['params']): Reason {
  const r = reason(factor, points, key, params)
  if (!memo.sharing) return r
  Object.freeze(params)
  return Object.freeze(r)
}

function fitFor(
  n: PreparedNeed,
  o: PreparedOffer,
  relevance: number,
  terms: readonly string[],
  w: Weights,
  memo: Memo,
): Reason[] {
  const need = n.need,
    offer = o.offer
  const same = sameSubject(need, offer)

  // Values first, then the one weighted sum, then each factor's words with its points.
  const depth = offer.servesPath.length
  const v = factorValues(n, o, relevance, memo.values),
    p = memo.points
  const cover = v[2],
    dates = v[4]
  memo.score = Math.round(sum(w, v, p))

  const relReason = relevanceReason(need, offer, same, relevanceValue(relevance), terms, p[0], memo)

  // Feasible offers serve an ancestor of the need's place, so the served depth alone says which one.
  let areaReason = memo.area[depth]
  if (!areaReason) {
    memo.area[depth] = areaReason = shared(memo, 'area', p[1], AREA_KEYS[Math.min(depth, AREA_KEYS.length - 1)], {
      area: depth > 0 ? offer.servesPath[depth - 1] : 0,
    })
  }

  const covered = Math.max(0, Math.min(offer.remaining, need.quantity))
  // Small whole amounts (hours, seats) index an array; yuan amounts go through the map.
  const small = covered < 4096 && Number.isInteger(covered)
  let coverReason = small ? memo.coverageByAmount[covered] : memo.coverage.get(covered)
  if (!coverReason) {
    coverReason = shared(memo, 'coverage', p[2], cover >= 1 ? 'reason.coverage.full' : 'reason.coverage.partial', {
      percent: Math.floor(cover * 100),
      quantity: need.quantity,
      unit: need.unit,
    })
    if (small) memo.coverageByAmount[covered] = coverReason
    else memo.coverage.set(covered, coverReason)
  }

  const sharedDays = n.slots.days & o.slots.days,
    sharedHours = n.slots.hours & o.slots.hours
  let byDays = memo.schedule.get(sharedHours)
  if (!byDays) memo.schedule.set(sharedHours, (byDays = []))
  let scheduleReason = byDays[sharedDays]
  if (!scheduleReason) {
    const [key, params] = scheduleWords(n.slots, o.slots)
    byDays[sharedDays] = scheduleReason = shared(memo, 'schedule', p[3], key, params)
  }

  // Most offers cover the need's dates entirely, so that case skips the map.
  let datesReason = dates === 1 ? memo.datesFull : memo.dates.get(Math.round(dates * 1e6))
  if (!datesReason) {
    datesReason = shared(memo, 'dates', p[4], datesKey(n, dates), { percent: Math.round(dates * 100) })
    if (dates === 1) memo.datesFull = datesReason
    else memo.dates.set(Math.round(dates * 1e6), datesReason)
  }

  const urgencyReason = (memo.urgency ??= shared(
    memo,
    'urgency',
    p[5],
    `reason.urgency.${need.urgency in URGENCY ? need.urgency : 'normal'}`,
    {},
  ))

  const fairnessReason = (memo.fairness ??= shared(memo, 'fairness', p[6], ...fairnessWords(need.org)))

  const t = offer.track
  const trackKey = t.delivered * 1000 + (t.rating == null ? -1 : Math.round(t.rating * 100))
  let trackReason = memo.track.get(trackKey)
  if (!trackReason) {
    memo.track.set(
      trackKey,
      (trackReason = shared(
        memo,
        'track',
        p[7],
        t.delivered === 0 && t.rating == null
          ? 'reason.track.new'
          : t.rating == null
            ? 'reason.track.delivered'
            : 'reason.track.rated',
        { count: t.delivered, rating: t.rating == null ? 0 : Math.round(t.rating * 10) / 10 },
      )),
    )
  }

  return [relReason, areaReason, coverReason, scheduleReason, datesReason, urgencyReason, fairnessReason, trackReason]
}

/**
 * What the two are about, in words a person would say: the topic they share (never the category's own word),
 * a fund for any purpose, or, for a pair that fits by related words only, those words; the text index's
 * matched words only when the listings carry no keywords (not yet tagged).
 */
function relevanceReason(
  need: NeedView,
  offer: OfferView,
  same: boolean,
  text: number,
  terms: readonly string[],
  points: number,
  memo: Memo,
): Reason {
  // Points vary with the text's relevance, so these reasons are the fit's own, not shared.
  if (same) {
    const topics = need.topics.filter((t) => offer.topics.includes(t))
    return topics.length
      ? reason('relevance', points, 'reason.relevance.topic', { topics: topics.slice(0, 3).join(',') })
      : reason('relevance', points, 'reason.relevance.any_purpose', {})
  }
  const words = need.keywords.filter((k) => offer.keywords.includes(k))
  if (words.length > 0)
    return reason('relevance', points, 'reason.relevance.terms', { terms: words.slice(0, 5).join(',') })
  if (terms.length > 0)
    return reason('relevance', points, 'reason.relevance.terms', { terms: terms.slice(0, 5).join(',') })
  let r = memo.relevance.get(Math.round(text * 1e6))
  if (!r)
    memo.relevance.set(
      Math.round(text * 1e6),
      (r = shared(memo, 'relevance', points, 'reason.relevance.score', { percent: Math.round(text * 100) })),
    )
  return r
}

const AREA_KEYS = [
  'reason.area.anywhere',
  'reason.area.same_district',
  'reason.area.same_street',
  'reason.area.same_community',
  'reason.area.same_place',
]

function scheduleWords(need: Slots, offer: Slots): [string, Reason['params']] {
  const both = intersect(need, offer)
  if (isAnyTime(both) || (isAnyTime(need) && isAnyTime(offer))) return ['reason.schedule.any_time', {}]
  const d = describeSlots(both)
  const periods = d.periods.join(',')
  if (d.everyDay) return ['reason.schedule.periods', { periods }]
  if (d.allDay) return ['reason.schedule.days', { days: d.days.join(',') }]
  return [
    d.days.length === 2 ? 'reason.schedule.days_periods_two' : 'reason.schedule.days_periods',
    { day: d.days.join(','), periods },
  ]
}

function datesKey(n: PreparedNeed, value: number): string {
  if (value >= 1) return n.from === -Infinity && n.until === Infinity ? 'reason.dates.any' : 'reason.dates.covered'
  return Number.isFinite(n.from) && Number.isFinite(n.until) ? 'reason.dates.partial' : 'reason.dates.some'
}

/** Name the strongest sign of under-resourcing, so the favour shown is visible and can be argued with. */
function fairnessWords(org: OrgView): [string, Reason['params']] {
  const f = SUB.fairness
  const m = f.fewMatches * fewMatches(org.matchesReceived)
  const t = f.notVouched * (TRUST_NEED[org.trust] ?? 1)
  const s = f.small * smallness(org.members)
  if (m + t + s < f.wellSupportedBelow) return ['reason.fairness.well_supported', { count: org.matchesReceived }]
  if (org.matchesReceived <= 0) return ['reason.fairness.no_matches', {}]
  if (m >= t && m >= s) return ['reason.fairness.few_matches', { count: org.matchesReceived }]
  if (t >= s) return ['reason.fairness.not_vouched', {}]
  return ['reason.fairness.small', { members: org.members ?? 0 }]
}
