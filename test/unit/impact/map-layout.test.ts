import { describe, expect, it } from 'vitest'
import { FRAME, layout, outline, polygonArea, type CommunityPoint, type Point } from '../../../src/impact/map-layout.js'
import { demoAreas } from '../../../src/demo/district.js'

const streets = [{ id: 2 }, { id: 3 }, { id: 4 }]
const streetOf = (ref: string) => (({ 'HB-DH': 2, 'HB-NA': 3, 'HB-XF': 4 }) as Record<string, number>)[ref]!
const demo: CommunityPoint[] = demoAreas
  .filter((a) => 'lat' in a)
  .map((a, i) => ({
    id: 10 + i,
    streetId: streetOf(a.parent!),
    lat: (a as { lat: number }).lat,
    lng: (a as { lng: number }).lng,
  }))
const frameArea = FRAME.width * FRAME.height

function checkTiling(l: ReturnType<typeof layout>, communities: CommunityPoint[]) {
  // One closed shape per community, in the frame, none empty.
  expect(l.cells.map((c) => c.id)).toEqual(communities.map((c) => c.id))
  for (const c of l.cells) {
    expect(c.polygon.length).toBeGreaterThanOrEqual(3)
    expect(c.d).toMatch(/^M[\d. L]+Z$/)
    expect(polygonArea(c.polygon)).toBeGreaterThan(0)
    for (const [x, y] of c.polygon) {
      expect(x).toBeGreaterThanOrEqual(0)
      expect(x).toBeLessThanOrEqual(FRAME.width)
      expect(y).toBeGreaterThanOrEqual(0)
      expect(y).toBeLessThanOrEqual(FRAME.height)
    }
  }
  // No overlaps and no holes: the cells' areas add up to the frame's.
  expect(l.cells.reduce((s, c) => s + polygonArea(c.polygon), 0)).toBeCloseTo(frameArea, 0)
  // The union of all cells is the frame itself: one loop of four corners' worth of area.
  const all = outline(l.cells.map((c) => c.polygon))
  expect(all).toHaveLength(1)
  expect(polygonArea(all[0]!)).toBeCloseTo(frameArea, 0)
  // Each street's outline encloses exactly its communities' cells.
  for (const s of l.streets) {
    const own = l.cells.filter((c) => c.streetId === s.id)
    expect(s.loops.reduce((sum, loop) => sum + polygonArea(loop), 0)).toBeCloseTo(
      own.reduce((sum, c) => sum + polygonArea(c.polygon), 0),
      0,
    )
    expect(s.d.startsWith('M')).toBe(true)
  }
}

describe('map layout', () => {
  it("draws the demo district's communities as Voronoi cells that tile the frame, streets as their cells' boundary", () => {
    const l = layout(streets, demo)
    expect(l.method).toBe('voronoi')
    checkTiling(l, demo)
    expect(l.streets.map((s) => s.id)).toEqual([2, 3, 4])
    // The demo's streets are contiguous groups: each outline is a single loop.
    for (const s of l.streets) expect(s.loops).toHaveLength(1)
    // Each community's cell holds its own centre.
    expect(new Set(l.cells.map((c) => `${c.centre}`)).size).toBe(demo.length)
  })

  it('is deterministic', () => {
    expect(JSON.stringify(layout(streets, demo))).toBe(JSON.stringify(layout(streets, demo)))
  })

  it('cancels the edge two cells of one street share, and keeps the edges between streets', () => {
    const a: Point[] = [
      [0, 0],
      [10, 0],
      [10, 10],
      [0, 10],
    ]
    const b: Point[] = [
      [10, 0],
      [20, 0],
      [20, 10],
      [10, 10],
    ]
    const [loop] = outline([a, b])
    expect(loop).toHaveLength(6)
    expect(polygonArea(loop!)).toBe(200)
    // The shared edge (10,0)–(10,10) is gone: its ends remain only as points on the long sides.
    expect(loop!.map(String).sort()).toEqual(['0,0', '0,10', '10,0', '10,10', '20,0', '20,10'])
  })

  it('falls back to a grid, streets as blocks, when a community has no coordinates', () => {
    const missing = demo.map((c, i) => (i === 3 ? { ...c, lat: null, lng: null } : c))
    const l = layout(streets, missing)
    expect(l.method).toBe('grid')
    checkTiling(l, missing)
    // Streets are side by side, each as wide as its share of communities (4, 3, 4 of 11).
    const widths = l.streets.map((s) => {
      const xs = s.loops[0]!.map((p) => p[0])
      return Math.max(...xs) - Math.min(...xs)
    })
    expect(widths[0]).toBeCloseTo((FRAME.width * 4) / 11, 1)
    expect(widths[1]).toBeCloseTo((FRAME.width * 3) / 11, 1)
    for (const s of l.streets) expect(s.loops).toHaveLength(1)
  })

  it('falls back to the grid when two communities share a point, and copes with one community alone', () => {
    const twins = demo.map((c, i) => (i === 1 ? { ...c, lat: demo[0]!.lat, lng: demo[0]!.lng } : c))
    expect(layout(streets, twins).method).toBe('grid')
    checkTiling(layout(streets, twins), twins)
    const one = layout([{ id: 2 }], [demo[0]!])
    checkTiling(one, [demo[0]!])
    expect(layout([{ id: 2 }, { id: 3 }], []).cells).toEqual([])
  })
})
