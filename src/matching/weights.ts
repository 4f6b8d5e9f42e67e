/**
 * The one place where the matcher's priorities are set. Each factor yields a value in 0..1; a fit's score
 * is the weighted mean scaled to 0..100, so the weights are shares of the score and only their ratios
 * matter. Change them here, with the reason, and every ranking and allocation follows. The weighted sum
 * itself is written once, in `weigh`.
 */

export interface Weights {
  relevance: number
  area: number
  coverage: number
  schedule: number
  dates: number
  urgency: number
  fairness: number
  track: number
}

export type Factor = keyof Weights

/** The factors in the order their values are passed to `weigh` and their reasons are listed. */
export const FACTORS: readonly Factor[] = [
  'relevance',
  'area',
  'coverage',
  'schedule',
  'dates',
  'urgency',
  'fairness',
  'track',
]

export const DEFAULT_WEIGHTS: Readonly<Weights> = Object.freeze({
  // What the need is about, against what the offer is about. The largest single share because category alone
  // is coarse: "a venue" for rehearsals with speakers is not "a venue" for a calligraphy class. Every feasible
  // pair already shares a topic or related words (the `topic` constraint), so this orders among fits rather
  // than deciding them; capped at a quarter because text relevance is noisy on short Chinese titles.
  relevance: 25,
  // How much of the need one offer covers. Brokering a need across four offers costs a social worker four
  // conversations, so an offer that covers it alone is worth much more to them.
  coverage: 20,
  // Near beats far: a same-community venue is walkable for elderly members, a district-wide one may not be.
  // Only the served area is known, so "near" means the offer's served area is small and contains the need.
  area: 15,
  // Under-resourced organizations first (few matches so far, not yet vouched, small). This is the platform's
  // purpose, so it is as strong as proximity: enough to lift a weak group's fit over a slightly closer
  // one, never enough to rank an irrelevant offer first.
  fairness: 15,
  // Shared weekly slots. Feasibility already guarantees some overlap; this prefers offers that are free
  // for all the sessions the need asks for over ones that meet it once a week.
  schedule: 10,
  // Overlap of the date ranges, the coarse twin of schedule.
  dates: 5,
  // Urgency is the need's own claim and cannot be checked, so it nudges rather than decides. It only
  // matters when ranking needs for an offer (all candidates for one need share it).
  urgency: 5,
  // Holders who deliver, and are rated well, waste fewer of a small group's scarce evenings. Small so
  // that new holders still get their first chance.
  track: 5,
})

/** How each factor's value is made of its parts. Each group's shares sum to 1. */
export const SUB_WEIGHTS = Object.freeze({
  relevance: Object.freeze({
    // A topic in common is the poster's (or the vocabulary's) word for what both are about: the stronger sign.
    // The text index's relevance orders the rest, and all of a pair with no shared topic (related words only).
    topic: 0.6,
    text: 0.4,
  }),
  fairness: Object.freeze({
    // The platform's own evidence of who has been served counts most; trust and size are proxies.
    fewMatches: 0.5,
    notVouched: 0.25,
    small: 0.25,
    /** Matches received at which "few matches" has halved. */
    halfAtMatches: 3,
    /** Members at which "small" has halved. */
    halfAtMembers: 30,
    /** Size unknown: counted as middling rather than small or large. */
    unknownSize: 0.5,
    /** Below this, the organization is called well supported in its reason. */
    wellSupportedBelow: 0.3,
  }),
  /** How much an organization of each trust level still needs support: not yet vouched for most. */
  trustNeed: Object.freeze({ self_declared: 1, vouched: 0.5, endorsed: 0 } as Record<string, number>),
  urgency: Object.freeze({ high: 1, normal: 0.5, low: 0 } as Record<string, number>),
  track: Object.freeze({
    // Deliveries and ratings equally; a new holder scores a quarter, not zero, so being new never buries an offer.
    delivered: 0.5,
    rating: 0.5,
    /** Deliveries at which the delivered part is half way. */
    halfAtDeliveries: 5,
    /** Before the first review, the rating part counts as middling. */
    unrated: 0.5,
  }),
})

/**
 * The weighted sum, written once: factor values (0..1, in FACTORS order; relevance NaN when unknown, and then its
 * weight drops out of the mean rather than counting as zero) → each factor's points in `points`, and the total
 * out of 100. Ranking, the allocator's pair scores and every reason's contribution come from here.
 */
export function weigh(w: Weights, v: ArrayLike<number>, points: { [k: number]: number }): number {
  const rel = v[0] === v[0] // false for NaN: no relevance known
  const sum = (rel ? w.relevance : 0) + w.area + w.coverage + w.schedule + w.dates + w.urgency + w.fairness + w.track
  const scale = sum > 0 ? 100 / sum : 0
  const total =
    (points[0] = rel ? w.relevance * v[0] * scale : 0) +
    (points[1] = w.area * v[1] * scale) +
    (points[2] = w.coverage * v[2] * scale) +
    (points[3] = w.schedule * v[3] * scale) +
    (points[4] = w.dates * v[4] * scale) +
    (points[5] = w.urgency * v[5] * scale) +
    (points[6] = w.fairness * v[6] * scale) +
    (points[7] = w.track * v[7] * scale)
  return total
}
