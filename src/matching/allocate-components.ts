/**
 * An allocation cut into its independent components: needs, offers and groups joined by feasible pairs (in practice
 * a category × a street). allocate.ts solves each on its own, which also bounds memory; the scratch arrays its solves
 * share are indexed by the whole instance's pairs, needs and offers, and each component touches only its own.
 */
import type { PairIndex } from './pairs.js'

/** Scratch arrays indexed by global pair, need and offer, shared by all components (each touches only its own). */
export interface Work {
  flow: Float64Array
  arcOf: Int32Array
  seed: Uint8Array
  needNode: Int32Array
  offerNode: Int32Array
  offerLeft: Float64Array
}

export interface Component {
  needs: number[]
  offers: number[]
  groups: number[]
}

/** Connected components of needs, offers and groups joined by feasible pairs, in order of their first need. */
export function components(index: PairIndex, needGroup: Int32Array, groupCount: number): Component[] {
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
