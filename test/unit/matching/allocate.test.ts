import { describe, expect, it } from 'vitest'
import { allocate } from '../../../src/matching/allocate.js'
import { evaluate, firstComeFirstServed } from '../../../src/matching/outcome.js'
import { fairnessTiers, gini } from '../../../src/matching/fairness.js'
import { violations } from '../../../src/matching/feasibility.js'
import { generateInstance } from '../../../bench/lib/generate.js'
import { feasiblePairs } from '../../../src/matching/pairs.js'
import { NumberedWords, overlap } from '../../../src/matching/numbered-words.js'
import { keywordRelevance } from '../../../src/matching/topic-relation.js'
import { pairScore, prepareNeed, prepareOffer } from '../../../src/matching/rank.js'
import { need, offer, org } from './fixtures.js'
import type { NeedView, OfferView } from '../../../src/matching/types.js'

const got = (a: ReturnType<typeof allocate>, needId: number) =>
  a.assignments.filter((x) => x.needId === needId).reduce((s, x) => s + x.quantity, 0)

describe('allocation', () => {
  it('only proposes feasible pairs, within every need and offer', () => {
    const { needs, offers } = generateInstance({ needs: 300, offers: 300, seed: 3 })
    const a = allocate(needs, offers)
    const needById = new Map(needs.map((n) => [n.id, n])),
      offerById = new Map(offers.map((o) => [o.id, o]))
    const perNeed = new Map<number, number>(),
      perOffer = new Map<number, number>()
    for (const x of a.assignments) {
      expect(violations(needById.get(x.needId)!, offerById.get(x.offerId)!)).toEqual([])
      expect(Number.isInteger(x.quantity) && x.quantity > 0).toBe(true)
      perNeed.set(x.needId, (perNeed.get(x.needId) ?? 0) + x.quantity)
      perOffer.set(x.offerId, (perOffer.get(x.offerId) ?? 0) + x.quantity)
    }
    for (const [id, q] of perNeed) expect(q).toBeLessThanOrEqual(needById.get(id)!.quantity)
    for (const [id, q] of perOffer) expect(q).toBeLessThanOrEqual(offerById.get(id)!.remaining)
  })

  it('meets one need from several offers and serves several needs from one offer', () => {
    const a = allocate(
      [need({ id: 1, quantity: 30, org: org({ id: 1 }) }), need({ id: 2, quantity: 5, org: org({ id: 2 }) })],
      [offer({ id: 1, remaining: 20 }), offer({ id: 2, remaining: 15 })],
    )
    expect(got(a, 1)).toBe(30)
    expect(got(a, 2)).toBe(5)
    expect(a.coverage).toMatchObject({ demand: 35, allocated: 35 })
  })

  it('gives many organizations a first share before giving any one everything', () => {
    const a = allocate(
      [
        need({ id: 1, quantity: 10, org: org({ id: 1 }) }),
        need({ id: 2, quantity: 10, org: org({ id: 2 }) }),
        need({ id: 3, quantity: 10, org: org({ id: 3 }) }),
      ],
      [offer({ id: 1, remaining: 6 })],
    )
    expect([got(a, 1), got(a, 2), got(a, 3)]).toEqual([2, 2, 2])
    expect(a.fairness.organizationsWithNothing).toBe(0)
  })

  it('gives contested capacity to the under-resourced organization', () => {
    // First come, first served gives the first-posted offer to need 3 (posted first) and leaves both others
    // with nothing; the allocation moves need 3 to the offer only it can use and gives the contested one to the weak.
    const weak = org({ id: 1, matchesReceived: 0, members: 6, trust: 'self_declared' })
    const strong = org({ id: 2, matchesReceived: 20, members: 400, trust: 'endorsed' })
    const first = org({ id: 3, focus: ['children'] })
    const a = allocate(
      [
        need({ id: 1, quantity: 1, org: strong, createdAt: '2025-01-02T00:00:00Z' }),
        need({ id: 2, quantity: 1, org: weak, createdAt: '2025-01-03T00:00:00Z' }),
        need({ id: 3, quantity: 1, org: first, createdAt: '2025-01-01T00:00:00Z' }),
      ],
      [
        offer({ id: 1, remaining: 1, createdAt: '2025-01-01T00:00:00Z' }),
        offer({ id: 2, remaining: 1, focus: ['children'], createdAt: '2025-01-02T00:00:00Z' }),
      ],
    )
    expect(a.assignments).toMatchObject([
      { needId: 2, offerId: 1, quantity: 1 },
      { needId: 3, offerId: 2, quantity: 1 },
    ])
    expect(a.unserved).toEqual([
      { orgId: 2, reason: 'capacity_exhausted', key: 'allocation.unserved.capacity_exhausted', params: {} },
    ])
  })

  it('never leaves with nothing an organization first come, first served would serve, even a well-supplied one', () => {
    const weak = org({ id: 1, matchesReceived: 0, members: 6, trust: 'self_declared' })
    const strong = org({ id: 2, matchesReceived: 20, members: 400, trust: 'endorsed' })
    const a = allocate(
      [
        need({ id: 1, quantity: 1, org: strong, createdAt: '2025-01-01T00:00:00Z' }),
        need({ id: 2, quantity: 1, org: weak, createdAt: '2025-01-02T00:00:00Z' }),
      ],
      [offer({ id: 1, remaining: 1 })],
    )
    expect(a.assignments).toMatchObject([{ needId: 1, offerId: 1, quantity: 1 }])
  })

  it('prefers the better-scored offer when coverage and fairness are equal', () => {
    const a = allocate(
      [need({ quantity: 5 })],
      [offer({ id: 1, remaining: 5, servesPath: [1] }), offer({ id: 2, remaining: 5, servesPath: [1, 2, 12] })],
    )
    expect(a.assignments).toMatchObject([{ needId: 1, offerId: 2, quantity: 5 }])
  })

  it('moves large amounts whole rather than unit by unit', () => {
    const funds = { category: 'funds', unit: 'yuan' }
    const needs = Array.from({ length: 40 }, (_, k) =>
      need({ ...funds, id: k + 1, quantity: 50_000, org: org({ id: k + 1 }) }),
    )
    const offers = Array.from({ length: 30 }, (_, k) => offer({ ...funds, id: k + 1, remaining: 60_000 }))
    const a = allocate(needs, offers)
    // Unit by unit would take about 1.8 million augmentations; whole amounts take a few hundred pivots.
    expect(a.stats.pivots).toBeLessThan(10_000)
    expect(a.coverage.allocated).toBe(1_800_000)
    expect(a.fairness.organizationsWithNothing).toBe(0)
  })

  it('says why an organization got nothing', () => {
    const a = allocate(
      [need({ id: 1, org: org({ id: 1 }) }), need({ id: 2, category: 'funds', org: org({ id: 2 }) })],
      [offer({ id: 1, remaining: 10 })],
    )
    expect(a.unserved).toMatchObject([{ orgId: 2, reason: 'no_feasible_offer' }])
  })

  it('scores any proposal, such as one a broker edited, by the same measures', () => {
    const { needs, offers } = generateInstance({ needs: 200, offers: 200, seed: 8 })
    const a = allocate(needs, offers)
    const again = evaluate(needs, offers, a.assignments)
    expect([again.objective, again.coverage, again.fairness, again.unserved]).toEqual([
      a.objective,
      a.coverage,
      a.fairness,
      a.unserved,
    ])
    expect(() =>
      evaluate(
        [need({ id: 1 })],
        [offer({ id: 1, category: 'funds' })],
        [{ needId: 1, offerId: 1, quantity: 1, score: 0 }],
      ),
    ).toThrow(/not a feasible pair/)
  })

  it('reports coverage per category, since units differ', () => {
    const a = allocate(
      [need({ id: 1, quantity: 4 }), need({ id: 2, category: 'funds', unit: 'yuan', quantity: 1000 })],
      [offer({ id: 1, remaining: 3 })],
    )
    expect(a.coverage.byCategory).toEqual({ venue: { demand: 4, allocated: 3 }, funds: { demand: 1000, allocated: 0 } })
  })
})

describe('first come, first served', () => {
  it('serves needs in posting order, each from offers in posting order', () => {
    const early = need({ id: 2, quantity: 8, createdAt: '2025-01-01T00:00:00Z', org: org({ id: 1 }) })
    const late = need({ id: 1, quantity: 8, createdAt: '2025-01-02T00:00:00Z', org: org({ id: 2 }) })
    const a = firstComeFirstServed(
      [late, early],
      [
        offer({ id: 1, remaining: 5, createdAt: '2025-01-03T00:00:00Z' }),
        offer({ id: 2, remaining: 5, createdAt: '2025-01-01T00:00:00Z' }),
      ],
    )
    expect(a.assignments).toEqual([
      { needId: 1, offerId: 1, quantity: 2, score: expect.any(Number) },
      { needId: 2, offerId: 1, quantity: 3, score: expect.any(Number) },
      { needId: 2, offerId: 2, quantity: 5, score: expect.any(Number) },
    ])
  })

  it('leaves more organizations with nothing than the allocation on the same instance', () => {
    const { needs, offers } = generateInstance({ needs: 600, offers: 400, seed: 11, supplyRatio: 0.5 })
    const fcfs = firstComeFirstServed(needs, offers),
      best = allocate(needs, offers)
    expect(best.coverage.allocated).toBeGreaterThanOrEqual(fcfs.coverage.allocated)
    expect(best.fairness.organizationsWithNothing).toBeLessThan(fcfs.fairness.organizationsWithNothing)
    expect(best.objective.fairness).toBeGreaterThan(fcfs.objective.fairness)
    expect(best.fairness.fairShare).toBeGreaterThan(fcfs.fairness.fairShare)
  })

  it('is never fairer than the allocation by the figure the page shows, and every group it serves keeps something (random instances)', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const { needs, offers } = generateInstance({
        needs: 40 + seed * 3,
        offers: 30 + seed * 2,
        seed: 7000 + seed,
        supplyRatio: 0.3 + (seed % 5) * 0.2,
      })
      const fcfs = firstComeFirstServed(needs, offers),
        best = allocate(needs, offers)
      expect(best.coverage.allocated, `seed ${seed}`).toBeGreaterThanOrEqual(fcfs.coverage.allocated)
      expect(best.objective.fairness, `seed ${seed}`).toBeGreaterThanOrEqual(fcfs.objective.fairness)
      expect(best.fairness.fairShare, `seed ${seed}`).toBeGreaterThanOrEqual(fcfs.fairness.fairShare)
      const servedBy = (a: typeof best) =>
        new Set(a.assignments.map((x) => needs.find((n) => n.id === x.needId)!.orgId))
      const ours = servedBy(best)
      for (const orgId of servedBy(fcfs)) expect(ours.has(orgId), `seed ${seed}: organization ${orgId}`).toBe(true)
    }
  })

  it('puts the fair-share score in points out of 100, rounded down', () => {
    const a = allocate(
      [need({ id: 1, quantity: 10, org: org({ id: 1 }) }), need({ id: 2, quantity: 10, org: org({ id: 2 }) })],
      [offer({ id: 1, remaining: 20 })],
    )
    expect(a.fairness).toMatchObject({ fairShare: 100, groups: 2, groupsServed: 2 })
    const none = allocate([need({ id: 1, quantity: 10 })], [])
    expect(none.fairness).toMatchObject({ fairShare: 0, groups: 1, groupsServed: 0 })
  })
})

describe('allocation building blocks', () => {
  // Several seeds: pairs are looked up through candidate buckets by topic and keyword, so listings without a topic
  // and funds without a purpose must still be found (a lookup that missed them would fail here, not just score lower).
  it.each([5, 6, 7])(
    "finds exactly the pairs violations() allows, scored as the ranker scores them with the keywords' relevance (seed %i)",
    (seed) => {
      const { needs, offers } = generateInstance({ needs: 150, offers: 150, seed, streets: 1, communitiesPerStreet: 2 })
      expect(exactPairs(needs, offers)).toBeGreaterThan(100)
    },
  )

  it('finds exactly those pairs when they are enumerated in several chunks and laid out in need order after', () => {
    // Five offers to a need, all in one community: needs have ~17 pairs each, more than the two chunks of 1,600
    // (8 a need) feasiblePairs starts with can hold, each begun when the next need might not fit.
    const { needs, offers } = generateInstance({
      needs: 200,
      offers: 1000,
      seed: 8,
      streets: 1,
      communitiesPerStreet: 1,
    })
    expect(exactPairs(needs, offers)).toBeGreaterThan(2 * 1600)
  })

  it("weighs what a pair is about in its cost: an offer sharing the need's topic and words scores above one that only fits", () => {
    const on = offer({ id: 1, topics: ['sound_equipment'], keywords: ['音响', '便携'] })
    const near = offer({ id: 2, topics: ['sound_equipment'], keywords: ['话筒'] })
    const index = feasiblePairs([need({ topics: ['sound_equipment'], keywords: ['音响', '便携'] })], [near, on])
    expect(Array.from(index.pairOffer, (j) => index.offers[j]!.id)).toEqual([1, 2])
    expect(index.pairScore[0]).toBeGreaterThan(index.pairScore[1]!)
    for (const [a, b] of [
      [
        ['x', 'y'],
        ['y', 'z', 'z'],
      ],
      [[], ['x']],
      [['x'], ['x']],
      [['a', 'b', 'c'], ['c']],
    ]) {
      expect(overlap(new Set(a), [...new Set(b)])).toBe(keywordRelevance(a!, b!))
    }
  })

  it("numbers keywords for the map's count with the same overlap as keywordRelevance, short and long needs", () => {
    const offers = [['x', 'y'], ['y', 'z', 'z'], [], ['a', 'b', 'c'], ['c', 'q']].map((keywords, id) =>
      offer({ id, keywords }),
    )
    const needs = [
      ['x', 'y'],
      ['y'],
      [],
      ['w'],
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'x', 'y'],
      ['q', 'q', 'z'],
    ]
    const words = new NumberedWords(offers)
    for (const keywords of needs) {
      words.setNeed(need({ keywords }))
      offers.forEach((o, j) => expect(words.relevance(j)).toBe(keywordRelevance(keywords, o.keywords)))
    }
  })

  it('values an organization’s allocation concavely: first unit, first fifth, first half, the rest', () => {
    expect(fairnessTiers(20, 0)).toEqual([
      { cap: 1, value: 1280 },
      { cap: 3, value: 320 },
      { cap: 6, value: 80 },
      { cap: 10, value: 20 },
    ])
    expect(fairnessTiers(1, 1)).toEqual([{ cap: 1, value: 1920 }])
  })

  it('measures inequality with the Gini coefficient', () => {
    expect(gini([0.5, 0.5, 0.5])).toBe(0)
    expect(gini([0, 0, 1])).toBeCloseTo(0.6667, 4)
    expect(gini([])).toBe(0)
  })

  it('generates the same instance for the same seed', () => {
    expect(generateInstance({ needs: 50, offers: 40, seed: 9 })).toEqual(
      generateInstance({ needs: 50, offers: 40, seed: 9 }),
    )
    expect(generateInstance({ needs: 50, offers: 40, seed: 9 })).not.toEqual(
      generateInstance({ needs: 50, offers: 40, seed: 10 }),
    )
  })
})

/** Checks feasiblePairs against violations() and the ranker pair by pair; returns how many pairs are feasible. */
function exactPairs(needs: NeedView[], offers: OfferView[]): number {
  const index = feasiblePairs(needs, offers)
  const found = new Map<string, number>()
  index.needs.forEach((n, i) => {
    for (let p = index.pairStart[i]; p < index.pairStart[i + 1]; p++)
      found.set(`${n.id}:${index.offers[index.pairOffer[p]].id}`, index.pairScore[p])
  })
  let feasible = 0
  for (const n of needs)
    for (const o of offers) {
      const ok = violations(n, o).length === 0
      expect(found.has(`${n.id}:${o.id}`), `${n.id}:${o.id}`).toBe(ok)
      if (ok) {
        feasible++
        expect(found.get(`${n.id}:${o.id}`)).toBe(
          Math.round(pairScore(prepareNeed(n), prepareOffer(o), undefined, keywordRelevance(n.keywords, o.keywords))),
        )
      }
    }
  expect(found.size).toBe(feasible)
  return feasible
}
