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
 * Components are independent (in practice a category × a street) and are solved one at a time, which
 * also bounds memory. A dense component is 'priced': it starts from each need's best pairs plus those a
 * greedy pass would use, and each round adds the left-out pairs whose reduced cost under the simplex
 * potentials is negative. With no such pair left the flow is optimal for every pair (the potentials prove
 * it) at a tenth of the arcs. Coverage and fairness settle in a few rounds and are then proved optimal by
 * a search of the full residual network (isFairnessOptimal); the long tail of rounds only polishes scores,
 * so it gets a budget (polishRounds) unless exactness is asked for.
 */
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

/** Scratch arrays indexed by global pair, need and offer, shared by all components (each touches only its own). */
interface Work {
  flow: Float64Array
  arcOf: Int32Array
  seed: Uint8Array
  needNode: Int32Array
  offerNode: Int32Array
  offerLeft: Float64Array
}

interface Component {
  needs: number[]
  offers: number[]
  groups: number[]
}

/** Connected components of needs, offers and groups joined by feasible pairs, in order of their first need. */
function components(index: PairIndex, needGroup: Int32Array, groupCount: number): Component[] {
  const N = index.needs.length,
    M = index.offers.length
  const parent = new Int32Array(N + M + groupCount).map((_, k) => k)
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]]
      x = parent[x]
    }
    return x
  }
  const union = (a: number, b: number) => {
    const ra = find(a),
      rb = find(b)
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb)
  }
  const { pairStart, pairOffer } = index
  for (let i = 0; i < N; i++) {
    if (pairStart[i] === pairStart[i + 1]) continue
    union(i, N + M + needGroup[i])
    for (let p = pairStart[i]; p < pairStart[i + 1]; p++) union(i, N + pairOffer[p])
  }
  const byRoot = new Map<number, Component>()
  const seenGroup = new Uint8Array(groupCount),
    seenOffer = new Uint8Array(M)
  for (let i = 0; i < N; i++) {
    if (pairStart[i] === pairStart[i + 1]) continue
    const root = find(i)
    let c = byRoot.get(root)
    if (!c) byRoot.set(root, (c = { needs: [], offers: [], groups: [] }))
    c.needs.push(i)
    if (!seenGroup[needGroup[i]]) {
      seenGroup[needGroup[i]] = 1
      c.groups.push(needGroup[i])
    }
    for (let p = pairStart[i]; p < pairStart[i + 1]; p++) {
      const j = pairOffer[p]
      if (!seenOffer[j]) {
        seenOffer[j] = 1
        c.offers.push(j)
      }
    }
  }
  for (const c of byRoot.values()) {
    c.offers.sort((a, b) => a - b)
    c.groups.sort((a, b) => a - b)
  }
  return [...byRoot.values()]
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

interface Network {
  ns: NetworkSimplex
  G: number
  tierArcs: Map<number, { arc: number; value: number }[]>
  /** group → need arcs, absent for needs that stand in for their group */
  needArc: Map<number, number>
  offerArc: Map<number, number>
}

/**
 * One pricing pass: for each need, up to `perNeed` left-out pairs with the most negative reduced cost,
 * written to `out` as (need, pair). Kept free of closures so the engine optimizes its inner loop.
 */
function price(
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
 * Proof that coverage and fairness (objective levels 1 and 2) cannot improve: in the residual network over
 * ALL feasible pairs, no group with room in a tier of value v reaches either the sink while some demand is
 * unmet, or a group whose flow sits in a tier worth less than v. Those are the only cycles through the
 * source that gain tier value, and every other arc costs nothing at that level. Groups are searched in
 * decreasing v, so one pass over the arcs suffices: a node's first visit carries the largest v reaching it.
 * Nodes are numbered locally: groups 0..G-1, needs G.., offers after them.
 */
function isFairnessOptimal(index: PairIndex, needGroup: Int32Array, c: Component, net: Network, work: Work): boolean {
  const { needs, offers, pairStart, pairOffer } = index
  const { ns } = net
  const { arcOf, offerNode } = work
  const nG = c.groups.length,
    nN = c.needs.length,
    nO = c.offers.length
  const groupAt = new Map<number, number>()
  c.groups.forEach((g, k) => groupAt.set(g, k))
  const offerBase = offerNode[c.offers[0]]
  const top = new Float64Array(nG).fill(-1),
    bottom = new Float64Array(nG).fill(Infinity),
    intake = new Float64Array(nG)
  c.groups.forEach((g, k) => {
    for (const { arc, value } of net.tierArcs.get(g)!) {
      const f = ns.flow(arc)
      if (f < ns.capacity(arc) && value > top[k]) top[k] = value
      if (f > 0 && value < bottom[k]) bottom[k] = value
      intake[k] += f
    }
  })
  const needIn = new Float64Array(nN),
    needOf = new Int32Array(nN)
  const membersStart = new Int32Array(nG + 1),
    members = new Int32Array(nN)
  c.needs.forEach((i, n) => {
    const k = groupAt.get(needGroup[i])!
    needOf[n] = k
    const arc = net.needArc.get(i)
    needIn[n] = arc === undefined ? intake[k] : ns.flow(arc)
    membersStart[k + 1]++
  })
  for (let k = 0; k < nG; k++) membersStart[k + 1] += membersStart[k]
  const fill = membersStart.slice(0, nG)
  for (let n = 0; n < nN; n++) members[fill[needOf[n]]++] = n
  const spare = new Uint8Array(nO),
    loaded = new Uint8Array(nO)
  c.offers.forEach((j, o) => {
    const load = ns.flow(net.offerArc.get(j)!)
    spare[o] = load < offers[j].remaining ? 1 : 0
    loaded[o] = load > 0 ? 1 : 0
  })
  // Needs drawing on each offer, for the backward step offer → need.
  const usersStart = new Int32Array(nO + 1)
  const used: number[] = []
  c.needs.forEach((i, n) => {
    for (let p = pairStart[i]; p < pairStart[i + 1]; p++) {
      if (arcOf[p] >= 0 && ns.flow(arcOf[p]) > 0) {
        const o = offerNode[pairOffer[p]] - offerBase
        used.push(o, n)
        usersStart[o + 1]++
      }
    }
  })
  for (let o = 0; o < nO; o++) usersStart[o + 1] += usersStart[o]
  const users = new Int32Array(used.length / 2),
    at = usersStart.slice(0, nO)
  for (let u = 0; u < used.length; u += 2) users[at[used[u]]++] = used[u + 1]

  const unmet = ns.flow(0) > 0
  const seen = new Uint8Array(nG + nN + nO)
  const stack = new Int32Array(nG + nN + nO)
  let sinkSeen = false
  const sources = Array.from({ length: nG }, (_, k) => k)
    .filter((k) => top[k] >= 0)
    .sort((a, b) => top[b] - top[a] || a - b)
  for (const source of sources) {
    if (seen[source]) continue
    const value = top[source]
    if (bottom[source] < value) return false
    seen[source] = 1
    let sp = 0
    stack[sp++] = source
    while (sp > 0) {
      const x = stack[--sp]
      if (x < nG) {
        for (let m = membersStart[x]; m < membersStart[x + 1]; m++) {
          const n = members[m]
          if (!seen[nG + n] && needIn[n] < needs[c.needs[n]].quantity) {
            seen[nG + n] = 1
            stack[sp++] = nG + n
          }
        }
      } else if (x < nG + nN) {
        const n = x - nG,
          i = c.needs[n],
          k = needOf[n]
        if (needIn[n] > 0 && !seen[k]) {
          if (bottom[k] < value) return false
          seen[k] = 1
          stack[sp++] = k
        }
        for (let p = pairStart[i]; p < pairStart[i + 1]; p++) {
          const y = nG + nN + offerNode[pairOffer[p]] - offerBase
          if (!seen[y]) {
            seen[y] = 1
            stack[sp++] = y
          }
        }
      } else {
        const o = x - nG - nN
        if (spare[o] && !sinkSeen) {
          if (unmet) return false
          sinkSeen = true
          // Through the sink, flow can leave by any offer that carries some.
          for (let q = 0; q < nO; q++)
            if (loaded[q] && !seen[nG + nN + q]) {
              seen[nG + nN + q] = 1
              stack[sp++] = nG + nN + q
            }
        }
        for (let u = usersStart[o]; u < usersStart[o + 1]; u++) {
          const y = nG + users[u]
          if (!seen[y]) {
            seen[y] = 1
            stack[sp++] = y
          }
        }
      }
    }
  }
  return true
}

/**
 * The first arcs of a priced solve: each need's best `k` pairs by score, and the pairs a quick greedy pass
 * would use (neediest groups first, each need taking its best-scored offers with capacity left), so that
 * the first solve already routes most demand and pricing has little left to add.
 */
function seed(
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
