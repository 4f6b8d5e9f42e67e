import { describe, expect, it } from 'vitest'
import { generateInstance } from '../../../bench/lib/generate.js'
import { allocate, type AllocateOptions } from '../../../src/matching/allocate.js'
import { split, solvePart, stitch, taskOf } from '../../../src/matching/allocate-part.js'
import { propose } from '../../../src/matching/allocate-pool.js'
import { firstComeFirstServed } from '../../../src/matching/outcome.js'
import type { NeedView, OfferView } from '../../../src/matching/types.js'
import { shuffled, smallInstance } from './instances.js'

/** What the app ran before the pool: the proposal and, on a second enumeration of the pairs, its baseline. */
function oneThread(needs: NeedView[], offers: OfferView[], opts: AllocateOptions = {}) {
  return { proposal: allocate(needs, offers, opts), baseline: firstComeFirstServed(needs, offers, opts) }
}

describe('the allocation pool', () => {
  it('proposes exactly what allocate() does, and first come, first served exactly as its own run, on threads', async () => {
    for (const seed of [3, 29]) {
      // Quantities reach into the tens of thousands (funds), streets share district-wide offers: components of every size.
      const { needs, offers } = generateInstance({ needs: 700, offers: 650, seed })
      const want = oneThread(needs, offers)
      const got = await propose(shuffled(needs, seed), shuffled(offers, seed + 1), { inThreadBelow: 0, threads: 2 })
      expect(got.proposal.stats.components, `seed ${seed}`).toBeGreaterThan(7)
      expect(got, `seed ${seed}`).toEqual(want)
    }
  })

  it('passes the solver its options: priced to exactness and the full network agree with allocate() given them', async () => {
    const { needs, offers } = generateInstance({ needs: 400, offers: 400, seed: 5 })
    for (const opts of [{ polishRounds: Infinity }, { strategy: 'full' as const }, { strategy: 'priced' as const }]) {
      const got = await propose(needs, offers, { ...opts, inThreadBelow: 0, threads: 2 })
      expect(got, JSON.stringify(opts)).toEqual(oneThread(needs, offers, opts))
    }
  })

  it('is the same whichever thread solves which category and in whatever order the categories finish', async () => {
    const { needs, offers } = generateInstance({ needs: 500, offers: 500, seed: 17 })
    const want = oneThread(needs, offers)
    expect(await propose(needs, offers, { inThreadBelow: 0, threads: 3 })).toEqual(want)
    expect(await propose(needs, offers, { threads: 1 })).toEqual(want)
    // Parts put back in any order: stitch reads them by category, never by arrival.
    const whole = split(needs, offers)
    const results = whole.parts.map((p) => solvePart(structuredClone(taskOf(p, whole.needs, whole.offers, {}))).result)
    const order = shuffled(
      whole.parts.map((_, k) => k),
      4,
    )
    expect(order).not.toEqual(whole.parts.map((_, k) => k))
    expect(
      stitch(
        whole.needs,
        whole.offers,
        order.map((k) => whole.parts[k]),
        order.map((k) => results[k]),
      ),
    ).toEqual(want)
  })

  it('keeps needs whose category has no offer, and offers whose category has no need, as allocate() does', async () => {
    for (let seed = 1; seed <= 6; seed++) {
      const { needs, offers } = smallInstance(7100 + seed, {
        needs: 14,
        offers: 12,
        maxQuantity: 9,
        orgs: 5,
        categories: 2,
      })
      // One category's offers gone for some seeds, its needs for others.
      const cut = seed % 3 === 0 ? offers.filter((o) => o.category !== 'funds') : offers
      const kept = seed % 3 === 1 ? needs.filter((n) => n.category !== 'venue') : needs
      const want = oneThread(kept, cut)
      expect(await propose(kept, cut, { inThreadBelow: 0, threads: 2 }), `seed ${seed}`).toEqual(want)
    }
  })

  it('refuses a run whose part fails in a thread, as it would fail in one thread', async () => {
    const { needs, offers } = generateInstance({ needs: 200, offers: 200, seed: 9 })
    const broken = needs.map((n, k) => (k === 50 ? { ...n, org: undefined as unknown as NeedView['org'] } : n))
    expect(() => oneThread(broken, offers)).toThrow()
    await expect(propose(broken, offers, { inThreadBelow: 0, threads: 2 })).rejects.toThrow()
  })
})
