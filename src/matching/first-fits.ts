/**
 * The needs a written offer could be the first fit of, for the new-fit alerts (matching.ts firstFitFor), read from the
 * kept views and their serving tally (kept-views.ts, serving.ts). Part of the shell, beside views.ts.
 */
import { sqliteOf, type Db } from '../db/client.js'
import { isFeasible } from './feasibility.js'
import { current } from './kept-views.js'
import type { NeedView } from './types.js'

/**
 * The needs the offer fits (isFeasible), ordered by id, less those whose serving-tally witness is another offer that
 * `accept` takes: that offer fits them, so this one is not their first. Undefined when that cannot be asked (inside a
 * transaction, or the category's tally not kept and counted): then every fit is listed (views.ts needsFor).
 *
 * Nearly every need an offer fits is fitted by another offer already. Listing them all (NeedIndex.fitting) compiles
 * the category's needs for the offer pages' check when no offer page has yet (before the server's warmer reached the
 * category, or once an eighth of it changed): ~370 ms at 1M listings, in a scheduler round between requests. Here
 * each candidate costs a lookup of its witness, and only those left are checked.
 */
export function needsNotWitnessed(
  db: Db,
  offerId: number,
  today: string,
  accept: (offerId: number) => boolean,
  ask: (offerIds: readonly number[]) => void = () => {},
): NeedView[] | undefined {
  const sqlite = sqliteOf(db)
  if (sqlite.inTransaction) return undefined
  const k = current(sqlite, today)
  const category = k.offerCategory.get(offerId)
  const tally = category === undefined ? undefined : k.serving.get(category)
  if (!tally?.complete) return undefined
  const offer = k.offers.get(category!)?.get(offerId)
  const needs = k.needs.get(category!)
  if (!offer || !needs) return undefined
  // The witnesses first, so that whether each was there before is asked of them all at once.
  const met: NeedView[] = []
  const witnesses = new Set<number>()
  needs.candidateLists(offer, (list) => {
    for (const n of list) {
      met.push(n)
      const witness = tally.witnessOf(n.id)
      if (witness !== undefined && witness !== offerId) witnesses.add(witness)
    }
  })
  ask([...witnesses])
  // The candidate lists overlap: a need left over twice is checked once.
  const checked = new Set<NeedView>()
  const out: NeedView[] = []
  for (const n of met) {
    const witness = tally.witnessOf(n.id)
    if (witness !== undefined && witness !== offerId && accept(witness)) continue
    if (checked.has(n) || !needs.has(n)) continue
    checked.add(n)
    if (isFeasible(n, offer)) out.push(n)
  }
  return out.sort((a, b) => a.id - b.id)
}
