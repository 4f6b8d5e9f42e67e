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
import { isFeasible } from './feasibility.js'
import { compileNeed, compileOffers, fitsHard, NumberedWords, type CompiledOffers } from './pairs.js'
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
  /**
   * Counted in slices (begin, countSome): the tally holds the pairs of the index's needs with an id up to this, and
   * every add/remove keeps it so; Infinity once every need is counted.
   */
  private upTo = Infinity
  /**
   * countSome's compiled offers, made once per count: what a write changed since is checked by isFeasible itself
   * (a new or changed offer is a view the compiled arrays do not hold; a need of a focus they do not know).
   */
  private compiled?: CompiledCount
  /** The compiled offers being made for `compiled`, a step a slice. */
  private compiling?: { offerList: readonly OfferView[]; compiled: CompiledOffers }

  /** Every pair at once, through the compiled fit: the offers given must be those in the index. */
  static count(
    needs: Iterable<NeedView>,
    offers: OfferIndex,
    offerList: readonly OfferView[] = offers.all(),
  ): ServingTally {
    const tally = new ServingTally()
    const list = [...needs].filter(counted)
    const c = compileCount(offerList, list)
    for (const n of list) tally.countNeed(n, offers, c)
    return tally
  }

  /** A tally with nothing counted yet, for countSome to fill a few needs at a time. */
  static begin(): ServingTally {
    const tally = new ServingTally()
    tally.upTo = -Infinity
    return tally
  }

  /** Whether every need of the index is counted (served and placesOf answer only then). */
  get complete(): boolean {
    return this.upTo === Infinity
  }

  /**
   * Counts the index's next needs in id order until `deadline` (performance.now(); at least one need), and
   * says whether every need is counted. The two indexes may change between calls, through add/remove here.
   */
  countSome(needs: NeedIndex, offers: OfferIndex, deadline: number): boolean {
    if (this.complete) return true
    const all = needs.all()
    if (!this.compiled) {
      // Two steps, each a slice of its own when the deadline allows no more: at 10k offers each is a slice's work.
      if (!this.compiling) {
        const offerList = offers.all()
        this.compiling = { offerList, compiled: compileOffers(offerList, all.filter(counted)) }
        if (performance.now() >= deadline) return false
      }
      this.compiled = withWords(this.compiling.offerList, this.compiling.compiled)
      this.compiling = undefined
      if (performance.now() >= deadline) return false
    }
    let i = firstAfter(all, this.upTo)
    while (i < all.length) {
      const n = all[i++]!
      if (counted(n)) this.countNeed(n, offers, this.compiled)
      if ((i & 7) === 0 && performance.now() >= deadline) break
    }
    this.upTo = i < all.length ? all[i - 1]!.id : Infinity
    if (this.complete) this.compiled = undefined
    return this.complete
  }

  // As feasiblePairs does: the cheap checks first, then what the two are about, with the pair's keyword relevance
  // counted on numbered words rather than by relate() building two sets per pair.
  private countNeed(n: NeedView, offers: OfferIndex, c: CompiledCount): void {
    const cn = compileNeed(n, c.compiled)
    const bits = c.compiled.focusBits
    const compiled = !bits || n.org.focus.every((f) => bits.has(f))
    c.words.setNeed(n)
    for (const o of offers.candidates(n)) {
      const j = compiled ? c.position.get(o) : undefined
      const fits =
        j === undefined
          ? isFeasible(n, o)
          : fitsHard(cn, c.compiled, j) && c.compiled.subjects.fits(cn, c.compiled, j, c.words.relevance(j))
      if (fits) this.pair(n, o, 1)
    }
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
    if (counted(n) && n.id <= this.upTo) for (const o of offers.fitting(n)) this.pair(n, o, 1)
  }

  /** After the need (this version of it) was taken out of its index. */
  removeNeed(n: NeedView, offers: OfferIndex): void {
    if (counted(n) && n.id <= this.upTo) for (const o of offers.fitting(n)) this.pair(n, o, -1)
  }

  addOffer(o: OfferView, needs: NeedIndex): void {
    if (this.upTo !== -Infinity)
      for (const n of needs.fitting(o)) if (counted(n) && n.id <= this.upTo) this.pair(n, o, 1)
  }

  removeOffer(o: OfferView, needs: NeedIndex): void {
    if (this.upTo !== -Infinity)
      for (const n of needs.fitting(o)) if (counted(n) && n.id <= this.upTo) this.pair(n, o, -1)
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

/** A category's offers compiled for counting (pairs.ts), with each offer's position in the compiled arrays. */
interface CompiledCount {
  compiled: CompiledOffers
  position: Map<OfferView, number>
  words: NumberedWords
}

function compileCount(offerList: readonly OfferView[], needs: readonly NeedView[]): CompiledCount {
  return withWords(offerList, compileOffers(offerList, needs))
}

function withWords(offerList: readonly OfferView[], compiled: CompiledOffers): CompiledCount {
  const position = new Map<OfferView, number>()
  offerList.forEach((o, j) => position.set(o, j))
  return { compiled, position, words: new NumberedWords(offerList) }
}

/** The position in `all` (ordered by id) of the first need with an id above `id`. */
function firstAfter(all: readonly NeedView[], id: number): number {
  let lo = 0,
    hi = all.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (all[mid]!.id <= id) lo = mid + 1
    else hi = mid
  }
  return lo
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
