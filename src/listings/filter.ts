/**
 * A list page's filters (directory.ts) as one test of a directory's slots, and the same status rules per sort of
 * listing for totals summed from its tally (tally.ts).
 */
import { ACTIVE_NEED_STATUSES, ACTIVE_OFFER_STATUSES } from './listings.js'
import { CURRENT, DAY_FLAGS, PAST_EXPIRY, REMAINING, type Columns } from './tally.js'

export interface Filter {
  /** The list's status filter; undefined is 'active'. */
  status?: string
  today: string
  category?: string
  /** Areas whose listings pass (a need's place, an offer's served area); undefined: any. */
  areas?: ReadonlySet<number>
  urgency?: string
  /** Listings among these ids only (a ref's, looked up by the caller: the change log does not follow refs). */
  ids?: ReadonlySet<number>
  orgId?: number
  topic?: string
}

export const URGENCY_RANK: Record<string, number> = { high: 2, normal: 1 }
/** A date (or the date part of a time) as yyyymmdd, so "on or after today" is one integer comparison; none: never ends. */
const NEVER = 99_999_999
export const dayOf = (d: string | null) =>
  d === null ? NEVER : Number(d.slice(0, 4)) * 10_000 + Number(d.slice(5, 7)) * 100 + Number(d.slice(8, 10))

/** What a filter is compiled against: a directory's codes and columns. */
export interface Compilable extends Columns {
  kind: 'need' | 'offer'
  codes: { status: ReadonlyMap<string, number>; category: ReadonlyMap<string, number> }
  id: Int32Array
  orgId: Int32Array
  topics: (readonly string[] | null)[]
}

/**
 * A list's filters compiled against one directory: the status rules of listings.ts (needs.ts / offers.ts
 * statusCondition), then the rest. A value the directory never saw (a category nobody posted in) passes nothing.
 */
export function compile(
  dir: Compilable,
  f: Filter,
): { passes: (s: number) => boolean; accepts: Uint8Array; category: number; urgency: number } {
  const today = dayOf(f.today)
  const status = f.status ?? 'active'
  const codeOf = (v: string) => dir.codes.status.get(v) ?? -1
  // Status codes as a mask; 'expired' also takes active listings whose expiry has passed.
  const active = new Uint8Array(256),
    allowed = new Uint8Array(256)
  for (const c of (dir.kind === 'need' ? ACTIVE_NEED_STATUSES : ACTIVE_OFFER_STATUSES).map(codeOf))
    if (c >= 0) active[c] = 1
  const expiredMode = status === 'expired'
  const expiredCode = codeOf('expired')
  if (status === 'active') allowed.set(active)
  else if (codeOf(status) >= 0) allowed[codeOf(status)] = 1
  const current = status === 'active' || (dir.kind === 'need' && (status === 'open' || status === 'partly_met'))
  const positive = status === 'active' && dir.kind === 'need'
  const category = f.category === undefined ? -1 : (dir.codes.category.get(f.category) ?? -2)
  let areas: Uint8Array | undefined
  if (f.areas) {
    areas = new Uint8Array(Math.max(0, ...f.areas) + 1)
    for (const a of f.areas) areas[a] = 1
  }
  const urgency = f.urgency === undefined ? -1 : (URGENCY_RANK[f.urgency] ?? 0)
  const { ids, orgId, topic } = f
  const rare = ids !== undefined || orgId !== undefined || topic !== undefined
  const st = dir.status,
    expires = dir.expires,
    until = dir.until,
    remaining = dir.remaining,
    cat = dir.category,
    area = dir.area,
    urg = dir.urgency
  // The same status rules per status and day flags (tally.ts), for totals summed from the tally.
  const accepts = new Uint8Array(dir.codes.status.size * DAY_FLAGS)
  for (let c = 0; c < dir.codes.status.size; c++) {
    for (let flags = 0; flags < DAY_FLAGS; flags++) {
      const ok = expiredMode
        ? c === expiredCode || (active[c] === 1 && (flags & PAST_EXPIRY) !== 0)
        : allowed[c] === 1 && (!current || (flags & CURRENT) !== 0) && (!positive || (flags & REMAINING) !== 0)
      accepts[c * DAY_FLAGS + flags] = ok ? 1 : 0
    }
  }
  // One flat test, called once per listing of the pass: no closures inside, so the engine inlines it.
  const passes = (s: number) => {
    if (category !== -1 && cat[s] !== category) return false
    if (areas !== undefined && areas[area[s]!] !== 1) return false
    const c = st[s]!
    if (expiredMode) {
      if (c !== expiredCode && !(active[c] === 1 && expires[s]! < today)) return false
    } else {
      if (allowed[c] !== 1) return false
      if (current && (expires[s]! < today || until[s]! < today)) return false
      if (positive && remaining[s]! <= 0) return false
    }
    if (urgency !== -1 && urg[s] !== urgency) return false
    if (rare) {
      if (ids !== undefined && !ids.has(dir.id[s]!)) return false
      if (orgId !== undefined && dir.orgId[s] !== orgId) return false
      if (topic !== undefined && !(dir.topics[s]?.includes(topic) ?? false)) return false
    }
    return true
  }
  return { passes, accepts, category, urgency }
}

/** The filter's identity for its kept total: every field compile reads. */
export function filterKey(f: Filter): string {
  const set = (xs: ReadonlySet<number> | undefined) => (xs ? [...xs].sort((a, b) => a - b).join(',') : '*')
  return [
    f.status ?? 'active',
    f.today,
    f.category ?? '*',
    set(f.areas),
    f.urgency ?? '*',
    set(f.ids),
    f.orgId ?? '*',
    f.topic ?? '*',
  ].join('|')
}
