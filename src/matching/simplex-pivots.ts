/**
 * The pivots of the network simplex (network-simplex.ts), on its arrays: the spanning tree as parent/thread/successor
 * arrays (LEMON's), block search for the entering arc, the cycle's join node and leaving arc, the flow change, the
 * subtree re-hung and the potentials shifted. These are the simplex's hot loops, so the class holds every array and
 * allocates them, and its pivots read them as fields of the one object, as NetworkSimplex (which extends it) does;
 * building the network, the starting tree, solving and reading results are network-simplex.ts.
 */

const STATE_UPPER = -1
export const STATE_TREE = 0
export const STATE_LOWER = 1
export const DIR_UP = 1
export const DIR_DOWN = -1

export abstract class SimplexPivots {
  readonly nodeCount: number
  protected arcEnd: number
  protected source: Int32Array
  protected target: Int32Array
  protected cap: Float64Array
  protected cost: Float64Array
  protected flows: Float64Array
  protected state: Int8Array
  protected readonly supply: Float64Array

  protected readonly parent: Int32Array
  protected readonly pred: Int32Array
  protected readonly predDir: Int8Array
  protected readonly thread: Int32Array
  protected readonly revThread: Int32Array
  protected readonly succNum: Int32Array
  protected readonly lastSucc: Int32Array
  protected readonly pi: Float64Array
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

  protected started = false
  protected solvedEnd = 0
  protected maxCost = 0
  private nextArc: number
  protected readonly pivotsPerArc: number
  pivots = 0

  // The pivot's working state, kept on the instance to avoid allocating per pivot.
  protected inArc = 0
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

  /**
   * Block search: scan a block of arcs, take the most negative reduced cost in it, else the next block. Each block is
   * scanned as at most two plain runs (before and after the wrap), so the inner loop carries no wrap or block test.
   */
  protected findEnteringArc(block: number): number {
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

  protected pivot(): void {
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
