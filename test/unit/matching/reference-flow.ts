/**
 * An independent, deliberately simple min-cost flow for checking the fast solvers: successive shortest
 * paths with Bellman-Ford on an adjacency list. Slow (fine for the small instances tests use), and
 * sharing no code with network-simplex.ts.
 */
export interface RefArc {
  from: number
  to: number
  cap: number
  cost: number
}

export function referenceMinCostFlow(
  nodes: number,
  arcs: RefArc[],
  supply: number[],
): { feasible: boolean; cost: number; flow: number[] } {
  const S = nodes,
    T = nodes + 1,
    N = nodes + 2
  const to: number[] = [],
    cap: number[] = [],
    cost: number[] = [],
    head: number[][] = Array.from({ length: N }, () => [])
  const add = (u: number, v: number, c: number, w: number) => {
    head[u].push(to.length)
    to.push(v)
    cap.push(c)
    cost.push(w)
    head[v].push(to.length)
    to.push(u)
    cap.push(0)
    cost.push(-w)
  }
  for (const a of arcs) add(a.from, a.to, a.cap, a.cost)
  let need = 0
  supply.forEach((b, u) => {
    if (b > 0) {
      add(S, u, b, 0)
      need += b
    } else if (b < 0) add(u, T, -b, 0)
  })
  let total = 0,
    sent = 0
  for (;;) {
    const dist = new Array<number>(N).fill(Infinity),
      via = new Array<number>(N).fill(-1)
    dist[S] = 0
    for (let round = 0; round < N; round++) {
      let changed = false
      for (let u = 0; u < N; u++) {
        if (dist[u] === Infinity) continue
        for (const e of head[u])
          if (cap[e] > 0 && dist[u] + cost[e] < dist[to[e]]) {
            dist[to[e]] = dist[u] + cost[e]
            via[to[e]] = e
            changed = true
          }
      }
      if (!changed) break
    }
    if (dist[T] === Infinity) break
    let push = Infinity
    for (let v = T; v !== S; v = to[via[v] ^ 1]) push = Math.min(push, cap[via[v]])
    for (let v = T; v !== S; v = to[via[v] ^ 1]) {
      cap[via[v]] -= push
      cap[via[v] ^ 1] += push
    }
    total += push * dist[T]
    sent += push
  }
  return { feasible: sent === need, cost: total, flow: arcs.map((_, i) => cap[2 * i + 1]) }
}
