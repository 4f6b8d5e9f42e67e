/**
 * Minimum-cost flow by the primal network simplex method, on typed arrays.
 *
 * The design follows LEMON's NetworkSimplex (Kovács, "Minimum-cost flow algorithms: an experimental
 * evaluation", 2015): a strongly feasible spanning tree stored as parent/thread/successor arrays, and
 * block-search pivoting. It was chosen over successive shortest paths because the allocator's networks have
 * tens of thousands of arcs and thousands of augmenting paths; simplex pivots touch only the tree path of
 * one cycle and one block of arcs, which keeps a 20k × 20k allocation within seconds.
 *
 * Two uses shape the interface:
 *  - arcs may be added after a solve and the next solve continues from the optimal tree (an arc starts at
 *    its lower bound, so the old basis stays feasible). The allocator prices out arcs it left out and adds
 *    only those that could improve the solution.
 *  - potentials are exposed, because they are the optimality certificate used for that pricing.
 *
 * Quantities and costs are integers held in doubles, exact up to 2^53; callers keep |cost| · nodes far
 * below that (the allocator's largest networks stay under 2^45).
 *
 * This module is the solver as callers see it: the network they build (setSupply, addArc), the starting tree,
 * solve's loop of pivots, and what they read back (flow, potentials, verify). The pivots themselves, and the arrays
 * they work on, are simplex-pivots.ts's SimplexPivots, which NetworkSimplex extends: a subclass reads and writes the
 * same fields of the same object, so the hot loops gained no indirection by the split.
 */
import { DIR_DOWN, DIR_UP, SimplexPivots, STATE_LOWER, STATE_TREE } from './simplex-pivots.js'

export class NetworkSimplex extends SimplexPivots {
  get arcCount(): number {
    return this.arcEnd - this.nodeCount
  }

  setSupply(node: number, amount: number): void {
    if (this.started) throw new Error('supplies are fixed once solving has started')
    this.supply[node] = amount
  }

  /** Adds an arc with flow 0 and returns its id (0, 1, 2, … in order of addition). */
  addArc(from: number, to: number, capacity: number, cost: number): number {
    if (this.started && Math.abs(cost) > this.maxCost)
      throw new Error('an arc added after solving must cost within costBound')
    if (this.arcEnd === this.source.length) this.grow()
    const e = this.arcEnd++
    this.source[e] = from
    this.target[e] = to
    this.cap[e] = capacity
    this.cost[e] = cost
    this.flows[e] = 0
    this.state[e] = STATE_LOWER
    if (!this.started && Math.abs(cost) > this.maxCost) this.maxCost = Math.abs(cost)
    return e - this.nodeCount
  }

  flow(arc: number): number {
    return this.flows[arc + this.nodeCount]
  }

  capacity(arc: number): number {
    return this.cap[arc + this.nodeCount]
  }

  potential(node: number): number {
    return this.pi[node]
  }

  /** All potentials, live (not a copy): for callers pricing many arcs against them. Do not write to it. */
  get potentials(): Float64Array {
    return this.pi
  }

  /**
   * Pivots to optimality. Returns false when the supplies cannot be routed. The arcs' reduced costs
   * cost + π(source) − π(target) are then ≥ 0 for arcs at zero flow and ≤ 0 for saturated ones.
   */
  solve(): boolean {
    if (!this.started) this.start()
    else {
      // Arcs added since the last solve were added because they price out negative: try them first.
      for (let e = this.solvedEnd; e < this.arcEnd; e++) {
        if (this.state[e] * (this.cost[e] + this.pi[this.source[e]] - this.pi[this.target[e]]) < 0) {
          this.inArc = e
          this.pivot()
        }
      }
    }
    const arcs = this.arcEnd - this.nodeCount
    const block = Math.max(Math.ceil(Math.sqrt(arcs)), 10)
    const limit = this.pivots + Math.ceil(this.pivotsPerArc * (arcs + this.nodeCount))
    for (let e = this.findEnteringArc(block); e >= 0; e = this.findEnteringArc(block)) {
      if (this.pivots >= limit) throw new Error(`no optimum after ${limit} pivots: the solver is cycling`)
      this.inArc = e
      this.pivot()
    }
    this.solvedEnd = this.arcEnd
    for (let u = 0; u < this.nodeCount; u++) if (this.flows[u] !== 0) return false
    return true
  }

  /** The optimality conditions, checked arc by arc: for tests, and for anyone doubting a result. */
  verify(): boolean {
    const balance = new Float64Array(this.nodeCount)
    for (let e = this.nodeCount; e < this.arcEnd; e++) {
      const f = this.flows[e],
        rc = this.cost[e] + this.pi[this.source[e]] - this.pi[this.target[e]]
      if (f < 0 || f > this.cap[e]) return false
      if ((f < this.cap[e] && rc < 0) || (f > 0 && rc > 0)) return false
      balance[this.source[e]] += f
      balance[this.target[e]] -= f
    }
    for (let u = 0; u < this.nodeCount; u++) if (balance[u] !== this.supply[u]) return false
    return true
  }

  private grow(): void {
    const size = this.source.length * 2
    const copy = <T extends Int32Array | Float64Array | Int8Array>(a: T, b: T): T => {
      b.set(a)
      return b
    }
    this.source = copy(this.source, new Int32Array(size))
    this.target = copy(this.target, new Int32Array(size))
    this.cap = copy(this.cap, new Float64Array(size))
    this.cost = copy(this.cost, new Float64Array(size))
    this.flows = copy(this.flows, new Float64Array(size))
    this.state = copy(this.state, new Int8Array(size))
  }

  /** The starting tree: every node hangs from an artificial root by an arc carrying its supply. */
  private start(): void {
    this.started = true
    const n = this.nodeCount,
      root = n
    let sum = 0
    for (let u = 0; u < n; u++) sum += this.supply[u]
    if (sum !== 0) throw new Error('supplies must sum to zero')
    // Dearer than any simple path of real arcs can save, so flow stays on artificial arcs only when it must.
    // (LEMON uses the largest cost, which assumes costs ≥ 0; ours are mostly negative.)
    const art = (this.maxCost + 1) * (n + 1)
    // Potentials stay below about twice this; past 2^53 doubles stop being exact integers, and a wrong
    // optimum is worse than a refusal.
    if (4 * art > Number.MAX_SAFE_INTEGER) throw new RangeError(`costs too large for exact arithmetic on ${n} nodes`)
    this.parent[root] = -1
    this.pred[root] = -1
    this.thread[root] = 0
    this.revThread[0] = root
    this.succNum[root] = n + 1
    this.lastSucc[root] = root - 1
    this.pi[root] = 0
    for (let u = 0; u < n; u++) {
      const e = u
      this.parent[u] = root
      this.pred[u] = e
      this.thread[u] = u + 1
      this.revThread[u + 1] = u
      this.succNum[u] = 1
      this.lastSucc[u] = u
      this.cap[e] = Infinity
      this.state[e] = STATE_TREE
      if (this.supply[u] >= 0) {
        this.predDir[u] = DIR_UP
        this.pi[u] = 0
        this.source[e] = u
        this.target[e] = root
        this.flows[e] = this.supply[u]
        this.cost[e] = 0
      } else {
        this.predDir[u] = DIR_DOWN
        this.pi[u] = art
        this.source[e] = root
        this.target[e] = u
        this.flows[e] = -this.supply[u]
        this.cost[e] = art
      }
    }
  }
}
