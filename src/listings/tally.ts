/**
 * How many listings of each sort a list directory holds (directory-lists.ts), per area: a sort is a category, a status,
 * an urgency and three facts that depend on the day (not yet expired or ended, expired, something remaining). A list's
 * total without a rare filter (ids, group, topic) is then a sum over its areas' cells, kept exact by adding and taking
 * out each listing a write touches, where counting it walked the filter's list: at 1M listings over a hundred places a
 * first page of a filter counted a whole category (70k listings a kind) or everything (500k).
 */

/** The columns of a directory a sort is read from, slot by slot. */
export interface Columns {
  category: Uint8Array
  status: Uint8Array
  area: Int32Array
  urgency: Int8Array
  /** yyyymmdd, as filter.ts dayOf. */
  expires: Int32Array
  until: Int32Array
  remaining: Float64Array
}

/** Neither the expiry nor the end date has passed. */
export const CURRENT = 1
/** The expiry has passed. */
export const PAST_EXPIRY = 2
/** Something remains. */
export const REMAINING = 4
/** Every combination of the flags above. */
export const DAY_FLAGS = 8
const URGENCIES = 3

export class Tally {
  private readonly byArea = new Map<number, Int32Array>()
  private readonly any: Int32Array

  /** `categories` and `statuses`: how many codes each has now (a new code needs a new tally). */
  constructor(
    readonly today: number,
    private readonly categories: number,
    private readonly statuses: number,
  ) {
    this.any = new Int32Array(categories * statuses * DAY_FLAGS * URGENCIES)
  }

  add(c: Columns, s: number, by: 1 | -1) {
    const flags =
      (c.expires[s]! >= this.today && c.until[s]! >= this.today ? CURRENT : 0) |
      (c.expires[s]! < this.today ? PAST_EXPIRY : 0) |
      (c.remaining[s]! > 0 ? REMAINING : 0)
    const at = ((c.category[s]! * this.statuses + c.status[s]!) * DAY_FLAGS + flags) * URGENCIES + c.urgency[s]!
    let cell = this.byArea.get(c.area[s]!)
    if (!cell) this.byArea.set(c.area[s]!, (cell = new Int32Array(this.any.length)))
    cell[at]! += by
    this.any[at]! += by
  }

  /**
   * How many listings are in one of `areas` (any area when undefined), of `category` (a code; any when -1), with a
   * status and day flags that `accepts` (indexed by status · DAY_FLAGS + flags), of `urgency` (any when -1).
   */
  count(areas: ReadonlySet<number> | undefined, category: number, accepts: Uint8Array, urgency: number): number {
    if (category < -1 || category >= this.categories) return 0
    const cells = areas ? [...areas].flatMap((a) => this.byArea.get(a) ?? []) : [this.any]
    const [first, last] = category === -1 ? [0, this.categories - 1] : [category, category]
    let total = 0
    for (const cell of cells) {
      for (let cat = first; cat <= last; cat++) {
        for (let status = 0; status < this.statuses; status++) {
          for (let flags = 0; flags < DAY_FLAGS; flags++) {
            if (accepts[status * DAY_FLAGS + flags] !== 1) continue
            const at = ((cat * this.statuses + status) * DAY_FLAGS + flags) * URGENCIES
            total += urgency === -1 ? cell[at]! + cell[at + 1]! + cell[at + 2]! : cell[at + urgency]!
          }
        }
      }
    }
    return total
  }
}
