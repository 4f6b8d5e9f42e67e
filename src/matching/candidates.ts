/**
 * Candidate indexes: a category's offers (or needs) filed by place, topic and keyword, so that a match page
 * examines the few listings that could fit instead of every listing of the category around it. Pure, and
 * patched one listing at a time: the shell (kept-views.ts) adds, replaces and removes the listings that changed.
 *
 * An index only narrows; what fits is decided by feasibility.ts (`isFeasible`) on what it returns, so a lookup
 * must return every listing that could fit and may return more. Two listings of a category fit by subject
 * (topic-relation.ts `relate`) only when they share a topic, when the offer is a fund without a stated purpose, or when
 * a side has no topic and their keywords reach RELEVANCE_FLOOR, which needs at least one keyword in common. So
 * the lookups are: the place's listings sharing one of the topics, plus those without a topic sharing a keyword
 * (or, when the asking side has no topic, any listing sharing a keyword), plus a fund's untopical listings.
 */
import { holds, isFeasible } from './feasibility.js'
import {
  compileNeed,
  compileOffers,
  DAYS,
  FOCUS,
  FROM,
  HOURS,
  LEFT,
  TRUST,
  UNTIL,
  type CompiledOffers,
} from './pairs.js'
import { NumberedWords } from './numbered-words.js'
import { Bucket, type Listing } from './buckets.js'
import { fitsBySubject, NO_TOPICS, relate, SOME_TOPICS, type TopicRelation } from './topic-relation.js'
import { columnsOf, slotOf, type Columns, type Patched, type Relation } from './offer-columns.js'
import type { NeedView, OfferView } from './types.js'
import { markGone, Slots } from './slots.js'
import {
  fillRow,
  offerRows,
  R_DAYS,
  R_FOCUS,
  R_FROM,
  R_HOURS,
  R_LEFT,
  R_READY,
  R_TOPICS,
  R_TRUST,
  R_UNTIL,
  ROW,
} from './fit-rows.js'

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

  /** Whether `v` is the listing filed under its id: a bucket's lists may still hold one replaced or removed. */
  has(v: V): boolean {
    return this.byId.get(v.id) === v
  }

  /** Bucket.lists of each place's bucket in turn, until `visit` returns true. */
  protected listsUnder(
    places: readonly number[],
    asker: Listing,
    category: string,
    askerIsOffer: boolean,
    visit: (list: readonly V[]) => boolean | void,
  ): void {
    for (const place of places) if (this.buckets.get(place)?.lists(asker, category, askerIsOffer, visit)) return
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
  /** The offers compiled for the need pages' check (see `fitting`), once the index is asked a second time. */
  private pages?: PageColumns
  private asked = 0
  /** The offers as why-not's columns (see `columns`), once asked. */
  private why?: WhyColumns

  protected placesOf(o: OfferView): readonly number[] {
    return [o.servesPath.at(-1) ?? 0]
  }

  override put(o: OfferView): void {
    super.put(o)
    if (this.pages) this.pages.changes++
    if (this.why) {
      this.why.added.set(o.id, o)
      this.why.list = undefined
      this.why.changes++
    }
  }

  override remove(id: number): OfferView | undefined {
    const old = super.remove(id)
    if (old) {
      markGone(this.pages, old)
      if (this.why) {
        const j = slotOf(this.why.base, old)
        if (j >= 0) this.why.gone[j] = 1
        if (this.why.added.delete(id)) this.why.list = undefined
        this.why.changes++
      }
    }
    return old
  }

  /**
   * Every offer as columns of what the hard constraints read, for why-not (offer-columns.ts): compiled once, then
   * patched as offers change (those removed or replaced marked gone, those put since listed apart), and compiled
   * again once an eighth of the index has changed. Compiled per list, a category's columns were compiled again on
   * the first page after each write to it, which cost more than the page (every schedule read and classed).
   */
  columns(): Patched {
    let why = this.why
    if (!why || why.changes > 64 + (why.base.offers.length >> 3)) {
      const base = columnsOf(this.all())
      why = this.why = { base, gone: new Uint8Array(base.offers.length), added: new Map(), changes: 0 }
    }
    why.list ??= Object.freeze([...why.added.values()].sort((a, b) => a.id - b.id))
    return { base: why.base, gone: why.gone, added: why.list }
  }

  /**
   * The lists that hold every offer that could fit the need, unchecked, until `visit` returns true: for callers
   * that stop at the first that fits (serving.ts). They may overlap and hold offers no longer here (`has`).
   */
  candidateLists(need: NeedView, visit: (list: readonly OfferView[]) => boolean | void): void {
    this.listsUnder(need.areaPath, need, need.category, false, visit)
  }

  /**
   * The offers that fit the need (isFeasible), ordered by id. A need page checks every offer the lookups find,
   * a thousand at 1M listings, and isFeasible on each offer's object (its dates and schedule read from strings, its
   * words as sets) was a quarter of the page. A kept index compiles its offers once (pairs.ts, the allocation's and
   * the serving count's form of the same constraints, held equal to isFeasible by tests) and checks those by
   * column; an offer put since is checked by isFeasible, and the columns are compiled again once an eighth of the
   * index has changed. The lookups find offers of this category serving an area on the need's path, which is the
   * part of the fit the columns leave out (as for the serving count). A fresh index, asked once (inside a
   * transaction), is not compiled.
   */
  fitting(need: NeedView): OfferView[] {
    const pages = this.asked++ > 0 ? this.compiled() : undefined
    if (!pages) {
      const out: OfferView[] = []
      for (const o of this.gather(need.areaPath, need, need.category, false)) if (isFeasible(need, o)) out.push(o)
      return out.sort((a, b) => a.id - b.id)
    }
    const { c, rows, at, gone, words, seen } = pages
    const cn = compileNeed(need, c)
    // A focus no offer names cannot be shared with one: the offers' numbering leaves it out.
    if (c.focusBits)
      cn.focus = need.org.focus.reduce((m, f) => (c.focusBits!.has(f) ? m | (1 << c.focusBits!.get(f)!) : m), 0)
    // fitsHard(cn, c, j) with the need's side read once, against the offers' rows.
    const { days, hours, from, until, trust, focus, topicList } = cn,
      focusBits = c.focusBits !== null
    // What the need is about against each offer topic list (c.subjects.fits' relation), for this page: 2 same.
    const byList: number[] = []
    const needSide = topicList < 0 ? NO_TOPICS : SOME_TOPICS
    words.setNeed(need)
    const stamp = ++pages.stamp
    const out: OfferView[] = []
    let fresh: Set<OfferView> | undefined
    this.listsUnder(need.areaPath, need, need.category, false, (list) => {
      const slots = at.ofList(list)
      for (let x = 0; x < list.length; x++) {
        const j = slots[x]!
        if (j < 0) {
          if (this.has(list[x]!)) (fresh ??= new Set()).add(list[x]!)
        } else if (seen[j] !== stamp) {
          seen[j] = stamp
          if (gone[j] !== 0) continue
          const r = j * ROW
          if (rows[r + R_LEFT]! <= 0) continue
          if ((days & rows[r + R_DAYS]!) === 0 || (hours & rows[r + R_HOURS]!) === 0) continue
          if (from > rows[r + R_UNTIL]! || rows[r + R_FROM]! > until || trust < rows[r + R_TRUST]!) continue
          const o = list[x]!
          const mask = rows[r + R_FOCUS]!
          if (focusBits ? !(mask === 0 || (mask & focus) !== 0) : !holds('focus', need, o)) continue
          const t = rows[r + R_TOPICS]!
          let fits: boolean
          if (topicList < 0 || t < 0)
            fits = fitsBySubject(relate(need.category, needSide, t < 0 ? NO_TOPICS : SOME_TOPICS, words.relevance(j)))
          else {
            let same = byList[t]
            if (same === undefined) byList[t] = same = relate(need.category, need, o) === 'same' ? 2 : 1
            fits = same === 2
          }
          if (fits) out.push(o)
        }
      }
    })
    if (fresh) for (const o of fresh) if (isFeasible(need, o)) out.push(o)
    return out.sort((a, b) => a.id - b.id)
  }

  private compiled(): PageColumns {
    if (this.pages && this.pages.changes <= 64 + (this.pages.at.size >> 3)) return this.pages
    const offers = this.all()
    const c = compileOffers(offers, [])
    return (this.pages = {
      c,
      rows: offerRows(c),
      at: new Slots(offers),
      gone: new Uint8Array(offers.length),
      words: new NumberedWords(offers),
      seen: new Int32Array(offers.length),
      stamp: 0,
      changes: 0,
    })
  }

  /**
   * How each offer of the category relates to the need by subject (topic-relation.ts `relate`), for why-not: computed
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

/** An offer index's offers compiled for need pages: column j is offer `at`; `gone` once it left or was replaced. */
interface PageColumns {
  c: CompiledOffers
  /** What fitting reads of offer j, at j * ROW (offerRows). */
  rows: Float64Array
  at: Slots<OfferView>
  gone: Uint8Array
  words: NumberedWords
  /** Offer j was met on the current page when seen[j] is the page's stamp: lookups' lists overlap. */
  seen: Int32Array
  stamp: number
  changes: number
}

/** An offer index's offers as why-not's columns: `base` as compiled, `gone` by its slots, and the offers put since. */
interface WhyColumns {
  base: Columns
  gone: Uint8Array
  added: Map<number, OfferView>
  /** `added` in id order, until it changes. */
  list?: readonly OfferView[]
  changes: number
}

/**
 * A category's needs, filed under their place (their path's last id) alone, with the places at or below each area
 * counted: an offer serving an area reaches the places below it. Filed under every area on the path instead, a
 * need sat in three buckets at once, and one place's needs could not be asked apart from those below it.
 */
export class NeedIndex extends CategoryIndex<NeedView> {
  /** Per area, the places at or below it that needs are filed under, with how many needs each. */
  private readonly below = new Map<number, Map<number, number>>()

  protected placesOf(n: NeedView): readonly number[] {
    return n.areaPath.length ? [n.areaPath[n.areaPath.length - 1]!] : []
  }

  /** The needs compiled for offer pages (see `fitting`), once the index is asked a second time. */
  private pages?: NeedColumns
  private asked = 0

  override put(n: NeedView): void {
    super.put(n)
    this.reach(n, 1)
    if (this.pages) this.pages.changes++
  }

  override remove(id: number): NeedView | undefined {
    const old = super.remove(id)
    if (old) {
      this.reach(old, -1)
      markGone(this.pages, old)
    }
    return old
  }

  private reach(n: NeedView, by: 1 | -1): void {
    const place = n.areaPath.at(-1)
    if (place === undefined) return
    for (const area of n.areaPath) {
      let at = this.below.get(area)
      if (!at) this.below.set(area, (at = new Map()))
      const count = (at.get(place) ?? 0) + by
      if (count > 0) at.set(place, count)
      else {
        at.delete(place)
        if (at.size === 0) this.below.delete(area)
      }
    }
  }

  /** The places with needs that the offer's area reaches; none when its area is unknown. */
  placesReached(offer: OfferView): readonly number[] {
    const served = offer.servesPath.at(-1)
    const at = served === undefined ? undefined : this.below.get(served)
    return at ? [...at.keys()] : []
  }

  /** As OfferIndex.candidateLists: the lists that hold every need the offer could fit, or only those placed at `place`. */
  candidateLists(offer: OfferView, visit: (list: readonly NeedView[]) => boolean | void, place?: number): void {
    this.listsUnder(place === undefined ? this.placesReached(offer) : [place], offer, offer.category, true, visit)
  }

  /**
   * The needs the offer fits (isFeasible), ordered by id; none when the offer's area is unknown. As OfferIndex.fitting:
   * a kept index checks its needs by rows compiled once each (pairs.ts compileNeed, in the focus numbering and topic
   * lists of one compilation), against the page's offer compiled alone (fitsHard's checks, the offer's side read
   * once); needs put since are checked by isFeasible. The lookups find needs placed below the offer's area, the part
   * of the fit the rows leave out.
   */
  fitting(offer: OfferView): NeedView[] {
    const pages = this.asked++ > 0 ? this.compiled() : undefined
    const places = this.placesReached(offer)
    if (!pages) {
      const out: NeedView[] = []
      for (const n of this.gather(places, offer, offer.category, true)) if (isFeasible(n, offer)) out.push(n)
      return out.sort((a, b) => a.id - b.id)
    }
    const { base, rows, at, gone, words, seen } = pages
    // The offer in the needs' focus numbering: a focus no compiled need names cannot be shared with one, and an offer
    // for such focuses alone fits none of them.
    const c = compileOffers([offer], [])
    c.focusBits = base.focusBits
    let compiledFit = true
    if (base.focusBits && offer.focus.length > 0) {
      const mask = offer.focus.reduce((m, f) => (base.focusBits!.has(f) ? m | (1 << base.focusBits!.get(f)!) : m), 0)
      c.hard[FOCUS] = mask
      compiledFit = mask !== 0
    }
    // fitsHard(need, c, 0) with the offer's side read once, against the needs' rows.
    const h = c.hard
    const days = h[DAYS]!,
      hours = h[HOURS]!,
      from = h[FROM]!,
      until = h[UNTIL]!,
      trust = h[TRUST]!,
      focus = h[FOCUS]!,
      focusBits = c.focusBits !== null
    if (h[LEFT]! <= 0) compiledFit = false
    // What the offer is about against each need topic list (c.subjects.fits' memo, by the needs' numbering): 2 same.
    const byList: number[] = []
    const offerSide = c.topicList[0]! < 0 ? NO_TOPICS : SOME_TOPICS
    words.setNeed(offer)
    const stamp = ++pages.stamp
    const out: NeedView[] = []
    let fresh: Set<NeedView> | undefined
    this.listsUnder(places, offer, offer.category, true, (list) => {
      const slots = at.ofList(list)
      for (let x = 0; x < list.length; x++) {
        const i = slots[x]!
        if (i < 0) {
          if (this.has(list[x]!)) (fresh ??= new Set()).add(list[x]!)
        } else if (seen[i] !== stamp) {
          seen[i] = stamp
          if (gone[i] !== 0 || !compiledFit) continue
          const r = i * ROW
          if (rows[r + R_READY] === 0) fillRow(rows, r, compileNeed(list[x]!, base))
          if ((rows[r + R_DAYS]! & days) === 0 || (rows[r + R_HOURS]! & hours) === 0) continue
          if (rows[r + R_FROM]! > until || from > rows[r + R_UNTIL]! || rows[r + R_TRUST]! < trust) continue
          const n = list[x]!
          if (focusBits ? !(focus === 0 || (focus & rows[r + R_FOCUS]!) !== 0) : !holds('focus', n, offer)) continue
          const t = rows[r + R_TOPICS]!
          let fits: boolean
          if (t < 0 || offerSide === NO_TOPICS)
            fits = fitsBySubject(relate(n.category, t < 0 ? NO_TOPICS : SOME_TOPICS, offerSide, words.relevance(i)))
          else {
            let same = byList[t]
            if (same === undefined) byList[t] = same = relate(n.category, n, offer) === 'same' ? 2 : 1
            fits = same === 2
          }
          if (fits) out.push(n)
        }
      }
    })
    if (fresh) for (const n of fresh) if (isFeasible(n, offer)) out.push(n)
    return out.sort((a, b) => a.id - b.id)
  }

  private compiled(): NeedColumns {
    if (this.pages && this.pages.changes <= 64 + (this.pages.at.size >> 3)) return this.pages
    const list = this.all()
    return (this.pages = {
      base: compileOffers([], list),
      rows: new Float64Array(list.length * ROW),
      at: new Slots(list),
      gone: new Uint8Array(list.length),
      words: new NumberedWords(list),
      seen: new Int32Array(list.length),
      stamp: 0,
      changes: 0,
    })
  }
}

/**
 * A need index's needs compiled for offer pages: need i is `at` i, compiled when first met into its row of `rows` in
 * `base`'s focus numbering and topic lists; `gone` once it left or was replaced.
 */
interface NeedColumns {
  base: CompiledOffers
  rows: Float64Array
  at: Slots<NeedView>
  gone: Uint8Array
  words: NumberedWords
  seen: Int32Array
  stamp: number
  changes: number
}
