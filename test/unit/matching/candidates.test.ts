import { describe, expect, it } from 'vitest'
import { NeedIndex, OfferIndex } from '../../../src/matching/candidates.js'
import { isFeasible } from '../../../src/matching/feasibility.js'
import { relate } from '../../../src/matching/topic-relation.js'
import { whyNot } from '../../../src/matching/why-not.js'
import { generateInstance, prng } from '../../../bench/lib/generate.js'
import type { NeedView, OfferView } from '../../../src/matching/types.js'
import { need, offer, org } from './fixtures.js'
import { expectAgreement, frozen, indexesOf, writable } from './candidate-world.js'

// The indexes narrow by place, topic and keyword; what fits is isFeasible's. Whatever was added, replaced or
// removed, a lookup must give exactly the listings a scan of every listing with isFeasible gives.
describe('candidate indexes', () => {
  it('find exactly the feasible listings on random instances, topics or none, funds included', () => {
    for (const seed of [1, 2, 3]) {
      const { needs, offers } = generateInstance({ needs: 150, offers: 150, seed, streets: 2, communitiesPerStreet: 3 })
      const rand = prng(seed)
      // Views as the shell keeps them: frozen subject lists; some needs at street level, some offers district-wide.
      for (const n of needs) {
        n.topics = frozen([...n.topics])
        n.keywords = frozen([...n.keywords])
        if (rand() < 0.1) n.areaPath = n.areaPath.slice(0, 2)
        if (rand() < 0.15) n.topics = frozen([])
      }
      for (const o of offers) {
        o.topics = frozen([...o.topics])
        o.keywords = frozen([...o.keywords])
        if (rand() < 0.1) o.servesPath = [1]
        if (rand() < 0.15) o.topics = frozen([])
      }
      const { fits, offerIdx } = expectAgreement(needs, offers, `seed ${seed}`)
      expect(fits).toBeGreaterThan(50)
      // Why-not's view of the whole category: the index's relation is relate()'s, and so is the answer.
      const seen = new Set<string>()
      for (const n of needs) {
        const index = offerIdx.get(n.category)!
        const relation = index.relation(n)
        for (const o of index.all()) {
          const want = relate(n.category, n, o)
          seen.add(want)
          expect(relation(o), `need ${n.id}, offer ${o.id}`).toBe(want)
        }
        expect(whyNot(n, index.all(), relation), `need ${n.id}`).toEqual(whyNot(n, [...index.all()].reverse()))
      }
      expect([...seen].sort()).toEqual(['other', 'related', 'same', 'unclear'])
    }
  })

  it('stay exact as listings are replaced and removed one at a time', () => {
    const { needs, offers } = generateInstance({
      needs: 120,
      offers: 120,
      seed: 9,
      streets: 2,
      communitiesPerStreet: 3,
    })
    const rand = prng(11)
    const { offerIdx, needIdx } = indexesOf(needs, offers)
    const { liveOffers, liveNeeds, topicsOf, wordsOf, some } = writable(needs, offers, rand)
    for (let step = 0; step < 300; step++) {
      const o = [...liveOffers.values()][Math.floor(rand() * liveOffers.size)]!
      const n = [...liveNeeds.values()][Math.floor(rand() * liveNeeds.size)]!
      const r = rand()
      if (r < 0.15) {
        offerIdx.get(o.category)!.remove(o.id)
        liveOffers.delete(o.id)
      } else if (r < 0.45) {
        // An edit: what it is about, where it serves, how much is left; a view is replaced, never changed in place.
        const edited: OfferView = {
          ...o,
          topics: rand() < 0.3 ? [] : some(topicsOf, 1 + Math.floor(rand() * 2)),
          keywords: some(wordsOf, 3),
          servesPath: rand() < 0.5 ? o.servesPath.slice(0, 2) : o.servesPath,
          remaining: rand() < 0.2 ? 0 : o.remaining,
        }
        offerIdx.get(o.category)!.put(edited)
        liveOffers.set(o.id, edited)
      } else if (r < 0.6) {
        needIdx.get(n.category)!.remove(n.id)
        liveNeeds.delete(n.id)
      } else {
        const edited: NeedView = {
          ...n,
          topics: rand() < 0.3 ? [] : some(topicsOf, 1),
          keywords: some(wordsOf, 2),
          org: { ...n.org, trust: rand() < 0.5 ? 'endorsed' : 'self_declared' },
          quantity: rand() < 0.1 ? 0 : n.quantity,
        }
        needIdx.get(n.category)!.put(edited)
        liveNeeds.set(n.id, edited)
      }
      if (liveOffers.size < 20 || liveNeeds.size < 20) break
    }
    for (const nv of liveNeeds.values()) {
      const want = [...liveOffers.values()]
        .filter((ov) => isFeasible(nv, ov))
        .map((ov) => ov.id)
        .sort((a, b) => a - b)
      expect(
        offerIdx
          .get(nv.category)!
          .fitting(nv)
          .map((ov) => ov.id),
        `need ${nv.id}`,
      ).toEqual(want)
    }
    for (const ov of liveOffers.values()) {
      const want = [...liveNeeds.values()]
        .filter((nv) => isFeasible(nv, ov))
        .map((nv) => nv.id)
        .sort((a, b) => a - b)
      expect(
        needIdx
          .get(ov.category)!
          .fitting(ov)
          .map((nv) => nv.id),
        `offer ${ov.id}`,
      ).toEqual(want)
    }
    expect(offerIdx.get('venue')!.size).toBe([...liveOffers.values()].filter((x) => x.category === 'venue').length)
  })

  it('give a fund without a stated purpose to every need of its place, and a need without topics offers sharing a word', () => {
    const elderly = org({ focus: ['elderly'] })
    const fund = offer({ id: 1, category: 'funds', unit: 'yuan', topics: [], keywords: [] })
    const purposeful = offer({ id: 2, category: 'funds', unit: 'yuan', topics: ['elderly_care'], keywords: ['养老'] })
    const funds = new NeedIndex()
    const a = need({
      id: 1,
      org: elderly,
      category: 'funds',
      unit: 'yuan',
      topics: ['environment'],
      keywords: ['环保'],
    })
    const b = need({ id: 2, org: elderly, category: 'funds', unit: 'yuan', topics: [], keywords: [] })
    funds.put(a)
    funds.put(b)
    expect(funds.fitting(fund).map((n) => n.id)).toEqual([1, 2])
    expect(funds.fitting(purposeful).map((n) => n.id)).toEqual([])
    const offers = new OfferIndex()
    offers.put(fund)
    offers.put(purposeful)
    expect(offers.fitting(a).map((o) => o.id)).toEqual([1])

    const venues = new OfferIndex()
    venues.put(offer({ id: 3, topics: ['kitchen'], keywords: ['排练', '厨房'] }))
    venues.put(offer({ id: 4, topics: ['kitchen'], keywords: ['厨房'] }))
    // Keywords alone: 排练 shared over the longer list's two words reaches the floor for 3, nothing for 4.
    expect(venues.fitting(need({ topics: [], keywords: ['排练'] })).map((o) => o.id)).toEqual([3])
    // An offer whose area is unknown reaches nobody.
    const nowhere = new NeedIndex()
    nowhere.put(need())
    expect(nowhere.fitting(offer({ servesPath: [] }))).toEqual([])
  })

  it('find every listing related by words alone, whatever order the words were first filed in', () => {
    // Each side is filed under, and asks with, only a prefix of its words in one order for the process: related
    // pairs (half the longer list shared) must still meet. Words of every frequency, lists of 1 to 10 words, some
    // the asker alone has, added over rounds so that words are first met at different times.
    const rand = prng(91)
    const vocabulary = Array.from({ length: 40 }, (_, k) => `词${k}`)
    // Skewed: the first words are drawn far more often, as 联系人 or 'street' are in real listings.
    const word = () => vocabulary[Math.floor(vocabulary.length * rand() ** 3)]!
    const words = () => {
      const list = Array.from({ length: 1 + Math.floor(rand() * 10) }, word)
      if (rand() < 0.2) list.push(`只有我${Math.floor(rand() * 1e6)}`)
      return frozen(list)
    }
    const needs: NeedView[] = [],
      offers: OfferView[] = []
    const needIdx = new NeedIndex(),
      offerIdx = new OfferIndex()
    let related = 0
    for (let round = 0; round < 6; round++) {
      for (let k = 0; k < 40; k++) {
        const n = need({ id: needs.length + 1, topics: rand() < 0.3 ? ['kitchen'] : [], keywords: words() })
        const o = offer({ id: offers.length + 1, topics: rand() < 0.3 ? ['hall'] : [], keywords: words() })
        needs.push(n)
        offers.push(o)
        needIdx.put(n)
        offerIdx.put(o)
      }
      for (const n of needs) {
        const want = offers.filter((o) => isFeasible(n, o)).map((o) => o.id)
        related += want.length
        expect(
          offerIdx.fitting(n).map((o) => o.id),
          `round ${round}, need ${n.id}`,
        ).toEqual(want)
      }
      for (const o of offers)
        expect(
          needIdx.fitting(o).map((n) => n.id),
          `round ${round}, offer ${o.id}`,
        ).toEqual(needs.filter((n) => isFeasible(n, o)).map((n) => n.id))
    }
    expect(related).toBeGreaterThan(500)
  })
})
