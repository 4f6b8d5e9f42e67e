/**
 * allocate() cut along categories, so that a pool of threads can share the work (allocate-pool.ts).
 *
 * No pair crosses a category (the category constraint), and groups are (organization, category), so a category's
 * needs and offers are an instance of their own: its pairs, first come, first served's flow over them, its groups'
 * tiers and its components are what the whole instance has for that category. Needs and offers keep their order by
 * id within a category, so each component's network is built in the same order as in one thread and its solve
 * pivots the same way. stitch() puts the parts back into the whole instance's index and measures it there: the
 * same proposal and baseline as allocate() and firstComeFirstServed(), whatever order the parts finished in.
 */
import { solvePairs, type AllocateOptions } from './allocate.js'
import type { Tier } from './fairness.js'
import { measure, type Allocation, type Groups } from './outcome.js'
import { feasiblePairs, type PairIndex } from './pairs.js'
import type { NeedView, OfferView } from './types.js'

/** The proposal and the first come, first served baseline it is shown against, on the same pairs. */
export interface Proposal {
  proposal: Allocation
  baseline: Allocation
}

export interface PartTask {
  needs: NeedView[]
  offers: OfferView[]
  opts: AllocateOptions
}

/** Pairs with a positive amount, in pair order: a flow is mostly zeros, and only this crosses between threads. */
interface Sparse {
  at: Int32Array
  amount: Float64Array
}

export interface PartResult {
  pairStart: Int32Array
  pairOffer: Int32Array
  pairScore: Uint8Array
  needGroup: Int32Array
  tiers: Tier[][]
  flow: Sparse
  fcfs: Sparse
  stats: Allocation['stats']
}

/** A category's needs and offers as indexes into the whole instance's (sorted) needs and offers. */
export interface Part {
  category: string
  needs: Int32Array
  offers: Int32Array
}

/** The whole instance as feasiblePairs orders it, and its categories with needs, largest first. */
export function split(
  allNeeds: readonly NeedView[],
  allOffers: readonly OfferView[],
): { needs: NeedView[]; offers: OfferView[]; parts: Part[] } {
  const needs = allNeeds.filter((n) => n.quantity > 0).sort((a, b) => a.id - b.id)
  const offers = allOffers.filter((o) => o.remaining > 0).sort((a, b) => a.id - b.id)
  const byCategory = new Map<string, { needs: number[]; offers: number[] }>()
  needs.forEach((n, i) => {
    const c = byCategory.get(n.category)
    if (c) c.needs.push(i)
    else byCategory.set(n.category, { needs: [i], offers: [] })
  })
  offers.forEach((o, j) => byCategory.get(o.category)?.offers.push(j))
  const parts = [...byCategory].map(([category, c]) => ({
    category,
    needs: Int32Array.from(c.needs),
    offers: Int32Array.from(c.offers),
  }))
  // Largest first, so that a pool pulling parts in this order ends with small ones and its threads finish together.
  const size = (p: Part) => p.needs.length * p.offers.length
  parts.sort((a, b) => size(b) - size(a) || (a.category < b.category ? -1 : 1))
  return { needs, offers, parts }
}

export function taskOf(part: Part, needs: readonly NeedView[], offers: readonly OfferView[], opts: AllocateOptions) {
  return {
    needs: Array.from(part.needs, (i) => needs[i]),
    offers: Array.from(part.offers, (j) => offers[j]),
    opts,
  } satisfies PartTask
}

/** One part solved as allocate() solves it, with the buffers a thread can hand over instead of copying. */
export function solvePart(task: PartTask): { result: PartResult; transfer: ArrayBuffer[] } {
  const index = feasiblePairs(task.needs, task.offers, task.opts)
  const solved = solvePairs(index, task.opts)
  const result: PartResult = {
    pairStart: index.pairStart,
    pairOffer: index.pairOffer,
    pairScore: index.pairScore,
    needGroup: solved.needGroup,
    tiers: solved.groups.map((g) => g.tiers),
    flow: sparse(solved.flow),
    fcfs: sparse(solved.fcfs),
    stats: solved.stats,
  }
  const transfer = [
    result.pairStart,
    result.pairOffer,
    result.pairScore,
    result.needGroup,
    result.flow.at,
    result.flow.amount,
    result.fcfs.at,
    result.fcfs.amount,
  ].map((a) => a.buffer as ArrayBuffer)
  return { result, transfer: [...new Set(transfer)] }
}

function sparse(flow: Float64Array): Sparse {
  let n = 0
  for (let p = 0; p < flow.length; p++) if (flow[p] > 0) n++
  const at = new Int32Array(n),
    amount = new Float64Array(n)
  for (let p = 0, k = 0; p < flow.length; p++)
    if (flow[p] > 0) {
      at[k] = p
      amount[k++] = flow[p]
    }
  return { at, amount }
}

/** The parts back in the whole instance's index, measured there as allocate() and firstComeFirstServed() measure. */
export function stitch(
  needs: NeedView[],
  offers: OfferView[],
  parts: readonly Part[],
  results: readonly PartResult[],
): Proposal {
  const N = needs.length
  // Each need's part and its index there.
  const partOf = new Int32Array(N).fill(-1),
    localOf = new Int32Array(N)
  parts.forEach((part, k) =>
    part.needs.forEach((i, local) => {
      partOf[i] = k
      localOf[i] = local
    }),
  )
  const pairStart = new Int32Array(N + 1)
  let P = 0
  for (let i = 0; i < N; i++) {
    pairStart[i] = P
    const r = results[partOf[i]],
      l = localOf[i]
    P += r.pairStart[l + 1] - r.pairStart[l]
  }
  pairStart[N] = P
  const pairOffer = new Int32Array(P),
    pairScore = new Uint8Array(P)
  // Groups numbered in order of their first need, as groupNeeds numbers them; demand summed in the same order.
  const groups: Groups['groups'] = []
  const needGroup = new Int32Array(N)
  const groupAt = results.map((r) => new Int32Array(r.tiers.length).fill(-1))
  for (let i = 0; i < N; i++) {
    const k = partOf[i],
      r = results[k],
      l = localOf[i],
      local = r.needGroup[l]
    let g = groupAt[k][local]
    if (g < 0) {
      g = groupAt[k][local] = groups.length
      groups.push({ org: needs[i].org, category: needs[i].category, demand: 0, tiers: r.tiers[local] })
    }
    groups[g].demand += needs[i].quantity
    needGroup[i] = g
    const offerAt = parts[k].offers
    for (let p = r.pairStart[l], q = pairStart[i]; p < r.pairStart[l + 1]; p++, q++) {
      pairOffer[q] = offerAt[r.pairOffer[p]]
      pairScore[q] = r.pairScore[p]
    }
  }
  const index: PairIndex = { needs, offers, pairStart, pairOffer, pairScore }
  // One flow array, filled with each flow in turn: at city scale a pair's flow is 8 bytes of tens of millions.
  const flow = new Float64Array(P)
  const fill = (of: (r: PartResult) => Sparse) => {
    flow.fill(0)
    results.forEach((r, k) => {
      const { at, amount } = of(r),
        part = parts[k]
      let l = 0
      for (let e = 0; e < at.length; e++) {
        const p = at[e]
        while (r.pairStart[l + 1] <= p) l++
        flow[pairStart[part.needs[l]] + p - r.pairStart[l]] = amount[e]
      }
    })
    return flow
  }
  const baseline = measure(
    index,
    needGroup,
    groups,
    fill((r) => r.fcfs),
    noWork(P),
  )
  const stats = noWork(P)
  for (const r of results) {
    stats.components += r.stats.components
    stats.arcs += r.stats.arcs
    stats.pivots += r.stats.pivots
    stats.pricingRounds += r.stats.pricingRounds
    stats.scoresApproximate ||= r.stats.scoresApproximate
  }
  const proposal = measure(
    index,
    needGroup,
    groups,
    fill((r) => r.flow),
    stats,
  )
  return { proposal, baseline }
}

/** The proposal and its baseline in this thread, from one enumeration of the pairs. */
export function proposeInThread(needs: readonly NeedView[], offers: readonly OfferView[], opts: AllocateOptions) {
  const index = feasiblePairs(needs, offers, opts)
  const s = solvePairs(index, opts)
  return {
    baseline: measure(index, s.needGroup, s.groups, s.fcfs, noWork(index.pairOffer.length)),
    proposal: measure(index, s.needGroup, s.groups, s.flow, s.stats),
  } satisfies Proposal
}

function noWork(pairs: number): Allocation['stats'] {
  return { components: 0, pairs, arcs: 0, pivots: 0, pricingRounds: 0, scoresApproximate: false }
}
