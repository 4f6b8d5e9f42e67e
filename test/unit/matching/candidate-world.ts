/** Kept-view-like instances and the exact answer to hold the candidate indexes to (candidates*.test.ts). */
import { expect } from 'vitest'
import { NeedIndex, OfferIndex } from '../../../src/matching/candidates.js'
import { isFeasible } from '../../../src/matching/feasibility.js'
import { generateInstance, prng } from '../../../bench/lib/generate.js'
import type { NeedView, OfferView } from '../../../src/matching/types.js'
// The indexes narrow by place, topic and keyword; what fits is isFeasible's. Whatever was added, replaced or
// removed, a lookup must give exactly the listings a scan of every listing with isFeasible gives.
export const pick = <T>(rand: () => number, xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!
export const frozen = <T>(xs: T[]) => Object.freeze([...xs]) as unknown as T[]

/**
 * Listings as the kept views hold them (lists frozen), a fifth without topics so that their words decide what they are
 * about, over two streets; `rand` (seeded seed + 1) goes on to draw the writes.
 */
export function keptInstance(needCount: number, offerCount: number, seed: number) {
  const { needs, offers } = generateInstance({
    needs: needCount,
    offers: offerCount,
    seed,
    streets: 2,
    communitiesPerStreet: 3,
  })
  const rand = prng(seed + 1)
  for (const v of [...needs, ...offers]) {
    v.topics = frozen(rand() < 0.2 ? [] : [...v.topics])
    v.keywords = frozen([...v.keywords])
  }
  return { needs, offers, rand }
}

export function byCategory<V extends { category: string }, I>(
  list: V[],
  make: () => I,
  put: (i: I, v: V) => void,
): Map<string, I> {
  const out = new Map<string, I>()
  for (const v of list) {
    if (!out.has(v.category)) out.set(v.category, make())
    put(out.get(v.category)!, v)
  }
  return out
}

/** Every listing put into its category's index, both sides. */
export function indexesOf(needs: NeedView[], offers: OfferView[]) {
  const offerIdx = byCategory(
    offers,
    () => new OfferIndex(),
    (i, o) => i.put(o),
  )
  const needIdx = byCategory(
    needs,
    () => new NeedIndex(),
    (i, n) => i.put(n),
  )
  return { offerIdx, needIdx }
}

export function expectAgreement(needs: NeedView[], offers: OfferView[], label: string) {
  const { offerIdx, needIdx } = indexesOf(needs, offers)
  let fits = 0
  for (const n of needs) {
    const want = offers
      .filter((o) => isFeasible(n, o))
      .map((o) => o.id)
      .sort((a, b) => a - b)
    fits += want.length
    expect(
      offerIdx
        .get(n.category)
        ?.fitting(n)
        .map((o) => o.id) ?? [],
      `${label}: need ${n.id}`,
    ).toEqual(want)
  }
  for (const o of offers) {
    const want = needs
      .filter((n) => isFeasible(n, o))
      .map((n) => n.id)
      .sort((a, b) => a - b)
    expect(
      needIdx
        .get(o.category)
        ?.fitting(o)
        .map((n) => n.id) ?? [],
      `${label}: offer ${o.id}`,
    ).toEqual(want)
  }
  return { fits, offerIdx, needIdx }
}

/**
 * What a test's random writes draw from: the listings live now by id, the offers' topics and words, and `some`, k of a
 * list drawn with `rand`.
 */
export function writable(needs: NeedView[], offers: OfferView[], rand: () => number) {
  return {
    liveOffers: new Map(offers.map((o) => [o.id, o])),
    liveNeeds: new Map(needs.map((n) => [n.id, n])),
    topicsOf: [...new Set(offers.flatMap((o) => o.topics))],
    wordsOf: [...new Set(offers.flatMap((o) => o.keywords))],
    some: <T>(xs: T[], k: number) => Array.from({ length: k }, () => xs[Math.floor(rand() * xs.length)]!),
  }
}
