import { describe, expect, it } from 'vitest'
import {
  areaFigures,
  balance,
  colourStep,
  combinedBalance,
  idle,
  idleDays,
  sortRows,
  unmetGroups,
  type AreaNode,
  type Tally,
} from '../../../src/impact/gaps.js'

/**
 * A district built by hand: district 1 → street 2 (communities 4, 5) and street 3 (community 6).
 *   needs:  venue 10 h + 5 h in 4 (two needs), venue 8 h in 5, venue 3 h placed at street 2 itself,
 *           training 6 seats in 6, funds 1000 yuan in 4
 *   offers: venue 12 h serving street 2 (available to 4 and 5), venue 4 h serving 5, venue 20 h serving the
 *           whole district, training 2 seats serving 6
 */
const areas: AreaNode[] = [
  { id: 1, parentId: null, level: 'district', path: '/1/' },
  { id: 2, parentId: 1, level: 'street', path: '/1/2/' },
  { id: 3, parentId: 1, level: 'street', path: '/1/3/' },
  { id: 4, parentId: 2, level: 'community', path: '/1/2/4/' },
  { id: 5, parentId: 2, level: 'community', path: '/1/2/5/' },
  { id: 6, parentId: 3, level: 'community', path: '/1/3/6/' },
]
const needs: Tally[] = [
  { areaId: 4, category: 'venue', count: 1, available: 1, remaining: 10 },
  { areaId: 4, category: 'venue', count: 1, available: 1, remaining: 5 },
  { areaId: 5, category: 'venue', count: 1, available: 1, remaining: 8 },
  { areaId: 2, category: 'venue', count: 1, available: 1, remaining: 3 },
  { areaId: 6, category: 'training', count: 1, available: 1, remaining: 6 },
  { areaId: 4, category: 'funds', count: 1, available: 1, remaining: 1000 },
]
const offers: Tally[] = [
  { areaId: 2, category: 'venue', count: 1, available: 1, remaining: 12 },
  { areaId: 5, category: 'venue', count: 1, available: 1, remaining: 4 },
  { areaId: 1, category: 'venue', count: 1, available: 1, remaining: 20 },
  { areaId: 6, category: 'training', count: 1, available: 1, remaining: 2 },
]
const CATS = ['venue', 'training', 'funds']
/**
 * Who can serve whom (matching/serving.ts decides it; here it is given): the street-wide offer fits the 10 h
 * need in 4 and the need at street 2; the offer serving 5 fits the need there; the district-wide offer fits
 * nothing (say it asks for a vouched group); the training offer fits. No offer fits the 5 h venue need in 4
 * or the funds need.
 */
const serving = {
  offers: [
    { category: 'venue', remaining: 12, places: [2, 4] },
    { category: 'venue', remaining: 4, places: [5] },
    { category: 'venue', remaining: 20, places: [] },
    { category: 'training', remaining: 2, places: [6] },
  ],
  unserved: [
    { areaId: 4, category: 'venue', count: 1, available: 1, remaining: 5 },
    { areaId: 4, category: 'funds', count: 1, available: 1, remaining: 1000 },
  ],
}
const f = areaFigures(areas, needs, offers, CATS, serving)

describe('area figures', () => {
  it('counts as supply only offers that fit a need here, and as short the demand no offer fits plus what fitting supply cannot cover', () => {
    // Community 4: 15 h asked; only the street-wide 12 h fits, and only the 10 h need: the 5 h need is short whatever the supply.
    expect(f.get(4)!.byCategory.venue).toEqual({
      demand: 15,
      supply: 12,
      gap: 5,
      needs: 2,
      offers: 2,
      serving: 1,
      unserved: 1,
      unservedDemand: 5,
      balance: -5 / 15,
    })
    // Community 5: three offers cover it, but only its own 4 h one fits its 8 h need.
    expect(f.get(5)!.byCategory.venue).toEqual({
      demand: 8,
      supply: 4,
      gap: 4,
      needs: 1,
      offers: 3,
      serving: 1,
      unserved: 0,
      unservedDemand: 0,
      balance: -0.5,
    })
    // No demand, an offer available: the supply side; nothing listed: no colour.
    expect(f.get(6)!.byCategory.venue).toMatchObject({ demand: 0, supply: 0, gap: 0, offers: 1, balance: 1 })
    expect(f.get(6)!.byCategory.training).toMatchObject({ demand: 6, supply: 2, gap: 4, balance: -4 / 6 })
    // Needs no offer can serve put the community at the demand end of the scale.
    expect(f.get(4)!.byCategory.funds).toMatchObject({ demand: 1000, supply: 0, gap: 1000, unserved: 1, balance: -1 })
    expect(f.get(5)!.byCategory.funds).toMatchObject({
      demand: 0,
      supply: 0,
      gap: 0,
      needs: 0,
      offers: 0,
      balance: null,
    })
  })

  it("counts an offer once in a street's and the district's totals however many places it serves, and never a negative gap", () => {
    // Street 2: needs 10 + 5 + 8 + 3; fitting supply 12 (serves 4 and the street itself, counted once) + 4.
    expect(f.get(2)!.byCategory.venue).toEqual({
      demand: 26,
      supply: 16,
      gap: 10,
      needs: 4,
      offers: 3,
      serving: 2,
      unserved: 1,
      unservedDemand: 5,
      balance: -10 / 26,
    })
    expect(f.get(3)!.byCategory.venue).toMatchObject({ demand: 0, supply: 0, gap: 0, offers: 1, balance: 1 })
    expect(f.get(1)!.byCategory.venue).toMatchObject({ demand: 26, supply: 16, gap: 10, serving: 2 })
    expect(f.get(1)!.byCategory.training).toMatchObject({ demand: 6, supply: 2, gap: 4 })
    for (const area of f.values())
      for (const c of Object.values(area.byCategory)) expect(c.gap).toBeGreaterThanOrEqual(0)
  })

  it('combines categories by their balances weighted by listings, never by adding quantities', () => {
    expect(f.get(4)!.all).toEqual({
      needs: 3,
      offers: 2,
      unserved: 2,
      balance: (4 * (-5 / 15) + 1 * -1) / 5,
      short: ['venue', 'funds'],
    })
    expect(f.get(6)!.all).toEqual({
      needs: 1,
      offers: 2,
      unserved: 0,
      balance: (1 * 1 + 2 * (-4 / 6)) / 3,
      short: ['training'],
    })
    expect(combinedBalance({})).toBeNull()
  })

  it('a fully reserved offer adds neither supply nor weight to the combined balance', () => {
    const place: AreaNode[] = [{ id: 1, parentId: null, level: 'community', path: '/1/' }]
    const asked: Tally[] = [{ areaId: 1, category: 'venue', count: 1, available: 1, remaining: 5 }]
    const without = areaFigures(
      place,
      asked,
      [{ areaId: 1, category: 'publicity', count: 1, available: 1, remaining: 5 }],
      CATS.concat('publicity'),
    )
    const withReserved = areaFigures(
      place,
      asked,
      [
        { areaId: 1, category: 'publicity', count: 1, available: 1, remaining: 5 },
        { areaId: 1, category: 'venue', count: 1, available: 0, remaining: 0 },
      ],
      CATS.concat('publicity'),
    )
    // The offers list shows the reserved offer, so the count does; the colour does not move.
    expect(withReserved.get(1)!.byCategory.venue).toMatchObject({ offers: 1, supply: 0 })
    expect(withReserved.get(1)!.all.balance).toBe(without.get(1)!.all.balance)
  })
})

describe('balance and colour', () => {
  it('is (supply − demand) / max, none without listings', () => {
    expect(balance(10, 0)).toBe(-1)
    expect(balance(0, 10)).toBe(1)
    expect(balance(5, 5)).toBe(0)
    expect(balance(0, 0)).toBeNull()
    // Demand no offer fits cannot be balanced by supply that does not fit it.
    expect(balance(10, 20, 5)).toBe(-0.5)
    expect(balance(10, 0, 10)).toBe(-1)
  })

  it('maps balances onto seven steps, balanced in the middle, and no listings to its own class', () => {
    expect([-1, -0.9, -0.5, -0.1, 0, 0.1, 0.5, 0.9, 1].map(colourStep)).toEqual([0, 0, 2, 3, 3, 3, 5, 6, 6])
    expect(colourStep(-0.7)).toBe(1)
    expect(colourStep(0.7)).toBe(5)
    expect(colourStep(null)).toBe('none')
  })
})

describe('the agenda', () => {
  const now = new Date('2026-06-30T12:00:00Z')
  it('counts idle days from the last use, or from posting when never used', () => {
    expect(idleDays({ createdAt: '2026-06-01T12:00:00Z', lastUsedAt: null }, now)).toBe(29)
    expect(idleDays({ createdAt: '2026-01-01T00:00:00Z', lastUsedAt: '2026-06-20T12:00:00Z' }, now)).toBe(10)
  })

  it('lists offers with capacity left idle for at least fourteen days, longest first', () => {
    const list = idle(
      [
        { id: 1, createdAt: '2026-06-01T12:00:00Z', lastUsedAt: null, remaining: 5 },
        { id: 2, createdAt: '2026-06-20T12:00:00Z', lastUsedAt: null, remaining: 5 },
        { id: 3, createdAt: '2026-01-01T00:00:00Z', lastUsedAt: '2026-06-16T12:00:00Z', remaining: 1 },
        { id: 4, createdAt: '2026-01-01T00:00:00Z', lastUsedAt: null, remaining: 0 },
      ],
      now,
    )
    expect(list.map((o) => [o.id, o.idleDays])).toEqual([
      [1, 29],
      [3, 14],
    ])
  })

  it('groups unserved needs by place and category with their organizations, and says whether any offer covers them', () => {
    const groups = unmetGroups(
      [
        { id: 7, areaId: 6, category: 'training', orgId: 1, createdAt: '2026-05-02' },
        { id: 8, areaId: 6, category: 'training', orgId: 2, createdAt: '2026-05-01' },
        { id: 9, areaId: 6, category: 'training', orgId: 2, createdAt: '2026-05-03' },
        { id: 10, areaId: 4, category: 'venue', orgId: 1, createdAt: '2026-05-03' },
      ],
      (areaId, category) => (areaId === 4 && category === 'venue' ? 2 : 0),
    )
    expect(groups).toEqual([
      { areaId: 6, category: 'training', needs: 3, organizations: 2, offersCovering: 0, exampleNeedId: 8 },
      { areaId: 4, category: 'venue', needs: 1, organizations: 1, offersCovering: 2, exampleNeedId: 10 },
    ])
  })
})

describe('table order', () => {
  const rows = [
    { id: 1, name: 'b', gap: 5, balance: -0.5 },
    { id: 2, name: 'a', gap: -3, balance: null },
    { id: 3, name: 'c', gap: 5, balance: 0.2 },
  ]
  it('sorts by a column either way, ties by name, empty values last', () => {
    expect(sortRows(rows, 'name').map((r) => r.id)).toEqual([2, 1, 3])
    expect(sortRows(rows, '-name').map((r) => r.id)).toEqual([3, 1, 2])
    expect(sortRows(rows, '-gap').map((r) => r.id)).toEqual([1, 3, 2])
    expect(sortRows(rows, 'gap').map((r) => r.id)).toEqual([2, 1, 3])
    expect(sortRows(rows, 'balance').map((r) => r.id)).toEqual([1, 3, 2])
    expect(sortRows(rows, '-balance').map((r) => r.id)).toEqual([3, 1, 2])
  })
})
