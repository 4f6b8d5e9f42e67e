/**
 * Hard constraints: an offer either may serve a need or it may not, and a person is never shown (or sent)
 * a pair that breaks one. Scores only ever order the pairs that pass.
 */
import { meets, parseSchedule } from './schedule.js'
import { fitsBySubject, relate, type TopicRelation } from './topic-relation.js'
import { CONSTRAINTS, TRUST_LEVELS, type Constraint, type NeedView, type OfferView, type Trust } from './types.js'

export interface FeasibilityOptions {
  /**
   * false (the default): an offer with any capacity left is feasible, because a need may be met by several
   * offers together. true: the offer must cover the whole need alone, which is the question "why not"
   * answers ("reduce the quantity to 20: 4 offers could cover it").
   */
  whole?: boolean
  /** topic-relation.ts `relate` for this pair when the caller already knows it (why-not over a whole category). */
  relation?: TopicRelation
}

/** The constraints this pair breaks, in CONSTRAINTS order; empty means feasible. */
export function violations(need: NeedView, offer: OfferView, opts: FeasibilityOptions = {}): Constraint[] {
  const broken: Constraint[] = []
  for (const c of CONSTRAINTS) if (!holds(c, need, offer, opts)) broken.push(c)
  return broken
}

// The same constraints as violations(), in the order that rules out a candidate index's finds soonest for least: at
// 100k listings about half are found by a keyword and are not about the same thing (topic, dearer than the number
// checks), a fifth fail focus, trust or schedule, and the dates, capacity and area of kept views rarely fail.
const CHEAP_FIRST: readonly Constraint[] = [
  'category',
  'capacity',
  'focus',
  'trust',
  'schedule',
  'topic',
  'window',
  'area',
]

// One options object for every check: isFeasible runs for each candidate a page finds, hundreds a page.
const NO_OPTIONS: FeasibilityOptions = Object.freeze({})

export function isFeasible(need: NeedView, offer: OfferView): boolean {
  for (const c of CHEAP_FIRST) if (!holds(c, need, offer, NO_OPTIONS)) return false
  return true
}

export function holds(c: Constraint, need: NeedView, offer: OfferView, opts: FeasibilityOptions = {}): boolean {
  switch (c) {
    case 'category':
      return need.category === offer.category
    case 'topic':
      return fitsBySubject(opts.relation ?? relate(need.category, need, offer))
    case 'capacity':
      return opts.whole ? offer.remaining >= need.quantity && offer.remaining > 0 : offer.remaining > 0
    case 'window':
      return windowsOverlap(need.from, need.until, offer.from, offer.until)
    case 'schedule':
      return meets(parseSchedule(need.schedule), parseSchedule(offer.schedule))
    case 'area':
      return isPrefix(offer.servesPath, need.areaPath)
    case 'trust':
      return trustRank(need.org.trust) >= trustRank(offer.minTrust)
    case 'focus':
      return offer.focus.length === 0 || offer.focus.some((f) => need.org.focus.includes(f))
  }
}

export function trustRank(t: Trust): number {
  const rank = TRUST_LEVELS.indexOf(t)
  // An unknown level (a newer database, a typo) is treated as the weakest: it must not open gated offers.
  return rank < 0 ? 0 : rank
}

export function isPrefix(prefix: readonly number[], path: readonly number[]): boolean {
  if (prefix.length > path.length) return false
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== path[i]) return false
  return true
}

const DAY_MS = 86_400_000
/** Days since 1970-01-01 for an ISO date (a timestamp's date part is used); NaN when unreadable. */
export function dayNumber(iso: string | null | undefined): number {
  // Hand-rolled rather than a regex: ranking reads two dates per candidate, 10,000 candidates a request.
  if (!iso || iso.length < 10 || iso.charCodeAt(4) !== 45 || iso.charCodeAt(7) !== 45) return NaN
  const y = digits(iso, 0, 4),
    m = digits(iso, 5, 2),
    d = digits(iso, 8, 2)
  if (y < 0 || m < 1 || m > 12 || d < 1 || d > 31) return NaN
  return Date.UTC(y, m - 1, d) / DAY_MS
}

function digits(s: string, at: number, n: number): number {
  let v = 0
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48
    if (c < 0 || c > 9) return -1
    v = v * 10 + c
  }
  return v
}

/** Both ends inclusive; a missing or unreadable date leaves that side open. */
export function windowsOverlap(
  aFrom: string | null,
  aUntil: string | null,
  bFrom: string | null,
  bUntil: string | null,
): boolean {
  return daysOverlap(lower(aFrom), upper(aUntil), lower(bFrom), upper(bUntil))
}

export function daysOverlap(aFrom: number, aUntil: number, bFrom: number, bUntil: number): boolean {
  return aFrom <= bUntil && bFrom <= aUntil
}

export function lower(iso: string | null): number {
  const d = dayNumber(iso)
  return Number.isNaN(d) ? -Infinity : d
}
export function upper(iso: string | null): number {
  const d = dayNumber(iso)
  return Number.isNaN(d) ? Infinity : d
}
