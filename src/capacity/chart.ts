/**
 * Geometry of the capacity chart, pure: a grouped bar chart, one group per dimension, one bar per assessment
 * compared (before, after). The partial views/partials/capacity/chart.hbs draws it as SVG on the server and
 * says every word through the catalogue, so the chart needs no JavaScript and every label is escaped.
 */
import { DIMENSION_CODES, MAX_SCORE, type DimensionCode, type DimensionScores } from './indicators.js'

export interface Series {
  key: string
  scores: DimensionScores
}
export interface Bar {
  series: string
  x: number
  y: number
  w: number
  h: number
  value: number | null
  labelX: number
  labelY: number
}
export interface Group {
  code: DimensionCode
  labelX: number
  labelY: number
  bars: Bar[]
}
export interface Tick {
  value: number
  y: number
  labelX: number
  labelY: number
}
export interface LegendItem {
  series: string
  x: number
  y: number
  size: number
  textX: number
  textY: number
}
export interface BarChart {
  width: number
  height: number
  plot: { x: number; y: number; w: number; h: number; right: number; bottom: number }
  ticks: Tick[]
  groups: Group[]
  legend: LegendItem[]
}

export interface ChartOptions {
  width: number
  height: number
  margin: { top: number; right: number; bottom: number; left: number }
  maxBar: number
  gap: number
}
export const DEFAULT_CHART: ChartOptions = {
  width: 560,
  height: 300,
  margin: { top: 34, right: 12, bottom: 40, left: 30 },
  maxBar: 40,
  gap: 6,
}

// SVG attributes to a tenth of a pixel: enough for any screen, and the page stays small and diffable.
const r1 = (x: number) => Math.round(x * 10) / 10

export function barChart(series: Series[], o: ChartOptions = DEFAULT_CHART): BarChart {
  const plot = {
    x: o.margin.left,
    y: o.margin.top,
    w: o.width - o.margin.left - o.margin.right,
    h: o.height - o.margin.top - o.margin.bottom,
  }
  const yOf = (v: number) => plot.y + plot.h - (Math.max(0, Math.min(MAX_SCORE, v)) / MAX_SCORE) * plot.h
  const groupW = plot.w / DIMENSION_CODES.length
  const n = Math.max(1, series.length)
  const barW = Math.min(o.maxBar, (groupW * 0.7 - (n - 1) * o.gap) / n)
  const groups = DIMENSION_CODES.map((code, gi) => {
    const start = plot.x + gi * groupW + (groupW - (n * barW + (n - 1) * o.gap)) / 2
    const bars = series.map((s, si) => {
      const value = s.scores[code]
      const x = start + si * (barW + o.gap)
      const top = value === null ? plot.y + plot.h : yOf(value)
      return {
        series: s.key,
        x: r1(x),
        y: r1(top),
        w: r1(barW),
        h: r1(plot.y + plot.h - top),
        value,
        labelX: r1(x + barW / 2),
        labelY: r1(top - 4),
      }
    })
    return { code, labelX: r1(plot.x + gi * groupW + groupW / 2), labelY: r1(plot.y + plot.h + 20), bars }
  })
  const ticks = Array.from({ length: MAX_SCORE + 1 }, (_, v) => ({
    value: v,
    y: r1(yOf(v)),
    labelX: r1(plot.x - 6),
    labelY: r1(yOf(v) + 4),
  }))
  const legend = series.map((s, i) => ({
    series: s.key,
    x: r1(plot.x + i * 200),
    y: 8,
    size: 12,
    textX: r1(plot.x + i * 200 + 18),
    textY: 18,
  }))
  return {
    width: o.width,
    height: o.height,
    plot: { ...plot, right: plot.x + plot.w, bottom: plot.y + plot.h },
    ticks,
    groups,
    legend,
  }
}
