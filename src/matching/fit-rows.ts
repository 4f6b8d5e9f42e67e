/**
 * The rows of numbers candidates.ts checks a page's listings by (OfferIndex.fitting, NeedIndex.fitting): one row a
 * listing, laid out below.
 */
import {
  DAYS,
  FOCUS,
  FROM,
  HOURS,
  LEFT,
  STRIDE,
  TRUST,
  UNTIL,
  type CompiledNeed,
  type CompiledOffers,
} from './pairs.js'

/**
 * A listing compiled (pairs.ts) as a row of numbers, what a page's check reads of it: a page checks a few hundred
 * listings met in no order, and reading a need's compiled object (and the array that held it), or an offer's fields
 * and then its topic list from another array, cost a cache miss or two a listing. A need's row says whether it was
 * compiled yet (R_READY; needs are compiled when first met), an offer's how much it has left (R_LEFT).
 */
export const R_DAYS = 0,
  R_HOURS = 1,
  R_FROM = 2,
  R_UNTIL = 3,
  R_TRUST = 4,
  R_FOCUS = 5,
  R_TOPICS = 6,
  R_READY = 7,
  R_LEFT = 7,
  ROW = 8

/** Every compiled offer's row: its hard fields (pairs.ts CompiledOffers.hard) and topic list. */
export function offerRows(c: CompiledOffers): Float64Array {
  const rows = new Float64Array(c.offers.length * ROW),
    h = c.hard
  for (let j = 0; j < c.offers.length; j++) {
    const r = j * ROW,
      at = j * STRIDE
    rows[r + R_LEFT] = h[at + LEFT]!
    rows[r + R_DAYS] = h[at + DAYS]!
    rows[r + R_HOURS] = h[at + HOURS]!
    rows[r + R_FROM] = h[at + FROM]!
    rows[r + R_UNTIL] = h[at + UNTIL]!
    rows[r + R_TRUST] = h[at + TRUST]!
    rows[r + R_FOCUS] = h[at + FOCUS]!
    rows[r + R_TOPICS] = c.topicList[j]!
  }
  return rows
}

export /** A need's row, filled when the need is first met (R_READY then says so). */
function fillRow(rows: Float64Array, r: number, n: CompiledNeed): void {
  rows[r + R_DAYS] = n.days
  rows[r + R_HOURS] = n.hours
  rows[r + R_FROM] = n.from
  rows[r + R_UNTIL] = n.until
  rows[r + R_TRUST] = n.trust
  rows[r + R_FOCUS] = n.focus
  rows[r + R_TOPICS] = n.topicList
  rows[r + R_READY] = 1
}
