/**
 * The fund call decision (src/funds/decide.ts) on calls of realistic shape and growing size: asks of ¥5,000–¥50,000
 * in whole yuan, panel scores 2.0–5.0, a budget for about a third of what is asked, a cap, sometimes a few groups
 * with two plans, a preference reserve and partial awards. Beside it, the baseline a street would use by hand:
 * highest score first while the money lasts, whose total score the exact decision must never fall below.
 */
import { decide, DecisionTooLarge, type Candidate, type Rules } from '../src/funds/decide.js'
import { clock, figures } from './lib/timing.js'
import { emit, round } from './lib/report.js'

function rng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 4294967296
  }
}

function call(n: number, seed: number, partial: boolean): { candidates: Candidate[]; rules: Rules } {
  const r = rng(seed)
  const candidates: Candidate[] = Array.from({ length: n }, (_, i) => ({
    application: i + 1,
    org: 1 + Math.floor(r() * n * 0.9),
    askedFen: (5_000 + Math.floor(r() * 45_000)) * 100,
    score: Math.round((2 + r() * 3) * 100) / 100,
    preferred: false,
  }))
  // First-time and unregistered describe the group, so all of a group's plans share it.
  for (const c of candidates) c.preferred = c.org % 10 < 3
  const total = candidates.reduce((s, c) => s + c.askedFen, 0)
  const budgetFen = Math.floor(total / 3 / 100) * 100
  return {
    candidates,
    rules: {
      budgetFen,
      capFen: 40_000 * 100,
      minAwardFen: partial ? 10_000 * 100 : null,
      reserveFen: Math.floor(budgetFen / 5),
    },
  }
}

/** Highest score first while the money lasts, one award per group, the reserve ignored. */
function byHand(candidates: Candidate[], rules: Rules): number {
  let left = rules.budgetFen
  let total = 0
  const orgs = new Set<number>()
  for (const c of [...candidates].sort((a, b) => b.score - a.score)) {
    if (c.askedFen > rules.capFen || c.askedFen > left || orgs.has(c.org)) continue
    left -= c.askedFen
    total += c.score
    orgs.add(c.org)
  }
  return total
}

for (const n of [20, 50, 100, 200, 400]) {
  for (const partial of [false, true]) {
    // Partial awards are branch and bound, refused past PARTIAL_WORK_LIMIT; past 100 applications most calls are.
    if (partial && n > 100) continue
    const samples = []
    let refused = 0
    let exact = 0
    let hand = 0
    for (let seed = 1; seed <= 10; seed++) {
      const { candidates, rules } = call(n, seed * 7919 + n, partial)
      let total = 0
      const sample = await clock(() => {
        try {
          total = decide(candidates, rules).totalScore
        } catch (e) {
          if (!(e instanceof DecisionTooLarge)) throw e
          total = -1
        }
      })
      if (total < 0) {
        refused++
        continue
      }
      samples.push(sample)
      exact += total
      hand += byHand(candidates, { ...rules, reserveFen: 0 })
    }
    emit({
      bench: 'funds.decide',
      applications: n,
      partial,
      refused,
      ...figures(samples, 2),
      total_score_vs_highest_first: round(exact / hand, 3),
    })
  }
}
