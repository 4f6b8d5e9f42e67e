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
 */

const STATE_UPPER = -1
const STATE_TREE = 0
const STATE_LOWER = 1
const DIR_UP = 1
const DIR_DOWN = -1

export class NetworkSimplex {
  readonly nodeCount: number
  private arcEnd: number
  private source: Int32Array
  private target: Int32Array
  private cap: Float64Array
  private cost: Float64Array
  private flows: Float64Array
  private state: Int8Array
  private readonly supply: Float64Array

  private readonly parent: Int32Array
  private readonly pred: Int32Array
  private readonly predDir: Int8Array
  private readonly thread: Int32Array
  private readonly revThread: Int32Array
  private readonly succNum: Int32Array
  private readonly lastSucc: Int32Array
  private readonly pi: Float64Array
  private readonly dirty: Int32Array
  /**
   * The cycle's two paths, from the entering arc's source and from its target up to the join node (not included),
   * as findJoinNode met them: the leaving arc's search and the flow change read these rather than climb the tree
   * again, so their loads no longer wait on one another.
   */
  private readonly pathUp: Int32Array
  private readonly pathDown: Int32Array
  private pathUpLength = 0
  private pathDownLength = 0

  private started = false
  private solvedEnd = 0
  private maxCost = 0
  private nextArc: number
  private readonly pivotsPerArc: number
  pivots = 0

  // The pivot's working state, kept on the instance to avoid allocating per pivot.
  private inArc = 0
  private join = 0
  private uIn = 0
  private vIn = 0
  private uOut = 0
  private delta = 0

  /**
   * `costBound` bounds |cost| of arcs added after the first solve, since the artificial arcs' cost is set
   * from it; by default later arcs may not cost more, in absolute value, than the arcs of the first solve.
   * `pivotsPerArc` bounds one solve's pivots (times its arcs and nodes): far above what any instance has needed
   * (100k x 100k: 4.19M pivots over 174 solves of up to 2M arcs), so that a solver that cycles, through a
   * defect, fails instead of holding the thread that runs it for ever.
   */
  constructor(
    nodeCount: number,
    {
      arcCapacity = 16,
      costBound = 0,
      pivotsPerArc = 50,
    }: { arcCapacity?: number; costBound?: number; pivotsPerArc?: number } = {},
  ) {
    const n = nodeCount
    this.pivotsPerArc = pivotsPerArc
    this.maxCost = Math.abs(costBound)
    this.nodeCount = n
    // Arcs 0..n-1 are the artificial arcs of the starting tree; user arcs follow, so they can keep coming.
    this.arcEnd = n
    this.nextArc = n
    const size = n + Math.max(arcCapacity, 16)
    this.source = new Int32Array(size)
    this.target = new Int32Array(size)
    this.cap = new Float64Array(size)
    this.cost = new Float64Array(size)
    this.flows = new Float64Array(size)
    this.state = new Int8Array(size)
    this.supply = new Float64Array(n + 1)
    this.parent = new Int32Array(n + 1)
    this.pred = new Int32Array(n + 1)
    this.predDir = new Int8Array(n + 1)
    this.thread = new Int32Array(n + 1)
    this.revThread = new Int32Array(n + 1)
    this.succNum = new Int32Array(n + 1)
    this.lastSucc = new Int32Array(n + 1)
    this.pi = new Float64Array(n + 1)
    this.dirty = new Int32Array(n + 1)
    this.pathUp = new Int32Array(n + 1)
    this.pathDown = new Int32Array(n + 1)
  }

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

  /**
   * Block search: scan a block of arcs, take the most negative reduced cost in it, else the next block. Each block is
   * scanned as at most two plain runs (before and after the wrap), so the inner loop carries no wrap or block test.
   */
  private findEnteringArc(block: number): number {
    const { state, cost, pi, source, target } = this
    const begin = this.nodeCount,
      end = this.arcEnd
    let min = 0,
      best = -1,
      left = end - begin,
      e = this.nextArc
    if (e >= end) e = begin
    while (left > 0) {
      let run = Math.min(block, left)
      left -= run
      while (run > 0) {
        const stop = Math.min(e + run, end)
        for (let x = e; x < stop; x++) {
          const c = state[x] * (cost[x] + pi[source[x]] - pi[target[x]])
          if (c < min) {
            min = c
            best = x
          }
        }
        run -= stop - e
        e = stop === end ? begin : stop
      }
      if (min < 0) break
    }
    this.nextArc = e
    return best
  }

  private pivot(): void {
    this.pivots++
    this.findJoinNode()
    const change = this.findLeavingArc()
    if (this.delta === Infinity) throw new Error('unbounded: a negative cycle of unlimited capacity')
    this.changeFlow(change)
    if (change) {
      this.updateTreeStructure()
      this.updatePotential()
    }
  }

  private findJoinNode(): void {
    const { succNum, parent, pathUp, pathDown } = this
    let u = this.source[this.inArc],
      v = this.target[this.inArc],
      up = 0,
      down = 0
    while (u !== v) {
      if (succNum[u] < succNum[v]) {
        pathUp[up++] = u
        u = parent[u]
      } else {
        pathDown[down++] = v
        v = parent[v]
      }
    }
    this.join = u
    this.pathUpLength = up
    this.pathDownLength = down
  }

  /**
   * The blocking arc of the cycle. Ties go to the last one met in the cycle's direction, which keeps the
   * tree strongly feasible and so rules out cycling on degenerate pivots.
   */
  private findLeavingArc(): boolean {
    const { pred, predDir, flows, cap } = this
    const inArc = this.inArc
    // The cycle runs from `first` up to the join and down to `second`, in the direction the entering arc's flow moves.
    const lower = this.state[inArc] === STATE_LOWER
    const first = lower ? this.source[inArc] : this.target[inArc],
      second = lower ? this.target[inArc] : this.source[inArc]
    const firstPath = lower ? this.pathUp : this.pathDown,
      firstLength = lower ? this.pathUpLength : this.pathDownLength
    const secondPath = lower ? this.pathDown : this.pathUp,
      secondLength = lower ? this.pathDownLength : this.pathUpLength
    let delta = cap[inArc],
      result = 0
    for (let k = 0; k < firstLength; k++) {
      const u = firstPath[k],
        e = pred[u]
      const d = predDir[u] === DIR_DOWN ? cap[e] - flows[e] : flows[e]
      if (d < delta) {
        delta = d
        this.uOut = u
        result = 1
      }
    }
    for (let k = 0; k < secondLength; k++) {
      const u = secondPath[k],
        e = pred[u]
      const d = predDir[u] === DIR_UP ? cap[e] - flows[e] : flows[e]
      if (d <= delta) {
        delta = d
        this.uOut = u
        result = 2
      }
    }
    if (result === 1) {
      this.uIn = first
      this.vIn = second
    } else {
      this.uIn = second
      this.vIn = first
    }
    this.delta = delta
    return result !== 0
  }

  private changeFlow(change: boolean): void {
    const { pred, predDir, flows, pathUp, pathDown } = this
    const inArc = this.inArc
    if (this.delta > 0) {
      const val = this.state[inArc] * this.delta
      flows[inArc] += val
      for (let k = 0; k < this.pathUpLength; k++) {
        const u = pathUp[k]
        flows[pred[u]] -= predDir[u] * val
      }
      for (let k = 0; k < this.pathDownLength; k++) {
        const u = pathDown[k]
        flows[pred[u]] += predDir[u] * val
      }
    }
    if (change) {
      this.state[inArc] = STATE_TREE
      const out = pred[this.uOut]
      this.state[out] = flows[out] === 0 ? STATE_LOWER : STATE_UPPER
    } else {
      this.state[inArc] = -this.state[inArc]
    }
  }

  /** Re-hangs the subtree cut off by the leaving arc under the entering arc, keeping the thread order valid. */
  private updateTreeStructure(): void {
    const { parent, pred, predDir, thread, revThread, succNum, lastSucc, dirty } = this
    const uIn = this.uIn,
      vIn = this.vIn,
      uOut = this.uOut,
      join = this.join,
      inArc = this.inArc
    const oldRevThread = revThread[uOut]
    const oldSuccNum = succNum[uOut]
    const oldLastSucc = lastSucc[uOut]
    const vOut = parent[uOut]

    if (uIn === uOut) {
      parent[uIn] = vIn
      pred[uIn] = inArc
      predDir[uIn] = uIn === this.source[inArc] ? DIR_UP : DIR_DOWN
      if (thread[vIn] !== uOut) {
        let after = thread[oldLastSucc]
        thread[oldRevThread] = after
        revThread[after] = oldRevThread
        after = thread[vIn]
        thread[vIn] = uOut
        revThread[uOut] = vIn
        thread[oldLastSucc] = after
        revThread[after] = oldLastSucc
      }
    } else {
      // When old_rev_thread is v_in, join and v_out coincide.
      const threadContinue = oldRevThread === vIn ? thread[oldLastSucc] : thread[vIn]
      let stem = uIn,
        parStem = vIn,
        last = lastSucc[uIn]
      let after = thread[last]
      thread[vIn] = uIn
      let dirtyCount = 0
      dirty[dirtyCount++] = vIn
      while (stem !== uOut) {
        const nextStem = parent[stem]
        thread[last] = nextStem
        dirty[dirtyCount++] = last
        const before = revThread[stem]
        thread[before] = after
        revThread[after] = before
        parent[stem] = parStem
        parStem = stem
        stem = nextStem
        last = lastSucc[stem] === lastSucc[parStem] ? revThread[parStem] : lastSucc[stem]
        after = thread[last]
      }
      parent[uOut] = parStem
      thread[last] = threadContinue
      revThread[threadContinue] = last
      lastSucc[uOut] = last
      if (oldRevThread !== vIn) {
        thread[oldRevThread] = after
        revThread[after] = oldRevThread
      }
      for (let i = 0; i < dirtyCount; i++) {
        const u = dirty[i]
        revThread[thread[u]] = u
      }
      let tmpSc = 0
      const tmpLs = lastSucc[uOut]
      for (let u = uOut, p = parent[u]; u !== uIn; u = p, p = parent[u]) {
        pred[u] = pred[p]
        predDir[u] = -predDir[p]
        tmpSc += succNum[u] - succNum[p]
        succNum[u] = tmpSc
        lastSucc[p] = tmpLs
      }
      pred[uIn] = inArc
      predDir[uIn] = uIn === this.source[inArc] ? DIR_UP : DIR_DOWN
      succNum[uIn] = oldSuccNum
    }

    const upLimitOut = lastSucc[join] === vIn ? join : -1
    const lastSuccOut = lastSucc[uOut]
    for (let u = vIn; u !== -1 && lastSucc[u] === vIn; u = parent[u]) lastSucc[u] = lastSuccOut
    if (join !== oldRevThread && vIn !== oldRevThread) {
      for (let u = vOut; u !== upLimitOut && lastSucc[u] === oldLastSucc; u = parent[u]) lastSucc[u] = oldRevThread
    } else if (lastSuccOut !== oldLastSucc) {
      for (let u = vOut; u !== upLimitOut && lastSucc[u] === oldLastSucc; u = parent[u]) lastSucc[u] = lastSuccOut
    }
    for (let u = vIn; u !== join; u = parent[u]) succNum[u] += oldSuccNum
    for (let u = vOut; u !== join; u = parent[u]) succNum[u] -= oldSuccNum
  }

  /**
   * Shifts the potentials of the re-hung subtree so the entering arc's reduced cost is 0. Potentials only
   * matter up to a common constant, so when the subtree holds most of the tree, the rest moves instead.
   */
  private updatePotential(): void {
    const { pi, thread, revThread } = this
    const uIn = this.uIn
    const sigma = pi[this.vIn] - pi[uIn] - this.predDir[uIn] * this.cost[this.inArc]
    const size = this.succNum[uIn],
      last = this.lastSucc[uIn]
    if (2 * size <= this.nodeCount + 1) shift(pi, thread, revThread, uIn, last, size, sigma)
    // The subtree is one contiguous run of the (cyclic) thread; everything outside it is the rest.
    else shift(pi, thread, revThread, thread[last], revThread[uIn], this.nodeCount + 1 - size, -sigma)
  }
}

/**
 * Adds delta to the potentials of the `count` nodes met along the thread from `first` to `last`. It walks in from
 * both ends at once: a walk along the thread waits for each node's successor to load, and two independent walks
 * wait side by side, which makes this (the simplex's largest cost) nearly twice as fast as one walk.
 */
function shift(
  pi: Float64Array,
  thread: Int32Array,
  revThread: Int32Array,
  first: number,
  last: number,
  count: number,
  delta: number,
): void {
  let a = first,
    b = last
  for (let k = count >> 1; k > 0; k--) {
    pi[a] += delta
    pi[b] += delta
    a = thread[a]
    b = revThread[b]
  }
  if (count & 1) pi[a] += delta
}
