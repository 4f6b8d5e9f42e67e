import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import * as fundReports from './fund-reports.js'
import { yuan } from './money.js'
import { formatCell, type Cell, type Table } from '../reports/tables.js'
import { workbook } from '../reports/workbook.js'
import { date, fieldErrors, int } from '../shared/forms.js'
import { attachment } from '../shared/http.js'
import { NotPermitted, ValidationError, type FieldErrors } from '../shared/errors.js'
import { localToday } from '../shared/time.js'

const Query = { type: 'object', properties: { call: int(1, 2_147_483_647), from: date, to: date } } as const
interface Query { call?: number; from?: string; to?: string }

type Sheet = Pick<Table, 'title' | 'columns' | 'rows'> & { id: string }

const text = (value: string): Cell => ({ value, format: 'text' })
const int0 = (value: number): Cell => ({ value, format: 'int' })
const money = (fen: number): Cell => ({ value: fen / 100, format: 'money' })
const pct = (share: number | null): Cell => ({ value: share === null ? null : Math.round(share * 1000) / 1000, format: 'percent' })

/** The report's tables, in the reader's words: the page and the workbook print exactly these. */
export function sheets(f: fundReports.Figures, t: FastifyRequest['t']): Sheet[] {
  const col = (k: string) => t(`fundwork.rep.col.${k}`)
  const total = text(t('fundwork.notice.total'))
  return [
    {
      id: 'summary', title: t('fundwork.rep.summary'), columns: [col('measure'), col('value')],
      rows: [
        [text(col('applications')), int0(f.applications)], [text(col('awards')), int0(f.awards)], [text(col('budget')), money(f.budgetFen)],
        [text(col('awarded')), money(f.awardedFen)], [text(col('unregistered')), money(f.unregisteredFen)], [text(col('unregistered_share')), pct(f.unregisteredShare)],
        [text(col('released')), money(f.releasedFen)], [text(col('returned')), money(f.returnedFen)],
        [text(col('milestones_due')), int0(f.milestones.due)], [text(col('on_time')), int0(f.milestones.onTime)], [text(col('late')), int0(f.milestones.late)], [text(col('overdue')), int0(f.milestones.overdue)],
      ],
    },
    {
      id: 'calls', title: t('fundwork.rep.calls'), columns: ['call', 'applications', 'awards', 'budget', 'awarded', 'released', 'returned'].map(col),
      rows: [
        ...f.calls.map((c) => [text(c.title), int0(c.applications), int0(c.awards), money(c.budgetFen), money(c.awardedFen), money(c.releasedFen), money(c.returnedFen)]),
        [total, int0(f.applications), int0(f.awards), money(f.budgetFen), money(f.awardedFen), money(f.releasedFen), money(f.returnedFen)],
      ],
    },
    {
      id: 'community', title: t('fundwork.rep.community'), columns: ['community', 'awards', 'awarded'].map(col),
      rows: [...f.byCommunity.map((g) => [text(g.name), int0(g.awards), money(g.amountFen)]), [total, int0(f.awards), money(f.awardedFen)]],
    },
    {
      id: 'focus', title: t('fundwork.rep.focus'), columns: ['focus', 'awards', 'awarded'].map(col),
      rows: [...f.byFocus.map((g) => [text(g.focus ? t(`focus.${g.focus}`) : t('fundwork.rep.no_focus')), int0(g.awards), money(g.amountFen)]), [total, int0(f.awards), money(f.awardedFen)]],
    },
  ]
}

/** Reports on the calls one runs: a page and a workbook, per call and per period. */
const fundReportsRoutes: FastifyPluginAsync = async (app) => {
  const compute = (req: FastifyRequest) => {
    if (!fundReports.mayReport(app.db, req.user!)) throw new NotPermitted({ key: 'fundwork.rep.not_permitted' })
    if (req.validationError) throw new ValidationError(fieldErrors(req.validationError.validation))
    const q = req.query as Query
    const year = localToday(new Date()).slice(0, 4)
    const scope = { call: q.call, from: q.from ?? `${year}-01-01`, to: q.to ?? `${year}-12-31` }
    if (scope.from > scope.to) throw new ValidationError({ to: { key: 'fundwork.rep.period' } })
    return { scope, figures: fundReports.build(app.db, req.user!, scope) }
  }

  const page = (req: FastifyRequest, reply: FastifyReply, r: ReturnType<typeof compute> | undefined, errors?: FieldErrors) => {
    const q = req.query as Query
    return reply.render('funds/reports', {
      title: req.t('fundwork.rep.title'), errors, calls: fundReports.callOptions(app.db, req.user!),
      values: r ? r.scope : q,
      tables: r ? sheets(r.figures, req.t).map((s) => ({
        ...s, rows: s.rows.map((row) => row.map((c) => ({ text: c.format === 'money' && typeof c.value === 'number' ? yuan(Math.round(c.value * 100)) : formatCell(c, req.locale), numeric: c.format !== 'text' }))),
      })) : [],
      query: r ? new URLSearchParams(Object.entries(r.scope).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)])).toString() : '',
      share: r?.figures.unregisteredShare === null || !r ? null : `${(r.figures.unregisteredShare * 100).toFixed(1)}%`, awarded: r ? yuan(r.figures.awardedFen) : '',
    }, { status: errors ? 422 : 200 })
  }

  app.get('/reports/funds', { config: { access: 'signed_in' }, schema: { querystring: Query }, attachValidation: true }, async (req, reply) => {
    try {
      return await page(req, reply, compute(req))
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      return page(req, reply, undefined, err.fields)
    }
  })

  app.get('/reports/funds.xlsx', { config: { access: 'signed_in' }, schema: { querystring: Query }, attachValidation: true }, async (req, reply) => {
    const r = compute(req)
    const cover = { title: req.t('fundwork.rep.title'), lines: [[req.t('fundwork.rep.period_label'), `${r.scope.from} – ${r.scope.to}`]] as [string, string][] }
    const file = await workbook(cover, sheets(r.figures, req.t))
    return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', attachment(`${req.t('fundwork.rep.file')}-${r.scope.from}_${r.scope.to}.xlsx`, `assetbridge-funds-${r.scope.from}_${r.scope.to}.xlsx`)).send(file)
  })
}

export default fundReportsRoutes
