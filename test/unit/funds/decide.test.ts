import { describe, expect, it } from 'vitest'
import {
  decide,
  DecisionTooLarge,
  reserveInForce,
  type Candidate,
  type Decision,
  type Rules,
} from '../../../src/funds/decide.js'

// A seeded generator so a failure names the instance that broke.
function rng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const valueOf = (candidates: Candidate[], amounts: Map<number, number>) =>
  candidates.reduce((sum, c) => sum + ((amounts.get(c.application) ?? 0) * c.score) / c.askedFen, 0)

/** Every rule of the stated problem, checked on a proposed set of amounts. */
function feasible(candidates: Candidate[], rules: Rules, amounts: Map<number, number>): boolean {
  const reserve = reserveInForce(rules, candidates)
  let all = 0
  let open = 0
  const orgs = new Set<number>()
  for (const c of candidates) {
    const x = amounts.get(c.application) ?? 0
    if (x === 0) continue
    if (!Number.isInteger(x) || c.askedFen > rules.capFen || x > c.askedFen) return false
    const min = rules.minAwardFen !== null && c.askedFen > rules.minAwardFen ? rules.minAwardFen : c.askedFen
    if (x < min || orgs.has(c.org)) return false
    orgs.add(c.org)
    all += x
    if (!c.preferred) open += x
  }
  return all <= rules.budgetFen && open <= rules.budgetFen - reserve
}

/** The optimum by trying every award of every application: each 0, or every whole amount it may be given. */
function exhaustive(candidates: Candidate[], rules: Rules): number {
  const choices = candidates.map((c) => {
    if (c.askedFen > rules.capFen) return [0]
    const min = rules.minAwardFen !== null && c.askedFen > rules.minAwardFen ? rules.minAwardFen : c.askedFen
    const xs = [0]
    for (let x = min; x <= c.askedFen; x++) xs.push(x)
    return xs
  })
  let best = 0
  const amounts = new Map<number, number>()
  const walk = (i: number) => {
    if (i === candidates.length) {
      if (feasible(candidates, rules, amounts)) best = Math.max(best, valueOf(candidates, amounts))
      return
    }
    for (const x of choices[i]) {
      amounts.set(candidates[i].application, x)
      walk(i + 1)
    }
  }
  walk(0)
  return best
}

function randomCall(seed: number, n: number, maxAsk: number, partial: boolean) {
  const r = rng(seed)
  const candidates: Candidate[] = Array.from({ length: n }, (_, i) => ({
    application: i + 1,
    org: 1 + Math.floor(r() * Math.max(1, n - 2)),
    askedFen: 1 + Math.floor(r() * maxAsk),
    score: Math.round((1 + r() * 4) * 100) / 100,
    preferred: false,
  }))
  // A group is preferred or not as a whole (first-time and unregistered belong to the group).
  const preferredOrgs = new Set(candidates.filter(() => r() < 0.4).map((c) => c.org))
  for (const c of candidates) c.preferred = preferredOrgs.has(c.org)
  const total = candidates.reduce((s, c) => s + c.askedFen, 0)
  const budgetFen = Math.max(1, Math.floor(total * (0.2 + r() * 0.6)))
  const capFen = Math.max(1, Math.min(budgetFen, Math.floor(maxAsk * (0.6 + r() * 0.5))))
  const rules: Rules = {
    budgetFen,
    capFen,
    minAwardFen: partial ? Math.max(1, Math.floor(capFen * (0.3 + r() * 0.5))) : null,
    reserveFen: r() < 0.6 ? Math.floor(budgetFen * r() * 0.8) : 0,
  }
  return { candidates, rules }
}

function amountsOf(d: Decision) {
  return new Map(d.awards.map((a) => [a.application, a.amountFen]))
}

describe('the award decision is the exact optimum of the stated problem', () => {
  it('equals exhaustive search on 300 small random calls, all-or-nothing', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { candidates, rules } = randomCall(seed, 3 + (seed % 9), 40, false)
      // All or nothing: the exhaustive choices are 0 or the ask, whatever the size.
      const d = decide(candidates, rules)
      expect(feasible(candidates, rules, amountsOf(d)), `seed ${seed}`).toBe(true)
      expect(d.totalScore, `seed ${seed}`).toBeCloseTo(valueOf(candidates, amountsOf(d)), 9)
      expect(d.totalScore, `seed ${seed}`).toBeCloseTo(exhaustive(candidates, rules), 9)
      expect(d.totalFen).toBe(d.awards.reduce((s, a) => s + a.amountFen, 0))
      expect(d.awards.length + d.notAwarded.length).toBe(candidates.length)
    }
  })

  it('equals exhaustive search over every whole amount on 400 small random calls with partial awards', () => {
    for (let seed = 1001; seed <= 1400; seed++) {
      const { candidates, rules } = randomCall(seed, 2 + (seed % 4), 9, true)
      const d = decide(candidates, rules)
      expect(feasible(candidates, rules, amountsOf(d)), `seed ${seed}`).toBe(true)
      expect(d.totalScore, `seed ${seed}`).toBeCloseTo(exhaustive(candidates, rules), 9)
    }
  })

  it('funds two cheaper plans over one dearer plan with the best single score when their total is higher', () => {
    const d = decide(
      [
        { application: 1, org: 1, askedFen: 80_000, score: 4.8, preferred: false },
        { application: 2, org: 2, askedFen: 50_000, score: 3.6, preferred: false },
        { application: 3, org: 3, askedFen: 50_000, score: 3.4, preferred: false },
      ],
      { budgetFen: 100_000, capFen: 80_000, minAwardFen: null, reserveFen: 0 },
    )
    expect(d.awards.map((a) => a.application).sort()).toEqual([2, 3])
    expect(d.totalScore).toBeCloseTo(7.0, 9)
    expect(d.notAwarded).toEqual([
      {
        application: 1,
        reason: 'budget',
        score: 4.8,
        detail: { askedFen: 80_000, remainingFen: 0, lowestAwardedScore: 3.4 },
      },
    ])
  })
})

describe('why an application is not awarded', () => {
  const rules: Rules = { budgetFen: 100_000, capFen: 60_000, minAwardFen: null, reserveFen: 0 }

  it("names the cap, the same group's better plan, and a budget spent on higher scores", () => {
    const d = decide(
      [
        { application: 1, org: 1, askedFen: 60_000, score: 4.2, preferred: false },
        { application: 2, org: 1, askedFen: 40_000, score: 3.9, preferred: false },
        { application: 3, org: 2, askedFen: 40_000, score: 3.6, preferred: false },
        { application: 4, org: 3, askedFen: 50_000, score: 3.4, preferred: false },
        { application: 5, org: 4, askedFen: 70_000, score: 4.9, preferred: false },
      ],
      rules,
    )
    expect(d.awards).toEqual([
      { application: 1, amountFen: 60_000, score: 4.2 },
      { application: 3, amountFen: 40_000, score: 3.6 },
    ])
    expect(Object.fromEntries(d.notAwarded.map((n) => [n.application, n.reason]))).toEqual({
      2: 'same_group',
      4: 'budget',
      5: 'over_cap',
    })
    expect(d.notAwarded.find((n) => n.application === 4)!.detail).toEqual({
      askedFen: 50_000,
      remainingFen: 0,
      lowestAwardedScore: 3.6,
    })
    expect(d.notAwarded.find((n) => n.application === 2)!.detail.betterApplication).toBe(1)
  })

  it('keeps the reserve for preferred groups, and opens what they cannot use to everyone', () => {
    const apps: Candidate[] = [
      { application: 1, org: 1, askedFen: 50_000, score: 4.5, preferred: false },
      { application: 2, org: 2, askedFen: 50_000, score: 4.4, preferred: false },
      { application: 3, org: 3, askedFen: 30_000, score: 3.0, preferred: true },
    ]
    const reserved = decide(apps, { ...rules, reserveFen: 40_000 })
    // Only 30,000 of the 40,000 reserve can be used by preferred groups: 70,000 stays open to the others.
    expect(reserved.reserveInForceFen).toBe(30_000)
    expect(reserved.awards.map((a) => a.application)).toEqual([1, 3])
    expect(reserved.notAwarded).toEqual([
      {
        application: 2,
        reason: 'reserve',
        score: 4.4,
        detail: { askedFen: 50_000, remainingFen: 20_000, lowestAwardedScore: 3 },
      },
    ])
    const plain = decide(apps, rules)
    expect(plain.awards.map((a) => a.application)).toEqual([1, 2])
  })

  it('gives a partial award down to the minimum when the rest of the budget cannot fund a whole plan', () => {
    const d = decide(
      [
        { application: 1, org: 1, askedFen: 60_000, score: 4, preferred: false },
        { application: 2, org: 2, askedFen: 60_000, score: 3.5, preferred: false },
      ],
      { ...rules, minAwardFen: 30_000 },
    )
    expect(d.awards).toEqual([
      { application: 1, amountFen: 60_000, score: 4 },
      { application: 2, amountFen: 40_000, score: 3.5 },
    ])
    expect(d.totalFen).toBe(100_000)
  })

  it('is the same decision every time, whatever order the applications come in', () => {
    const { candidates, rules: r } = randomCall(77, 12, 50_000, false)
    const once = decide(candidates, r)
    expect(decide([...candidates].reverse(), r)).toEqual(once)
  })
})

describe('partial awards under a reserve', () => {
  it('never lets a group outside the preference grow its partial award into the reserved money', () => {
    const candidates: Candidate[] = [
      { application: 1, org: 1, askedFen: 8, score: 5, preferred: false },
      { application: 2, org: 2, askedFen: 5, score: 0.1, preferred: true },
    ]
    const rules: Rules = { budgetFen: 10, capFen: 8, minAwardFen: 2, reserveFen: 5 }
    const d = decide(candidates, rules)
    expect(feasible(candidates, rules, amountsOf(d))).toBe(true)
    expect(d.awards).toEqual([
      { application: 1, amountFen: 5, score: 5 },
      { application: 2, amountFen: 5, score: 0.1 },
    ])
    expect(d.totalScore).toBeCloseTo(exhaustive(candidates, rules), 9)
  })
})

it('refuses a group marked both preferred and not (the preference belongs to the group)', () => {
  expect(() =>
    decide(
      [
        { application: 1, org: 1, askedFen: 10, score: 3, preferred: true },
        { application: 2, org: 1, askedFen: 10, score: 3, preferred: false },
      ],
      { budgetFen: 20, capFen: 20, minAwardFen: null, reserveFen: 5 },
    ),
  ).toThrow(/both preferred and not/)
})

it('refuses, rather than guesses, a partial-award call too large to decide exactly', () => {
  // 200 plans of ¥5,000–¥50,000 in whole yuan, a budget for a third of them; the work allowed made small.
  let seed = 12345
  const r = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296
  const candidates: Candidate[] = Array.from({ length: 200 }, (_, i) => ({
    application: i + 1,
    org: i + 1,
    askedFen: (5_000 + Math.floor(r() * 45_000)) * 100,
    score: Math.round((2 + r() * 3) * 100) / 100,
    preferred: false,
  }))
  const budgetFen = Math.floor(candidates.reduce((s, c) => s + c.askedFen, 0) / 3)
  const partial: Rules = { budgetFen, capFen: 5_000_000, minAwardFen: 1_000_000, reserveFen: 0 }
  expect(() => decide(candidates, partial, 10_000)).toThrow(DecisionTooLarge)
  expect(decide(candidates, partial).totalFen).toBeLessThanOrEqual(budgetFen)
  // All or nothing, the same call is decided.
  expect(
    decide(candidates, { budgetFen, capFen: 5_000_000, minAwardFen: null, reserveFen: 0 }).awards.length,
  ).toBeGreaterThan(50)
})
