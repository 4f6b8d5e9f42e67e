/**
 * Candidate indexes: a category's offers (or needs) filed by place, topic and keyword, so that a match page
 * examines the few listings that could fit instead of every listing of the category around it. Pure, and
 * patched one listing at a time: the shell (views.ts) adds, replaces and removes the listings that changed.
 *
 * An index only narrows; what fits is decided by feasibility.ts (`isFeasible`) on what it returns, so a lookup
 * must return every listing that could fit and may return more. Two listings of a category fit by subject
 * (topics.ts `relate`) only when they share a topic, when the offer is a fund without a stated purpose, or when
 * a side has no topic and their keywords reach RELEVANCE_FLOOR, which needs at least one keyword in common. So
 * the lookups are: the place's listings sharing one of the topics, plus those without a topic sharing a keyword
 * (or, when the asking side has no topic, any listing sharing a keyword), plus a fund's untopical listings.
 */
import { isFeasible } from './feasibility.js'
import { relate, RELEVANCE_FLOOR, type TopicRelation } from './topics.js'
import type { NeedView, OfferView } from './types.js'

type Listing = { id: number; topics: readonly string[]; keywords: readonly string[] }

/** One place's listings of one category, by what they are about. */
class Bucket<V extends Listing> {
  readonly all = new Set<V>()
  readonly untopical = new Set<V>()
  readonly byTopic = new Map<string, Set<V>>()
  readonly byKeyword = new Map<string, Set<V>>()
  readonly untopicalByKeyword = new Map<string, Set<V>>()

  add(v: V): void {
    this.all.add(v)
    if (v.topics.length === 0) this.untopical.add(v)
    for (const t of v.topics) file(this.byTopic, t, v)
    for (const k of v.keywords) {
      file(this.byKeyword, k, v)
      if (v.topics.length === 0) file(this.untopicalByKeyword, k, v)
    }
  }

  remove(v: V): void {
    this.all.delete(v)
    this.untopical.delete(v)
    for (const t of v.topics) unfile(this.byTopic, t, v)
    for (const k of v.keywords) {
      unfile(this.byKeyword, k, v)
      unfile(this.untopicalByKeyword, k, v)
    }
  }

  /**
   * Adds every listing here that could be about the same thing as `asker` (topics.ts `relate` gives 'same'
   * or 'related'); the asker is an offer looking for needs or a need looking for offers.
   */
  collect(asker: Listing, category: string, askerIsOffer: boolean, into: Set<V>): void {
    // A floor of 0 would let listings with nothing in common relate; then no keyword narrows anything.
    if (!(RELEVANCE_FLOOR > 0)) { for (const v of this.all) into.add(v); return }
    if (category === 'funds') {
      // A fund without a stated purpose fits every need of its category.
      if (askerIsOffer && asker.topics.length === 0) { for (const v of this.all) into.add(v); return }
      if (!askerIsOffer) for (const v of this.untopical) into.add(v)
    }
    if (asker.topics.length > 0) {
      for (const t of asker.topics) addAll(into, this.byTopic.get(t))
      for (const k of asker.keywords) addAll(into, this.untopicalByKeyword.get(k))
    } else {
      for (const k of asker.keywords) addAll(into, this.byKeyword.get(k))
    }
  }
}

function file<V>(map: Map<string, Set<V>>, key: string, v: V): void {
  let set = map.get(key)
  if (!set) map.set(key, (set = new Set()))
  set.add(v)
}
function unfile<V>(map: Map<string, Set<V>>, key: string, v: V): void {
  const set = map.get(key)
  if (set?.delete(v) && set.size === 0) map.delete(key)
}
function addAll<V>(into: Set<V>, from: Set<V> | undefined): void {
  if (from) for (const v of from) into.add(v)
}

/** Listings of one side and one category, filed under places; `placesOf` says under which. */
abstract class CategoryIndex<V extends Listing> {
  private readonly byId = new Map<number, V>()
  private readonly buckets = new Map<number, Bucket<V>>()
  /** Every listing regardless of place, for what why-not asks about the whole category. */
  protected readonly everywhere = new Bucket<V>()
  private sorted: readonly V[] | null = null
  protected abstract placesOf(v: V): readonly number[]

  get size(): number { return this.byId.size }
  get(id: number): V | undefined { return this.byId.get(id) }
  /** Every listing, ordered by id; the same array until the index changes. */
  all(): readonly V[] {
    return (this.sorted ??= Object.freeze([...this.byId.values()].sort((a, b) => a.id - b.id)))
  }

  /** Adds a listing, or replaces the one with its id. */
  put(v: V): void {
    this.remove(v.id)
    this.byId.set(v.id, v)
    this.sorted = null
    this.everywhere.add(v)
    for (const place of this.placesOf(v)) {
      let b = this.buckets.get(place)
      if (!b) this.buckets.set(place, (b = new Bucket()))
      b.add(v)
    }
  }

  remove(id: number): V | undefined {
    const old = this.byId.get(id)
    if (!old) return undefined
    this.byId.delete(id)
    this.sorted = null
    this.everywhere.remove(old)
    for (const place of this.placesOf(old)) {
      const b = this.buckets.get(place)
      if (!b) continue
      b.remove(old)
      if (b.all.size === 0) this.buckets.delete(place)
    }
    return old
  }

  protected gather(places: readonly number[], asker: Listing, category: string, askerIsOffer: boolean): Set<V> {
    const into = new Set<V>()
    for (const place of places) this.buckets.get(place)?.collect(asker, category, askerIsOffer, into)
    return into
  }
}

/**
 * A category's offers, filed under the area each serves (its path's last id; 0 for an offer whose area is
 * unknown, which no need's place names and so no need is shown).
 */
export class OfferIndex extends CategoryIndex<OfferView> {
  protected placesOf(o: OfferView): readonly number[] { return [o.servesPath.at(-1) ?? 0] }

  /** The offers that fit the need (isFeasible), ordered by id. */
  fitting(need: NeedView): OfferView[] {
    const out: OfferView[] = []
    for (const o of this.gather(need.areaPath, need, need.category, false)) if (isFeasible(need, o)) out.push(o)
    return out.sort((a, b) => a.id - b.id)
  }

  /**
   * How each offer of the category relates to the need by subject (topics.ts `relate`), for why-not: computed
   * for the offers the index finds about the same thing; every other offer shares no topic (both have topics:
   * 'other') or no keyword (a side has none: relevance 0, 'unclear').
   */
  relation(need: NeedView): (offer: OfferView) => TopicRelation {
    const near = new Set<OfferView>()
    this.everywhere.collect(need, need.category, false, near)
    return (offer) => near.has(offer) ? relate(need.category, need, offer)
      : need.topics.length > 0 && offer.topics.length > 0 ? 'other' : 'unclear'
  }
}

/** A category's needs, filed under every area on their place's path: an offer serving any of them reaches them. */
export class NeedIndex extends CategoryIndex<NeedView> {
  protected placesOf(n: NeedView): readonly number[] { return n.areaPath }

  /** The needs the offer fits (isFeasible), ordered by id; none when the offer's area is unknown. */
  fitting(offer: OfferView): NeedView[] {
    const served = offer.servesPath.at(-1)
    if (served === undefined) return []
    const out: NeedView[] = []
    for (const n of this.gather([served], offer, offer.category, true)) if (isFeasible(n, offer)) out.push(n)
    return out.sort((a, b) => a.id - b.id)
  }
}
