/**
 * One place's listings of one category filed by what they are about, for the lookups candidates.ts describes (a
 * candidate index keeps a bucket per place, pairs.ts one per category and served area): the lists that hold every
 * listing that could be about the same thing as an asker, found by topic and by a prefix of its keywords.
 */
import { RELEVANCE_FLOOR } from './topic-relation.js'

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
    for (const k of keywordPrefix(v.keywords, true)) {
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
   * Adds every listing here that could be about the same thing as `asker` (topic-relation.ts `relate` gives 'same'
   * or 'related'); the asker is an offer looking for needs or a need looking for offers.
   */
  collect(asker: Listing, category: string, askerIsOffer: boolean, into: Set<V>): void {
    this.lists(asker, category, askerIsOffer, (list) => this.addAll(into, list))
  }

  /**
   * The lists that together hold every listing here that could be about the same thing as `asker`: they may
   * overlap and may hold listings no longer alive. For callers that gather into their own structure (pairs.ts), or
   * that stop at the first listing that fits (serving.ts): once `visit` returns true no further list is visited,
   * and lists says it stopped.
   */
  lists(
    asker: Listing,
    category: string,
    askerIsOffer: boolean,
    visit: (list: readonly V[]) => boolean | void,
  ): boolean {
    const each = (list: readonly V[] | undefined) => list !== undefined && visit(list) === true
    // A floor of 0 would let listings with nothing in common relate; then no keyword narrows anything.
    if (!(RELEVANCE_FLOOR > 0)) return each(this.all)
    if (category === 'funds') {
      // A fund without a stated purpose fits every need of its category.
      if (askerIsOffer && asker.topics.length === 0) return each(this.all)
      if (!askerIsOffer && each(this.untopical)) return true
    }
    if (asker.topics.length > 0) {
      for (const t of asker.topics) if (each(this.byTopic.get(t))) return true
      for (const k of keywordPrefix(asker.keywords, false)) if (each(this.untopicalByKeyword.get(k))) return true
    } else {
      for (const k of keywordPrefix(asker.keywords, false)) if (each(this.byKeyword.get(k))) return true
    }
    return false
  }

  private addAll(into: Set<V>, from: readonly V[] | undefined): void {
    if (!from) return
    // With nothing removed since the last compaction every listing here is alive, and asking reads each one's id.
    if (this.dead === 0) for (const v of from) into.add(v)
    else for (const v of from) if (this.alive(v)) into.add(v)
  }
}

/**
 * Keywords in one order for every listing of the process, rarest first as nearly as a fixed order can be: by when a
 * word was first filed, latest first (the words most listings share are met within the first few). A word's place
 * never changes once given, which is all keywordPrefix needs; a word no listing was filed under comes before all.
 */
const firstFiled = new Map<string, number>()

/**
 * The first ⌊(1 − floor) × n⌋ + 1 of a listing's n distinct keywords in that order. Related by keywords means
 * shared ≥ RELEVANCE_FLOOR × the longer list (topic-relation.ts), so at most n − floor × n of either side's words go
 * unshared; the shared word that comes first in the order then lies within both sides' prefixes. So a listing is
 * filed under its prefix, and an asker looks up only its own: the lists of the words most listings share, which
 * made a keyword lookup grow with the listings, are seldom asked.
 */
function keywordPrefix(keywords: readonly string[], filing: boolean): readonly string[] {
  // An asker looks up one bucket per place on its path, or per place its area reaches: the same prefix each time,
  // until a word is filed for the first time (which may reorder the asker's words no listing had).
  if (!filing && keywords === asked.keywords && firstFiled.size === asked.words) return asked.prefix
  const words: string[] = [],
    ranks: number[] = []
  for (const k of keywords) {
    if (words.includes(k)) continue
    let rank = firstFiled.get(k)
    if (rank === undefined) {
      if (filing) firstFiled.set(k, (rank = firstFiled.size))
      else rank = Infinity
    }
    words.push(k)
    ranks.push(rank)
  }
  const prefix: string[] = []
  // A few words a listing: picking the next one in the order each time is cheaper than sorting them.
  for (let left = Math.max(0, Math.floor((1 - RELEVANCE_FLOOR) * words.length) + 1); left > 0 && words.length; left--) {
    let best = 0
    for (let i = 1; i < words.length; i++)
      if (ranks[i]! > ranks[best]! || (ranks[i] === ranks[best] && words[i]! < words[best]!)) best = i
    prefix.push(words[best]!)
    words[best] = words[words.length - 1]!
    ranks[best] = ranks[ranks.length - 1]!
    words.pop()
    ranks.pop()
  }
  // Views' keyword lists are frozen (subject.ts); another list may change under the same identity.
  if (!filing && Object.isFrozen(keywords)) asked = { keywords, words: firstFiled.size, prefix }
  return prefix
}
let asked: { keywords: readonly string[]; words: number; prefix: readonly string[] } = {
  keywords: [],
  words: -1,
  prefix: [],
}

function file<V>(map: Map<string, V[]>, key: string, v: V): void {
  const list = map.get(key)
  if (list) list.push(v)
  else map.set(key, [v])
}
