/**
 * The matcher's view of needs and offers: plain data, already loaded, so that everything in
 * `src/matching/` except the shell (`matching.ts` and the modules that read for it) stays pure and testable without a database.
 */

export type Trust = 'self_declared' | 'vouched' | 'endorsed'
export type Urgency = 'low' | 'normal' | 'high'
export type Locale = 'zh-CN' | 'en'

/** Trust levels in increasing order; an organization meets a condition when its rank is at least the condition's. */
export const TRUST_LEVELS: readonly Trust[] = ['self_declared', 'vouched', 'endorsed']

export interface OrgView {
  id: number
  name: string
  trust: Trust
  /** Focus groups it serves: 'elderly', 'children', 'disability', … */
  focus: string[]
  /** Accepted or delivered matches so far: the fewer, the more the matcher favours it. */
  matchesReceived: number
  members: number | null
}

export interface NeedView {
  id: number
  orgId: number
  org: OrgView
  category: string
  unit: string
  /** Remaining demand, a whole number of `unit`s. */
  quantity: number
  /** ISO dates (YYYY-MM-DD); null means open-ended on that side. */
  from: string | null
  until: string | null
  /** iCalendar RRULE, e.g. 'FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=19'; null means any time. */
  schedule: string | null
  /** Area ids from the root to the place, e.g. [district, street, community]. */
  areaPath: number[]
  urgency: Urgency
  beneficiaries: number | null
  /** ISO timestamp; only the first-come-first-served baseline reads it. */
  createdAt: string
  /** What it is about (topics.ts): topic codes and normalised content words; [] until tagged. */
  topics: readonly string[]
  keywords: readonly string[]
}

export interface TrackRecord {
  delivered: number
  /** Mean rating on a 1–5 scale; null before the first review. */
  rating: number | null
}

export interface OfferView {
  id: number
  orgId: number
  orgName: string
  category: string
  unit: string
  /** Capacity not yet reserved by accepted matches. */
  remaining: number
  quantity: number
  from: string | null
  until: string | null
  schedule: string | null
  /** Area served, root → node; it covers every area below that node. Empty = serves everywhere. */
  servesPath: number[]
  minTrust: Trust
  /** Empty = serves anyone; otherwise the need's organization must share at least one. */
  focus: string[]
  createdAt: string
  track: TrackRecord
  /** What it is about (topics.ts): topic codes and normalised content words; [] until tagged. */
  topics: readonly string[]
  keywords: readonly string[]
}

/** An offer found for a need, with the search index's verdict on how well their texts match. */
export interface Candidate {
  offer: OfferView
  /** 0..1 */
  relevance: number
  /** The words that matched, as the user wrote them. */
  terms: string[]
}

/** A need found for an offer (the mirror image of Candidate). */
export interface NeedCandidate {
  need: NeedView
  relevance: number
  terms: string[]
}

/**
 * Hard constraints, in the order they are reported. `topic`: the two are about the same thing inside their
 * category (topic-relation.ts `relate`: a topic in common, a fund with no stated purpose, or, when a side has no topic,
 * related words above the relevance floor).
 */
export type Constraint = 'category' | 'topic' | 'capacity' | 'window' | 'schedule' | 'area' | 'trust' | 'focus'
export const CONSTRAINTS: readonly Constraint[] = [
  'category',
  'topic',
  'capacity',
  'window',
  'schedule',
  'area',
  'trust',
  'focus',
]

/** Anything shown to people is a message key plus parameters, so it can be read in either language. */
export interface Message {
  key: string
  params: Record<string, string | number>
}

/** One factor's share of a score, and the words that explain it. */
export interface Reason extends Message {
  factor: string
  /** Points out of 100 that this factor added to the score. */
  contribution: number
}

export interface Fit {
  score: number
  reasons: Reason[]
}
export interface OfferFit extends Fit {
  offerId: number
}
export interface NeedFit extends Fit {
  needId: number
}
