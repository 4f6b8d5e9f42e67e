/**
 * Keywords as numbers, for the pairs whose subject is decided by words: relevance(j) is one need's and offer j's
 * keyword overlap (topic-relation.ts keywordRelevance) in a few integer comparisons, without two sets per pair,
 * which at millions of pairs (pairs.ts, serving.ts, offer-columns.ts) cost more than the checks around it.
 */

/**
 * topic-relation.ts keywordRelevance for a need's keyword set and an offer's distinct keywords, without building two
 * sets per pair (a test holds the two equal): shared words over the longer list.
 */
export function overlap(need: ReadonlySet<string>, offer: readonly string[]): number {
  if (need.size === 0 || offer.length === 0) return 0
  let shared = 0
  for (let k = 0; k < offer.length; k++) if (need.has(offer[k]!)) shared++
  return shared / Math.max(need.size, offer.length)
}

/**
 * Every offer's distinct keywords as numbers, side by side, and one need's at a time: relevance(j) is overlap()
 * of the need and offer j in a few integer comparisons, for callers that decide what pairs are about by words
 * (serving.ts) without building two sets per pair. The overlap is symmetric, so the two sides may be swapped:
 * needs numbered, and one offer's words at a time.
 */
type Worded = { keywords: readonly string[] }
export class NumberedWords {
  private readonly words = new Map<string, number>()
  private readonly start: Int32Array
  private readonly flat: Int32Array
  private need = new Int32Array(16)
  private count = 0
  private mark = new Int32Array(0)
  private stamp = 0
  constructor(offers: readonly Worded[]) {
    this.start = new Int32Array(offers.length + 1)
    const flat: number[] = []
    offers.forEach((o, j) => {
      for (const k of new Set(o.keywords)) flat.push(this.id(k))
      this.start[j + 1] = flat.length
    })
    this.flat = Int32Array.from(flat)
    this.mark = new Int32Array(this.words.size + 1)
  }
  private id(k: string): number {
    let id = this.words.get(k)
    if (id === undefined) this.words.set(k, (id = this.words.size))
    return id
  }
  /** The need later relevance() calls are about; its words no offer has count in its length all the same. */
  setNeed(n: Worded): void {
    const distinct = new Set(n.keywords)
    if (distinct.size > this.need.length) this.need = new Int32Array(distinct.size)
    this.count = 0
    this.stamp++
    for (const k of distinct) {
      const id = this.words.get(k) ?? -1
      this.need[this.count++] = id
      if (distinct.size > LONG && id >= 0) this.mark[id] = this.stamp
    }
  }
  relevance(j: number): number {
    return shared(this.need, this.count, this.flat, this.start[j]!, this.start[j + 1]!, this.mark, this.stamp)
  }
}

/**
 * overlap() on numbered words: the need's distinct words (also marked with `stamp` in `mark` when more than LONG),
 * and the offer's at offerWords[from..to).
 */
function shared(
  needWords: Int32Array,
  needCount: number,
  offerWords: Int32Array,
  from: number,
  to: number,
  mark: Int32Array,
  stamp: number,
): number {
  if (needCount === 0 || to === from) return 0
  let hits = 0
  if (needCount > LONG) {
    for (let k = from; k < to; k++) if (mark[offerWords[k]!] === stamp) hits++
  } else {
    for (let k = from; k < to; k++) {
      const w = offerWords[k]!
      for (let a = 0; a < needCount; a++)
        if (needWords[a] === w) {
          hits++
          break
        }
    }
  }
  return hits / Math.max(needCount, to - from)
}
const LONG = 8
