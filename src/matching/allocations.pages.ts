import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import type { Locale, Translate } from '../i18n/i18n.js'
import * as allocations from './allocations.js'
import * as labels from './labels.js'
import * as areas from '../areas/areas.js'
import { presenter } from './present.js'
import { allCategories, categoryNames } from '../listings/listings.js'
import { applyReview, coverageByCategory, recentRuns, reviewRows, rowKey } from '../brokering/allocation-review.js'

/** The allocations page: the broker's runs and what a new run may be narrowed to. */
export function loadAllocations(db: Db, broker: CurrentUser, locale: Locale) {
  return {
    runs: recentRuns(db, broker),
    areaOptions: areas.options(db, locale),
    categories: allCategories(db),
    categoryNames: categoryNames(db, locale),
  }
}

/** A broker narrows a run only to areas they cover. */
export function allocationsView(data: ReturnType<typeof loadAllocations>, broker: Pick<CurrentUser, 'brokerAreaIds'>) {
  const { areaOptions, ...rest } = data
  return { form: true, ...rest, areaChoices: areaOptions.filter((a) => broker.brokerAreaIds.includes(a.id)) }
}

/** One stored run as the broker reviews it; undefined when it is not this broker's. */
export function loadRun(db: Db, broker: CurrentUser, id: number, locale: Locale) {
  const run = allocations.findRun(db, broker, id)
  if (!run) return undefined
  const { result } = run
  const { proposal, baseline } = result
  const say = presenter(db, locale)
  const orgs = labels.orgLabels(
    db,
    proposal.unserved.map((u) => u.orgId),
  )
  return {
    run: { id: run.id, createdAt: run.createdAt, appliedAt: run.appliedAt },
    result,
    rows: reviewRows(db, { createdAt: run.createdAt, result }, locale),
    byCategory: coverageByCategory(db, proposal.coverage.byCategory, baseline.coverage.byCategory),
    unserved: proposal.unserved.map((u) => ({ org: orgs.get(u.orgId)?.name, text: say.message(u) })),
    categoryNames: categoryNames(db, locale),
  }
}

type Fairness = allocations.StoredFairness
// Runs stored before fair share was kept show a dash, not a zero.
const withShare = (f: Fairness) => ({ ...f, fairShare: f.fairShare ?? null })

/** What matching/allocation shows: rows, the rows that cannot become proposals, both fairness columns, and why rows were skipped. */
export function runView(data: NonNullable<ReturnType<typeof loadRun>>, t: Translate) {
  const { result, rows } = data
  const byKey = new Map(rows.map((r) => [r.key, r]))
  return {
    run: { ...data.run, ms: result.ms },
    rows,
    blockedCount: rows.filter((r) => r.blocked).length,
    byCategory: data.byCategory,
    ours: withShare(result.proposal.fairness),
    fcfs: withShare(result.baseline.fairness),
    unserved: data.unserved,
    skipped: (result.applied?.skipped ?? []).map((s) => ({
      ...s,
      row: byKey.get(rowKey(s)),
      text: t(s.key, s.params),
    })),
    categoryNames: data.categoryNames,
    form: true,
  }
}

/**
 * A reviewed run's rows become proposed matches (applyReview checks each again); undefined when the run is not this
 * broker's.
 */
export function applyReviewedRun(
  db: Db,
  broker: CurrentUser,
  id: number,
  rows: { keep?: string[]; notRelevant?: string[] },
) {
  const run = allocations.findRun(db, broker, id)
  if (!run) return undefined
  return applyReview(db, broker, run, new Set(rows.keep ?? []), new Set(rows.notRelevant ?? []))
}

/** What the broker is told after applying: how many were proposed, marked not relevant, and skipped, if any were. */
export function appliedMessage(done: NonNullable<ReturnType<typeof applyReviewedRun>>) {
  return {
    key: done.skipped.length ? 'alloc.applied_skipped' : 'alloc.applied',
    params: { count: done.created, skipped: done.skipped.length, marked: done.notRelevant },
  }
}
