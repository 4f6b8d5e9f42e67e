/**
 * One proposal of all open offer capacity to all open needs, for a broker to review.
 *
 * Lexicographic objective, solved exactly as one min-cost flow per independent component:
 *   1. cover as much demand as the hard constraints and capacities allow;
 *   2. among those, spread it fairly: each organization's allocation in a category is worth a concave
 *      function of its size (fairnessTiers), steeper for under-resourced organizations, so a first unit for
 *      a new group outweighs any amount more for a well-supplied one. A group that first come, first served
 *      would give something keeps a first unit: its first unit outweighs any other group's, so the proposal
 *      never leaves with nothing an organization the broker's default order would have served. The sum of
 *      these worths, as a share of the worth of meeting every need in full, is the fair-share score the
 *      page shows; it is never below first come, first served's (see fairShare);
 *   3. among those, prefer pairs the ranker scores higher.
 *
 * Network per component: source → (organization, category) by tier arcs → need → offer → sink, plus a
 * source → sink bypass so any demand is routable. Tier arcs cost −value·G and pair arcs −score, with G
 * larger than any score sum along a simple cycle, so no trade of scores can buy back a tier. Every unit
 * of flow crosses a tier arc worth at least 20·G, so more flow always beats less: priority 1 needs no
 * extra term. Quantities are never expanded into units: the simplex moves whole bottleneck amounts.
 *
 * Components are independent (in practice a category × a street: allocate-components.ts) and are solved one
 * at a time, which also bounds memory. A dense component is 'priced' (allocate-pricing.ts): it starts from each
 * need's best pairs plus those a greedy pass would use, and each round adds the left-out pairs whose reduced cost
 * under the simplex potentials is negative. With no such pair left the flow is optimal for every pair (the
 * potentials prove it) at a tenth of the arcs. Coverage and fairness settle in a few rounds and are then proved
 * optimal by a search of the full residual network (fairness-proof.ts); the long tail of rounds only polishes
 * scores, so it gets a budget (polishRounds) unless exactness is asked for.
 */
import { components, type Component, type Work } from './allocate-components.js'
import { price, seed } from './allocate-pricing.js'
import { isFairnessOptimal, type Network } from './fairness-proof.js'
import { NetworkSimplex } from './network-simplex.js'
import { feasiblePairs, type PairIndex, type PairOptions } from './pairs.js'
import { groupNeeds, measure, type Allocation, type Groups } from './outcome.js'
import type { NeedView, OfferView } from './types.js'

export interface AllocateOptions extends PairOptions {
  /**
   * 'priced' adds pairs as they prove useful; 'full' gives the solver every pair at once; 'auto' (default)
   * prices a component only when its needs average more than 16 pairs, below which pricing costs more
   * rounds than it saves arcs.
   */
  strategy?: 'auto' | 'priced' | 'full'
  /**
   * Pricing rounds spent on scores (objective level 3) after coverage and fairness are proved optimal.
   * Infinity makes every level exact; the default of 3 leaves scores a fraction of a percent short at 20k × 20k.
   */
  polishRounds?: number
  /** Best-scored pairs per need in the first priced solve. */
  seedPairs?: number
  /** Most pairs added per need in one pricing round. */
  pricePerNeed?: number
}

export function allocate(
  needs: readonly NeedView[],
  offers: readonly OfferView[],
  opts: AllocateOptions = {},
): Allocation {
  const index = feasiblePairs(needs, offers, opts)
  const { needGroup, groups, flow, stats } = solvePairs(index, opts)
  return measure(index, needGroup, groups, flow, stats)
}

/** What allocate() decides on an instance's pairs: its groups, the flow on each pair and the solver's work. */
export interface Solved extends Groups {
  flow: Float64Array
  stats: Allocation['stats']
}

/** allocate() after the pairs are enumerated: groups, then each independent component solved on its own. */
export function solvePairs(index: PairIndex, opts: AllocateOptions = {}): Solved {
  const { needGroup, groups, fcfs } = groupNeeds(index)
  const P = index.pairOffer.length
  const work: Work = {
    flow: new Float64Array(P),
    arcOf: new Int32Array(P),
    seed: new Uint8Array(P),
    needNode: new Int32Array(index.needs.length),
    offerNode: new Int32Array(index.offers.length),
    offerLeft: new Float64Array(index.offers.length),
  }
  const stats = { components: 0, pairs: P, arcs: 0, pivots: 0, pricingRounds: 0, scoresApproximate: false }
  for (const component of components(index, needGroup, groups.length)) {
    stats.components++
    solveComponent(index, needGroup, groups, component, work, opts, stats)
  }
  return { needGroup, groups, fcfs, flow: work.flow, stats }
}

function solveComponent(
  index: PairIndex,
  needGroup: Int32Array,
  groups: Groups['groups'],
  c: Component,
  work: Work,
  opts: AllocateOptions,
  stats: Allocation['stats'],
): void {
  const { needs, offers, pairStart, pairOffer, pairScore } = index
  const { arcOf, needNode, offerNode, flow } = work
  const S = 0,
    T = 1
  // A group with one need here needs no node of its own: its tier arcs lead straight to the need. Most
  // groups are like that, and every node saved shortens the simplex's tree walks.
  const groupNeeds = new Map<number, number[]>()
  for (const i of c.needs) {
    const list = groupNeeds.get(needGroup[i])
    if (list) list.push(i)
    else groupNeeds.set(needGroup[i], [i])
  }
  const groupNode = new Map<number, number>()
  let node = 2
  for (const g of c.groups) if (groupNeeds.get(g)!.length > 1) groupNode.set(g, node++)
  for (const i of c.needs) needNode[i] = node++
  for (const g of c.groups) if (!groupNode.has(g)) groupNode.set(g, needNode[groupNeeds.get(g)![0]])
  for (const j of c.offers) offerNode[j] = node++
  let pairCount = 0
  for (const i of c.needs) pairCount += pairStart[i + 1] - pairStart[i]
  const full = opts.strategy === 'full' || (opts.strategy !== 'priced' && pairCount <= 16 * c.needs.length)
  const ns = new NetworkSimplex(node, { arcCapacity: 2 * node + (full ? pairCount : 4 * c.needs.length) })

  // G exceeds 100 points × the pair arcs any simple cycle can hold, so tiers dominate scores exactly.
  const G = 100 * (c.needs.length + c.offers.length) + 101
  let demand = 0
  for (const i of c.needs) demand += needs[i].quantity
  ns.setSupply(S, demand)
  ns.setSupply(T, -demand)
  ns.addArc(S, T, demand, 0)
  const net: Network = { ns, G, tierArcs: new Map(), needArc: new Map(), offerArc: new Map() }
  for (const g of c.groups) {
    // Tiers beyond what the group's needs here can take would never fill; cut them so a lone need's
    // tier arcs also cap its intake.
    let room = 0
    for (const i of groupNeeds.get(g)!) room += needs[i].quantity
    const arcs: { arc: number; value: number }[] = []
    for (const t of groups[g].tiers) {
      const cap = Math.min(t.cap, room)
      if (cap > 0) arcs.push({ arc: ns.addArc(S, groupNode.get(g)!, cap, -t.value * G), value: t.value })
      room -= cap
    }
    net.tierArcs.set(g, arcs)
  }
  for (const i of c.needs) {
    if (groupNode.get(needGroup[i]) !== needNode[i])
      net.needArc.set(i, ns.addArc(groupNode.get(needGroup[i])!, needNode[i], needs[i].quantity, 0))
  }
  for (const j of c.offers) net.offerArc.set(j, ns.addArc(offerNode[j], T, offers[j].remaining, 0))
  for (const i of c.needs) arcOf.fill(-1, pairStart[i], pairStart[i + 1])
  // The pairs given an arc, so the flow is read back from the network's arcs rather than from every pair.
  let added = new Int32Array(1024),
    addedCount = 0
  // Pair arcs need no capacity of their own (the need's arc bounds them); one fewer bound means fewer ties.
  const addPair = (i: number, p: number) => {
    arcOf[p] = ns.addArc(needNode[i], offerNode[pairOffer[p]], Infinity, -pairScore[p])
    if (addedCount === added.length) {
      const bigger = new Int32Array(2 * addedCount)
      bigger.set(added)
      added = bigger
    }
    added[addedCount++] = p
  }

  if (full) {
    for (const i of c.needs) for (let p = pairStart[i]; p < pairStart[i + 1]; p++) addPair(i, p)
    ns.solve()
  } else {
    seed(index, c, groups, needGroup, work, opts.seedPairs ?? 2)
    for (const i of c.needs) for (let p = pairStart[i]; p < pairStart[i + 1]; p++) if (work.seed[p]) addPair(i, p)
    ns.solve()
    // Price out the pairs left out: any with a negative reduced cost could improve the flow. Early
    // potentials flatter most of them, so each round adds only each need's most negative few.
    const perNeed = Math.max(1, opts.pricePerNeed ?? 2)
    const needList = Int32Array.from(c.needs)
    const picked = new Int32Array(2 * perNeed * needList.length),
      least = new Float64Array(1)
    let polish = opts.polishRounds ?? 3
    let fairnessProved = false
    for (;;) {
      stats.pricingRounds++
      const added = price(
        needList,
        needNode,
        pairStart,
        arcOf,
        pairScore,
        pairOffer,
        offerNode,
        ns.potentials,
        perNeed,
        picked,
        least,
      )
      if (added === 0) break
      // Coverage and fairness are proved optimal once no path or cycle in the full residual network
      // raises them; from then on, pricing only polishes scores, within its budget. A pair priced below
      // −G trades tier value, so the proof is not even tried while one is found.
      if (!fairnessProved && least[0] > -G && isFairnessOptimal(index, needGroup, c, net, work)) fairnessProved = true
      if (fairnessProved && polish-- <= 0) {
        stats.scoresApproximate = true
        break
      }
      for (let k = 0; k < added; k++) addPair(picked[2 * k], picked[2 * k + 1])
      ns.solve()
    }
  }
  stats.arcs += ns.arcCount
  stats.pivots += ns.pivots
  for (let k = 0; k < addedCount; k++) flow[added[k]] = ns.flow(arcOf[added[k]])
}
