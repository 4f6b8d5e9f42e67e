/**
 * Who can serve whom, in bulk, for the map, the agenda and the desk: which needs some offer fits, and in which
 * places each offer fits at least one need. The same fit as everywhere else (isFeasible; a test holds this to it
 * pair by pair, through its compiled form in pairs.ts), asked only of the offers the candidate index (candidates.ts)
 * finds about the same thing along the need's place. Scanning every offer of the category along the path instead grew with needs × offers: seconds at
 * 20k listings and over a minute at 100k, mostly spent on the needs nothing serves.
 */
import { OfferIndex } from './candidates.js'
import { compileNeed, compileOffers, fitsCompiled } from './pairs.js'
import type { NeedView, OfferView } from './types.js'

export interface Serving {
  /** Per need, in the order given: 1 when at least one offer fits it. */
  needServed: Uint8Array
  /** Per offer, in the order given: the places (a need's area, its last path id) where it fits at least one need. */
  offerPlaces: number[][]
}

export function serving(needs: readonly NeedView[], offers: readonly OfferView[]): Serving {
  const indexes = new Map<string, OfferIndex>()
  const position = new Map<OfferView, number>()
  offers.forEach((o, j) => {
    if (o.remaining <= 0) return
    let index = indexes.get(o.category)
    if (!index) indexes.set(o.category, (index = new OfferIndex()))
    index.put(o)
    position.set(o, j)
  })
  const compiled = compileOffers(offers, needs)
  const needServed = new Uint8Array(needs.length)
  const places: (Set<number> | undefined)[] = new Array(offers.length)
  needs.forEach((n, i) => {
    const index = indexes.get(n.category)
    if (!index || n.quantity <= 0 || n.areaPath.length === 0) return
    const cn = compileNeed(n, compiled)
    const place = n.areaPath[n.areaPath.length - 1]!
    for (const o of index.candidates(n)) {
      const j = position.get(o)!
      if (!fitsCompiled(cn, compiled, j)) continue
      needServed[i] = 1
      ;(places[j] ??= new Set()).add(place)
    }
  })
  const offerPlaces = offers.map((_, j) => [...(places[j] ?? [])].sort((a, b) => a - b))
  return { needServed, offerPlaces }
}
