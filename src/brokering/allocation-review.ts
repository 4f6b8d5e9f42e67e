/**
 * A stored allocation run as a broker reviews it, and the review turned into proposals. The page and the API
 * read the same rows: each with its reasons (as the proposal will carry them), and whatever stops it from
 * becoming a proposal now (a match already open for the pair, a listing changed or closed since the run).
 * Applying reports every row it could not turn into a proposal with why; none is dropped silently.
 */
import { and, desc, eq, inArray } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import { allocationRuns, matches as matchesTable, needs, offers, organizations } from '../db/schema.js'
import { allCategories } from '../listings/listings.js'
import * as matches from './matches.js'
import { ACTIVE_STATES } from './lifecycle.js'
import { recordNotRelevant } from '../topics/feedback.js'
import { DomainError, ValidationError } from '../shared/errors.js'
import type { CurrentUser } from '../accounts/accounts.js'
import { translate, type Locale } from '../i18n/i18n.js'
import { presenter } from '../matching/present.js'
import type { Skipped, StoredResult } from '../matching/allocations.js'
import type { Message } from '../matching/types.js'

export const rowKey = (a: { needId: number; offerId: number }) => `${a.needId}:${a.offerId}`

/** Why a row could not become a proposal, in words the page can show (the error's own message key where it has one). */
function skipReason(err: DomainError): Pick<Skipped, 'key' | 'params'> {
  if (err instanceof ValidationError) {
    const limit = Object.values(err.fields)[0]?.params?.limit
    return { key: 'alloc.skip.changed', params: { limit: Number(limit ?? 0) } }
  }
  switch (err.problem.key) {
    case 'match.error.duplicate':
      return { key: 'alloc.skip.open_match', params: err.problem.params ?? {} }
    case 'match.error.listing_closed':
      return { key: 'alloc.skip.closed', params: {} }
    case 'match.error.infeasible':
      return { key: 'alloc.skip.no_longer_fits', params: err.problem.params ?? {} }
    case 'error.not_found':
      return { key: 'alloc.skip.gone', params: {} }
    default:
      return { key: err.problem.key, params: err.problem.params ?? {} }
  }
}

/**
 * Rows of a run for review. `blocked` says, before anything is sent, why a row cannot become a proposal as it
 * stands: a match already open for the pair, or a listing edited or closed since the run was computed.
 */
export function reviewRows(db: Db, run: { createdAt: string; result: StoredResult }, locale: Locale) {
  const { assignments } = run.result.proposal
  const needIds = [...new Set(assignments.map((a) => a.needId))],
    offerIds = [...new Set(assignments.map((a) => a.offerId))]
  const needRows = new Map(
    (needIds.length
      ? db
          .select({
            id: needs.id,
            title: needs.title,
            unit: needs.unit,
            category: needs.category,
            org: organizations.name,
            updatedAt: needs.updatedAt,
          })
          .from(needs)
          .innerJoin(organizations, eq(organizations.id, needs.orgId))
          .where(inArray(needs.id, needIds))
          .all()
      : []
    ).map((n) => [n.id, n]),
  )
  const offerRows = new Map(
    (offerIds.length
      ? db
          .select({ id: offers.id, title: offers.title, org: organizations.name, updatedAt: offers.updatedAt })
          .from(offers)
          .innerJoin(organizations, eq(organizations.id, offers.orgId))
          .where(inArray(offers.id, offerIds))
          .all()
      : []
    ).map((o) => [o.id, o]),
  )
  const open = new Map<string, number>()
  if (needIds.length) {
    for (const m of db
      .select({ id: matchesTable.id, needId: matchesTable.needId, offerId: matchesTable.offerId })
      .from(matchesTable)
      .where(and(inArray(matchesTable.needId, needIds), inArray(matchesTable.state, [...ACTIVE_STATES])))
      .all())
      open.set(rowKey(m), m.id)
  }
  const say = presenter(db, locale)
  return assignments.map((a) => {
    const need = needRows.get(a.needId),
      offer = offerRows.get(a.offerId)
    // hard: the row cannot be sent at all; otherwise sending it checks the pair again and may still work.
    let blocked: (Message & { hard: boolean }) | undefined
    if (!need || !offer) blocked = { key: 'alloc.skip.gone', params: {}, hard: true }
    else if (open.has(rowKey(a)))
      blocked = { key: 'alloc.skip.open_match', params: { id: open.get(rowKey(a))! }, hard: true }
    else if (need.updatedAt > run.createdAt || offer.updatedAt > run.createdAt)
      blocked = { key: 'alloc.blocked.changed', params: {}, hard: false }
    return {
      ...a,
      key: rowKey(a),
      need,
      offer,
      unit: need?.unit ?? '',
      category: need?.category ?? '',
      // The three that weigh most in words, and for a broker the whole table (as on a match card).
      reasons: say.fit(a.reasons ?? [], a.fitScore ?? a.score),
      blocked: blocked && { ...blocked, text: translate(locale, blocked.key, blocked.params) },
    }
  })
}

/**
 * Sends a review: the kept rows become proposed matches (each checked again against today's listings and
 * rules; a row applied before comes back as it was, not again), rows marked "not relevant" are not proposed
 * and the judgement is recorded once. Returns what happened, which is also kept on the run for its page.
 */
export function applyReview(
  db: Db,
  broker: CurrentUser,
  run: { id: number; result: StoredResult },
  keep: ReadonlySet<string>,
  notRelevant: ReadonlySet<string>,
  now = new Date(),
): NonNullable<StoredResult['applied']> {
  let created = 0
  const skipped: Skipped[] = []
  for (const a of run.result.proposal.assignments) {
    const key = rowKey(a)
    if (!keep.has(key) || notRelevant.has(key)) continue
    try {
      const at = new Date(now.getTime())
      const match = matches.open(
        db,
        broker,
        'propose',
        {
          needId: a.needId,
          offerId: a.offerId,
          quantity: a.quantity,
          idempotencyKey: `alloc-${run.id}-${a.needId}-${a.offerId}`,
        },
        at,
        { origin: 'allocation' },
      )
      if (match.createdAt === at.toISOString()) created++
    } catch (err) {
      if (!(err instanceof DomainError)) throw err
      skipped.push({ needId: a.needId, offerId: a.offerId, ...skipReason(err) })
    }
  }
  const rows = new Set(run.result.proposal.assignments.map(rowKey))
  return writeTx(db, (tx) => {
    let marked = 0
    for (const key of notRelevant) {
      if (!rows.has(key)) continue
      const [needId, offerId] = key.split(':').map(Number)
      if (recordNotRelevant(tx, { needId: needId!, offerId: offerId!, source: 'allocation', userId: broker.id }, now))
        marked++
    }
    const previous = run.result.applied
    const applied = {
      created: created + (previous?.created ?? 0),
      skipped,
      notRelevant: marked + (previous?.notRelevant ?? 0),
    }
    tx.update(allocationRuns)
      .set({ appliedAt: now.toISOString(), result: { ...run.result, applied } })
      .where(eq(allocationRuns.id, run.id))
      .run()
    return { created, skipped, notRelevant: marked }
  })
}

/** Each category's coverage in its own unit, in the catalogue's order; never one figure across units. */
export function coverageByCategory(
  db: Db,
  byCategory: StoredResult['proposal']['coverage']['byCategory'],
  baseline?: StoredResult['proposal']['coverage']['byCategory'],
) {
  const pct = (a: number, d: number) => (d ? Math.floor((a / d) * 1000) / 10 : 0)
  return allCategories(db)
    .filter((c) => byCategory[c.code])
    .map((c) => {
      const ours = byCategory[c.code]!,
        theirs = baseline?.[c.code] ?? { demand: ours.demand, allocated: 0 }
      return {
        code: c.code,
        unit: c.unit,
        demand: ours.demand,
        allocated: ours.allocated,
        percent: pct(ours.allocated, ours.demand),
        fcfsAllocated: theirs.allocated,
        fcfsPercent: pct(theirs.allocated, theirs.demand),
      }
    })
}

/** A broker's latest runs, newest first, for the allocations page. */
export function recentRuns(db: Db, broker: CurrentUser, limit = 20) {
  return db
    .select({ id: allocationRuns.id, createdAt: allocationRuns.createdAt, appliedAt: allocationRuns.appliedAt })
    .from(allocationRuns)
    .where(eq(allocationRuns.brokerId, broker.id))
    .orderBy(desc(allocationRuns.id))
    .limit(limit)
    .all()
}
