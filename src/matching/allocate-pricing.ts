/**
 * A priced solve's arcs (allocate.ts, strategy 'priced'): the pairs it starts from (seed), and each round the
 * left-out pairs whose reduced cost under the simplex potentials is negative (price). With no such pair left the
 * flow is optimal for every pair, at a tenth of the arcs.
 */
import type { Component, Work } from './allocate-components.js'
import type { Groups } from './outcome.js'
import type { PairIndex } from './pairs.js'

/**
 * One pricing pass: for each need, up to `perNeed` left-out pairs with the most negative reduced cost,
 * written to `out` as (need, pair). Kept free of closures so the engine optimizes its inner loop.
 */
export function price(
  needList: Int32Array,
  needNode: Int32Array,
  pairStart: Int32Array,
  arcOf: Int32Array,
  pairScore: Uint8Array,
  pairOffer: Int32Array,
  offerNode: Int32Array,
  pi: Float64Array,
  perNeed: number,
  out: Int32Array,
  least: Float64Array,
): number {
  let added = 0,
    min = 0
  for (let n = 0; n < needList.length; n++) {
    const i = needList[n],
      piNeed = pi[needNode[i]],
      base = added
    let found = 0
    for (let p = pairStart[i], end = pairStart[i + 1]; p < end; p++) {
      if (arcOf[p] >= 0) continue
      const rc = piNeed - pairScore[p] - pi[offerNode[pairOffer[p]]]
      if (rc >= 0) continue
      if (rc < min) min = rc
      // Insert into this need's few best so far, kept sorted by reduced cost in `out`.
      let at = found < perNeed ? found++ : perNeed
      while (
        at > 0 &&
        piNeed - pairScore[out[2 * (base + at - 1) + 1]] - pi[offerNode[pairOffer[out[2 * (base + at - 1) + 1]]]] > rc
      ) {
        if (at < perNeed) out[2 * (base + at) + 1] = out[2 * (base + at - 1) + 1]
        at--
      }
      if (at < perNeed) out[2 * (base + at) + 1] = p
    }
    for (let k = 0; k < found; k++) out[2 * (base + k)] = i
    added += found
  }
  least[0] = min
  return added
}

/**
 * The first arcs of a priced solve: each need's best `k` pairs by score, and the pairs a quick greedy pass
 * would use (neediest groups first, each need taking its best-scored offers with capacity left), so that
 * the first solve already routes most demand and pricing has little left to add.
 */
export function seed(
  index: PairIndex,
  c: Component,
  groups: Groups['groups'],
  needGroup: Int32Array,
  work: Work,
  k: number,
): void {
  const { needs, offers, pairStart, pairOffer } = index
  const { seed: chosen, offerLeft } = work
  for (const i of c.needs) {
    chosen.fill(0, pairStart[i], pairStart[i + 1])
    chosen.fill(1, pairStart[i], Math.min(pairStart[i] + k, pairStart[i + 1]))
  }
  for (const j of c.offers) offerLeft[j] = offers[j].remaining
  const weight = (i: number) => groups[needGroup[i]].tiers[0]?.value ?? 0
  const order = [...c.needs].sort((a, b) => weight(b) - weight(a) || a - b)
  for (const i of order) {
    let want = needs[i].quantity
    for (let p = pairStart[i]; p < pairStart[i + 1] && want > 0; p++) {
      const j = pairOffer[p],
        take = Math.min(want, offerLeft[j])
      if (take <= 0) continue
      offerLeft[j] -= take
      want -= take
      chosen[p] = 1
    }
  }
}
