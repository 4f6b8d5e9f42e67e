/**
 * What "fair" means: how under-resourced an organization looks (the signs the ranked score weighs and its reasons
 * name), and in an allocation the concave worth of what each organization receives in a category (the allocator's
 * second objective level), the fair-share score the page shows, and the Gini kept for the API. Pure arithmetic,
 * shared by ranking, the allocator, its evaluation and the optimality tests.
 */
import type { OrgView } from './types.js'
import { SUB_WEIGHTS } from './weights.js'

const SIGNS = SUB_WEIGHTS.fairness,
  TRUST_NEED = SUB_WEIGHTS.trustNeed

// The three signs of under-resourcing, each weighted by its share (SUB_WEIGHTS.fairness), so that they sum to the
// fairness factor's value (rank.ts underResourcing) and the largest is the one its reason names (reasons.ts).

/** Few matches received so far: the platform's own evidence, so it weighs most. */
export function fewMatchesSign(org: OrgView): number {
  return SIGNS.fewMatches * (1 / (1 + Math.max(0, org.matchesReceived) / SIGNS.halfAtMatches))
}

/** No one has vouched for it yet. */
export function notVouchedSign(org: OrgView): number {
  return SIGNS.notVouched * (TRUST_NEED[org.trust] ?? 1)
}

/** Few members; an unknown size counts as middling. */
export function smallSign(org: OrgView): number {
  return (
    SIGNS.small * (org.members == null ? SIGNS.unknownSize : 1 / (1 + Math.max(0, org.members) / SIGNS.halfAtMembers))
  )
}

export interface Tier {
  cap: number
  /** Worth of each unit in this tier. */
  value: number
}

/** Base worth per unit of: the first unit, the rest of the first fifth, up to half, the rest. Ratios of 4 keep tiers apart. */
const TIER_BASE = [64, 16, 4, 1]

/** Added to a kept group's first-unit multiplier: 31·64 outweighs any other first unit (30·64). */
const KEEP = 11

/**
 * The concave worth of giving an organization x of its demand D in one category. The multiplier runs from
 * 20 (well supplied) to 30 (most under-resourced): enough to favour the weak within a tier, never enough
 * to lift a later tier over an earlier one (64·20 > 16·30, 16·20 > 4·30, 4·20 > 1·30). `keep` (first come,
 * first served gives the group something) lifts the first unit above every group's that is not kept.
 *
 * Why that guarantees the kept groups something: from first come, first served's flow, augmenting paths
 * reach a maximum flow without lowering any need's intake, so some maximum flow serves every kept group.
 * The optimum differs from it by cycles through the source, each adding one unit to a tier and taking one
 * from another; one that takes a kept first unit away can only give it to a tier worth less.
 */
export function fairnessTiers(demand: number, underResourced: number, keep = false): Tier[] {
  const weight = 20 + Math.round(Math.max(0, Math.min(1, underResourced)) * 10)
  const first = Math.min(demand, 1),
    fifth = Math.ceil(demand * 0.2),
    half = Math.ceil(demand * 0.5)
  const caps = [first, fifth - first, half - fifth, demand - half]
  const tiers: Tier[] = []
  caps.forEach((cap, k) => {
    if (cap > 0) tiers.push({ cap, value: TIER_BASE[k] * (k === 0 && keep ? weight + KEEP : weight) })
  })
  return tiers
}

export function tierWorth(tiers: readonly Tier[], amount: number): number {
  let worth = 0
  for (const t of tiers) {
    const take = Math.min(t.cap, amount)
    worth += take * t.value
    amount -= take
    if (amount <= 0) break
  }
  return worth
}

/**
 * Points out of 100, rounded down to a tenth so that a proposal never shows more than it achieved: two
 * proposals compared on the page compare as their objectives do, or show equal.
 */
export function fairShare(worth: number, fullWorth: number): number {
  return fullWorth > 0 ? Math.floor((1000 * worth) / fullWorth + 1e-9) / 10 : 100
}

export function gini(values: number[]): number {
  const xs = [...values].sort((a, b) => a - b)
  const n = xs.length,
    total = xs.reduce((s, x) => s + x, 0)
  if (n === 0 || total === 0) return 0
  let acc = 0
  xs.forEach((x, i) => {
    acc += (2 * (i + 1) - n - 1) * x
  })
  return Math.round((acc / (n * total)) * 10_000) / 10_000
}
