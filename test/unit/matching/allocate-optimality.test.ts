import { describe, expect, it } from 'vitest'
import { allocate } from '../../../src/matching/allocate.js'
import { firstComeFirstServed, type Allocation } from '../../../src/matching/outcome.js'
import { fairnessTiers, tierWorth } from '../../../src/matching/fairness.js'
import { feasiblePairs, type PairIndex } from '../../../src/matching/pairs.js'
import { underResourcing } from '../../../src/matching/rank.js'
import type { NeedView, OfferView } from '../../../src/matching/types.js'
import { referenceMinCostFlow, type RefArc } from './reference-flow.js'
import { shuffled, smallInstance } from './instances.js'

type Objective = Allocation['objective']

/** Groups (organization/category) that first come, first served gives something: their first unit is kept. */
function keptGroups(needs: readonly NeedView[], offers: readonly OfferView[]): Set<string> {
  const byId = new Map(needs.map((n) => [n.id, n]))
  return new Set(
    firstComeFirstServed(needs, offers).assignments.map(
      (a) => `${byId.get(a.needId)!.orgId}/${byId.get(a.needId)!.category}`,
    ),
  )
}

/** The objective straight from its definition, for any quantities on the feasible pairs. */
function objectiveOf(index: PairIndex, x: ArrayLike<number>): Objective {
  const kept = keptGroups(index.needs, index.offers)
  const groupDemand = new Map<string, { demand: number; got: number; u: number; key: string }>()
  let covered = 0,
    score = 0
  index.needs.forEach((n, i) => {
    const key = `${n.orgId}/${n.category}`
    const g = groupDemand.get(key) ?? { demand: 0, got: 0, u: underResourcing(n.org), key }
    g.demand += n.quantity
    for (let p = index.pairStart[i]; p < index.pairStart[i + 1]; p++) {
      g.got += x[p]
      covered += x[p]
      score += x[p] * index.pairScore[p]
    }
    groupDemand.set(key, g)
  })
  let fairness = 0
  for (const g of groupDemand.values()) fairness += tierWorth(fairnessTiers(g.demand, g.u, kept.has(g.key)), g.got)
  return { covered, fairness, score }
}

const better = (a: Objective, b: Objective) =>
  a.covered !== b.covered
    ? a.covered > b.covered
    : a.fairness !== b.fairness
      ? a.fairness > b.fairness
      : a.score > b.score

/** Every integral allocation of a tiny instance, by depth-first search over the feasible pairs. */
function bruteForce(needs: NeedView[], offers: OfferView[]): Objective {
  const index = feasiblePairs(needs, offers)
  const P = index.pairOffer.length
  const needOf = new Int32Array(P)
  index.needs.forEach((_, i) => needOf.fill(i, index.pairStart[i], index.pairStart[i + 1]))
  const needLeft = index.needs.map((n) => n.quantity),
    offerLeft = index.offers.map((o) => o.remaining)
  const x = new Float64Array(P)
  let best: Objective = { covered: -1, fairness: 0, score: 0 }
  const visit = (p: number) => {
    if (p === P) {
      const o = objectiveOf(index, x)
      if (better(o, best)) best = o
      return
    }
    const i = needOf[p],
      j = index.pairOffer[p]
    for (let q = 0; q <= Math.min(needLeft[i], offerLeft[j]); q++) {
      x[p] = q
      needLeft[i] -= q
      offerLeft[j] -= q
      visit(p + 1)
      needLeft[i] += q
      offerLeft[j] += q
    }
    x[p] = 0
  }
  visit(0)
  return best
}

/** The same lexicographic problem as one min-cost flow, built from the definitions and solved by the reference solver. */
function referenceOptimum(needs: NeedView[], offers: OfferView[]): Objective {
  const index = feasiblePairs(needs, offers)
  const kept = keptGroups(needs, offers)
  const groups = new Map<string, { node: number; demand: number; u: number; key: string }>()
  let node = 2 + index.needs.length + index.offers.length
  for (const n of index.needs) {
    const key = `${n.orgId}/${n.category}`
    const g = groups.get(key) ?? { node: node++, demand: 0, u: underResourcing(n.org), key }
    g.demand += n.quantity
    groups.set(key, g)
  }
  const G = 100 * (index.needs.length + index.offers.length) + 101
  const arcs: RefArc[] = [],
    pairArc: number[] = []
  let demand = 0
  for (const g of groups.values())
    for (const t of fairnessTiers(g.demand, g.u, kept.has(g.key)))
      arcs.push({ from: 0, to: g.node, cap: t.cap, cost: -t.value * G })
  index.needs.forEach((n, i) => {
    demand += n.quantity
    arcs.push({ from: groups.get(`${n.orgId}/${n.category}`)!.node, to: 2 + i, cap: n.quantity, cost: 0 })
    for (let p = index.pairStart[i]; p < index.pairStart[i + 1]; p++) {
      pairArc[p] = arcs.length
      arcs.push({
        from: 2 + i,
        to: 2 + index.needs.length + index.pairOffer[p],
        cap: n.quantity,
        cost: -index.pairScore[p],
      })
    }
  })
  index.offers.forEach((o, j) => arcs.push({ from: 2 + index.needs.length + j, to: 1, cap: o.remaining, cost: 0 }))
  arcs.push({ from: 0, to: 1, cap: demand, cost: 0 })
  const supply = new Array<number>(node).fill(0)
  supply[0] = demand
  supply[1] = -demand
  const ref = referenceMinCostFlow(node, arcs, supply)
  return objectiveOf(
    index,
    pairArc.map((a) => ref.flow[a]),
  )
}

describe('allocation optimality', () => {
  it('matches exhaustive search on 150 tiny random instances, in every objective level', () => {
    for (let seed = 1; seed <= 150; seed++) {
      const { needs, offers } = smallInstance(seed, { needs: 1 + (seed % 3), offers: 1 + ((seed >> 2) % 3), orgs: 2 })
      const got = allocate(needs, offers, { strategy: 'priced', polishRounds: Infinity })
      expect(got.objective, `seed ${seed}`).toEqual(bruteForce(needs, offers))
      expect(allocate(needs, offers, { strategy: 'full' }).objective, `seed ${seed}`).toEqual(got.objective)
    }
  })

  it('matches an independent min-cost flow solver on 80 larger random instances', () => {
    for (let seed = 1; seed <= 80; seed++) {
      const { needs, offers } = smallInstance(1000 + seed, {
        needs: 14,
        offers: 12,
        maxQuantity: 12,
        orgs: 6,
        categories: 2,
      })
      const got = allocate(needs, offers, { strategy: 'priced', polishRounds: Infinity })
      expect(got.objective, `seed ${seed}`).toEqual(referenceOptimum(needs, offers))
      expect(got.stats.scoresApproximate).toBe(false)
    }
  })

  it('reaches the optimal coverage and fairness even when the score polish is cut short', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const { needs, offers } = smallInstance(2000 + seed, {
        needs: 30,
        offers: 25,
        maxQuantity: 20,
        orgs: 12,
        categories: 2,
      })
      const exact = allocate(needs, offers, { strategy: 'full' }).objective
      const quick = allocate(needs, offers, {
        strategy: 'priced',
        polishRounds: 0,
        seedPairs: 1,
        pricePerNeed: 1,
      }).objective
      expect([quick.covered, quick.fairness], `seed ${seed}`).toEqual([exact.covered, exact.fairness])
      expect(quick.score).toBeLessThanOrEqual(exact.score)
    }
  })

  it('reports the objective of the assignments it returns', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const { needs, offers } = smallInstance(3000 + seed, {
        needs: 12,
        offers: 10,
        maxQuantity: 9,
        orgs: 5,
        categories: 2,
      })
      const got = allocate(needs, offers)
      const index = feasiblePairs(needs, offers)
      const x = new Float64Array(index.pairOffer.length)
      const at = new Map<string, number>()
      index.needs.forEach((n, i) => {
        for (let p = index.pairStart[i]; p < index.pairStart[i + 1]; p++)
          at.set(`${n.id}:${index.offers[index.pairOffer[p]].id}`, p)
      })
      for (const a of got.assignments) x[at.get(`${a.needId}:${a.offerId}`)!] += a.quantity
      expect(objectiveOf(index, x)).toEqual(got.objective)
    }
  })

  it('leaves no feasible demand uncovered while capacity that could serve it stays idle', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const { needs, offers } = smallInstance(4000 + seed, {
        needs: 20,
        offers: 15,
        maxQuantity: 15,
        orgs: 8,
        categories: 2,
      })
      const got = allocate(needs, offers)
      const index = feasiblePairs(needs, offers)
      const needGot = new Map<number, number>(),
        offerUsed = new Map<number, number>()
      for (const a of got.assignments) {
        needGot.set(a.needId, (needGot.get(a.needId) ?? 0) + a.quantity)
        offerUsed.set(a.offerId, (offerUsed.get(a.offerId) ?? 0) + a.quantity)
      }
      index.needs.forEach((n, i) => {
        for (let p = index.pairStart[i]; p < index.pairStart[i + 1]; p++) {
          const o = index.offers[index.pairOffer[p]]
          const idle = (needGot.get(n.id) ?? 0) < n.quantity && (offerUsed.get(o.id) ?? 0) < o.remaining
          expect(idle, `seed ${seed}: need ${n.id} and offer ${o.id} both have room`).toBe(false)
        }
      })
    }
  })

  it('finds the same optimum whether it prices pairs in or is given them all', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const { needs, offers } = smallInstance(5000 + seed, {
        needs: 40,
        offers: 30,
        maxQuantity: 30,
        orgs: 15,
        categories: 2,
      })
      expect(allocate(needs, offers, { strategy: 'priced', polishRounds: Infinity }).objective).toEqual(
        allocate(needs, offers, { strategy: 'full' }).objective,
      )
    }
  })

  it('gives the same proposal for the same input, whatever order the rows come in', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const { needs, offers } = smallInstance(6000 + seed, {
        needs: 30,
        offers: 25,
        maxQuantity: 20,
        orgs: 10,
        categories: 2,
      })
      const first = allocate(needs, offers)
      expect(allocate(needs, offers)).toEqual(first)
      expect(allocate(shuffled(needs, seed), shuffled(offers, seed + 1)).assignments).toEqual(first.assignments)
    }
  })
})
