/**
 * Who can serve whom, in bulk, for the map, the agenda and the desk: which needs some offer fits, and in which
 * places each offer fits at least one need. The same fit as everywhere else (isFeasible; a test holds this to it
 * pair by pair, through its compiled form in pairs.ts), asked only of the offers the candidate index (candidates.ts)
 * finds about the same thing along the need's place. Scanning every offer of the category along the path instead
 * grew with needs × offers: seconds at 20k listings and over a minute at 100k, mostly spent on the needs nothing
 * serves.
 *
 * The answer is kept as counts (ServingTally) so that the shell can patch it one listing at a time: a need edited
 * takes back the pairs its old version made and adds its new version's, which costs one match page's lookup
 * instead of the whole district's.
 */
import { NeedIndex, OfferIndex } from './candidates.js'
import { compileNeed, compileOffers, fitsHard, NumberedWords } from './pairs.js'
import type { NeedView, OfferView } from './types.js'

export interface Serving {
  /** Per need, in the order given: 1 when at least one offer fits it. */
  needServed: Uint8Array
  /** Per offer, in the order given: the places (a need's area, its last path id) where it fits at least one need. */
  offerPlaces: number[][]
}

/** A need takes part when something is left of it and it has a place (as feasiblePairs and the map read it). */
const counted = (n: NeedView) => n.quantity > 0 && n.areaPath.length > 0

/**
 * Every fitting pair of one category's needs and offers, counted: per need the offers that fit it, per offer the
 * needs it fits in each place. Pairs are counted, not listed, so that a listing's old version can be taken back
 * by asking who it fitted, against the other side as it stands: the counts stay those of the current listings as
 * long as every change to either index goes through add/remove here, one listing at a time.
 */
export class ServingTally {
  private readonly fits = new Map<number, number>()
  private readonly places = new Map<number, Map<number, number>>()
  /** placesOf's answers, until the offer's pairs change: the map asks for every offer's after each write. */
  private readonly sorted = new Map<number, readonly number[]>()

  /** Every pair at once, through the compiled fit: the offers given must be those in the index. */
  static count(
    needs: Iterable<NeedView>,
    offers: OfferIndex,
    offerList: readonly OfferView[] = offers.all(),
  ): ServingTally {
    const tally = new ServingTally()
    const list = [...needs].filter(counted)
    const position = new Map<OfferView, number>()
    offerList.forEach((o, j) => position.set(o, j))
    const compiled = compileOffers(offerList, list)
    // As feasiblePairs does: the cheap checks first, then what the two are about, with the pair's keyword
    // relevance counted on numbered words rather than by relate() building two sets per pair.
    const words = new NumberedWords(offerList)
    for (const n of list) {
      const cn = compileNeed(n, compiled)
      words.setNeed(n)
      for (const o of offers.candidates(n)) {
        const j = position.get(o)!
        if (fitsHard(cn, compiled, j) && compiled.subjects.fits(cn, compiled, j, words.relevance(j)))
          tally.pair(n, o, 1)
      }
    }
    return tally
  }

  /** Whether some offer fits the need. */
  served(needId: number): boolean {
    return (this.fits.get(needId) ?? 0) > 0
  }

  /** The places where the offer fits at least one need, ascending; the same array until they change. */
  placesOf(offerId: number): readonly number[] {
    let list = this.sorted.get(offerId)
    if (!list) {
      const at = this.places.get(offerId)
      list = at ? [...at.keys()].sort((a, b) => a - b) : []
      this.sorted.set(offerId, Object.freeze(list))
    }
    return list
  }

  /** After the need was put in its index: its pairs with the offers there. */
  addNeed(n: NeedView, offers: OfferIndex): void {
    if (counted(n)) for (const o of offers.fitting(n)) this.pair(n, o, 1)
  }

  /** After the need (this version of it) was taken out of its index. */
  removeNeed(n: NeedView, offers: OfferIndex): void {
    if (counted(n)) for (const o of offers.fitting(n)) this.pair(n, o, -1)
  }

  addOffer(o: OfferView, needs: NeedIndex): void {
    for (const n of needs.fitting(o)) if (counted(n)) this.pair(n, o, 1)
  }

  removeOffer(o: OfferView, needs: NeedIndex): void {
    for (const n of needs.fitting(o)) if (counted(n)) this.pair(n, o, -1)
    this.sorted.delete(o.id)
  }

  private pair(n: NeedView, o: OfferView, by: 1 | -1): void {
    const fits = (this.fits.get(n.id) ?? 0) + by
    if (fits > 0) this.fits.set(n.id, fits)
    else this.fits.delete(n.id)
    const place = n.areaPath[n.areaPath.length - 1]!
    this.sorted.delete(o.id)
    let at = this.places.get(o.id)
    if (!at) this.places.set(o.id, (at = new Map()))
    const count = (at.get(place) ?? 0) + by
    if (count > 0) at.set(place, count)
    else {
      at.delete(place)
      if (at.size === 0) this.places.delete(o.id)
    }
  }
}

export function serving(needs: readonly NeedView[], offers: readonly OfferView[]): Serving {
  const indexes = new Map<string, OfferIndex>()
  for (const o of offers) {
    if (o.remaining <= 0) continue
    let index = indexes.get(o.category)
    if (!index) indexes.set(o.category, (index = new OfferIndex()))
    index.put(o)
  }
  const byCategory = new Map<string, NeedView[]>()
  for (const n of needs) {
    const list = byCategory.get(n.category)
    if (list) list.push(n)
    else byCategory.set(n.category, [n])
  }
  const tallies = new Map<string, ServingTally>()
  for (const [category, index] of indexes)
    tallies.set(category, ServingTally.count(byCategory.get(category) ?? [], index))
  return {
    needServed: Uint8Array.from(needs, (n) => (tallies.get(n.category)?.served(n.id) ? 1 : 0)),
    offerPlaces: offers.map((o) => (o.remaining > 0 ? [...(tallies.get(o.category)?.placesOf(o.id) ?? [])] : [])),
  }
}
