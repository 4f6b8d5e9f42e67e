/**
 * The close-out (结项) of an award as figures: spending against the budget per line, money released and returned,
 * residents reached, each milestone and whether it was reported on time. The page and the workbook print the same
 * rows, so the two cannot disagree.
 */
import writeExcelFile, { type Row, type Sheet } from 'write-excel-file/node'
import { sheetName } from '../reports/workbook.js'
import { localToday } from '../shared/time.js'
import type { view } from './delivery.js'

type AwardView = ReturnType<typeof view>

export interface CloseoutFigures {
  lines: { item: string; askedFen: number; ownFen: number; spentFen: number; differenceFen: number }[]
  askedFen: number
  ownFen: number
  spentFen: number
  awardFen: number
  releasedFen: number
  returnedFen: number
  residentsPlanned: number | null
  residentsReached: number
  closed: boolean
  milestones: {
    title: string
    dueOn: string
    trancheFen: number
    releasedFen: number
    reportedOn: string | null
    onTime: boolean | null
  }[]
}

/** The latest approved close-out states the spending in all; before it, the latest approved report's figures so far. */
export function figures(v: AwardView): CloseoutFigures {
  const approved = v.reports.filter((r) => r.state === 'approved')
  const basis = v.closeout ?? approved[0]
  const spent = new Map((basis?.spending ?? []).map((s) => [s.line, s.spentFen]))
  const lines = v.lines.map((l) => {
    const spentFen = spent.get(l.id) ?? 0
    return { item: l.item, askedFen: l.askedFen, ownFen: l.ownFen, spentFen, differenceFen: l.askedFen - spentFen }
  })
  const sum = (k: 'askedFen' | 'ownFen' | 'spentFen') => lines.reduce((s, l) => s + l[k], 0)
  return {
    lines,
    askedFen: sum('askedFen'),
    ownFen: sum('ownFen'),
    spentFen: sum('spentFen'),
    awardFen: v.award.amountFen,
    releasedFen: v.releasedFen,
    returnedFen: v.closeout?.returnedFen ?? 0,
    residentsPlanned: v.application.residentsPlanned,
    residentsReached: basis?.residentsReached ?? 0,
    closed: !!v.closeout,
    milestones: v.milestones.map((m) => {
      const report = approved.find((r) => (m.last ? r.milestoneId === null : r.milestoneId === m.id))
      // A milestone was on time when the report that was approved was sent by its due date (China time).
      const reportedOn = report ? localToday(new Date(report.submittedAt)) : null
      return {
        title: m.title,
        dueOn: m.dueOn,
        trancheFen: m.trancheFen,
        releasedFen: m.releasedFen,
        reportedOn,
        onTime: reportedOn === null ? null : reportedOn <= m.dueOn,
      }
    }),
  }
}

const money = (fen: number) => ({ value: fen / 100, type: Number, format: '#,##0.00' })
const bold = (value: string) => ({ value, fontWeight: 'bold' as const })

/** The workbook: a cover with the totals, the budget against spending, the milestones and tranches. Money in yuan. */
export async function workbook(
  v: AwardView,
  f: CloseoutFigures,
  t: (key: string, params?: Record<string, unknown>) => string,
): Promise<Buffer> {
  const taken = new Set<string>()
  const cover: Row[] = [
    [bold(t('fundwork.closeout.heading', { project: v.application.title }))],
    [t('fundwork.col.call'), v.call.title],
    [t('fundwork.col.holder'), v.holder],
    [t('fundwork.col.group'), v.group.name],
    [t('fundwork.col.project'), v.application.title],
    [t('fundwork.col.amount'), money(f.awardFen)],
    [t('fundwork.col.released'), money(f.releasedFen)],
    [t('fundwork.col.returned'), money(f.returnedFen)],
    [t('fundwork.col.spent'), money(f.spentFen)],
    [
      t('fundwork.col.residents_planned'),
      f.residentsPlanned === null ? null : { value: f.residentsPlanned, type: Number },
    ],
    [t('fundwork.col.residents_reached'), { value: f.residentsReached, type: Number }],
    [t('fundwork.col.status'), t(f.closed ? 'fundwork.closeout.closed' : 'fundwork.closeout.open')],
  ]
  const sheets: Sheet<never>[] = [
    {
      sheet: sheetName(t('fundwork.closeout.sheet.cover'), taken),
      data: cover,
      columns: [{ width: 24 }, { width: 48 }],
    },
    {
      sheet: sheetName(t('fundwork.closeout.sheet.budget'), taken),
      stickyRowsCount: 1,
      columns: [{ width: 28 }, { width: 14 }, { width: 14 }, { width: 14 }, { width: 14 }],
      data: [
        ['item', 'asked', 'own', 'spent', 'difference'].map((c) => bold(t(`fundwork.col.${c}`))),
        ...f.lines.map((l): Row => [
          l.item,
          money(l.askedFen),
          money(l.ownFen),
          money(l.spentFen),
          money(l.differenceFen),
        ]),
        [
          bold(t('fundwork.notice.total')),
          money(f.askedFen),
          money(f.ownFen),
          money(f.spentFen),
          money(f.askedFen - f.spentFen),
        ],
      ],
    },
    {
      sheet: sheetName(t('fundwork.closeout.sheet.milestones'), taken),
      stickyRowsCount: 1,
      columns: [{ width: 28 }, { width: 12 }, { width: 14 }, { width: 14 }, { width: 12 }, { width: 10 }],
      data: [
        ['milestone', 'due', 'tranche', 'released', 'reported', 'on_time'].map((c) => bold(t(`fundwork.col.${c}`))),
        ...f.milestones.map((m): Row => [
          m.title,
          m.dueOn,
          money(m.trancheFen),
          money(m.releasedFen),
          m.reportedOn,
          m.onTime === null ? null : t(m.onTime ? 'fundwork.yes' : 'fundwork.no'),
        ]),
      ],
    },
  ]
  return writeExcelFile(sheets).toBuffer()
}
