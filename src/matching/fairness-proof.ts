/**
 * The proof that a component's flow is optimal on coverage and fairness (objective levels 1 and 2 of allocate.ts)
 * over all its feasible pairs, not only those priced in so far: once it holds, pricing rounds only polish scores.
 */
import type { Component, Work } from './allocate-components.js'
import type { NetworkSimplex } from './network-simplex.js'
import type { PairIndex } from './pairs.js'

export interface Network {
  ns: NetworkSimplex
  G: number
  tierArcs: Map<number, { arc: number; value: number }[]>
  /** group → need arcs, absent for needs that stand in for their group */
  needArc: Map<number, number>
  offerArc: Map<number, number>
}

/**
 * Proof that coverage and fairness (objective levels 1 and 2) cannot improve: in the residual network over
 * ALL feasible pairs, no group with room in a tier of value v reaches either the sink while some demand is
 * unmet, or a group whose flow sits in a tier worth less than v. Those are the only cycles through the
 * source that gain tier value, and every other arc costs nothing at that level. Groups are searched in
 * decreasing v, so one pass over the arcs suffices: a node's first visit carries the largest v reaching it.
 * Nodes are numbered locally: groups 0..G-1, needs G.., offers after them.
 */
export function isFairnessOptimal(
  index: PairIndex,
  needGroup: Int32Array,
  c: Component,
  net: Network,
  work: Work,
): boolean {
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
