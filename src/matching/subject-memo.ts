/**
 * Whether a pair is about the same thing, remembered per pair of topic lists for the paths that check millions of
 * pairs (pairs.ts's compiled offers, which serving.ts and candidates.ts use too).
 */
import { holds } from './feasibility.js'
import { NO_TOPICS, relate, SOME_TOPICS } from './topic-relation.js'
import type { NeedView, OfferView } from './types.js'

/** What the memo reads of a compiled need and of the compiled offers (pairs.ts CompiledNeed, CompiledOffers). */
interface TopicListed {
  need: NeedView
  /** The need's list of topics as a number, −1 for none. */
  topicList: number
}
interface TopicLists {
  offers: readonly OfferView[]
  topicList: Int32Array
}

/**
 * holds('topic') and sameSubject() remembered per (need's topics, offer's topics) when both sides have topics:
 * then relate() reads the topic lists alone, and a district has a few hundred distinct lists but millions of
 * pairs. A side without topics is decided by its words, pair by pair, as holds() says. Each need list keeps a row
 * over the offers' lists (0 unknown, 1 'other', 2 'same'), read by index rather than hashed.
 */
export class SubjectMemo {
  private readonly lists = new Map<string, number>()
  private readonly rows = new Map<number, Uint8Array>()
  private row: Uint8Array = new Uint8Array(0)
  private rowOf = -2
  /** Lists numbered below this are offers'; set once the offers are compiled. */
  offerLists = 0
  get listCount(): number {
    return this.lists.size
  }
  list(topics: readonly string[]): number {
    if (topics.length === 0) return -1
    const key = topics.join('\u0001')
    let id = this.lists.get(key)
    if (id === undefined) this.lists.set(key, (id = this.lists.size))
    return id
  }
  private relation(n: TopicListed, c: TopicLists, j: number): 'same' | 'other' {
    if (this.rowOf !== n.topicList) {
      let row = this.rows.get(n.topicList)
      if (!row) this.rows.set(n.topicList, (row = new Uint8Array(this.offerLists)))
      this.row = row
      this.rowOf = n.topicList
    }
    const o = c.topicList[j]!
    let v = this.row[o]!
    if (v === 0) this.row[o] = v = relate(n.need.category, n.need, c.offers[j]!) === 'same' ? 2 : 1
    return v === 2 ? 'same' : 'other'
  }
  /**
   * When a side has no topic and the pair's relevance is known, relate() reads of the two sides only whether each
   * has topics, which the lists say without loading the offer (a memory load per pair, at millions of pairs).
   */
  private untopical(n: TopicListed, c: TopicLists, j: number, relevance: number | undefined) {
    if (relevance === undefined) return relate(n.need.category, n.need, c.offers[j]!)
    return relate(
      n.need.category,
      n.topicList < 0 ? NO_TOPICS : SOME_TOPICS,
      c.topicList[j]! < 0 ? NO_TOPICS : SOME_TOPICS,
      relevance,
    )
  }
  fits(n: TopicListed, c: TopicLists, j: number, relevance?: number): boolean {
    const relation =
      n.topicList < 0 || c.topicList[j]! < 0 ? this.untopical(n, c, j, relevance) : this.relation(n, c, j)
    return holds('topic', n.need, c.offers[j]!, { relation })
  }
  sameSubject(n: TopicListed, c: TopicLists, j: number, relevance?: number): boolean {
    if (n.topicList < 0 || c.topicList[j]! < 0) return this.untopical(n, c, j, relevance) === 'same'
    return this.relation(n, c, j) === 'same'
  }
}
