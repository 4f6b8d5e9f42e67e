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

/** Keys are numbers (category index, then an area id; 0 for "everywhere"), so the loops build no strings. */
const AREA_BITS = 2 ** 22

export function serving(needs: readonly NeedView[], offers: readonly OfferView[]): Serving {
  const c = compileOffers(offers, needs)
  const cats = new Map<string, number>()
  const cat = (code: string) => {
    let k = cats.get(code)
    if (k === undefined) cats.set(code, (k = cats.size + 1))
    return k * AREA_BITS
  }
  // Offers by category and the exact area they serve: a need looks only along its own path.
  const offersAt = new Map<number, number[]>()
  for (let j = 0; j < offers.length; j++) {
    const o = offers[j]!
    if (o.remaining <= 0) continue
    const key = cat(o.category) + (o.servesPath.at(-1) ?? 0)
    const list = offersAt.get(key)
    if (list) list.push(j)
    else offersAt.set(key, [j])
  }
  // Needs by category and place (a dense place number each), and the places under every area, for the offers' side.
  const placeOf = new Map<number, number>()
  const placeNeeds: number[][] = [], placeArea: number[] = []
  const placesUnder = new Map<number, number[]>()
  const needPlace = new Int32Array(needs.length).fill(-1)
  for (let i = 0; i < needs.length; i++) {
    const n = needs[i]!
    if (n.quantity <= 0 || n.areaPath.length === 0) continue
    const base = cat(n.category), key = base + n.areaPath[n.areaPath.length - 1]!
    let place = placeOf.get(key)
    if (place === undefined) {
      placeOf.set(key, (place = placeNeeds.length))
      placeNeeds.push([])
      placeArea.push(n.areaPath[n.areaPath.length - 1]!)
      for (let level = 0; level <= n.areaPath.length; level++) {
        const above = base + (level === 0 ? 0 : n.areaPath[level - 1]!)
        const under = placesUnder.get(above)
        if (under) under.push(place)
        else placesUnder.set(above, [place])
      }
    }
    placeNeeds[place]!.push(i)
    needPlace[i] = place
  }

  const compiled: (CompiledNeed | undefined)[] = new Array(needs.length)
  const need = (i: number) => (compiled[i] ??= compileNeed(needs[i]!, c))
  const needServed = new Uint8Array(needs.length)
  // (offer, place) fits found from the needs' side, so the offers' side need not look there again.
  const known: number[][] = new Array(offers.length)
  for (let i = 0; i < needs.length; i++) {
    const place = needPlace[i]!
    if (place < 0) continue
    const n = needs[i]!, cn = need(i), base = cat(n.category)
    for (let level = 0; level <= n.areaPath.length && !needServed[i]; level++) {
      const list = offersAt.get(base + (level === 0 ? 0 : n.areaPath[level - 1]!))
      if (!list) continue
      for (let k = 0; k < list.length; k++) {
        const j = list[k]!
        if (fitsCompiled(cn, c, j)) {
          needServed[i] = 1
          ;(known[j] ??= []).push(place)
          break
        }
      }
    }
  }
  // Each offer, in each place below the area it serves, stops at the first need it fits.
  const mark = new Int32Array(placeNeeds.length)
  const offerPlaces: number[][] = new Array(offers.length)
  for (let j = 0; j < offers.length; j++) {
    const o = offers[j]!, found: number[] = []
    offerPlaces[j] = found
    if (o.remaining <= 0) continue
    const places = placesUnder.get(cat(o.category) + (o.servesPath.at(-1) ?? 0))
    if (!places) continue
    for (const place of known[j] ?? []) mark[place] = j + 1
    for (let k = 0; k < places.length; k++) {
      const place = places[k]!
      if (mark[place] === j + 1) { found.push(placeArea[place]!); continue }
      const list = placeNeeds[place]!
      for (let x = 0; x < list.length; x++) {
        if (fitsCompiled(need(list[x]!), c, j)) { found.push(placeArea[place]!); break }
      }
    }
    found.sort((a, b) => a - b)
  }
  return { needServed, offerPlaces }
}
