/** The candidate indexes' compiled columns (match pages) and why-not's columns, exact through writes. */
import { describe, expect, it } from 'vitest'
import { OfferIndex } from '../../../src/matching/candidates.js'
import { isFeasible } from '../../../src/matching/feasibility.js'
import { whyNot } from '../../../src/matching/why-not.js'
import type { NeedView, OfferView } from '../../../src/matching/types.js'
import { byCategory, frozen, indexesOf, keptInstance, pick, writable } from './candidate-world.js'

describe('candidate indexes, compiled', () => {
  it('check a kept index by its compiled columns, exact through writes before and after they were compiled', () => {
    const { needs, offers, rand } = keptInstance(250, 250, 21)
    // A focus only one side names, which the other side's compiled numbering does not know.
    for (const n of needs) if (rand() < 0.1) n.org = { ...n.org, focus: ['only needs name this', ...n.org.focus] }
    for (const o of offers) if (rand() < 0.05) o.focus = ['only offers name this', ...o.focus]
    const { offerIdx, needIdx } = indexesOf(needs, offers)
    const { liveOffers, liveNeeds, topicsOf, wordsOf, some } = writable(needs, offers, rand)
    const any = <T>(m: Map<number, T>) => [...m.values()][Math.floor(rand() * m.size)]!
    let nextId = 10_000,
      fits = 0
    const agree = (label: string) => {
      for (const n of liveNeeds.values()) {
        const want = [...liveOffers.values()].filter((o) => isFeasible(n, o)).map((o) => o.id)
        const got = offerIdx.get(n.category)?.fitting(n) ?? []
        expect(
          got.map((o) => o.id),
          `${label}: need ${n.id}`,
        ).toEqual(want.sort((a, b) => a - b))
        fits += want.length
      }
      for (const o of liveOffers.values()) {
        const want = [...liveNeeds.values()].filter((n) => isFeasible(n, o)).map((n) => n.id)
        const got = needIdx.get(o.category)?.fitting(o) ?? []
        expect(
          got.map((n) => n.id),
          `${label}: offer ${o.id}`,
        ).toEqual(want.sort((a, b) => a - b))
      }
    }
    agree('first ask')
    agree('compiled')
    // Enough writes that a category's columns are compiled again more than once on the way.
    for (let step = 0; step < 600; step++) {
      const r = rand()
      if (step % 2 === 0) {
        const o = any(liveOffers)
        const index = offerIdx.get(o.category)!
        if (r < 0.2) {
          index.remove(o.id)
          liveOffers.delete(o.id)
        } else {
          const edited: OfferView = {
            ...o,
            id: r < 0.5 ? nextId++ : o.id,
            topics: frozen(rand() < 0.3 ? [] : some(topicsOf, 1 + Math.floor(rand() * 2))),
            keywords: frozen(some(wordsOf, 3)),
            servesPath: rand() < 0.3 ? o.servesPath.slice(0, 2) : o.servesPath,
            remaining: rand() < 0.2 ? 0 : o.remaining,
            minTrust: rand() < 0.2 ? 'endorsed' : o.minTrust,
            focus: rand() < 0.2 ? [pick(rand, ['only offers name this', 'only needs name this'])] : o.focus,
            until: rand() < 0.2 ? '2020-01-01' : o.until,
            schedule: rand() < 0.2 ? 'FREQ=WEEKLY;BYDAY=SU;BYHOUR=6' : o.schedule,
          }
          index.put(edited)
          liveOffers.set(edited.id, edited)
        }
      } else {
        const n = any(liveNeeds)
        const index = needIdx.get(n.category)!
        if (r < 0.2) {
          index.remove(n.id)
          liveNeeds.delete(n.id)
        } else {
          const edited: NeedView = {
            ...n,
            id: r < 0.5 ? nextId++ : n.id,
            topics: frozen(rand() < 0.3 ? [] : some(topicsOf, 1)),
            keywords: frozen(some(wordsOf, 2)),
            areaPath: rand() < 0.2 ? n.areaPath.slice(0, 2) : n.areaPath,
            org: {
              ...n.org,
              trust: rand() < 0.5 ? 'endorsed' : 'self_declared',
              focus: rand() < 0.2 ? ['only needs name this'] : n.org.focus,
            },
            from: rand() < 0.2 ? '2031-01-01' : n.from,
          }
          index.put(edited)
          liveNeeds.set(edited.id, edited)
        }
      }
      if (step % 60 === 59) agree(`step ${step}`)
    }
    expect(fits).toBeGreaterThan(1000)
  })

  it('check by their compiled rows with more focus groups than a mask has bits, where the focus is checked as written', () => {
    const { needs, offers, rand } = keptInstance(250, 250, 41)
    // Every listing names one of four common groups and one of 200 others: past 31 groups in a category, the compiled
    // check reads each pair's focus lists (holds) instead of masks, and the common ones make some pairs share one.
    const common = ['elderly', 'children', 'disability', 'migrants']
    const rare = Array.from({ length: 200 }, (_, k) => `group ${k}`)
    const some = () => [pick(rand, common), pick(rand, rare)]
    for (const n of needs) n.org = { ...n.org, focus: some() }
    for (const o of offers) o.focus = rand() < 0.3 ? [] : some()
    const widest = (side: (readonly [string, readonly string[]])[]) =>
      Math.max(
        ...[...new Set(side.map(([c]) => c))].map(
          (c) => new Set(side.filter(([k]) => k === c).flatMap(([, f]) => f)).size,
        ),
      )
    expect(widest(needs.map((n) => [n.category, n.org.focus]))).toBeGreaterThan(31)
    expect(widest(offers.map((o) => [o.category, o.focus]))).toBeGreaterThan(31)
    const { needIdx, offerIdx } = indexesOf(needs, offers)
    let fits = 0,
      focused = 0
    for (const label of ['first ask', 'compiled', 'compiled, asked again']) {
      for (const o of offers) {
        const want = needs.filter((n) => isFeasible(n, o)).map((n) => n.id)
        const got = needIdx.get(o.category)?.fitting(o) ?? []
        expect(
          got.map((n) => n.id),
          `${label}: offer ${o.id}`,
        ).toEqual(want.sort((a, b) => a - b))
        fits += want.length
        if (o.focus.length > 0) focused += want.length
      }
      for (const n of needs) {
        const want = offers.filter((o) => isFeasible(n, o)).map((o) => o.id)
        expect(
          (offerIdx.get(n.category)?.fitting(n) ?? []).map((o) => o.id),
          `${label}: need ${n.id}`,
        ).toEqual(want.sort((a, b) => a - b))
      }
    }
    expect(focused).toBeGreaterThan(30)
    expect(fits).toBeGreaterThan(focused)
  })

  it("keep why-not's columns exact through writes, patched and compiled again", () => {
    // A need page without matches tallies the category from the columns the index keeps (offers removed or replaced
    // since marked gone, those put since apart): the answer must be that of the offers as they are now, compiled
    // afresh, whatever was written since the columns were compiled and whenever they are compiled again.
    const { needs, offers, rand } = keptInstance(60, 300, 31)
    const offerIdx = byCategory(
      offers,
      () => new OfferIndex(),
      (i, o) => i.put(o),
    )
    const live = new Map(offers.map((o) => [o.id, o]))
    const topicsOf = [...new Set(offers.flatMap((o) => o.topics))]
    const wordsOf = [...new Set(offers.flatMap((o) => o.keywords))]
    const some = <T>(xs: T[], k: number) => Array.from({ length: k }, () => pick(rand, xs))
    let nextId = 10_000,
      compared = 0
    const agree = (label: string) => {
      for (const n of needs) {
        const index = offerIdx.get(n.category)!
        const kept = whyNot(n, index.columns(), index.relation(n))
        expect(kept, `${label}: need ${n.id}`).toEqual(whyNot(n, [...index.all()].reverse()))
        compared += kept.considered
      }
    }
    agree('compiled')
    for (let step = 0; step < 900; step++) {
      const o = [...live.values()][Math.floor(rand() * live.size)]!
      const index = offerIdx.get(o.category)!
      const r = rand()
      if (r < 0.15) {
        index.remove(o.id)
        live.delete(o.id)
      } else {
        // Replaced (same id) or new, changed in what every constraint reads.
        const edited: OfferView = {
          ...o,
          id: r < 0.4 ? nextId++ : o.id,
          topics: frozen(rand() < 0.3 ? [] : some(topicsOf, 1 + Math.floor(rand() * 2))),
          keywords: frozen(some(wordsOf, 3)),
          servesPath: rand() < 0.3 ? o.servesPath.slice(0, 2) : o.servesPath,
          remaining: rand() < 0.3 ? Math.floor(rand() * 40) : o.remaining,
          minTrust: rand() < 0.2 ? pick(rand, ['vouched', 'endorsed'] as const) : o.minTrust,
          focus: rand() < 0.2 ? some(['elderly', 'children', 'disability'], 1) : o.focus,
          from: rand() < 0.2 ? '2025-06-01' : o.from,
          until: rand() < 0.2 ? '2024-12-31' : o.until,
          schedule: rand() < 0.2 ? 'FREQ=WEEKLY;BYDAY=SU;BYHOUR=6' : o.schedule,
        }
        index.put(edited)
        live.set(edited.id, edited)
      }
      if (step % 75 === 74) agree(`step ${step}`)
    }
    expect(compared).toBeGreaterThan(10_000)
  })
})
