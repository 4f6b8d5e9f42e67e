import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import type { Locale, Translate } from '../i18n/i18n.js'
import * as fundReports from './fund-reports.js'
import { yuan } from './money.js'
import { formatCell, type Cell, type Table } from '../reports/tables.js'
import { workbook } from '../reports/workbook.js'
import { attachment } from '../shared/http.js'
import { NotPermitted, ValidationError, type FieldErrors } from '../shared/errors.js'

export interface FundReportQuery {
  call?: number
  from?: string
  to?: string
}

type Sheet = Pick<Table, 'title' | 'columns' | 'rows'> & { id: string }

const text = (value: string): Cell => ({ value, format: 'text' })
const int0 = (value: number): Cell => ({ value, format: 'int' })
const money = (fen: number): Cell => ({ value: fen / 100, format: 'money' })
const pct = (share: number | null): Cell => ({
  value: share === null ? null : Math.round(share * 1000) / 1000,
  format: 'percent',
})

/** The report's tables, in the reader's words: the page and the workbook print exactly these. */
export function sheets(f: fundReports.Figures, t: Translate): Sheet[] {
  const col = (k: string) => t(`fundwork.rep.col.${k}`)
  const total = text(t('fundwork.notice.total'))
  return [
    {
      id: 'summary',
      title: t('fundwork.rep.summary'),
      columns: [col('measure'), col('value')],
      rows: [
        [text(col('applications')), int0(f.applications)],
        [text(col('awards')), int0(f.awards)],
        [text(col('budget')), money(f.budgetFen)],
        [text(col('awarded')), money(f.awardedFen)],
        [text(col('unregistered')), money(f.unregisteredFen)],
        [text(col('unregistered_share')), pct(f.unregisteredShare)],
        [text(col('released')), money(f.releasedFen)],
        [text(col('returned')), money(f.returnedFen)],
        [text(col('milestones_due')), int0(f.milestones.due)],
        [text(col('on_time')), int0(f.milestones.onTime)],
        [text(col('late')), int0(f.milestones.late)],
        [text(col('overdue')), int0(f.milestones.overdue)],
      ],
    },
    {
      id: 'calls',
      title: t('fundwork.rep.calls'),
      columns: ['call', 'applications', 'awards', 'budget', 'awarded', 'released', 'returned'].map(col),
      rows: [
        ...f.calls.map((c) => [
          text(c.title),
          int0(c.applications),
          int0(c.awards),
          money(c.budgetFen),
          money(c.awardedFen),
          money(c.releasedFen),
          money(c.returnedFen),
        ]),
        [
          total,
          int0(f.applications),
          int0(f.awards),
          money(f.budgetFen),
          money(f.awardedFen),
          money(f.releasedFen),
          money(f.returnedFen),
        ],
      ],
    },
    {
      id: 'community',
      title: t('fundwork.rep.community'),
      columns: ['community', 'awards', 'awarded'].map(col),
      rows: [
        ...f.byCommunity.map((g) => [text(g.name), int0(g.awards), money(g.amountFen)]),
        [total, int0(f.awards), money(f.awardedFen)],
      ],
    },
    {
      id: 'focus',
      title: t('fundwork.rep.focus'),
      columns: ['focus', 'awards', 'awarded'].map(col),
      rows: [
        ...f.byFocus.map((g) => [
          text(g.focus ? t(`focus.${g.focus}`) : t('fundwork.rep.no_focus')),
          int0(g.awards),
          money(g.amountFen),
        ]),
        [total, int0(f.awards), money(f.awardedFen)],
      ],
    },
  ]
}

/**
 * The figures for the period asked (this calendar year by default), for those who run calls: anyone else is refused
 * before their query is even read; a query that did not validate (`refused`) or a period backwards is refused with
 * what to fix.
 */
export function loadFundReport(db: Db, viewer: CurrentUser, q: FundReportQuery, today: string, refused?: FieldErrors) {
  if (!fundReports.mayReport(db, viewer)) throw new NotPermitted({ key: 'fundwork.rep.not_permitted' })
  if (refused) throw new ValidationError(refused)
  const year = today.slice(0, 4)
  const scope = { call: q.call, from: q.from ?? `${year}-01-01`, to: q.to ?? `${year}-12-31` }
  if (scope.from > scope.to) throw new ValidationError({ to: { key: 'fundwork.rep.period' } })
  return { scope, figures: fundReports.build(db, viewer, scope) }
}
export type FundReport = ReturnType<typeof loadFundReport>

/** The report as a workbook: a cover naming the period, a sheet per table, and the file's name in the reader's words. */
export async function fundReportFile(r: FundReport, t: Translate) {
  const cover = {
    title: t('fundwork.rep.title'),
    lines: [[t('fundwork.rep.period_label'), `${r.scope.from} – ${r.scope.to}`]] as [string, string][],
  }
  const name = attachment(
    `${t('fundwork.rep.file')}-${r.scope.from}_${r.scope.to}.xlsx`,
    `assetbridge-funds-${r.scope.from}_${r.scope.to}.xlsx`,
  )
  return { name, file: await workbook(cover, sheets(r.figures, t)) }
}

/** The report page: the tables as the workbook has them, money as yuan; without a report, the form and its problems. */
export function fundReportsView(
  r: FundReport | undefined,
  callOptions: ReturnType<typeof fundReports.callOptions>,
  q: FundReportQuery,
  t: Translate,
  locale: Locale,
  errors?: FieldErrors,
) {
  const cellText = (c: Cell) =>
    c.format === 'money' && typeof c.value === 'number' ? yuan(Math.round(c.value * 100)) : formatCell(c, locale)
  const defined = r
    ? Object.entries(r.scope)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, String(v)])
    : []
  const share = r?.figures.unregisteredShare
  return {
    title: t('fundwork.rep.title'),
    errors,
    calls: callOptions,
    values: r ? r.scope : q,
    tables: r
      ? sheets(r.figures, t).map((s) => ({
          ...s,
          rows: s.rows.map((row) => row.map((c) => ({ text: cellText(c), numeric: c.format !== 'text' }))),
        }))
      : [],
    query: r ? new URLSearchParams(defined).toString() : '',
    share: share === null || share === undefined ? null : `${(share * 100).toFixed(1)}%`,
    awarded: r ? yuan(r.figures.awardedFen) : '',
  }
}
