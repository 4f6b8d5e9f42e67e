/**
 * The one place where the matcher's priorities are set. Each factor yields a value in 0..1; a fit's score
 * is the weighted mean scaled to 0..100, so the weights are shares of the score and only their ratios
 * matter. Change them here, with the reason, and every ranking and allocation follows.
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

export const DEFAULT_WEIGHTS: Readonly<Weights> = Object.freeze({
  // What the need says it wants, in its own words. The largest single share because category alone is
  // coarse: "a venue" for rehearsals with speakers is not "a venue" for a calligraphy class. Capped at a
  // quarter, though, because the search index's relevance is noisy on short Chinese titles.
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
