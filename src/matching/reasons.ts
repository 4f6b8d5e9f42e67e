/**
 * The reasons of a ranked fit: for each factor, the words (an i18n key and its parameters) that explain its
 * value, with its points. rank.ts fills the fit's factor values and points; present.ts turns reasons into text.
 *
 * Ranking 10,000 candidates must stay under 5 ms, so a reason that depends only on a value many candidates
 * share (the need's urgency, an area level, a schedule overlap, a coverage amount) is built once per call and
 * shared, frozen, between fits.
 */
import { fewMatchesSign, notVouchedSign, smallSign } from './fairness.js'
import type { PreparedNeed, PreparedOffer } from './rank.js'
import { describeSlots, intersect, isAnyTime, type Slots } from './schedule.js'
import type { NeedView, OfferView, OrgView, Reason } from './types.js'
import { SUB_WEIGHTS, type Factor } from './weights.js'

const URGENCY = SUB_WEIGHTS.urgency

/** Reasons shared between the fits of one call, keyed (by numbers, which hash fast) by what they depend on. */
export class ReasonMemo {
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
  /** The score of the last fit (rank.ts), returned this way to save an object per candidate. */
  score = 0
  /** False when every fit is for a different need, so nothing is shared and nothing needs freezing. */
  sharing = true
  /** Factor values of the fit being written, and their points: scratch, refilled per fit by rank.ts. */
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
function shared(memo: ReasonMemo, factor: Factor, points: number, key: string, params: Reason['params']): Reason {
  const r = reason(factor, points, key, params)
  if (!memo.sharing) return r
  Object.freeze(params)
  return Object.freeze(r)
}

/**
 * A fit's reasons in FACTORS order, from the factor values and points already in `memo.values` and `memo.points`.
 * `same` says whether the pair is about the same thing (rank.ts sameSubject); `text` is the text relevance, 0..1.
 */
export function reasonsFor(
  n: PreparedNeed,
  o: PreparedOffer,
  same: boolean,
  text: number,
  terms: readonly string[],
  memo: ReasonMemo,
): Reason[] {
  const need = n.need,
    offer = o.offer
  const depth = offer.servesPath.length
  const v = memo.values,
    p = memo.points
  const cover = v[2],
    dates = v[4]

  const relReason = relevanceReason(need, offer, same, text, terms, p[0], memo)

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
  memo: ReasonMemo,
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
  const m = fewMatchesSign(org),
    t = notVouchedSign(org),
    s = smallSign(org)
  if (m + t + s < SUB_WEIGHTS.fairness.wellSupportedBelow)
    return ['reason.fairness.well_supported', { count: org.matchesReceived }]
  if (org.matchesReceived <= 0) return ['reason.fairness.no_matches', {}]
  if (m >= t && m >= s) return ['reason.fairness.few_matches', { count: org.matchesReceived }]
  if (t >= s) return ['reason.fairness.not_vouched', {}]
  return ['reason.fairness.small', { members: org.members ?? 0 }]
}
