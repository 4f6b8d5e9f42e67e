/**
 * The report's charts as geometry: horizontal bars, one row per category or outcome, drawn by the partial
 * `reports/bar-chart` so every word is escaped by the template. Every chart also says itself in words
 * (`desc`), and the table beside it carries the same figures.
 */
import type { Report } from './figures.js'
import { numberFormat } from '../shared/format.js'
import { percentText, type Words } from './tables.js'

export interface Bar {
  label: string
  text: string
  x: number
  y: number
  width: number
  labelX: number
  textY: number
  valueX: number
}
export interface Chart {
  id: string
  title: string
  desc: string
  width: number
  height: number
  bars: Bar[]
  track: boolean
  barMax: number
  barHeight: number
}

const WIDTH = 640
const LABEL_WIDTH = 210
const BAR_MAX = 330
const ROW = 30
const BAR_HEIGHT = 18
const PAD = 10

interface Datum {
  label: string
  value: number
  text: string
}

/**
 * Bars scaled to `max` (1 for shares, the largest count otherwise). `track` draws the full-length ground behind
 * each bar, so a share reads against 100%.
 */
export function barChart(
  id: string,
  title: string,
  data: Datum[],
  { max, track }: { max?: number; track: boolean },
): Chart {
  const top = max ?? Math.max(0, ...data.map((d) => d.value))
  const bars = data.map((d, i) => {
    const y = PAD + i * ROW
    const width = top > 0 ? Math.round((Math.max(0, Math.min(d.value, top)) / top) * BAR_MAX * 10) / 10 : 0
    return {
      label: d.label,
      text: d.text,
      x: LABEL_WIDTH,
      y,
      width,
      labelX: LABEL_WIDTH - 8,
      textY: y + BAR_HEIGHT / 2,
      valueX: LABEL_WIDTH + width + 6,
    }
  })
  const desc = data.map((d) => `${d.label}: ${d.text}`).join('; ')
  return {
    id,
    title,
    desc,
    width: WIDTH,
    height: PAD * 2 + data.length * ROW - (ROW - BAR_HEIGHT),
    bars,
    track,
    barMax: BAR_MAX,
    barHeight: BAR_HEIGHT,
  }
}

export function charts(r: Report, w: Words, locale: string): Record<string, Chart> {
  const n = (value: number) => numberFormat(locale).format(value)
  const title = (key: string) => w.t(`reports.chart.${key}`)
  const counts = (rows: [string, number][]) => rows.map(([label, value]) => ({ label, value, text: n(value) }))
  return {
    demand: barChart(
      'demand',
      title('demand'),
      r.demand.map((d) => ({
        label: w.category(d.category),
        value: d.share ?? 0,
        text: w.t('reports.bar.share_of', {
          share: percentText(d.share, locale),
          part: n(d.met),
          whole: n(d.posted),
          unit: w.unit(d.unit),
        }),
      })),
      { max: 1, track: true },
    ),
    waits: barChart(
      'waits',
      title('waits'),
      counts([
        ...r.waits.buckets.map((b): [string, number] => [
          w.t(b.from ? 'reports.wait.between' : 'reports.wait.within', { from: b.from, to: b.upTo }),
          b.count,
        ]),
        [w.t('reports.wait.beyond', { days: r.waits.buckets.at(-1)!.upTo }), r.waits.beyond],
        [w.t('reports.wait.not_yet'), r.waits.unmatched],
      ]),
      { track: false },
    ),
    requests: barChart(
      'requests',
      title('requests'),
      counts([
        [w.t('reports.measure.requests_in_time'), r.requests.inTime],
        [w.t('reports.measure.requests_late'), r.requests.late],
        [w.t('reports.measure.requests_overdue'), r.requests.overdue],
        [w.t('reports.measure.requests_pending'), r.requests.pending],
        [w.t('reports.measure.requests_withdrawn'), r.requests.withdrawn],
      ]),
      { track: false },
    ),
    utilization: barChart(
      'utilization',
      title('utilization'),
      r.utilization.map((u) => ({
        label: w.category(u.category),
        value: u.share ?? 0,
        text: w.t('reports.bar.share_of', {
          share: percentText(u.share, locale),
          part: n(u.used),
          whole: n(u.offered),
          unit: w.unit(u.unit),
        }),
      })),
      { max: 1, track: true },
    ),
    orgs: barChart(
      'orgs',
      title('orgs'),
      counts([
        [w.t('reports.measure.orgs_asking'), r.orgs.asking],
        [w.t('reports.measure.orgs_served'), r.orgs.served],
        [w.t('reports.measure.orgs_unregistered'), r.orgs.underResourced],
      ]),
      { track: false },
    ),
    feedback: barChart(
      'feedback',
      title('feedback'),
      counts(
        [...r.feedback.distribution]
          .reverse()
          .map((d): [string, number] => [w.t('reports.stars', { count: d.rating }), d.count]),
      ),
      { track: false },
    ),
  }
}
