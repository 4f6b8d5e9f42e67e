/**
 * Allocation runs over a broker's part of the district (allocate.ts), kept for review, and the desk's first queue:
 * the needs there that no offer can serve.
 */
import { and, eq, inArray, or } from 'drizzle-orm'
import { type Db } from '../db/client.js'
import { allocationRuns, areas, needs, offers } from '../db/schema.js'
import * as areasSvc from '../areas/areas.js'
import { activeNeed, availableOffer, listingToday } from '../listings/listings.js'
import type { CurrentUser } from '../accounts/accounts.js'
import { propose } from './allocate-pool.js'
import type { Allocation } from './outcome.js'
import { feasiblePairs } from './pairs.js'
import { pathIds } from '../areas/paths.js'
import { pathCovered } from '../areas/coverage.js'
import { ValidationError } from '../shared/errors.js'
import { loadNeeds, loadOffers } from './rows.js'
import { assessPair } from './matching.js'
import type { Message, Reason } from './types.js'

/**
 * A run as allocation_runs keeps it, written by runAllocation and read back by findRun for review. The optional
 * fields are missing from runs stored before they were kept; `applied` is written by the review
 * (brokering/allocation-review.ts).
 */
export interface StoredResult {
  proposal: {
    assignments: StoredAssignment[]
    coverage: { demand: number; allocated: number; byCategory: Record<string, { demand: number; allocated: number }> }
    fairness: StoredFairness
    unserved: (Message & { orgId: number })[]
  }
  baseline: { coverage: StoredResult['proposal']['coverage']; fairness: StoredFairness; unservedOrgIds?: number[] }
  ms: number
  /** Written when the broker sends the review: what became a proposal, what could not and why. */
  applied?: { created: number; skipped: Skipped[]; notRelevant: number }
}
export interface StoredAssignment {
  needId: number
  offerId: number
  quantity: number
  score: number
  reasons?: Reason[]
  fitScore?: number
}
export interface StoredFairness {
  organizations: number
  organizationsWithNothing: number
  gini: number
  fairShare?: number
  groups?: number
  groupsServed?: number
}
export interface Skipped {
  needId: number
  offerId: number
  key: string
  params: Record<string, string | number>
}

// What the matcher reads: active needs and available offers (listings.ts defines both).
const activeNeeds = activeNeed
const activeOffers = availableOffer

/** The broker's part of the district: needs placed in it, offers serving anywhere in it or above it. */
function allocationScope(db: Db, areaIds: number[], category: string | null, today: string) {
  const scopeAreas = areaIds.map((id) => areasSvc.get(db, id)).filter((a): a is NonNullable<typeof a> => !!a)
  if (scopeAreas.length === 0) return { needs: [], offers: [] }
  const within = or(...scopeAreas.map((a) => areasSvc.withinSql(areas.path, a.path)))
  const above = [...new Set(scopeAreas.flatMap((a) => pathIds(a.path)))]
  const cat = (col: typeof needs.category | typeof offers.category) => (category ? eq(col, category) : undefined)
  return {
    needs: loadNeeds(db, and(activeNeeds(today), cat(needs.category), within)),
    offers: loadOffers(
      db,
      and(activeOffers(today), cat(offers.category), or(within, inArray(offers.servesAreaId, above))),
    ),
  }
}

/** Runs the allocation and first-come-first-served on the same data, and keeps the proposal for review. */
export async function runAllocation(
  db: Db,
  broker: CurrentUser,
  params: { areaIds: number[]; category: string | null },
  now = new Date(),
) {
  const scope = allocationScope(db, params.areaIds, params.category, listingToday(now))
  const needViews = scope.needs.map((n) => n.view),
    offerViews = scope.offers.map((o) => o.view)
  const started = performance.now()
  // The baseline comes from the same enumeration of the pairs, and a city-sized run is solved on a pool of threads.
  const { proposal, baseline } = await propose(needViews, offerViews)
  const ms = Math.round(performance.now() - started)
  // Each row carries its reasons as a proposal made from it would (assessPair), for the broker to judge.
  const assignments = proposal.assignments.map((a) => {
    const pair = assessPair(db, a.needId, a.offerId)
    return { ...a, reasons: pair?.reasons ?? [], fitScore: pair?.score ?? a.score }
  })
  const result = {
    proposal: { ...compact(proposal), assignments },
    baseline: {
      coverage: baseline.coverage,
      fairness: baseline.fairness,
      unservedOrgIds: baseline.unserved.map((u) => u.orgId),
    },
    ms,
  } satisfies StoredResult
  const run = db
    .insert(allocationRuns)
    .values({ brokerId: broker.id, params, result, createdAt: now.toISOString() })
    .returning()
    .get()
  return { id: run.id, ...result }
}

function compact(a: Allocation) {
  return { assignments: a.assignments, coverage: a.coverage, fairness: a.fairness, unserved: a.unserved }
}

/** Scoped lookup: a broker sees only their own runs. */
export function findRun(db: Db, broker: CurrentUser, id: number) {
  const run = db
    .select()
    .from(allocationRuns)
    .where(and(eq(allocationRuns.id, id), eq(allocationRuns.brokerId, broker.id)))
    .get()
  // The column is JSON, typed unknown in the schema: runAllocation wrote it as a StoredResult.
  return run && { ...run, result: run.result as StoredResult }
}

/** Open needs in these areas that no open offer can serve at all: the first queue on a broker's desk. */
export function needsWithoutOffers(db: Db, areaIds: number[], now = new Date()): number[] {
  const scope = allocationScope(db, areaIds, null, listingToday(now))
  const index = feasiblePairs(
    scope.needs.map((n) => n.view),
    scope.offers.map((o) => o.view),
  )
  return index.needs.filter((_, i) => index.pairStart[i + 1] === index.pairStart[i]).map((n) => n.id)
}

/** Where a broker allocates: all their areas, or one of them named by ref (an area outside them is not theirs). */
export function allocationAreas(db: Db, broker: CurrentUser, areaRef: string | undefined): number[] {
  if (!areaRef) return broker.brokerAreaIds
  const area = areasSvc.byRef(db, areaRef)
  if (!area || !pathCovered(broker.brokerAreaIds, area.path))
    throw new ValidationError({ area: { key: 'validation.area_missing' } })
  return [area.id]
}

/** The areas a broker picked for a run from the web form, among their own; none picked (or none theirs): all theirs. */
export function pickedAreas(broker: CurrentUser, chosen: number[] | undefined): number[] {
  const picked = (chosen ?? []).filter((id) => broker.brokerAreaIds.includes(id))
  return picked.length ? picked : broker.brokerAreaIds
}
