/**
 * A report as tables: the one shape the page, the CSV files and the workbook all print, so the three can
 * never disagree. Pure: the words come in as functions.
 */
import { csvLine, formulaSafe } from '../interchange/csv.js'
import { numberFormat } from '../shared/format.js'
import type { Report } from './figures.js'

/** `money` is yuan (fen / 100), shown to the fen. */
export type Format = 'int' | 'decimal' | 'percent' | 'money' | 'text'
export interface Cell {
  value: number | string | null
  format: Format
}
export interface Table {
  id: TableId
  title: string
  columns: string[]
  rows: Cell[][]
}

export const TABLE_IDS = [
  'demand',
  'waits',
  'wait_buckets',
  'requests',
  'utilization',
  'orgs',
  'feedback',
  'checkins',
] as const
export type TableId = (typeof TABLE_IDS)[number]

export interface Words {
  t: (key: string, params?: Record<string, unknown>) => string
  category: (code: string) => string
  unit: (code: string) => string
}

const text = (value: string): Cell => ({ value, format: 'text' })
const int = (value: number): Cell => ({ value, format: 'int' })
/** A share kept to a tenth of a percent, so the page, the CSV, the chart and Excel all show the same figure. */
const pct = (value: number | null): Cell => ({
  value: value === null ? null : Math.round(value * 1000) / 1000,
  format: 'percent',
})
const dec = (value: number | null): Cell => ({
  value: value === null ? null : Math.round(value * 10) / 10,
  format: 'decimal',
})

export function tables(r: Report, w: Words): Table[] {
  const col = (key: string) => w.t(`reports.col.${key}`)
  const measure = (key: string, cell: Cell) => [text(w.t(`reports.measure.${key}`)), cell]
  const byKey: Record<TableId, () => Omit<Table, 'id' | 'title'>> = {
    demand: () => ({
      columns: ['category', 'unit', 'needs', 'posted', 'met', 'share_met', 'fully_met'].map(col),
      rows: r.demand.map((d) => [
        text(w.category(d.category)),
        text(w.unit(d.unit)),
        int(d.needs),
        int(d.posted),
        int(d.met),
        pct(d.share),
        int(d.fullyMet),
      ]),
    }),
    waits: () => ({
      columns: ['category', 'matched', 'median_days'].map(col),
      rows: [
        ...r.waits.byCategory.map((c) => [text(w.category(c.category)), int(c.matched), dec(c.medianDays)]),
        [text(w.t('reports.all_categories')), int(r.waits.matched), dec(r.waits.medianDays)],
      ],
    }),
    wait_buckets: () => ({
      columns: ['wait', 'needs'].map(col),
      rows: [
        ...r.waits.buckets.map((b) => [
          text(w.t(b.from ? 'reports.wait.between' : 'reports.wait.within', { from: b.from, to: b.upTo })),
          int(b.count),
        ]),
        [text(w.t('reports.wait.beyond', { days: r.waits.buckets.at(-1)!.upTo })), int(r.waits.beyond)],
        [text(w.t('reports.wait.not_yet')), int(r.waits.unmatched)],
      ],
    }),
    requests: () => ({
      columns: ['measure', 'value'].map(col),
      rows: [
        measure('requests_total', int(r.requests.total)),
        measure('requests_in_time', int(r.requests.inTime)),
        measure('requests_late', int(r.requests.late)),
        measure('requests_overdue', int(r.requests.overdue)),
        measure('requests_pending', int(r.requests.pending)),
        measure('requests_withdrawn', int(r.requests.withdrawn)),
        measure('requests_share', pct(r.requests.share)),
        measure('requests_deadline', int(r.requests.deadlineDays)),
      ],
    }),
    utilization: () => ({
      columns: ['category', 'unit', 'offers', 'offered', 'used', 'share_used', 'untouched'].map(col),
      rows: r.utilization.map((u) => [
        text(w.category(u.category)),
        text(w.unit(u.unit)),
        int(u.offers),
        int(u.offered),
        int(u.used),
        pct(u.share),
        int(u.untouched),
      ]),
    }),
    orgs: () => ({
      columns: ['measure', 'value'].map(col),
      rows: [
        measure('orgs_asking', int(r.orgs.asking)),
        measure('orgs_served', int(r.orgs.served)),
        measure('orgs_unregistered', int(r.orgs.underResourced)),
        measure('orgs_unregistered_share', pct(r.orgs.underResourcedShare)),
      ],
    }),
    feedback: () => ({
      columns: ['rating', 'count'].map(col),
      rows: [
        ...r.feedback.distribution.map((d) => [text(w.t('reports.stars', { count: d.rating })), int(d.count)]),
        measure('feedback_mean', dec(r.feedback.mean)),
        measure('feedback_need_mean', dec(r.feedback.need.mean)),
        measure('feedback_offer_mean', dec(r.feedback.offer.mean)),
      ],
    }),
    checkins: () => ({
      columns: ['measure', 'value'].map(col),
      rows: [
        measure('checkins_total', int(r.checkins.total)),
        measure('checkins_continues', int(r.checkins.continues)),
        measure('checkins_changed', int(r.checkins.changed)),
        measure('checkins_ended', int(r.checkins.ended)),
        ...r.checkins.endedBy.map((e) => [
          text(w.t('reports.checkins.ended_because', { reason: w.t(`checkin.reason.${e.reason}`) })),
          int(e.count),
        ]),
      ],
    }),
  }
  return TABLE_IDS.map((id) => ({ id, title: w.t(`reports.table.${id}`), ...byKey[id]() }))
}

/** One cell as text in a locale: what the page shows and the CSV carries (no thousands separators there). */
export function formatCell(cell: Cell, locale: string, { grouping = true } = {}): string {
  if (cell.value === null) return '—'
  if (typeof cell.value === 'string') return cell.value
  switch (cell.format) {
    case 'percent':
      return `${numberFormat(locale, 1, false).format(cell.value * 100)}%`
    case 'decimal':
      return numberFormat(locale, 1, grouping).format(cell.value)
    case 'money':
      return numberFormat(locale, 2, grouping).format(cell.value)
    default:
      return numberFormat(locale, 0, grouping).format(cell.value)
  }
}

/**
 * A table as CSV with a BOM, so Excel opens Chinese text as UTF-8. Text that a spreadsheet would run as a
 * formula (an admin-named category starting with "=") is prefixed with an apostrophe.
 */
export function toCsv(table: Table, locale: string): string {
  const cell = (c: Cell) => {
    if (c.value === null) return ''
    const s = formatCell(c, locale, { grouping: false })
    return c.format === 'text' ? formulaSafe(s) : s
  }
  return `\uFEFF${[csvLine(table.columns), ...table.rows.map((row) => csvLine(row.map(cell)))].join('\r\n')}\r\n`
}

/** A table with every cell as the page shows it; numbers are marked so they align right. */
export function formatted(table: Table, locale: string) {
  return {
    ...table,
    rows: table.rows.map((row) => row.map((c) => ({ text: formatCell(c, locale), numeric: c.format !== 'text' }))),
  }
}

/** A share as the tables write it: the charts use this too. */
export const percentText = (share: number | null, locale: string) => formatCell(pct(share), locale)

/** The few figures a section's first sentence quotes, formatted like the tables. */
export function headlines(r: Report, locale: string) {
  return {
    medianDays: formatCell(dec(r.waits.medianDays), locale),
    requestShare: formatCell(pct(r.requests.share), locale),
    orgsShare: formatCell(pct(r.orgs.underResourcedShare), locale),
    feedbackMean: formatCell(dec(r.feedback.mean), locale),
  }
}
