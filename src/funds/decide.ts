/**
 * The award decision of a fund call, solved exactly. Pure: no database, no clock.
 *
 * The problem, as the decision page states it:
 *   - each application i asks a_i fen and has a weighted panel score s_i (1–5);
 *   - an application asking more than the cap C is not awarded ('over_cap');
 *   - award x_i is 0 or a_i; with partial awards allowed (minimum m), x_i may also be any whole fen amount in
 *     [m, a_i] (an application asking less than m gets all or nothing);
 *   - a partial award counts its score in proportion, s_i·x_i/a_i: a plan funded at 80% delivers about 80% of it;
 *   - at most one award per group; the awards sum to at most the budget B;
 *   - preference (a rule, not a bonus in the score): R fen of the budget can go only to preferred groups
 *     (first-time or unregistered, as the call says). Where the preferred groups ask less than R in all, the rest
 *     of R is open to everyone: the reserve in force is R' = min(R, Σ over preferred groups of their largest
 *     eligible ask), and the awards to groups not preferred sum to at most B − R';
 *   - maximise the total Σ s_i·x_i/a_i. Among equal totals, the first found in the order of score per yuan (then
 *     higher score, then earlier application) is kept, so the decision is the same every time.
 *
 * Method: all or nothing (the usual call), dynamic programming over the Pareto frontier of money and score; with
 * partial awards, branch and bound (see each function). test/unit/funds/decide.test.ts holds both to exhaustive search,
 * and `npm run bench -- funds` times them on calls of up to 400 applications.
 */

export interface Candidate {
  application: number
  org: number
  askedFen: number
  /** Weighted mean of the panel's scores, 1–5. */
  score: number
  /** The group is one the call's preference rule favours. */
  preferred: boolean
}

export interface Rules {
  budgetFen: number
  capFen: number
  /** Partial awards down to this amount; null: all or nothing. */
  minAwardFen: number | null
  /** Fen of the budget only preferred groups may receive (0: no preference). */
  reserveFen: number
}

export interface Award {
  application: number
  amountFen: number
  score: number
}

export type NotAwardedReason = 'over_cap' | 'same_group' | 'reserve' | 'budget'

export interface NotAwarded {
  application: number
  reason: NotAwardedReason
  score: number
  detail: {
    askedFen: number
    capFen?: number
    /** The lowest score among the awards (absent when nothing was awarded). */
    lowestAwardedScore?: number
    /** Budget left once the awards are paid (for 'reserve': what is left outside the reserve). */
    remainingFen?: number
    /** The same group's awarded application. */
    betterApplication?: number
  }
}

export interface Decision {
  awards: Award[]
  notAwarded: NotAwarded[]
  totalFen: number
  /** The objective: Σ s_i·x_i/a_i. */
  totalScore: number
  /** R': the part of the reserve in force for these applications. */
  reserveInForceFen: number
}

/** The stated problem, kept with the decision so the record says what was optimised. */
export function describeProblem(rules: Rules, candidates: readonly Candidate[]) {
  return {
    objective: 'max_total_score' as const,
    budgetFen: rules.budgetFen,
    capFen: rules.capFen,
    minAwardFen: rules.minAwardFen,
    partialAwards: rules.minAwardFen !== null,
    reserveFen: rules.reserveFen,
    reserveInForceFen: reserveInForce(rules, candidates),
    oneAwardPerGroup: true,
  }
}

const EPS = 1e-9

/**
 * Branch and bound is exact but exponential at worst. Past this much work (node visits × applications, about two
 * seconds) the decision is refused with this error rather than guessed: the page asks to turn partial awards off
 * (all or nothing is decided in milliseconds for hundreds of applications).
 */
export const PARTIAL_WORK_LIMIT = 150_000_000
export class DecisionTooLarge extends Error {
  constructor(readonly applications: number) {
    super(`${applications} applications with partial awards are too many to decide exactly`)
  }
}

interface Item extends Candidate {
  /** Smallest amount this application can be given. */
  minFen: number
  ratio: number
}

export function reserveInForce(rules: Rules, candidates: readonly Candidate[]): number {
  if (rules.reserveFen <= 0) return 0
  const largest = new Map<number, number>()
  for (const c of candidates) {
    if (!c.preferred || c.askedFen > rules.capFen || c.askedFen <= 0) continue
    largest.set(c.org, Math.max(largest.get(c.org) ?? 0, c.askedFen))
  }
  let asked = 0
  for (const a of largest.values()) asked += a
  return Math.min(rules.reserveFen, asked)
}

export function decide(candidates: readonly Candidate[], rules: Rules, workLimit = PARTIAL_WORK_LIMIT): Decision {
  const preferredOrg = new Map<number, boolean>()
  for (const c of candidates) {
    // First-time and unregistered describe the group, and the frontiers below split by group.
    if ((preferredOrg.get(c.org) ?? c.preferred) !== c.preferred)
      throw new Error(`group ${c.org} is both preferred and not`)
    preferredOrg.set(c.org, c.preferred)
  }
  const reserve = reserveInForce(rules, candidates)
  const openFen = rules.budgetFen - reserve
  const items: Item[] = candidates
    .filter((c) => c.askedFen > 0 && c.askedFen <= rules.capFen)
    .map((c) => ({
      ...c,
      minFen: rules.minAwardFen !== null && c.askedFen > rules.minAwardFen ? rules.minAwardFen : c.askedFen,
      ratio: c.score / c.askedFen,
    }))
    .sort((a, b) => b.ratio - a.ratio || b.score - a.score || a.application - b.application)
  const amounts = items.some((it) => it.minFen < it.askedFen)
    ? branchAndBound(items, rules.budgetFen, openFen, workLimit)
    : paretoAllOrNothing(items, rules.budgetFen, openFen)
  const awards: Award[] = []
  let totalScore = 0
  for (let i = 0; i < items.length; i++) {
    if (amounts[i] <= 0) continue
    awards.push({ application: items[i].application, amountFen: amounts[i], score: items[i].score })
    totalScore += amounts[i] * items[i].ratio
  }
  awards.sort((a, b) => b.score - a.score || a.application - b.application)
  const totalFen = awards.reduce((sum, a) => sum + a.amountFen, 0)
  const openSpent = awards.reduce((sum, a) => sum + (isPreferred(candidates, a.application) ? 0 : a.amountFen), 0)
  const awardedBy = new Map(awards.map((a) => [orgOf(candidates, a.application), a.application]))
  const awarded = new Set(awards.map((a) => a.application))
  const lowest = awards.length ? Math.min(...awards.map((a) => a.score)) : undefined

  const notAwarded: NotAwarded[] = candidates
    .filter((c) => !awarded.has(c.application))
    .map((c) => {
      const detail = { askedFen: c.askedFen }
      if (c.askedFen > rules.capFen)
        return {
          application: c.application,
          reason: 'over_cap' as const,
          score: c.score,
          detail: { ...detail, capFen: rules.capFen },
        }
      const better = awardedBy.get(c.org)
      if (better !== undefined)
        return {
          application: c.application,
          reason: 'same_group' as const,
          score: c.score,
          detail: { ...detail, betterApplication: better },
        }
      const need = Math.min(c.askedFen, rules.minAwardFen ?? c.askedFen)
      const remainingFen = rules.budgetFen - totalFen
      // Not preferred, and the money open to every group cannot fund it while the reserve could have.
      if (!c.preferred && need > openFen - openSpent && need <= rules.budgetFen - openSpent) {
        return {
          application: c.application,
          reason: 'reserve' as const,
          score: c.score,
          detail: { ...detail, remainingFen: Math.max(0, openFen - openSpent), lowestAwardedScore: lowest },
        }
      }
      return {
        application: c.application,
        reason: 'budget' as const,
        score: c.score,
        detail: { ...detail, remainingFen, lowestAwardedScore: lowest },
      }
    })
    .sort((a, b) => b.score - a.score || a.application - b.application)

  return { awards, notAwarded, totalFen, totalScore, reserveInForceFen: reserve }
}

const isPreferred = (candidates: readonly Candidate[], application: number) =>
  candidates.find((c) => c.application === application)!.preferred
const orgOf = (candidates: readonly Candidate[], application: number) =>
  candidates.find((c) => c.application === application)!.org

/**
 * All or nothing: the best set by dynamic programming over the Pareto frontier of (money, total score), one group at
 * a time (none of its plans, or one). Groups in and outside the preference get a frontier each, the second limited to
 * the money open to all; the best pair of states within the budget is the optimum. Exact, and polynomial in the
 * frontier's size, which stays small because a state that costs more and scores no higher is dropped.
 */
function paretoAllOrNothing(items: Item[], budgetFen: number, openFen: number): number[] {
  const side = (preferred: boolean, limit: number) => {
    const byOrg = new Map<number, number[]>()
    items.forEach((it, i) => {
      if (it.preferred !== preferred) return
      const list = byOrg.get(it.org) ?? []
      list.push(i)
      byOrg.set(it.org, list)
    })
    let frontier: State[] = [{ cost: 0, value: 0, item: -1, prev: null }]
    for (const org of [...byOrg.keys()].sort((a, b) => a - b)) {
      const next: State[] = [...frontier]
      for (const i of byOrg.get(org)!) {
        const it = items[i]
        for (const s of frontier) {
          if (s.cost + it.askedFen > limit) break
          next.push({ cost: s.cost + it.askedFen, value: s.value + it.score, item: i, prev: s })
        }
      }
      frontier = paretoFront(next)
    }
    return frontier
  }
  const open = side(false, openFen)
  const preferred = side(true, budgetFen)
  let best = { value: -1, open: open[0], preferred: preferred[0] }
  let p = preferred.length - 1
  for (const o of open) {
    while (p > 0 && preferred[p].cost + o.cost > budgetFen) p--
    const value = o.value + preferred[p].value
    if (value > best.value + EPS) best = { value, open: o, preferred: preferred[p] }
  }
  const amounts = items.map(() => 0)
  for (let s: State | null = best.open; s; s = s.prev) if (s.item >= 0) amounts[s.item] = items[s.item].askedFen
  for (let s: State | null = best.preferred; s; s = s.prev) if (s.item >= 0) amounts[s.item] = items[s.item].askedFen
  return amounts
}

interface State {
  cost: number
  value: number
  item: number
  prev: State | null
}

/** States by cost, each scoring more than every cheaper one (the first found kept among equals). */
function paretoFront(states: State[]): State[] {
  states.sort((a, b) => a.cost - b.cost || b.value - a.value)
  const front: State[] = []
  for (const s of states) if (!front.length || s.value > front[front.length - 1].value + EPS) front.push(s)
  return front
}

/**
 * With partial awards: depth-first branch and bound over applications in order of score per fen. The bound at a
 * node relaxes the one-per-group rule and lets every undecided application take any amount from zero (a fractional
 * knapsack under the two nested money limits, solved exactly by the greedy fill), so a pruned branch never holds a
 * better decision. For a chosen set the best amounts are that greedy fill: each gets its minimum, then the rest goes
 * by score per fen up to each ask (nested limits form a laminar family, for which greedy is optimal).
 */
function branchAndBound(items: Item[], budgetFen: number, openFen: number, workLimit: number): number[] {
  const chosen: boolean[] = items.map(() => false)
  const orgTaken = new Set<number>()
  let best = { value: 0, amounts: items.map(() => 0) }
  // Money committed to minimums so far, in all and outside the reserve.
  let minAll = 0
  let minOpen = 0

  const fill = (from: number, amounts: number[] | null): number => {
    let leftAll = budgetFen - minAll
    let leftOpen = openFen - minOpen
    let value = 0
    for (let i = 0; i < items.length; i++) {
      const it = items[i]
      const isChosen = chosen[i]
      if (!isChosen && (i < from || amounts || orgTaken.has(it.org))) continue
      const base = isChosen ? it.minFen : 0
      let room = Math.min(it.askedFen - base, leftAll)
      if (!it.preferred) room = Math.min(room, leftOpen)
      room = Math.max(0, room)
      leftAll -= room
      if (!it.preferred) leftOpen -= room
      value += (base + room) * it.ratio
      if (amounts) amounts[i] = isChosen ? base + room : 0
    }
    return value
  }

  let work = 0
  const search = (i: number): void => {
    if ((work += items.length) > workLimit) throw new DecisionTooLarge(items.length)
    if (fill(i, null) <= best.value + EPS) return
    if (i === items.length) {
      const amounts = items.map(() => 0)
      best = { value: fill(i, amounts), amounts }
      return
    }
    const it = items[i]
    if (!orgTaken.has(it.org) && minAll + it.minFen <= budgetFen && (it.preferred || minOpen + it.minFen <= openFen)) {
      chosen[i] = true
      orgTaken.add(it.org)
      minAll += it.minFen
      if (!it.preferred) minOpen += it.minFen
      search(i + 1)
      chosen[i] = false
      orgTaken.delete(it.org)
      minAll -= it.minFen
      if (!it.preferred) minOpen -= it.minFen
    }
    search(i + 1)
  }
  search(0)
  return best.amounts
}
