/**
 * The asset map's figures: open demand against the supply that can actually serve it, per area and category.
 * Pure: the shell (map.ts) hands over the area tree, the active listings counted by place and category, and who
 * can serve whom (matching/serving.ts, the one fit the agenda and the desk use too); no database, no clock.
 * Quantities are never added across categories, since their units differ (hours, yuan…).
 *
 * Definitions (the page states them in both languages):
 *  - open demand of an area = Σ remaining of active needs placed in the area or below it;
 *  - supply of an area = Σ remaining of available offers that fit at least one of those needs (category, topic,
 *    area, schedule, conditions, capacity left, dates). Each offer counts once in any area's figure, however many
 *    needs or communities it could serve, so a street's or the district's total counts a district-wide offer once;
 *  - unserved = the needs (and their demand) that no offer fits, the agenda's "unmet demand";
 *  - gap (short) = unserved demand + what the fitting supply cannot cover of the rest: never negative;
 *  - balance, from −1 to +1: with a gap, −gap ÷ demand (−1 when nothing here can be served); without one,
 *    (supply − demand) ÷ the larger; with no demand, +1 when offers are available here, none without listings;
 *  - all categories: the mean of the categories' balances weighted by their listings (needs, and offers with
 *    something left: a fully reserved offer adds nothing to supply, so it adds no weight either).
 */
import { pathIds } from '../areas/paths.js'

export type Level = 'district' | 'street' | 'community'

export interface AreaNode {
  id: number
  parentId: number | null
  level: Level
  /** Materialised path '/1/4/12/'. */
  path: string
}

/** Active listings of one category at one place (a need's place, an offer's area served): how many, and their Σ remaining. */
export interface Tally {
  areaId: number
  category: string
  count: number
  /** How many of them have something left (remaining > 0). */
  available: number
  remaining: number
}

export interface Figures {
  demand: number
  /** Σ remaining of offers that fit at least one need here. */
  supply: number
  /** Short of supply: unserved demand plus what fitting supply cannot cover; never negative. */
  gap: number
  needs: number
  /** Offers listed here (serving the area or part of it), as the offers list shows them. */
  offers: number
  /** Of those, offers that fit at least one need here. */
  serving: number
  /** Needs no offer fits, and their demand. */
  unserved: number
  unservedDemand: number
  /** See the file's definitions; null when there is nothing listed. */
  balance: number | null
}

/** An available offer and the places (need areas) where it fits at least one need. */
export interface ServingOffer {
  category: string
  remaining: number
  places: readonly number[]
}

export interface AreaFigures {
  areaId: number
  byCategory: Record<string, Figures>
  all: {
    needs: number
    offers: number
    /** Needs no offer fits, all categories. */
    unserved: number
    /** Per-category balances weighted by each category's listings; null when nothing is listed. */
    balance: number | null
    /** Categories whose demand exceeds supply here, in the order given. */
    short: string[]
  }
}

/** Demand no fitting supply covers: unserved demand first, then what the supply falls short of for the rest. */
export function shortfall(demand: number, supply: number, unservedDemand = 0): number {
  return unservedDemand + Math.max(0, demand - unservedDemand - supply)
}

export function balance(demand: number, supply: number, unservedDemand = 0, offered = supply > 0): number | null {
  if (demand <= 0) return offered ? 1 : null
  const gap = shortfall(demand, supply, unservedDemand)
  if (gap > 0) return -gap / demand
  return (supply - demand) / Math.max(supply, demand)
}

export function figures(
  demand: number,
  supply: number,
  needs: number,
  offers: number,
  more: { serving?: number; unserved?: number; unservedDemand?: number; available?: number } = {},
): Figures {
  const unservedDemand = more.unservedDemand ?? 0
  return {
    demand,
    supply,
    gap: shortfall(demand, supply, unservedDemand),
    needs,
    offers,
    serving: more.serving ?? offers,
    unserved: more.unserved ?? 0,
    unservedDemand,
    balance: balance(demand, supply, unservedDemand, (more.available ?? offers) > 0),
  }
}

/** All categories at once: each category's balance, weighted by how many listings with something left it has here. */
export function combinedBalance(
  byCategory: Record<string, Figures>,
  weights: Record<string, number> = {},
): number | null {
  let weight = 0,
    sum = 0
  for (const [category, f] of Object.entries(byCategory)) {
    if (f.balance === null) continue
    const w = weights[category] ?? f.needs + f.offers
    weight += w
    sum += w * f.balance
  }
  return weight > 0 ? sum / weight : null
}

/**
 * Figures for every area of the tree. `serving` says which available offers fit a need in which places, and
 * `unserved` counts, by place and category, the needs no offer fits. An offer adds its remaining capacity to
 * an area when it fits a need placed there or below, once per area however many of them it fits.
 */
export function areaFigures(
  areas: readonly AreaNode[],
  needTallies: readonly Tally[],
  offerTallies: readonly Tally[],
  categories: readonly string[],
  serving: { offers: readonly ServingOffer[]; unserved: readonly Tally[] } = { offers: [], unserved: [] },
): Map<number, AreaFigures> {
  const paths = new Map(areas.map((a) => [a.id, pathIds(a.path)]))
  type Sum = { count: number; available: number; remaining: number }
  const add = (sums: Map<string, Sum>, key: string, t: { count: number; available: number; remaining: number }) => {
    const s = sums.get(key)
    if (s) {
      s.count += t.count
      s.available += t.available
      s.remaining += t.remaining
    } else sums.set(key, { count: t.count, available: t.available, remaining: t.remaining })
  }
  // Every tally is added to the place itself and each area above it ("below it" seen from the ancestor).
  const below = (tallies: readonly Tally[]) => {
    const sums = new Map<string, Sum>()
    for (const t of tallies) for (const id of paths.get(t.areaId) ?? []) add(sums, `${id} ${t.category}`, t)
    return sums
  }
  const needsBelow = below(needTallies),
    offersBelow = below(offerTallies),
    unservedBelow = below(serving.unserved)
  const offersAt = new Map<string, Sum>()
  for (const t of offerTallies) add(offersAt, `${t.areaId} ${t.category}`, t)
  // Each serving offer once per area: the union of the paths of the places it fits a need in.
  const supply = new Map<string, Sum>()
  const seen = new Set<number>()
  for (const o of serving.offers) {
    seen.clear()
    for (const place of o.places) for (const id of paths.get(place) ?? []) seen.add(id)
    for (const id of seen) add(supply, `${id} ${o.category}`, { count: 1, available: 1, remaining: o.remaining })
  }
  const none: Sum = { count: 0, available: 0, remaining: 0 }
  const out = new Map<number, AreaFigures>()
  for (const area of areas) {
    const path = paths.get(area.id)!
    const byCategory: Record<string, Figures> = {}
    const weights: Record<string, number> = {}
    for (const c of categories) {
      const key = `${area.id} ${c}`
      const n = needsBelow.get(key) ?? none,
        s = supply.get(key) ?? none,
        u = unservedBelow.get(key) ?? none
      // Offers listed below the area or at it, plus those listed strictly above it: disjoint, so each once.
      const o = { ...(offersBelow.get(key) ?? none) }
      for (const up of path.slice(0, -1)) {
        const at = offersAt.get(`${up} ${c}`)
        if (at) {
          o.count += at.count
          o.available += at.available
          o.remaining += at.remaining
        }
      }
      byCategory[c] = figures(n.remaining, s.remaining, n.count, o.count, {
        serving: s.count,
        unserved: u.count,
        unservedDemand: u.remaining,
        available: o.available,
      })
      weights[c] = n.available + o.available
    }
    const list = Object.values(byCategory)
    out.set(area.id, {
      areaId: area.id,
      byCategory,
      all: {
        needs: list.reduce((s, f) => s + f.needs, 0),
        offers: list.reduce((s, f) => s + f.offers, 0),
        unserved: list.reduce((s, f) => s + f.unserved, 0),
        balance: combinedBalance(byCategory, weights),
        short: categories.filter((c) => byCategory[c]!.gap > 0),
      },
    })
  }
  return out
}

/** The figures one view of the map shows for an area: one category's, or all categories'. */
export function shown(f: AreaFigures, category: string | undefined) {
  if (category) {
    const c = f.byCategory[category] ?? figures(0, 0, 0, 0)
    return {
      needs: c.needs,
      offers: c.offers,
      unserved: c.unserved,
      balance: c.balance,
      demand: c.demand,
      supply: c.supply,
      gap: c.gap,
      short: c.gap > 0 ? 1 : 0,
    }
  }
  return {
    needs: f.all.needs,
    offers: f.all.offers,
    unserved: f.all.unserved,
    balance: f.all.balance,
    demand: undefined,
    supply: undefined,
    gap: undefined,
    short: f.all.short.length,
  }
}

// ---- colour --------------------------------------------------------------------------------------------

/** Seven steps of a diverging scale: 0 = demand far beyond supply, 3 = balanced, 6 = supply far beyond demand. */
export const STEPS = 7
export function colourStep(b: number | null): number | 'none' {
  if (b === null || Number.isNaN(b)) return 'none'
  const clamped = Math.max(-1, Math.min(1, b))
  return Math.round((clamped + 1) * ((STEPS - 1) / 2))
}

// ---- the broker's agenda -------------------------------------------------------------------------------

/** Offers count as idle after this many days without use: the agenda and the desk's idle queue both (map.ts idleOffers). */
export const IDLE_AFTER_DAYS = 14
const DAY = 86_400_000

export interface OfferUse {
  id: number
  createdAt: string
  /** The latest moment an accepted or delivered match used it (delivered, else accepted); null if never. */
  lastUsedAt: string | null
  remaining: number
}

/** Whole days an offer has gone unused: since its last use, or since it was posted. */
export function idleDays(o: Pick<OfferUse, 'createdAt' | 'lastUsedAt'>, now: Date): number {
  const since = Math.max(Date.parse(o.createdAt), o.lastUsedAt ? Date.parse(o.lastUsedAt) : -Infinity)
  return Math.max(0, Math.floor((now.getTime() - since) / DAY))
}

/** Offers with capacity left and no use for at least `afterDays`, longest idle first. */
export function idle<T extends OfferUse>(
  offers: readonly T[],
  now: Date,
  afterDays = IDLE_AFTER_DAYS,
): (T & { idleDays: number })[] {
  return offers
    .filter((o) => o.remaining > 0)
    .map((o) => ({ ...o, idleDays: idleDays(o, now) }))
    .filter((o) => o.idleDays >= afterDays)
    .sort((a, b) => b.idleDays - a.idleDays || a.id - b.id)
}

export interface UnservedNeed {
  id: number
  areaId: number
  category: string
  orgId: number
  createdAt: string
}

export interface UnmetGroup {
  areaId: number
  category: string
  needs: number
  organizations: number
  /** Active offers of the category that cover the place at all (none of which fits any of these needs). */
  offersCovering: number
  /** The oldest need of the group: its page says why no offer fits. */
  exampleNeedId: number
}

/**
 * Needs no offer can serve, grouped by place and category. `covering(areaId, category)` says how many active
 * offers of that category cover the place; zero is "no one offers it here", otherwise "offers exist but none fits".
 * Most needs first, then by place and category.
 */
export function unmetGroups(
  needs: readonly UnservedNeed[],
  covering: (areaId: number, category: string) => number,
): UnmetGroup[] {
  const groups = new Map<string, { areaId: number; category: string; ids: UnservedNeed[]; orgs: Set<number> }>()
  for (const n of needs) {
    const key = `${n.areaId} ${n.category}`
    const g = groups.get(key) ?? { areaId: n.areaId, category: n.category, ids: [], orgs: new Set<number>() }
    g.ids.push(n)
    g.orgs.add(n.orgId)
    groups.set(key, g)
  }
  return [...groups.values()]
    .map((g) => {
      const oldest = [...g.ids].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id)[0]!
      return {
        areaId: g.areaId,
        category: g.category,
        needs: g.ids.length,
        organizations: g.orgs.size,
        offersCovering: covering(g.areaId, g.category),
        exampleNeedId: oldest.id,
      }
    })
    .sort((a, b) => b.needs - a.needs || a.areaId - b.areaId || a.category.localeCompare(b.category))
}

// ---- the table's order ---------------------------------------------------------------------------------

export const SORT_KEYS = ['name', 'demand', 'supply', 'gap', 'needs', 'unserved', 'offers', 'balance', 'short'] as const
export type SortKey = (typeof SORT_KEYS)[number]
export const SORTS = [...SORT_KEYS, ...SORT_KEYS.map((k) => `-${k}` as const)] as const
export type Sort = (typeof SORTS)[number]

/**
 * Rows ordered by one column ('-' first for descending), ties by name then id. Missing values (no balance)
 * go last either way, so "most short first" never starts with empty communities.
 */
export function sortRows<
  T extends { id: number; name: string } & Partial<Record<Exclude<SortKey, 'name'>, number | null | undefined>>,
>(rows: readonly T[], sort: Sort = 'name'): T[] {
  const desc = sort.startsWith('-')
  const key = (desc ? sort.slice(1) : sort) as SortKey
  const byName = (a: T, b: T) => a.name.localeCompare(b.name, 'zh-CN') || a.id - b.id
  return [...rows].sort((a, b) => {
    if (key === 'name') return desc ? byName(b, a) : byName(a, b)
    const x = a[key],
      y = b[key]
    const xm = x === null || x === undefined,
      ym = y === null || y === undefined
    if (xm || ym) return xm && ym ? byName(a, b) : xm ? 1 : -1
    return (desc ? y - x : x - y) || byName(a, b)
  })
}
