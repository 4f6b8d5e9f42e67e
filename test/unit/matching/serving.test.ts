import { describe, expect, it } from 'vitest'
import { isFeasible } from '../../../src/matching/feasibility.js'
import { NeedIndex, OfferIndex } from '../../../src/matching/candidates.js'
import { generateInstance, prng } from '../../../bench/lib/generate.js'
import { serving, ServingTally } from '../../../src/matching/serving.js'
import type { NeedView, OfferView } from '../../../src/matching/types.js'
import { need, offer, org } from './fixtures.js'

describe('who can serve whom, in bulk', () => {
  it('agrees with isFeasible on every need and every (offer, place), on random instances', () => {
    for (const seed of [3, 4, 5]) {
      const { needs, offers } = generateInstance({ needs: 160, offers: 120, seed, streets: 2, communitiesPerStreet: 3 })
      // Some offers fully reserved and some needs at street level, which the generator does not make.
      offers.forEach((o, k) => {
        if (k % 9 === 0) o.remaining = 0
      })
      needs.forEach((n, k) => {
        if (k % 11 === 0) n.areaPath = n.areaPath.slice(0, 2)
      })
      const got = serving(needs, offers)
      needs.forEach((n, i) => {
        expect(got.needServed[i] === 1, `seed ${seed}, need ${n.id}`).toBe(offers.some((o) => isFeasible(n, o)))
      })
      offers.forEach((o, j) => {
        const places = [...new Set(needs.filter((n) => isFeasible(n, o)).map((n) => n.areaPath.at(-1)!))].sort(
          (a, b) => a - b,
        )
        expect(got.offerPlaces[j], `seed ${seed}, offer ${o.id}`).toEqual(places)
      })
      expect(got.needServed.some((x) => x === 0)).toBe(true)
      expect(got.needServed.some((x) => x === 1)).toBe(true)
    }
  })

  it('counts a need as served only when an offer fits it, not when one merely covers its place', () => {
    const elderly = org({ id: 1, focus: ['elderly'] })
    const got = serving(
      [need({ id: 1, org: elderly })],
      [offer({ id: 1, focus: ['children'] }), offer({ id: 2, remaining: 0 })],
    )
    expect([...got.needServed]).toEqual([0])
    expect(got.offerPlaces).toEqual([[], []])
  })
})

describe('who can serve whom, kept', () => {
  // The shell keeps one tally per category beside its two indexes and patches all three one listing at a time.
  // Whatever is added, replaced or removed, the kept tally must say what counting the listings afresh says.
  it('patched one listing at a time, equals a count afresh, on random instances with random edits', () => {
    for (const seed of [7, 8]) {
      const { needs, offers } = generateInstance({ needs: 140, offers: 110, seed, streets: 2, communitiesPerStreet: 3 })
      const rand = prng(seed)
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!
      const needIdx = new Map<string, NeedIndex>(),
        offerIdx = new Map<string, OfferIndex>(),
        tallies = new Map<string, ServingTally>()
      for (const n of needs) {
        if (!needIdx.has(n.category)) needIdx.set(n.category, new NeedIndex())
        needIdx.get(n.category)!.put(n)
      }
      for (const o of offers) {
        if (!offerIdx.has(o.category)) offerIdx.set(o.category, new OfferIndex())
        offerIdx.get(o.category)!.put(o)
      }
      const categories = [...new Set([...needIdx.keys(), ...offerIdx.keys()])]
      for (const c of categories) {
        if (!needIdx.has(c)) needIdx.set(c, new NeedIndex())
        if (!offerIdx.has(c)) offerIdx.set(c, new OfferIndex())
        tallies.set(c, ServingTally.count(needIdx.get(c)!, offerIdx.get(c)!))
      }
      // As views.ts does: out of the index and the tally, then the new version into both.
      const putNeed = (n: NeedView) => {
        const old = needIdx.get(n.category)!.remove(n.id)
        if (old) tallies.get(old.category)!.removeNeed(old, needIdx.get(old.category)!, offerIdx.get(old.category)!)
        needIdx.get(n.category)!.put(n)
        tallies.get(n.category)!.addNeed(n, offerIdx.get(n.category)!)
      }
      const putOffer = (o: OfferView) => {
        const old = offerIdx.get(o.category)!.remove(o.id)
        if (old) tallies.get(old.category)!.removeOffer(old, needIdx.get(old.category)!, offerIdx.get(old.category)!)
        offerIdx.get(o.category)!.put(o)
        tallies.get(o.category)!.addOffer(o, needIdx.get(o.category)!)
      }
      const dropNeed = (n: NeedView) => {
        if (needIdx.get(n.category)!.remove(n.id))
          tallies.get(n.category)!.removeNeed(n, needIdx.get(n.category)!, offerIdx.get(n.category)!)
      }
      const dropOffer = (o: OfferView) => {
        if (offerIdx.get(o.category)!.remove(o.id))
          tallies.get(o.category)!.removeOffer(o, needIdx.get(o.category)!, offerIdx.get(o.category)!)
      }
      const liveNeeds = () => categories.flatMap((c) => [...needIdx.get(c)!.all()])
      const liveOffers = () => categories.flatMap((c) => [...offerIdx.get(c)!.all()])
      let nextId = 10_000
      const edits: (() => void)[] = [
        () => {
          const n = pick(liveNeeds())
          putNeed({ ...n, topics: rand() < 0.5 ? [] : pick(liveNeeds()).topics })
        },
        () => {
          const n = pick(liveNeeds())
          putNeed({ ...n, areaPath: pick(liveNeeds()).areaPath })
        },
        () => {
          const n = pick(liveNeeds())
          putNeed({ ...n, org: { ...n.org, trust: pick(['self_declared', 'vouched', 'endorsed'] as const) } })
        },
        () => {
          const n = pick(liveNeeds())
          putNeed({ ...n, schedule: pick(liveOffers()).schedule, from: null, until: null })
        },
        () => {
          const o = pick(liveOffers())
          putOffer({ ...o, servesPath: pick(liveOffers()).servesPath })
        },
        () => {
          const o = pick(liveOffers())
          putOffer({ ...o, topics: rand() < 0.3 ? [] : pick(liveNeeds()).topics, keywords: pick(liveNeeds()).keywords })
        },
        () => {
          const o = pick(liveOffers())
          putOffer({ ...o, focus: rand() < 0.5 ? [] : o.focus, minTrust: 'self_declared' })
        },
        () => dropNeed(pick(liveNeeds())),
        () => dropOffer(pick(liveOffers())),
        () => {
          const n = pick(liveNeeds())
          putNeed({ ...n, id: nextId++ })
        },
        () => {
          const o = pick(liveOffers())
          putOffer({ ...o, id: nextId++, servesPath: o.servesPath.slice(0, 1) })
        },
      ]
      let served = 0
      for (let round = 0; round < 12; round++) {
        for (let k = 0; k < 15; k++) pick(edits)()
        const ns = liveNeeds(),
          os = liveOffers()
        const want = serving(ns, os)
        expect(
          ns.map((n) => (tallies.get(n.category)!.served(n.id) ? 1 : 0)),
          `seed ${seed}, round ${round}`,
        ).toEqual([...want.needServed])
        expect(
          os.map((o) => tallies.get(o.category)!.placesOf(o.id)),
          `seed ${seed}, round ${round}`,
        ).toEqual(want.offerPlaces)
        served += want.needServed.reduce((s, x) => s + x, 0)
      }
      expect(served).toBeGreaterThan(100)
    }
  })

  // The witnesses a tally keeps (a fitting offer per need, a fitting need per offer and place) are found again only
  // when the listing they name changes or leaves, and some are found before the count reaches a listing. Counted a
  // few listings a slice with writes of every kind between slices and after, the answer must be what asking
  // isFeasible of every pair says.
  it('counted in slices through writes of every kind, equals every pair asked with isFeasible', () => {
    for (const seed of [21, 22, 23]) {
      const { needs, offers } = generateInstance({ needs: 220, offers: 160, seed, streets: 2, communitiesPerStreet: 3 })
      const rand = prng(seed)
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!
      const categories = [...new Set([...needs, ...offers].map((x) => x.category))]
      // Needs placed at every level, offers serving every level; some listings about words alone.
      needs.forEach((n, k) => {
        if (k % 13 === 0) n.areaPath = n.areaPath.slice(0, 1)
        else if (k % 7 === 0) n.areaPath = n.areaPath.slice(0, 2)
      })
      offers.forEach((o, k) => {
        if (k % 11 === 0) o.servesPath = o.servesPath.slice(0, 1)
      })
      const needIdx = new Map(categories.map((c) => [c, new NeedIndex()])),
        offerIdx = new Map(categories.map((c) => [c, new OfferIndex()])),
        tallies = new Map(categories.map((c) => [c, ServingTally.begin()]))
      for (const n of needs) needIdx.get(n.category)!.put(n)
      for (const o of offers) offerIdx.get(o.category)!.put(o)
      const liveNeeds = () => categories.flatMap((c) => [...needIdx.get(c)!.all()])
      const liveOffers = () => categories.flatMap((c) => [...offerIdx.get(c)!.all()])
      // As views.ts does: out of the old category's index and tally, then the new version into its own.
      const dropNeed = (id: number) => {
        for (const c of categories) {
          const old = needIdx.get(c)!.remove(id)
          if (old) tallies.get(c)!.removeNeed(old, needIdx.get(c)!, offerIdx.get(c)!)
        }
      }
      const dropOffer = (id: number) => {
        for (const c of categories) {
          const old = offerIdx.get(c)!.remove(id)
          if (old) tallies.get(c)!.removeOffer(old, needIdx.get(c)!, offerIdx.get(c)!)
        }
      }
      const putNeed = (n: NeedView) => {
        dropNeed(n.id)
        needIdx.get(n.category)!.put(n)
        tallies.get(n.category)!.addNeed(n, offerIdx.get(n.category)!)
      }
      const putOffer = (o: OfferView) => {
        dropOffer(o.id)
        offerIdx.get(o.category)!.put(o)
        tallies.get(o.category)!.addOffer(o, needIdx.get(o.category)!)
      }
      const words = () => [...new Set([...pick(liveNeeds()).keywords, ...pick(liveOffers()).keywords])]
      let nextId = 10_000
      const edits: (() => void)[] = [
        () => putNeed({ ...pick(liveNeeds()), id: nextId++ }),
        () => putOffer({ ...pick(liveOffers()), id: nextId++ }),
        () => dropNeed(pick(liveNeeds()).id),
        () => dropOffer(pick(liveOffers()).id),
        () => {
          const n = pick(liveNeeds())
          putNeed({ ...n, topics: rand() < 0.5 ? [] : pick(liveNeeds()).topics, keywords: words() })
        },
        () => putNeed({ ...pick(liveNeeds()), areaPath: pick(liveNeeds()).areaPath }),
        () => putNeed({ ...pick(liveNeeds()), quantity: rand() < 0.5 ? 0 : 3 }),
        () => {
          const n = pick(liveNeeds())
          putNeed({ ...n, org: { ...n.org, trust: pick(['self_declared', 'vouched', 'endorsed'] as const) } })
        },
        () => putNeed({ ...pick(liveNeeds()), schedule: pick(liveOffers()).schedule, from: null, until: null }),
        () => {
          const n = pick(liveNeeds())
          putNeed({ ...n, category: pick(categories), areaPath: rand() < 0.1 ? [] : n.areaPath })
        },
        () => putOffer({ ...pick(liveOffers()), servesPath: pick(liveOffers()).servesPath }),
        () => {
          const o = pick(liveOffers())
          putOffer({ ...o, topics: rand() < 0.4 ? [] : pick(liveNeeds()).topics, keywords: words() })
        },
        () => putOffer({ ...pick(liveOffers()), focus: [], minTrust: 'self_declared' }),
        () => putOffer({ ...pick(liveOffers()), remaining: rand() < 0.5 ? 0 : 5, from: null, until: null }),
        () => putOffer({ ...pick(liveOffers()), category: pick(categories) }),
      ]
      const expectBruteForce = (label: string) => {
        const ns = liveNeeds(),
          os = liveOffers()
        for (const n of ns) {
          const want = n.quantity > 0 && n.areaPath.length > 0 && os.some((o) => isFeasible(n, o))
          expect(tallies.get(n.category)!.served(n.id), `${label}, need ${n.id}`).toBe(want)
        }
        for (const o of os) {
          const want = [
            ...new Set(
              ns
                .filter((n) => n.quantity > 0 && n.areaPath.length > 0 && isFeasible(n, o))
                .map((n) => n.areaPath.at(-1)!),
            ),
          ].sort((a, b) => a - b)
          expect(tallies.get(o.category)!.placesOf(o.id), `${label}, offer ${o.id}`).toEqual(want)
        }
        return ns.filter((n) => tallies.get(n.category)!.served(n.id)).length
      }
      let slices = 0
      for (;;) {
        let done = true
        for (const c of categories)
          if (!tallies.get(c)!.countSome(needIdx.get(c)!, offerIdx.get(c)!, 0)) {
            done = false
            slices++
          }
        if (done) break
        for (let k = 0; k < 3; k++) pick(edits)()
      }
      expect(slices, `seed ${seed}`).toBeGreaterThan(40)
      let served = expectBruteForce(`seed ${seed}, counted`)
      for (let round = 0; round < 8; round++) {
        for (let k = 0; k < 12; k++) pick(edits)()
        served += expectBruteForce(`seed ${seed}, round ${round}`)
      }
      expect(served, `seed ${seed}`).toBeGreaterThan(300)
    }
  })
})
