import { describe, expect, it } from 'vitest'
import { Ids } from '../../../src/search/ids.js'

describe('kept listing ids', () => {
  // A small deterministic generator: the same cases every run.
  const random = (seed: number) => () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648

  it.each([
    ['sparse', 50, 100_000],
    ['dense', 5_000, 8_000],
  ])('answers as a plain set through writes (%s)', (_, n, span) => {
    const rand = random(n)
    const plain = new Set<number>()
    while (plain.size < n) plain.add(1 + Math.floor(rand() * span))
    const ids = Ids.of([...plain].sort((a, b) => a - b))
    expect(ids.size).toBe(n)
    for (let k = 0; k < 3_000; k++) {
      // Beyond the largest id too: a listing created after the postings were read.
      const id = 1 + Math.floor(rand() * span * 1.5)
      const inside = rand() < 0.5
      ids.place(id, inside)
      if (inside) plain.add(id)
      else plain.delete(id)
      expect(ids.size).toBe(plain.size)
    }
    for (let id = 0; id <= span * 1.5 + 40; id++)
      if (ids.has(id) !== plain.has(id)) expect([id, ids.has(id)]).toEqual([id, plain.has(id)])
    expect(ids.has(-1)).toBe(false)
  })

  it('keeps a common word in a bit per listing, a rare one as its ids', () => {
    const common = Ids.of(Array.from({ length: 240_000 }, (_, i) => 4 * i + 3))
    expect(common.cost).toBe(30_000) // 960k rowids' bits, against 240k ids
    expect(common.has(7) && !common.has(8)).toBe(true)
    const rare = Ids.of([5, 900_000])
    expect(rare.cost).toBe(2)
    expect(rare.has(900_000) && !rare.has(6)).toBe(true)
    expect(Ids.of([]).has(0)).toBe(false)
  })

  it('counts and lists the ids in every set of any group as plain sets do, sparse and dense mixed, through writes', () => {
    const rand = random(7)
    const draw = (n: number, span: number) => {
      const plain = new Set<number>()
      while (plain.size < n) plain.add(Math.floor(rand() * span))
      return plain
    }
    for (let round = 0; round < 40; round++) {
      // Each group of up to three sets, each sparse (ids) or dense (bits), some empty.
      const plain = Array.from({ length: 1 + Math.floor(rand() * 3) }, () =>
        Array.from({ length: 1 + Math.floor(rand() * 3) }, () =>
          draw([0, 3, 40, 2_000, 6_000][Math.floor(rand() * 5)]!, 10_000),
        ),
      )
      const kept = plain.map((all) => all.map((set) => Ids.of([...set].sort((a, b) => a - b))))
      for (let k = 0; k < 30; k++) {
        // Taken out and put back beyond the largest id, as a listing written after the postings were read.
        const g = Math.floor(rand() * plain.length)
        const i = Math.floor(rand() * plain[g]!.length)
        const id = Math.floor(rand() * 12_000)
        const inside = rand() < 0.5
        kept[g]![i]!.place(id, inside)
        if (inside) plain[g]![i]!.add(id)
        else plain[g]![i]!.delete(id)
      }
      const expected = new Set<number>()
      for (const all of plain) for (const id of all[0]!) if (all.every((set) => set.has(id))) expected.add(id)
      expect(Ids.countInAny(kept)).toBe(expected.size)
      expect([...Ids.inAny(kept).descending()]).toEqual([...expected].sort((a, b) => b - a))
      for (const ids of kept.flat()) {
        const listed: number[] = []
        ids.forEach((id) => listed.push(id))
        expect(listed.length).toBe(ids.size)
        expect(listed.every((id, k) => k === 0 || id > listed[k - 1]!)).toBe(true)
        expect(ids.max).toBe(listed.length === 0 ? -1 : listed.at(-1))
        expect([...ids.descending()]).toEqual(listed.reverse())
      }
    }
    expect(Ids.countInAny([])).toBe(0)
    expect(Ids.countInAny([[Ids.of([])], [Ids.of([1, 2]), Ids.of([3])]])).toBe(0)
    // Top bits of 32-id words (31, 63), as listed largest first.
    expect([
      ...Ids.inAny([[Ids.of([31, 63, 64])], [Ids.of(Array.from({ length: 64 }, (_, i) => i))]]).descending(),
    ]).toEqual(Array.from({ length: 65 }, (_, i) => 64 - i))
  })
})
