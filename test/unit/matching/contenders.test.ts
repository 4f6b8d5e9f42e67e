/** Which candidates a match page scores in full (contenders.ts): the page shows what the full ranking shows. */
import { describe, expect, it, vi } from 'vitest'
import { prng } from '../../../bench/lib/generate.js'
import { needContenders, offerContenders } from '../../../src/matching/contenders.js'
import { rankNeeds, rankOffers } from '../../../src/matching/rank.js'
import { DEFAULT_WEIGHTS } from '../../../src/matching/weights.js'
import { need, offer, org } from './fixtures.js'

describe('the candidates a page scores in full', () => {
  // Few distinct offers and needs, so that many candidates tie on score; relevance and track records (or matches
  // received) are known only after the contenders are picked, and the ranking of the contenders must show what the
  // ranking of all of them shows. Mostly no text relevance and now and then a whole one, so that a candidate whose
  // upper bound only equals the cut ties the last shown and comes first by id (leaving it out fails a few seeds).
  const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  const relevanceOf = (random: () => number) => pick(random, [0, 0, 0, 0, 0, 0, 1, random()])

  it("leave a need's first offers as the full ranking has them, ties at the cut included", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = prng(seed)
      const n = need({ topics: seed % 4 ? ['rehearsal_space'] : [], keywords: ['排练', '音响'] })
      const tracks = new Map(
        Array.from({ length: 6 }, (_, org) => [
          org,
          { delivered: pick(random, [0, 1, 5, 30]), rating: pick(random, [null, 1, 4.5, 5]) },
        ]),
      )
      const views = Array.from({ length: 30 + Math.floor(random() * 300) }, (_, k) =>
        offer({
          id: k + 1,
          orgId: Math.floor(random() * 6),
          remaining: 1 + Math.floor(random() * 12),
          servesPath: pick(random, [[1], [1, 2], [1, 2, 12]]),
          schedule: pick(random, [null, 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=19']),
          until: pick(random, [null, '2025-04-15']),
          topics: pick(random, [['rehearsal_space'], []]),
          keywords: pick(random, [['排练'], ['排练', '音响']]),
        }),
      )
      const relevance = new Map(views.map((o) => [o.id, relevanceOf(random)]))
      const scored = (list: typeof views) =>
        list.map((o) => ({ offer: { ...o, track: tracks.get(o.orgId)! }, relevance: relevance.get(o.id)!, terms: [] }))
      const full = rankOffers(n, scored(views))
      for (const limit of [1, 5, 20, 29]) {
        const few = offerContenders(n, views, limit, (o) => tracks.get(o.orgId)!)
        expect(rankOffers(n, scored(few), DEFAULT_WEIGHTS, limit)).toEqual(full.slice(0, limit))
        if (limit === 1 && seed === 1) expect(few.length).toBeLessThan(views.length / 2)
      }
    }
  })

  it("leave an offer's first needs as the full ranking has them", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = prng(100 + seed)
      const o = offer({ remaining: 12, topics: seed % 3 ? ['rehearsal_space'] : [], keywords: ['排练'] })
      const received = new Map(Array.from({ length: 8 }, (_, org) => [org, pick(random, [0, 1, 3, 20])]))
      const views = Array.from({ length: 30 + Math.floor(random() * 300) }, (_, k) => {
        const id = Math.floor(random() * 8)
        return need({
          id: k + 1,
          orgId: id,
          org: org({ id, members: pick(random, [null, 5, 200]), trust: pick(random, ['self_declared', 'vouched']) }),
          quantity: pick(random, [1, 10, 30]),
          urgency: pick(random, ['low', 'normal', 'high'] as const),
          topics: pick(random, [['rehearsal_space'], []]),
        })
      })
      const relevance = new Map(views.map((n) => [n.id, relevanceOf(random)]))
      const scored = (list: typeof views) =>
        list.map((n) => ({
          need: { ...n, org: { ...n.org, matchesReceived: received.get(n.orgId)! } },
          relevance: relevance.get(n.id)!,
          terms: [],
        }))
      const full = rankNeeds(o, scored(views))
      for (const limit of [1, 5, 20, 29]) {
        const few = needContenders(o, views, limit, (n) => received.get(n.orgId)!)
        expect(rankNeeds(o, scored(few), DEFAULT_WEIGHTS, limit)).toEqual(full.slice(0, limit))
      }
    }
  })

  it('are all of them when there are no more than the page shows, or a weight counts down', () => {
    const views = [offer({ id: 1 }), offer({ id: 2, remaining: 1, servesPath: [1] })]
    expect(offerContenders(need(), views, 2)).toEqual(views)
    expect(offerContenders(need(), views, 1)).toEqual([views[0]])
    expect(offerContenders(need(), views, 1, undefined, { ...DEFAULT_WEIGHTS, coverage: -1 })).toEqual(views)
  })

  it('are none when the page shows none, and no track record or matches received is asked for', () => {
    const views = [offer({ id: 1 }), offer({ id: 2, remaining: 1, servesPath: [1] })]
    const asked = vi.fn(() => ({ delivered: 0, rating: null }))
    expect(offerContenders(need(), views, 0, asked)).toEqual([])
    expect(offerContenders(need(), [views[0]!], 0, asked)).toEqual([])
    expect(asked).not.toHaveBeenCalled()
    const received = vi.fn(() => 0)
    expect(needContenders(views[0]!, [need({ id: 1 }), need({ id: 2 })], 0, received)).toEqual([])
    expect(received).not.toHaveBeenCalled()
  })
})
