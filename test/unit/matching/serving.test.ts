import { describe, expect, it } from 'vitest'
import { isFeasible } from '../../../src/matching/feasibility.js'
import { generateInstance } from '../../../src/matching/generate.js'
import { serving } from '../../../src/matching/serving.js'
import { need, offer, org } from './fixtures.js'

describe('who can serve whom, in bulk', () => {
  it('agrees with isFeasible on every need and every (offer, place), on random instances', () => {
    for (const seed of [3, 4, 5]) {
      const { needs, offers } = generateInstance({ needs: 160, offers: 120, seed, streets: 2, communitiesPerStreet: 3 })
      // Some offers fully reserved and some needs at street level, which the generator does not make.
      offers.forEach((o, k) => { if (k % 9 === 0) o.remaining = 0 })
      needs.forEach((n, k) => { if (k % 11 === 0) n.areaPath = n.areaPath.slice(0, 2) })
      const got = serving(needs, offers)
      needs.forEach((n, i) => {
        expect(got.needServed[i] === 1, `seed ${seed}, need ${n.id}`).toBe(offers.some((o) => isFeasible(n, o)))
      })
      offers.forEach((o, j) => {
        const places = [...new Set(needs.filter((n) => isFeasible(n, o)).map((n) => n.areaPath.at(-1)!))].sort((a, b) => a - b)
        expect(got.offerPlaces[j], `seed ${seed}, offer ${o.id}`).toEqual(places)
      })
      expect(got.needServed.some((x) => x === 0)).toBe(true)
      expect(got.needServed.some((x) => x === 1)).toBe(true)
    }
  })

  it('counts a need as served only when an offer fits it, not when one merely covers its place', () => {
    const elderly = org({ id: 1, focus: ['elderly'] })
    const got = serving([need({ id: 1, org: elderly })], [offer({ id: 1, focus: ['children'] }), offer({ id: 2, remaining: 0 })])
    expect([...got.needServed]).toEqual([0])
    expect(got.offerPlaces).toEqual([[], []])
  })
})
