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
import type { Relation } from './offer-columns.js'
import type { NeedView, OfferView } from './types.js'

export type Listing = { id: number; topics: readonly string[]; keywords: readonly string[] }

/**
 * One place's listings of one category, by what they are about. Lists are appended to and never searched for a
 * listing to take out: a replaced or removed listing stays until the lists are compacted, and lookups skip it
 * (`alive`). Filing 100k listings under every keyword in sets cost seconds; appending costs milliseconds.
 */
export class Bucket<V extends Listing> {
  all: V[] = []
  untopical: V[] = []
  byTopic = new Map<string, V[]>()
  byKeyword = new Map<string, V[]>()
  untopicalByKeyword = new Map<string, V[]>()
  live = 0
  private dead = 0

  constructor(private readonly alive: (v: V) => boolean) {}

  add(v: V): void {
    this.live++
    this.all.push(v)
    if (v.topics.length === 0) this.untopical.push(v)
    for (const t of v.topics) file(this.byTopic, t, v)
    for (const k of filedKeywords(v.keywords)) {
      file(this.byKeyword, k, v)
      if (v.topics.length === 0) file(this.untopicalByKeyword, k, v)
    }
  }

  /** After `v` stopped being alive. */
  remove(): void {
    this.live--
    if (++this.dead > 64 && this.dead > this.live) this.compact()
  }

  private compact(): void {
    const keep = (list: V[]) => list.filter(this.alive)
    const keepAll = (map: Map<string, V[]>) => {
      for (const [key, list] of map) {
        const kept = keep(list)
        if (kept.length) map.set(key, kept)
        else map.delete(key)
      }
    }
    this.all = keep(this.all)
    this.untopical = keep(this.untopical)
    keepAll(this.byTopic)
    keepAll(this.byKeyword)
    keepAll(this.untopicalByKeyword)
    this.dead = 0
  }

  /**
   * Adds every listing here that could be about the same thing as `asker` (topics.ts `relate` gives 'same'
   * or 'related'); the asker is an offer looking for needs or a need looking for offers.
   */
  collect(asker: Listing, category: string, askerIsOffer: boolean, into: Set<V>): void {
    this.lists(asker, category, askerIsOffer, (list) => this.addAll(into, list))
  }

  /**
   * The lists that together hold every listing here that could be about the same thing as `asker`: they may
   * overlap and may hold listings no longer alive. For callers that gather into their own structure (pairs.ts).
   */
  lists(asker: Listing, category: string, askerIsOffer: boolean, visit: (list: readonly V[]) => void): void {
    const each = (list: readonly V[] | undefined) => {
      if (list) visit(list)
    }
    // A floor of 0 would let listings with nothing in common relate; then no keyword narrows anything.
    if (!(RELEVANCE_FLOOR > 0)) {
      visit(this.all)
      return
    }
    if (category === 'funds') {
      // A fund without a stated purpose fits every need of its category.
      if (askerIsOffer && asker.topics.length === 0) {
        visit(this.all)
        return
      }
      if (!askerIsOffer) visit(this.untopical)
    }
    if (asker.topics.length > 0) {
      for (const t of asker.topics) each(this.byTopic.get(t))
      for (const k of asker.keywords) each(this.untopicalByKeyword.get(k))
    } else {
      for (const k of asker.keywords) each(this.byKeyword.get(k))
    }
  }

  private addAll(into: Set<V>, from: readonly V[] | undefined): void {
    if (!from) return
    // With nothing removed since the last compaction every listing here is alive, and asking reads each one's id.
    if (this.dead === 0) for (const v of from) into.add(v)
    else for (const v of from) if (this.alive(v)) into.add(v)
  }
}

/**
 * The keywords a listing is filed under: enough of them that any listing related to it by keywords shares one.
 * Related means shared ≥ RELEVANCE_FLOOR × the longer list (topics.ts), so at most (1 − floor) × n of a listing's
 * n keywords go unshared, and any ⌊(1 − floor) × n⌋ + 1 of them include a shared one. The asker looks up all of its own.
 */
function filedKeywords(keywords: readonly string[]): string[] {
  const distinct = [...new Set(keywords)]
  return distinct.slice(0, Math.max(0, Math.floor((1 - RELEVANCE_FLOOR) * distinct.length) + 1))
}

function file<V>(map: Map<string, V[]>, key: string, v: V): void {
  const list = map.get(key)
  if (list) list.push(v)
  else map.set(key, [v])
}

/** Listings of one side and one category, filed under places; `placesOf` says under which. */
abstract class CategoryIndex<V extends Listing> {
  private readonly byId = new Map<number, V>()
  private readonly buckets = new Map<number, Bucket<V>>()
  private readonly alive = (v: V) => this.byId.get(v.id) === v
  /** Every listing regardless of place, for what why-not asks about the whole category. */
  protected readonly everywhere = new Bucket<V>(this.alive)
  private sorted: readonly V[] | null = null
  protected abstract placesOf(v: V): readonly number[]

  get size(): number {
    return this.byId.size
  }
  get(id: number): V | undefined {
    return this.byId.get(id)
  }
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
      if (!b) this.buckets.set(place, (b = new Bucket(this.alive)))
      b.add(v)
    }
  }

  remove(id: number): V | undefined {
    const old = this.byId.get(id)
    if (!old) return undefined
    this.byId.delete(id)
    this.sorted = null
    this.everywhere.remove()
    for (const place of this.placesOf(old)) {
      const b = this.buckets.get(place)
      if (!b) continue
      b.remove()
      if (b.live === 0) this.buckets.delete(place)
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
  protected placesOf(o: OfferView): readonly number[] {
    return [o.servesPath.at(-1) ?? 0]
  }

  /** Every offer that could fit the need, unchecked and unordered: for callers with a compiled check (serving.ts). */
  candidates(need: NeedView): Iterable<OfferView> {
    return this.gather(need.areaPath, need, need.category, false)
  }

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
  relation(need: NeedView): Relation {
    const near = new Set<OfferView>()
    this.everywhere.collect(need, need.category, false, near)
    const far = (offerHasTopics: boolean): TopicRelation =>
      need.topics.length > 0 && offerHasTopics ? 'other' : 'unclear'
    const of = (offer: OfferView) =>
      near.has(offer) ? relate(need.category, need, offer) : far(offer.topics.length > 0)
    return Object.assign(of, { near, far })
  }
}

/** A category's needs, filed under every area on their place's path: an offer serving any of them reaches them. */
export class NeedIndex extends CategoryIndex<NeedView> {
  protected placesOf(n: NeedView): readonly number[] {
    return n.areaPath
  }

  /** The needs the offer fits (isFeasible), ordered by id; none when the offer's area is unknown. */
  fitting(offer: OfferView): NeedView[] {
    const served = offer.servesPath.at(-1)
    if (served === undefined) return []
    const out: NeedView[] = []
    for (const n of this.gather([served], offer, offer.category, true)) if (isFeasible(n, offer)) out.push(n)
    return out.sort((a, b) => a.id - b.id)
  }
}
