/**
 * Who can serve whom, in bulk, for the map, the agenda and the desk: which needs some offer fits, and in which
 * places each offer fits at least one need. The same fit as everywhere else (pairs.ts compiles feasibility.ts;
 * a test holds this to violations() pair by pair), but each question stops at its first yes, so a district
 * of 100k listings is answered in a fraction of a second instead of enumerating every pair.
 */
import { compileNeed, compileOffers, fitsCompiled, type CompiledNeed } from './pairs.js'
import type { NeedView, OfferView } from './types.js'

export interface Serving {
  /** Per need, in the order given: 1 when at least one offer fits it. */
  needServed: Uint8Array
  /** Per offer, in the order given: the places (a need's area, its last path id) where it fits at least one need. */
  offerPlaces: number[][]
}

export function serving(needs: readonly NeedView[], offers: readonly OfferView[]): Serving {
  const c = compileOffers(offers, needs)
  const compiled: CompiledNeed[] = needs.map((n) => compileNeed(n, c))
  // Offers by category and the exact area they serve: a need looks only along its own path.
  const offersAt = new Map<string, number[]>()
  offers.forEach((o, j) => {
    if (o.remaining <= 0) return
    const key = `${o.category}\u0001${o.servesPath.join('/')}`
    const list = offersAt.get(key)
    if (list) list.push(j)
    else offersAt.set(key, [j])
  })
  // Needs by category and place, and each place under every area above it, for the offers' side.
  const needsAt = new Map<string, number[]>()
  const placesUnder = new Map<string, number[]>()
  needs.forEach((n, i) => {
    if (n.quantity <= 0 || n.areaPath.length === 0) return
    const place = `${n.category}\u0001${n.areaPath.join('/')}`
    let list = needsAt.get(place)
    if (!list) {
      needsAt.set(place, (list = []))
      for (let level = 0; level <= n.areaPath.length; level++) {
        const above = `${n.category}\u0001${n.areaPath.slice(0, level).join('/')}`
        const under = placesUnder.get(above)
        if (under) under.push(i)
        else placesUnder.set(above, [i])
      }
    }
    list.push(i)
  })

  const needServed = new Uint8Array(needs.length)
  const found = offers.map(() => new Set<number>())
  needs.forEach((n, i) => {
    if (n.quantity <= 0) return
    const cn = compiled[i]!, place = n.areaPath.at(-1)!
    let key = `${n.category}\u0001`
    for (let level = 0; level <= n.areaPath.length && !needServed[i]; level++) {
      if (level > 0) key += (level > 1 ? '/' : '') + n.areaPath[level - 1]
      const list = offersAt.get(key)
      if (!list) continue
      for (const j of list) {
        if (fitsCompiled(cn, c, j)) { needServed[i] = 1; found[j]!.add(place); break }
      }
    }
  })
  // Each offer, in each place below the area it serves, stops at the first need it fits (some are known already).
  offers.forEach((o, j) => {
    if (o.remaining <= 0) return
    const places = placesUnder.get(`${o.category}\u0001${o.servesPath.join('/')}`)
    if (!places) return
    const mine = found[j]!
    for (const first of places) {
      const n = needs[first]!, place = n.areaPath.at(-1)!
      if (mine.has(place)) continue
      for (const i of needsAt.get(`${n.category}\u0001${n.areaPath.join('/')}`)!) {
        if (fitsCompiled(compiled[i]!, c, j)) { mine.add(place); break }
      }
    }
  })
  return { needServed, offerPlaces: found.map((set) => [...set].sort((a, b) => a - b)) }
}
