/**
 * What an allocation achieves, and the baseline it is compared with: coverage, fairness (the worth of what
 * each (organization, category) group gets, see fairness.ts) and scores of any flow over the feasible pairs,
 * and first come, first served — needs in posting order, each taking from offers in posting order — which
 * also decides the groups whose first unit the allocator keeps.
 */
import { feasiblePairs, type PairIndex, type PairOptions } from './pairs.js'
import { underResourcing } from './rank.js'
import { fairShare, fairnessTiers, gini, tierWorth, type Tier } from './fairness.js'
import type { NeedView, OfferView, OrgView } from './types.js'

export interface Assignment {
  needId: number
  offerId: number
  quantity: number
  score: number
}

export type UnservedReason = 'no_feasible_offer' | 'capacity_exhausted'
export interface Unserved {
  orgId: number
  reason: UnservedReason
  key: string
  params: Record<string, string | number>
}

export interface Allocation {
  assignments: Assignment[]
  /** Demand and allocation are in each category's own unit, so the totals mix units; byCategory does not. */
  coverage: { demand: number; allocated: number; byCategory: Record<string, { demand: number; allocated: number }> }
  /**
   * fairShare: the objective's second level in points out of 100 (the worth of what each organization got
   * in each category, as a share of the worth of meeting all of it), the figure the allocator maximizes
   * and the page shows. gini: of organizations' coverage (mean share of each of their needs met), kept for
   * the API; the allocator does not optimize it and it can be worse than first come, first served's.
   */
  fairness: {
    organizations: number
    organizationsWithNothing: number
    gini: number
    fairShare: number
    groups: number
    groupsServed: number
  }
  unserved: Unserved[]
  /** The three objective levels, for comparing proposals: higher is better, compared in this order. */
  objective: { covered: number; fairness: number; score: number }
  stats: {
    components: number
    pairs: number
    arcs: number
    pivots: number
    pricingRounds: number
    /** True when a polish budget ran out, so scores may fall short of the optimum (coverage and fairness never do). */
    scoresApproximate: boolean
  }
}

export interface Groups {
  /** Per need: index of its (organization, category) group. */
  needGroup: Int32Array
  /** First come, first served's flow on the same pairs, which decides the kept groups. */
  fcfs: Float64Array
  groups: { org: OrgView; category: string; demand: number; tiers: Tier[] }[]
}

/**
 * Needs grouped by (organization, category), with each group's worth tiers; a group is kept when the
 * first-come-first-served flow over the same pairs gives it something.
 */
export function groupNeeds(index: PairIndex): Groups {
  const needs = index.needs
  const byKey = new Map<string, number>()
  const groups: Groups['groups'] = []
  const needGroup = new Int32Array(needs.length)
  needs.forEach((n, i) => {
    const key = `${n.orgId}\u0001${n.category}`
    let g = byKey.get(key)
    if (g === undefined) {
      g = groups.length
      byKey.set(key, g)
      groups.push({ org: n.org, category: n.category, demand: 0, tiers: [] })
    }
    groups[g].demand += n.quantity
    needGroup[i] = g
  })
  const got = new Float64Array(groups.length)
  const flow = fcfsFlow(index)
  needs.forEach((_, i) => {
    for (let p = index.pairStart[i]; p < index.pairStart[i + 1]; p++) got[needGroup[i]] += flow[p]
  })
  groups.forEach((g, k) => {
    g.tiers = fairnessTiers(g.demand, underResourcing(g.org), got[k] > 0)
  })
  return { needGroup, groups, fcfs: flow }
}

/**
 * The baseline a broker would otherwise follow: needs in the order they were posted, each taking what it
 * can from its feasible offers in the order those were posted.
 */
export function firstComeFirstServed(
  needs: readonly NeedView[],
  offers: readonly OfferView[],
  opts: PairOptions = {},
): Allocation {
  const index = feasiblePairs(needs, offers, opts)
  const { needGroup, groups, fcfs } = groupNeeds(index)
  return measure(index, needGroup, groups, fcfs, {
    components: 0,
    pairs: index.pairOffer.length,
    arcs: 0,
    pivots: 0,
    pricingRounds: 0,
    scoresApproximate: false,
  })
}

function fcfsFlow(index: PairIndex): Float64Array {
  const byPosting = <T extends { createdAt: string; id: number }>(a: T, b: T) =>
    a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id - b.id
  const offerRank = new Int32Array(index.offers.length)
  index.offers
    .map((o, j) => [o, j] as const)
    .sort((a, b) => byPosting(a[0], b[0]))
    .forEach(([, j], r) => {
      offerRank[j] = r
    })
  const left = Float64Array.from(index.offers, (o) => o.remaining)
  const flow = new Float64Array(index.pairOffer.length)
  const order = index.needs.map((n, i) => [n, i] as const).sort((a, b) => byPosting(a[0], b[0]))
  const keys = new Float64Array(index.offers.length)
  for (const [need, i] of order) {
    let want = need.quantity
    const from = index.pairStart[i],
      to = index.pairStart[i + 1],
      count = to - from
    // Most needs are met by their first offer or two: find the earliest-posted offer with room a few times
    // (a scan each), and sort the rest only for a need that takes from many.
    for (let round = 0; want > 0 && round < 4; round++) {
      let best = -1,
        bestRank = Infinity
      for (let p = from; p < to; p++) {
        const j = index.pairOffer[p]
        if (left[j] > 0 && offerRank[j] < bestRank) {
          best = p
          bestRank = offerRank[j]
        }
      }
      if (best < 0) {
        want = 0
        break
      }
      const j = index.pairOffer[best],
        take = Math.min(want, left[j])
      flow[best] = take
      left[j] -= take
      want -= take
    }
    if (want <= 0) continue
    // Offers in posting order: rank and position packed in one number, so a native numeric sort does it.
    const ks = keys.subarray(0, count)
    for (let k = 0; k < count; k++) ks[k] = offerRank[index.pairOffer[from + k]] * 4_194_304 + k
    ks.sort()
    for (let k = 0; k < count && want > 0; k++) {
      const p = from + (ks[k] % 4_194_304),
        j = index.pairOffer[p],
        take = Math.min(want, left[j])
      if (take > 0) {
        flow[p] = take
        left[j] -= take
        want -= take
      }
    }
  }
  return flow
}

/** Metrics and objective of any assignment of quantities to the instance's feasible pairs. */
export function evaluate(
  needs: readonly NeedView[],
  offers: readonly OfferView[],
  assignments: readonly Assignment[],
  opts: PairOptions = {},
): Allocation {
  const index = feasiblePairs(needs, offers, opts)
  const { needGroup, groups } = groupNeeds(index)
  const flow = new Float64Array(index.pairOffer.length)
  const at = new Map<string, number>()
  index.needs.forEach((n, i) => {
    for (let p = index.pairStart[i]; p < index.pairStart[i + 1]; p++)
      at.set(`${n.id}:${index.offers[index.pairOffer[p]].id}`, p)
  })
  for (const a of assignments) {
    const p = at.get(`${a.needId}:${a.offerId}`)
    if (p === undefined) throw new Error(`need ${a.needId} and offer ${a.offerId} are not a feasible pair`)
    flow[p] += a.quantity
  }
  return measure(index, needGroup, groups, flow, {
    components: 0,
    pairs: index.pairOffer.length,
    arcs: 0,
    pivots: 0,
    pricingRounds: 0,
    scoresApproximate: false,
  })
}

export function measure(
  index: PairIndex,
  needGroup: Int32Array,
  groups: Groups['groups'],
  flow: Float64Array,
  stats: Allocation['stats'],
): Allocation {
  const { needs, offers, pairStart, pairOffer, pairScore } = index
  const assignments: Assignment[] = []
  const byCategory: Allocation['coverage']['byCategory'] = {}
  const groupGot = new Float64Array(groups.length)
  const orgs = new Map<number, { shares: number; count: number; got: number; feasible: boolean }>()
  let demand = 0,
    allocated = 0,
    score = 0
  needs.forEach((n, i) => {
    let got = 0
    for (let p = pairStart[i]; p < pairStart[i + 1]; p++) {
      if (flow[p] <= 0) continue
      assignments.push({ needId: n.id, offerId: offers[pairOffer[p]].id, quantity: flow[p], score: pairScore[p] })
      got += flow[p]
      score += flow[p] * pairScore[p]
    }
    const cat = (byCategory[n.category] ??= { demand: 0, allocated: 0 })
    cat.demand += n.quantity
    cat.allocated += got
    demand += n.quantity
    allocated += got
    groupGot[needGroup[i]] += got
    const org = orgs.get(n.orgId) ?? { shares: 0, count: 0, got: 0, feasible: false }
    org.shares += Math.min(1, got / n.quantity)
    org.count++
    org.got += got
    org.feasible ||= pairStart[i + 1] > pairStart[i]
    orgs.set(n.orgId, org)
  })
  let fairness = 0,
    fullWorth = 0,
    groupsServed = 0
  groups.forEach((g, k) => {
    fairness += tierWorth(g.tiers, groupGot[k])
    fullWorth += tierWorth(g.tiers, g.demand)
    if (groupGot[k] > 0) groupsServed++
  })
  const unserved: Unserved[] = []
  for (const [orgId, o] of [...orgs].sort((a, b) => a[0] - b[0])) {
    if (o.got > 0) continue
    const reason: UnservedReason = o.feasible ? 'capacity_exhausted' : 'no_feasible_offer'
    unserved.push({ orgId, reason, key: `allocation.unserved.${reason}`, params: {} })
  }
  return {
    assignments,
    coverage: { demand, allocated, byCategory },
    fairness: {
      organizations: orgs.size,
      organizationsWithNothing: unserved.length,
      gini: gini([...orgs.values()].map((o) => o.shares / o.count)),
      fairShare: fairShare(fairness, fullWorth),
      groups: groups.length,
      groupsServed,
    },
    unserved,
    objective: { covered: allocated, fairness, score },
    stats,
  }
}
