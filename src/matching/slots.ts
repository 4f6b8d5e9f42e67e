/**
 * Which compiled column of a category index (candidates.ts) holds a listing, and marking a column gone when its listing
 * leaves or is replaced: the lookups a match page makes a few hundred times.
 */
import type { Listing } from './buckets.js'

/** A listing left its index or was replaced: its compiled column, if it has one, no longer fits anything. */
export function markGone<V extends Listing>(
  pages: { at: Slots<V>; gone: Uint8Array; changes: number } | undefined,
  old: V,
) {
  if (!pages) return
  const j = pages.at.of(old)
  if (j >= 0) pages.gone[j] = 1
  pages.changes++
}

/**
 * Which column holds a listing: found by id, and only for the very object compiled (a listing replaced since is a
 * new object, checked apart). Keyed by the objects in a Map, the lookup was most of a page's check: a page looks up
 * a few hundred of a category's listings, each a hash probe missing the CPU's caches.
 */
export class Slots<V extends Listing> {
  /** Column + 1 by id, 0 for none: 4 bytes per id up to the category's highest. */
  private readonly byId: Int32Array
  /** ofList's columns of each list asked, and how many of the list's listings they cover. */
  private readonly lists = new WeakMap<readonly V[], { slots: Int32Array; n: number }>()
  constructor(private readonly list: readonly V[]) {
    // all() is ordered by id, so the last holds the highest.
    this.byId = new Int32Array((list.at(-1)?.id ?? -1) + 1)
    list.forEach((v, j) => (this.byId[v.id] = j + 1))
  }
  get size(): number {
    return this.list.length
  }
  /** v's column, or -1 when v was not compiled. */
  of(v: V): number {
    const id = v.id
    const j = id < this.byId.length ? this.byId[id]! - 1 : -1
    return j >= 0 && this.list[j] === v ? j : -1
  }

  /**
   * of() of each listing of a bucket's list, by position, kept per list: a page reads the columns of the few lists it
   * looks up in order, where of() read each listing's id and its slot, two cache misses a listing (a page checks a few
   * hundred). A list only grows (buckets.ts appends, and compacting makes a new list), so its columns are extended.
   */
  ofList(list: readonly V[]): Int32Array {
    let kept = this.lists.get(list)
    if (!kept) this.lists.set(list, (kept = { slots: new Int32Array(list.length), n: 0 }))
    if (kept.n < list.length) {
      if (kept.slots.length < list.length) {
        const bigger = new Int32Array(Math.max(list.length, kept.slots.length * 2))
        bigger.set(kept.slots.subarray(0, kept.n))
        kept.slots = bigger
      }
      for (let x = kept.n; x < list.length; x++) kept.slots[x] = this.of(list[x]!)
      kept.n = list.length
    }
    return kept.slots
  }
}
