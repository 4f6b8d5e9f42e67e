import { describe, expect, it } from 'vitest'
import { tranches } from '../../../src/funds/tranches.js'

describe('tranches', () => {
  it('pays each milestone its share rounded down; the last takes the remainder', () => {
    const t = tranches(200_001, [
      { id: 7, position: 1, sharePct: 30 },
      { id: 8, position: 2, sharePct: 30 },
      { id: 9, position: 3, sharePct: 40 },
    ])
    expect(t).toEqual([
      { milestoneId: 7, amountFen: 60_000, last: false },
      { milestoneId: 8, amountFen: 60_000, last: false },
      { milestoneId: 9, amountFen: 80_001, last: true },
    ])
  })

  it('orders by position, whatever order the rows come in', () => {
    const t = tranches(1000, [
      { id: 2, position: 2, sharePct: 50 },
      { id: 1, position: 1, sharePct: 50 },
    ])
    expect(t.map((x) => x.milestoneId)).toEqual([1, 2])
    expect(t.at(-1)!.last).toBe(true)
  })

  it('adds up to the award to the fen for any shares summing to 100', () => {
    let seed = 42
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed % n
    }
    for (let round = 0; round < 500; round++) {
      const n = 1 + rand(5)
      const cuts = Array.from({ length: n - 1 }, () => rand(101)).sort((a, b) => a - b)
      const shares = [...cuts, 100].map((c, i) => c - (i ? cuts[i - 1] : 0))
      const award = 1 + rand(10_000_000)
      const t = tranches(
        award,
        shares.map((s, i) => ({ id: i + 1, position: i + 1, sharePct: s })),
      )
      expect(t.reduce((s, x) => s + x.amountFen, 0)).toBe(award)
      for (const x of t) expect(x.amountFen).toBeGreaterThanOrEqual(0)
      // Only the last differs from its exact share, and by less than a fen per earlier tranche.
      t.slice(0, -1).forEach((x, i) => expect(Math.abs(x.amountFen - (award * shares[i]) / 100)).toBeLessThan(1))
    }
  })
})
