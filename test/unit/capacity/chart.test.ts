import { describe, expect, it } from 'vitest'
import { barChart, DEFAULT_CHART } from '../../../src/capacity/chart.js'
import type { DimensionScores } from '../../../src/capacity/indicators.js'

const dims = (ri: number | null, sp: number | null, ps: number | null, sd: number | null): DimensionScores => ({
  resource_integration: ri,
  specialization: sp,
  public_service: ps,
  sustainability: sd,
})

describe('capacity bar chart geometry', () => {
  const chart = barChart([
    { key: 'before', scores: dims(2, 1.7, 5, 3.3) },
    { key: 'after', scores: dims(4, 2.3, 5, null) },
  ])
  const { plot } = chart

  it('lays out one group per dimension, in order, each with a bar per series', () => {
    expect(chart.groups.map((g) => g.code)).toEqual([
      'resource_integration',
      'specialization',
      'public_service',
      'sustainability',
    ])
    for (const g of chart.groups) expect(g.bars.map((b) => b.series)).toEqual(['before', 'after'])
    expect(chart.width).toBe(DEFAULT_CHART.width)
    expect(plot.right).toBe(plot.x + plot.w)
    expect(plot.bottom).toBe(plot.y + plot.h)
  })

  it('draws bar height in proportion to the score on a 0–5 scale, standing on the baseline', () => {
    const [before, after] = chart.groups[0]!.bars
    expect(before!.h).toBeCloseTo((2 / 5) * plot.h, 0)
    expect(after!.h).toBeCloseTo((4 / 5) * plot.h, 0)
    for (const g of chart.groups) for (const b of g.bars) expect(b.y + b.h).toBeCloseTo(plot.bottom, 0)
    // A full score reaches the top of the plot; equal scores are equally tall.
    const full = chart.groups[2]!.bars
    expect(full[0]!.y).toBeCloseTo(plot.y, 0)
    expect(full[0]!.h).toBe(full[1]!.h)
  })

  it('keeps bars inside their group, side by side without overlapping, and labels over each bar', () => {
    const groupW = plot.w / 4
    chart.groups.forEach((g, i) => {
      const [a, b] = g.bars
      expect(a!.x).toBeGreaterThanOrEqual(plot.x + i * groupW)
      expect(b!.x + b!.w).toBeLessThanOrEqual(plot.x + (i + 1) * groupW + 0.1)
      expect(b!.x).toBeGreaterThan(a!.x + a!.w)
      expect(g.labelX).toBeGreaterThan(a!.x)
      expect(g.labelX).toBeLessThan(b!.x + b!.w)
      expect(g.labelY).toBeGreaterThan(plot.bottom)
      for (const bar of g.bars) {
        expect(bar.labelX).toBeCloseTo(bar.x + bar.w / 2, 0)
        expect(bar.labelY).toBeLessThan(bar.y)
      }
    })
  })

  it('draws a missing score as an empty bar on the baseline, value null', () => {
    const missing = chart.groups[3]!.bars[1]!
    expect(missing).toMatchObject({ value: null, h: 0, y: plot.bottom })
  })

  it('has a gridline per score 0–5, 5 at the top, and one legend entry per series', () => {
    expect(chart.ticks.map((t) => t.value)).toEqual([0, 1, 2, 3, 4, 5])
    expect(chart.ticks[0]!.y).toBe(plot.bottom)
    expect(chart.ticks[5]!.y).toBe(plot.y)
    expect(chart.legend.map((l) => l.series)).toEqual(['before', 'after'])
    expect(chart.legend[1]!.x).toBeGreaterThan(chart.legend[0]!.textX)
  })

  it('clamps out-of-range values and caps bar width for a single series', () => {
    const one = barChart([{ key: 'only', scores: dims(9, -1, 3, 3) }])
    expect(one.groups[0]!.bars[0]!.y).toBeCloseTo(one.plot.y, 0)
    expect(one.groups[1]!.bars[0]!.h).toBe(0)
    expect(one.groups[0]!.bars[0]!.w).toBe(DEFAULT_CHART.maxBar)
  })

  it('rounds every coordinate to a tenth of a pixel', () => {
    for (const g of chart.groups)
      for (const b of g.bars) for (const v of [b.x, b.y, b.w, b.h]) expect(Math.round(v * 10) / 10).toBe(v)
  })
})
