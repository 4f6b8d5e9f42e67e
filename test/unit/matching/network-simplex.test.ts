import { describe, expect, it } from 'vitest'
import { NetworkSimplex } from '../../../src/matching/network-simplex.js'
import { prng } from '../../../bench/lib/generate.js'
import { referenceMinCostFlow, type RefArc } from './reference-flow.js'

/**
 * A random network with no cycles in its arcs (so the reference's Bellman-Ford start is valid) and balanced
 * supplies. Odd seeds draw costs around zero, even seeds mostly large negative ones, like the allocator's.
 */
function randomNetwork(seed: number, maxNodes = 10) {
  const rand = prng(seed)
  const nodes = 3 + Math.floor(rand() * (maxNodes - 2))
  const density = maxNodes > 10 ? 0.15 : 0.45
  const cost = seed % 2 ? () => Math.floor(rand() * 21) - 10 : () => 5 - Math.floor(rand() * 100_000)
  const arcs: RefArc[] = []
  for (let u = 0; u < nodes; u++)
    for (let v = u + 1; v < nodes; v++) {
      if (rand() < density) arcs.push({ from: u, to: v, cap: 1 + Math.floor(rand() * 9), cost: cost() })
    }
  const supply = new Array<number>(nodes).fill(0)
  for (let k = 0; k < nodes / 2; k++) {
    const a = Math.floor(rand() * nodes),
      b = Math.floor(rand() * nodes)
    const amount = 1 + Math.floor(rand() * 6)
    if (a < b) {
      supply[a] += amount
      supply[b] -= amount
    }
  }
  return { nodes, arcs, supply }
}

function solveWith(nodes: number, arcs: RefArc[], supply: number[], warmFrom?: number) {
  const ns = new NetworkSimplex(nodes, { costBound: 100_000 })
  supply.forEach((b, u) => ns.setSupply(u, b))
  const first = warmFrom ?? arcs.length
  arcs.slice(0, first).forEach((a) => ns.addArc(a.from, a.to, a.cap, a.cost))
  let feasible = ns.solve()
  if (first < arcs.length) {
    arcs.slice(first).forEach((a) => ns.addArc(a.from, a.to, a.cap, a.cost))
    feasible = ns.solve()
  }
  const flow = arcs.map((_, i) => ns.flow(i))
  return { feasible, flow, cost: flow.reduce((s, f, i) => s + f * arcs[i].cost, 0), ns }
}

describe('network simplex', () => {
  it('finds the same minimum cost as an independent shortest-path solver on 300 random networks', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { nodes, arcs, supply } = randomNetwork(seed)
      const ref = referenceMinCostFlow(nodes, arcs, supply)
      const got = solveWith(nodes, arcs, supply)
      expect(got.feasible, `seed ${seed}`).toBe(ref.feasible)
      if (ref.feasible) expect(got.cost, `seed ${seed}`).toBe(ref.cost)
    }
  })

  it('agrees with the reference on larger networks with mostly negative costs', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const { nodes, arcs, supply } = randomNetwork(seed, 60)
      const ref = referenceMinCostFlow(nodes, arcs, supply)
      const got = solveWith(nodes, arcs, supply)
      expect(got.feasible, `seed ${seed}`).toBe(ref.feasible)
      if (ref.feasible) expect(got.cost, `seed ${seed}`).toBe(ref.cost)
    }
  })

  it('never settles for flow parked on its artificial arcs when a real route exists', () => {
    // A very profitable arc into a dead end once tempted the solver to leave supply on the artificial root.
    const ns = new NetworkSimplex(4)
    ns.setSupply(0, 10)
    ns.setSupply(1, -10)
    ns.addArc(0, 1, 10, 0)
    ns.addArc(0, 2, 10, -1_000_000)
    ns.addArc(2, 3, 4, 0)
    ns.addArc(3, 1, 4, 0)
    expect(ns.solve()).toBe(true)
    expect([0, 1, 2, 3].map((a) => ns.flow(a))).toEqual([6, 4, 4, 4])
    expect(ns.verify()).toBe(true)
  })

  it('returns flows that respect capacities and conserve supply', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const { nodes, arcs, supply } = randomNetwork(seed)
      const got = solveWith(nodes, arcs, supply)
      if (!got.feasible) continue
      const balance = new Array<number>(nodes).fill(0)
      arcs.forEach((a, i) => {
        expect(got.flow[i]).toBeGreaterThanOrEqual(0)
        expect(got.flow[i]).toBeLessThanOrEqual(a.cap)
        balance[a.from] += got.flow[i]
        balance[a.to] -= got.flow[i]
      })
      expect(balance).toEqual(supply.map((b) => b + 0))
    }
  })

  it('certifies optimality through its potentials', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const { nodes, arcs, supply } = randomNetwork(seed)
      const got = solveWith(nodes, arcs, supply)
      if (!got.feasible) continue
      expect(got.ns.verify()).toBe(true)
      arcs.forEach((a, i) => {
        const reduced = a.cost + got.ns.potential(a.from) - got.ns.potential(a.to)
        if (got.flow[i] < a.cap) expect(reduced).toBeGreaterThanOrEqual(0)
        if (got.flow[i] > 0) expect(reduced).toBeLessThanOrEqual(0)
      })
    }
  })

  it('continues from its optimal tree when arcs are added after a solve', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const { nodes, arcs, supply } = randomNetwork(seed)
      const ref = referenceMinCostFlow(nodes, arcs, supply)
      const warm = solveWith(nodes, arcs, supply, Math.floor(arcs.length / 2))
      if (!ref.feasible) continue
      expect(warm.cost, `seed ${seed}`).toBe(ref.cost)
    }
  })

  it('refuses costs so large that doubles could no longer add them exactly', () => {
    const ns = new NetworkSimplex(3)
    ns.addArc(0, 1, 1, -(2 ** 51))
    expect(() => ns.solve()).toThrow(RangeError)
  })

  it('reports supplies that cannot be routed', () => {
    const ns = new NetworkSimplex(2)
    ns.setSupply(0, 5)
    ns.setSupply(1, -5)
    ns.addArc(0, 1, 3, 1)
    expect(ns.solve()).toBe(false)
  })

  it('fails rather than runs on when a solve takes more pivots than its bound (a cycling solver held the tests for ever)', () => {
    const { nodes, arcs, supply } = randomNetwork(4, 60)
    const pivotsNeeded = solveWith(nodes, arcs, supply).ns.pivots
    expect(pivotsNeeded).toBeGreaterThan(10)
    const ns = new NetworkSimplex(nodes, { costBound: 100_000, pivotsPerArc: 5 / (arcs.length + nodes) })
    supply.forEach((b, u) => ns.setSupply(u, b))
    arcs.forEach((a) => ns.addArc(a.from, a.to, a.cap, a.cost))
    expect(() => ns.solve()).toThrow(/no optimum after 5 pivots/)
    expect(ns.pivots).toBe(5)
  })
})
