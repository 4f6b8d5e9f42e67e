/**
 * Who can serve whom, in bulk, for the map, the agenda and the desk: which needs some offer fits, and in which
 * places each offer fits at least one need. The same fit as everywhere else (isFeasible; a test holds this to it
 * pair by pair, through its compiled form in pairs.ts), asked only of the listings the candidate index
 * (candidates.ts) finds about the same thing along the need's place.
 *
 * Those pages ask whether, not how many, so the answer is kept as witnesses (ServingTally): per need the first
 * offer found that fits it, per offer and place the first need found there that it fits. Counting every fitting
 * pair instead grew with needs × offers within a category and area (10 s of CPU at 100k listings, and more than 20
 * minutes at 1M without finishing); a witness is found by stopping at the first fit, and found again only when the
 * listing it names changes or leaves.
 */
import { NeedIndex, OfferIndex } from './candidates.js'
import { isFeasible } from './feasibility.js'
import { compileNeed, compileOffers, fitsHard, type CompiledNeed, type CompiledOffers } from './pairs.js'
import { NumberedWords } from './numbered-words.js'
import type { NeedView, OfferView } from './types.js'

export interface Serving {
  /** Per need, in the order given: 1 when at least one offer fits it. */
  needServed: Uint8Array
  /** Per offer, in the order given: the places (a need's area, its last path id) where it fits at least one need. */
  offerPlaces: number[][]
}

/** A need takes part when something is left of it and it has a place (as feasiblePairs and the map read it). */
const counted = (n: NeedView) => n.quantity > 0 && n.areaPath.length > 0
const placeOf = (n: NeedView) => n.areaPath[n.areaPath.length - 1]!

/**
 * One category's answer, as witnesses. What it holds stays true as long as every change to either index goes
 * through add/remove here, one listing at a time: a witness names a listing as it stands (a changed listing is
 * taken back and added again), and whoever named the listing taken back is given another witness, or none when
 * nothing else fits.
 *
 * Counted in slices (begin, countSome), first the needs in id order (whether some offer fits each), then the offers
 * (where each fits a need): every need with an id up to needsUpTo has its witness if it has one at all, and every
 * offer up to offersUpTo its every place; the rest may hold some witnesses already, all true.
 */
export class ServingTally {
  /** Per need, the offer (id) found to fit it. */
  private readonly witness = new Map<number, number>()
  /** Per offer, per place where it fits a need, the need (id) found there. */
  private readonly places = new Map<number, Map<number, number>>()
  /** placesOf's answers, until the offer's places change: the map asks for every offer's after each write. */
  private readonly sorted = new Map<number, readonly number[]>()
  private needsUpTo = Infinity
  private offersUpTo = Infinity
  /**
   * countSome's compiled listings, made once per count: what a write changed since is checked by isFeasible itself
   * (a new or changed listing is a view the compiled arrays do not hold).
   */
  private compiled?: CompiledCount
  /** The compiled offers being made for `compiled`, a step a slice. */
  private compiling?: { offerList: readonly OfferView[]; needList: readonly NeedView[]; offers: CompiledOffers }

  /** Every witness at once, through the compiled fit. */
  static count(needs: NeedIndex, offers: OfferIndex): ServingTally {
    const tally = ServingTally.begin()
    tally.countSome(needs, offers, Infinity)
    return tally
  }

  /** A tally with nothing counted yet, for countSome to fill a few listings at a time. */
  static begin(): ServingTally {
    const tally = new ServingTally()
    tally.needsUpTo = tally.offersUpTo = -Infinity
    return tally
  }

  /** Whether every listing of the two indexes is counted (served and placesOf answer only then). */
  get complete(): boolean {
    return this.offersUpTo === Infinity
  }

  /**
   * Counts the indexes' next listings in id order until `deadline` (performance.now(); at least one listing), and
   * says whether every one is counted. The two indexes may change between calls, through add/remove here.
   */
  countSome(needs: NeedIndex, offers: OfferIndex, deadline: number): boolean {
    if (this.complete) return true
    if (!this.compiled) {
      // Two steps, each a slice of its own when the deadline allows no more: at 10k offers each is a slice's work.
      if (!this.compiling) {
        const offerList = offers.all(),
          needList = needs.all().filter(counted)
        this.compiling = { offerList, needList, offers: compileOffers(offerList, needList) }
        if (performance.now() >= deadline) return false
      }
      const { offerList, needList, offers: compiled } = this.compiling
      this.compiled = new CompiledCount(compiled, offerList, needList)
      this.compiling = undefined
      if (performance.now() >= deadline) return false
    }
    if (this.needsUpTo !== Infinity) {
      const all = needs.all()
      let i = firstAfter(all, this.needsUpTo)
      while (i < all.length) {
        const n = all[i++]!
        if (counted(n) && !this.witness.has(n.id)) {
          const o = this.offerFor(n, offers)
          if (o) this.found(n, o)
        }
        if ((i & 7) === 0 && performance.now() >= deadline) break
      }
      this.needsUpTo = i < all.length ? all[i - 1]!.id : Infinity
      if (this.needsUpTo !== Infinity) return false
    }
    const all = offers.all()
    let j = firstAfter(all, this.offersUpTo)
    while (j < all.length) {
      this.placesFor(all[j++]!, needs)
      if ((j & 7) === 0 && performance.now() >= deadline) break
    }
    this.offersUpTo = j < all.length ? all[j - 1]!.id : Infinity
    if (this.complete) this.compiled = undefined
    return this.complete
  }

  /** Whether some offer fits the need. */
  served(needId: number): boolean {
    return this.witness.has(needId)
  }

  /** The offer found to fit the need, if any (valid once `complete`, like `served`). */
  witnessOf(needId: number): number | undefined {
    return this.witness.get(needId)
  }

  /** The needs found to fit the offer, one per place it fits (valid once `complete`, like `placesOf`). */
  witnessesOf(offerId: number): Iterable<number> {
    return this.places.get(offerId)?.values() ?? []
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

  /** After the need was put in its index: its witness, and the places it gives the offers it fits. */
  addNeed(n: NeedView, offers: OfferIndex): void {
    if (!counted(n)) return
    let wanted = n.id <= this.needsUpTo
    if (!wanted && this.offersUpTo === -Infinity) return
    const p = placeOf(n)
    offers.candidateLists(n, (list) => {
      for (const o of list) {
        const place = o.id <= this.offersUpTo && !this.places.get(o.id)?.has(p)
        if ((!wanted && !place) || !offers.has(o) || !isFeasible(n, o)) continue
        if (wanted) this.witness.set(n.id, o.id)
        wanted = false
        this.place(o, p, n)
        // No offer's places counted yet: the witness was all there was to find.
        if (this.offersUpTo === -Infinity) return true
      }
      return false
    })
  }

  /** After the need (this version of it) was taken out of its index: whatever it witnessed is found again. */
  removeNeed(n: NeedView, needs: NeedIndex, offers: OfferIndex): void {
    if (!counted(n)) return
    this.witness.delete(n.id)
    const p = placeOf(n)
    // An offer it was the witness for fits it, so it is among its candidates.
    offers.candidateLists(n, (list) => {
      for (const o of list) {
        const at = this.places.get(o.id)
        if (at?.get(p) !== n.id || !offers.has(o)) continue
        this.unplace(o.id, at, p)
        if (o.id <= this.offersUpTo) this.placesFor(o, needs, p)
      }
    })
  }

  /** After the offer was put in its index: the needs it serves that had no witness, and its places. */
  addOffer(o: OfferView, needs: NeedIndex): void {
    if (this.offersUpTo === -Infinity && this.needsUpTo === -Infinity) return
    const placing = o.id <= this.offersUpTo
    needs.candidateLists(o, (list) => {
      for (const n of list) {
        if (!counted(n)) continue
        const wanted = n.id <= this.needsUpTo && !this.witness.has(n.id)
        const p = placeOf(n)
        if ((!wanted && !(placing && !this.places.get(o.id)?.has(p))) || !needs.has(n) || !isFeasible(n, o)) continue
        if (wanted) this.witness.set(n.id, o.id)
        this.place(o, p, n)
      }
    })
  }

  /** After the offer (this version of it) was taken out of its index: the needs it was the witness for find another. */
  removeOffer(o: OfferView, needs: NeedIndex, offers: OfferIndex): void {
    this.places.delete(o.id)
    this.sorted.delete(o.id)
    needs.candidateLists(o, (list) => {
      for (const n of list) {
        if (this.witness.get(n.id) !== o.id || !needs.has(n)) continue
        this.witness.delete(n.id)
        if (n.id > this.needsUpTo) continue
        const other = this.offerFor(n, offers)
        if (other) this.found(n, other)
      }
    })
  }

  private found(n: NeedView, o: OfferView): void {
    this.witness.set(n.id, o.id)
    this.place(o, placeOf(n), n)
  }

  private place(o: OfferView, p: number, n: NeedView): Map<number, number> {
    let at = this.places.get(o.id)
    if (!at) this.places.set(o.id, (at = new Map()))
    if (!at.has(p)) {
      at.set(p, n.id)
      this.sorted.delete(o.id)
    }
    return at
  }

  private unplace(offerId: number, at: Map<number, number>, p: number): void {
    at.delete(p)
    if (at.size === 0) this.places.delete(offerId)
    this.sorted.delete(offerId)
  }

  /** The first offer found that fits the need; undefined once every candidate has said no. */
  private offerFor(n: NeedView, offers: OfferIndex): OfferView | undefined {
    let found: OfferView | undefined
    const c = this.compiled
    const cn = c?.need(n)
    if (c && cn) {
      // As feasiblePairs does: the cheap checks first, then what the two are about, with the pair's keyword
      // relevance counted on numbered words rather than by relate() building two sets per pair.
      c.offerWords.setNeed(n)
      const stamp = ++c.stamp
      offers.candidateLists(n, (list) => {
        for (const o of list) {
          const j = c.offerAt.get(o)
          if (j === undefined) {
            if (offers.has(o) && isFeasible(n, o)) return !!(found = o)
            continue
          }
          if (c.offerSeen[j] === stamp) continue
          c.offerSeen[j] = stamp
          if (!fitsHard(cn, c.offers, j) || !offers.has(o)) continue
          if (c.offers.subjects.fits(cn, c.offers, j, c.offerWords.relevance(j))) return !!(found = o)
        }
        return false
      })
    } else {
      offers.candidateLists(n, (list) => {
        for (const o of list) if (offers.has(o) && isFeasible(n, o)) return !!(found = o)
        return false
      })
    }
    return found
  }

  /**
   * The places where the offer fits a need that it has no witness for yet (or only `only`): each place's candidate
   * needs are asked until one fits, so a place where none does costs its own candidates, not the whole area's.
   */
  private placesFor(o: OfferView, needs: NeedIndex, only?: number): void {
    const c = this.compiled
    const j = c?.offerAt.get(o)
    if (c && j !== undefined) c.needWords.setNeed(o)
    for (const p of only === undefined ? needs.placesReached(o) : [only]) {
      if (this.places.get(o.id)?.has(p)) continue
      const stamp = c ? ++c.stamp : 0
      needs.candidateLists(
        o,
        (list) => {
          for (const n of list) {
            if (!counted(n)) continue
            const i = c && j !== undefined ? c.needAt.get(n) : undefined
            if (i === undefined) {
              if (!needs.has(n) || !isFeasible(n, o)) continue
            } else {
              if (c!.needSeen[i] === stamp) continue
              c!.needSeen[i] = stamp
              const cn = c!.compiledNeed(i)
              if (!fitsHard(cn, c!.offers, j!) || !needs.has(n)) continue
              if (!c!.offers.subjects.fits(cn, c!.offers, j!, c!.needWords.relevance(i))) continue
            }
            this.place(o, p, n)
            return true
          }
          return false
        },
        p,
      )
    }
  }
}

/**
 * A category's listings compiled for counting (pairs.ts): the offers' hard constraints, both sides' keywords as
 * numbers (the overlap is symmetric: offers numbered for a need's turn, needs numbered for an offer's), and each
 * listing's position in them.
 */
class CompiledCount {
  readonly offerAt = new Map<OfferView, number>()
  readonly needAt = new Map<NeedView, number>()
  readonly offerWords: NumberedWords
  readonly needWords: NumberedWords
  readonly offerSeen: Int32Array
  readonly needSeen: Int32Array
  stamp = 0
  private readonly needs: (CompiledNeed | undefined)[]

  constructor(
    readonly offers: CompiledOffers,
    offerList: readonly OfferView[],
    private readonly needList: readonly NeedView[],
  ) {
    offerList.forEach((o, j) => this.offerAt.set(o, j))
    needList.forEach((n, i) => this.needAt.set(n, i))
    this.offerWords = new NumberedWords(offerList)
    this.needWords = new NumberedWords(needList)
    this.offerSeen = new Int32Array(offerList.length)
    this.needSeen = new Int32Array(needList.length)
    this.needs = new Array<CompiledNeed | undefined>(needList.length)
  }

  /** The need compiled, when it is one of those compiled for (a need made since may name a focus they do not). */
  need(n: NeedView): CompiledNeed | undefined {
    const i = this.needAt.get(n)
    return i === undefined ? undefined : this.compiledNeed(i)
  }

  compiledNeed(i: number): CompiledNeed {
    return (this.needs[i] ??= compileNeed(this.needList[i]!, this.offers))
  }
}

/** The position in `all` (ordered by id) of the first listing with an id above `id`. */
function firstAfter(all: readonly { id: number }[], id: number): number {
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
  for (const [category, index] of indexes) {
    const needIndex = new NeedIndex()
    for (const n of byCategory.get(category) ?? []) needIndex.put(n)
    tallies.set(category, ServingTally.count(needIndex, index))
  }
  return {
    needServed: Uint8Array.from(needs, (n) => (tallies.get(n.category)?.served(n.id) ? 1 : 0)),
    offerPlaces: offers.map((o) => (o.remaining > 0 ? [...(tallies.get(o.category)?.placesOf(o.id) ?? [])] : [])),
  }
}
