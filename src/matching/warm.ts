/**
 * What need and offer pages build on first use, built by a server that already listens (server.ts) by working out
 * the matches of a sample of listings between requests: each category's candidate indexes compiled for the pages,
 * text relevance's kept postings of the words listings share, the vocabulary, the track records. Left to the first
 * visitors after a restart, at 1M listings the first 50 need pages cost 184 ms each (one 2.5 s), against 6-8 ms
 * once those are built.
 */
import { sqliteOf, type Db } from '../db/client.js'
import { needsForOffer, offersForNeed } from './matching.js'

/**
 * A step for inSlices (shared/slices.ts): works out the matches of up to `pages` active needs and as many available
 * offers, spread evenly over their ids, one listing at a time until the deadline passes (one at least); true when
 * every one was done.
 */
export function matchPagesWarmer(db: Db, { pages = 200, now = () => new Date() } = {}): (deadline: number) => boolean {
  let queue: ['need' | 'offer', number][] | undefined
  return (deadline) => {
    queue ??= sample(db, pages)
    do {
      const next = queue.pop()
      if (!next) break
      if (next[0] === 'need') offersForNeed(db, next[1], { now: now() })
      else needsForOffer(db, next[1], { now: now() })
    } while (performance.now() < deadline)
    return queue.length === 0
  }
}

/** Needs and offers, alternately, at evenly spaced ids: each found by one seek of the primary key. */
function sample(db: Db, pages: number): ['need' | 'offer', number][] {
  const sqlite = sqliteOf(db)
  const spread = (table: 'needs' | 'offers', active: string): number[] => {
    const [lo, hi] = sqlite.prepare(`SELECT min(id), max(id) FROM ${table}`).raw().get() as [
      number | null,
      number | null,
    ]
    if (lo === null || hi === null) return []
    const at = sqlite.prepare(`SELECT id FROM ${table} WHERE id >= ? AND ${active} ORDER BY id LIMIT 1`).pluck()
    const ids = new Set<number>()
    for (let k = 0; k < pages; k++) {
      const id = at.get(Math.floor(lo + ((hi - lo + 1) * k) / pages)) as number | undefined
      if (id !== undefined) ids.add(id)
    }
    return [...ids]
  }
  const needs = spread('needs', "status IN ('open', 'partly_met')")
  const offers = spread('offers', "status = 'open'")
  const out: ['need' | 'offer', number][] = []
  for (let k = Math.max(needs.length, offers.length) - 1; k >= 0; k--) {
    if (k < offers.length) out.push(['offer', offers[k]!])
    if (k < needs.length) out.push(['need', needs[k]!])
  }
  return out
}
