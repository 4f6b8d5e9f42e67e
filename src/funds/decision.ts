/**
 * The decision: which submitted applications are candidates (eligible, reviewed, scored), the optimiser's exact
 * proposal within the call's stated problem (decide.ts), and the person who confirms it. Confirming writes the
 * decision, its awards and the log in one transaction, and closes the call to applications; it happens once.
 *
 * Reasons an application is not awarded: the optimiser's (over the cap, a better application of the same group,
 * the budget) and this service's: not reviewed (the panel has not answered for it, or every reviewer stepped
 * aside), not eligible (the group no longer meets the call's conditions). Withdrawn applications are not listed.
 */
import { and, asc, eq, ne } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import { fundAwards, fundDecisions } from '../db/schema.js'
import { InvalidTransition } from '../shared/errors.js'
import { localToday } from '../shared/time.js'
import * as events from '../events/events.js'
import type { CurrentUser } from '../accounts/accounts.js'
import * as calls from './calls.js'
import * as reviews from './reviews.js'
import * as applications from './applications.js'
import { decide, describeProblem, DecisionTooLarge, PARTIAL_WORK_LIMIT, type Candidate, type Rules } from './decide.js'

export type Reason = 'over_cap' | 'same_group' | 'reserve' | 'budget' | 'not_reviewed' | 'not_eligible'
export interface Outcome {
  awards: {
    application: number
    awardId?: number
    orgId: number
    orgName: string
    title: string
    askedFen: number
    ownFen: number
    amountFen: number
    score: number
    preferred: boolean
  }[]
  notAwarded: {
    application: number
    orgName: string
    title: string
    reason: Reason
    score: number | null
    detail: Record<string, unknown>
  }[]
  totalFen: number
}
export interface Proposal extends Outcome {
  call: calls.Call
  rules: Rules
  candidates: Candidate[]
  /** The panel has answered for every application, or the review period is over: a decision may be confirmed. */
  ready: boolean
  panelComplete: boolean
  totals: Totals
  /** Partial awards were allowed but too many applications to decide exactly with them: decided all or nothing. */
  partialDropped: boolean
}
export interface Totals {
  budgetFen: number
  awardedFen: number
  remainingFen: number
  preferredFen: number
  reserveFen: number
  askedFen: number
  ownFen: number
}

export const rulesOf = (call: calls.Call): Rules => ({
  budgetFen: call.budgetFen,
  capFen: call.capFen,
  minAwardFen: call.minAwardFen,
  reserveFen: call.reserveFen,
})

/** First-time: no award in any other call. Unregistered: organizations.registered is false. */
function preferred(db: Db, call: calls.Call, orgId: number, registered: boolean): boolean {
  const firstTime = () =>
    !db
      .select({ id: fundAwards.id })
      .from(fundAwards)
      .where(and(eq(fundAwards.orgId, orgId), ne(fundAwards.callId, call.id)))
      .get()
  switch (call.preference) {
    case 'none':
      return false
    case 'first_time':
      return firstTime()
    case 'unregistered':
      return !registered
    case 'first_time_or_unregistered':
      return !registered || firstTime()
  }
}

function totals(call: calls.Call, o: Outcome, candidates: Candidate[]): Totals {
  return {
    budgetFen: call.budgetFen,
    awardedFen: o.totalFen,
    remainingFen: call.budgetFen - o.totalFen,
    preferredFen: o.awards.filter((a) => a.preferred).reduce((s, a) => s + a.amountFen, 0),
    reserveFen: call.reserveFen,
    askedFen: candidates.reduce((s, c) => s + c.askedFen, 0),
    ownFen: o.awards.reduce((s, a) => s + a.ownFen, 0),
  }
}

/** The optimiser's proposal for the call as it stands (nothing written). */
export function propose(db: Db, call: calls.Call, now = new Date(), workLimit = PARTIAL_WORK_LIMIT): Proposal {
  const p = reviews.panel(db, call)
  let rules = rulesOf(call)
  const candidates: Candidate[] = []
  const notAwarded: Outcome['notAwarded'] = []
  const lines = new Map(p.lines.map((l) => [l.application.id, l]))
  const pref = new Map<number, boolean>()
  for (const l of p.lines) {
    const a = l.application
    const base = { application: a.id, orgName: a.orgName, title: a.title }
    if (calls.eligibility(db, call, a.orgId).length)
      notAwarded.push({
        ...base,
        reason: 'not_eligible',
        score: null,
        detail: { reasons: calls.eligibility(db, call, a.orgId) },
      })
    else if (!l.complete || l.score === null)
      notAwarded.push({
        ...base,
        reason: 'not_reviewed',
        score: null,
        detail: { askedFen: a.askedFen, complete: l.complete },
      })
    else {
      const isPreferred = preferred(db, call, a.orgId, a.registered)
      pref.set(a.id, isPreferred)
      candidates.push({ application: a.id, org: a.orgId, askedFen: a.askedFen, score: l.score, preferred: isPreferred })
    }
  }
  let d: ReturnType<typeof decide>
  let partialDropped = false
  try {
    d = decide(candidates, rules, workLimit)
  } catch (err) {
    if (!(err instanceof DecisionTooLarge)) throw err
    // Partial awards over very many applications cannot be decided exactly in reasonable time (decide.ts); all or
    // nothing can. The decision states it, rather than leaving a published call (whose rules are fixed) stuck.
    rules = { ...rules, minAwardFen: null }
    partialDropped = true
    d = decide(candidates, rules)
  }
  const outcome: Outcome = {
    awards: d.awards.map((x) => {
      const a = lines.get(x.application)!.application
      return {
        application: x.application,
        orgId: a.orgId,
        orgName: a.orgName,
        title: a.title,
        askedFen: a.askedFen,
        ownFen: a.ownFen,
        amountFen: x.amountFen,
        score: x.score,
        preferred: pref.get(x.application) ?? false,
      }
    }),
    notAwarded: [
      ...d.notAwarded.map((x) => {
        const a = lines.get(x.application)!.application
        return {
          application: x.application,
          orgName: a.orgName,
          title: a.title,
          reason: x.reason as Reason,
          score: x.score,
          detail: { ...x.detail },
        }
      }),
      ...notAwarded,
    ],
    totalFen: d.totalFen,
  }
  const ready = p.complete || localToday(now) > call.reviewClose
  return {
    ...outcome,
    call,
    rules,
    candidates,
    ready,
    panelComplete: p.complete,
    totals: totals(call, outcome, candidates),
    partialDropped,
  }
}

/** The confirmed decision, as it was written. */
export function confirmed(
  db: Db,
  callId: number,
): (Outcome & { decidedAt: string; decidedBy: number; problem: Record<string, unknown> }) | undefined {
  const d = db.select().from(fundDecisions).where(eq(fundDecisions.callId, callId)).get()
  if (!d) return undefined
  const apps = new Map(applications.ofCall(db, callId, { submittedOnly: false }).map((a) => [a.id, a]))
  const awards = db.select().from(fundAwards).where(eq(fundAwards.decisionId, d.id)).orderBy(asc(fundAwards.id)).all()
  return {
    decidedAt: d.decidedAt,
    decidedBy: d.decidedBy,
    problem: d.problem,
    totalFen: d.totalFen,
    awards: awards.map((w) => {
      const a = apps.get(w.applicationId)
      return {
        application: w.applicationId,
        awardId: w.id,
        orgId: w.orgId,
        orgName: a?.orgName ?? '',
        title: a?.title ?? '',
        askedFen: a?.askedFen ?? 0,
        ownFen: a?.ownFen ?? 0,
        amountFen: w.amountFen,
        score: w.score,
        preferred: !!(d.problem.preferred as number[] | undefined)?.includes(w.applicationId),
      }
    }),
    notAwarded: d.notAwarded.map((n) => {
      const a = apps.get(n.application)
      return {
        application: n.application,
        orgName: a?.orgName ?? '',
        title: a?.title ?? '',
        reason: n.reason as Reason,
        score: (n.detail?.score as number | undefined) ?? null,
        detail: n.detail ?? {},
      }
    }),
  }
}

/**
 * A person confirms the proposal: the decision, every award and the log, in one transaction. A second
 * confirmation returns the decision already made (`already: true`), never a second one.
 */
export function confirm(db: Db, user: CurrentUser, callId: number, now = new Date()) {
  const call = calls.managed(db, user, callId)
  const done = confirmed(db, callId)
  if (done) return { decision: done, already: true }
  if (!call.publishedAt) throw new InvalidTransition({ key: 'funds.not_published' })
  const proposal = propose(db, call, now)
  if (!proposal.ready) throw new InvalidTransition({ key: 'funds.panel_incomplete' })
  writeTx(db, (tx) => {
    const at = now.toISOString()
    const decision = tx
      .insert(fundDecisions)
      .values({
        callId,
        totalFen: proposal.totalFen,
        decidedBy: user.id,
        decidedAt: at,
        problem: {
          ...describeProblem(proposal.rules, proposal.candidates),
          partialDropped: proposal.partialDropped,
          rules: proposal.rules,
          preference: call.preference,
          preferred: proposal.awards.filter((a) => a.preferred).map((a) => a.application),
        } as Record<string, unknown>,
        notAwarded: proposal.notAwarded.map((n) => ({
          application: n.application,
          reason: n.reason,
          detail: { ...n.detail, score: n.score },
        })),
      })
      .onConflictDoNothing()
      .returning()
      .get()
    if (!decision) throw new InvalidTransition({ key: 'funds.already_decided' })
    for (const a of proposal.awards) {
      tx.insert(fundAwards)
        .values({
          decisionId: decision.id,
          callId,
          applicationId: a.application,
          orgId: a.orgId,
          amountFen: a.amountFen,
          score: a.score,
        })
        .run()
    }
    events.record(
      tx,
      {
        actorId: user.id,
        action: 'fund_call.decided',
        subjectType: 'fund_call',
        subjectId: callId,
        data: {
          totalFen: proposal.totalFen,
          awards: proposal.awards.map((a) => ({ application: a.application, amountFen: a.amountFen })),
          notAwarded: proposal.notAwarded.map((n) => ({ application: n.application, reason: n.reason })),
        },
      },
      now,
    )
  })
  return { decision: confirmed(db, callId)!, already: false }
}
