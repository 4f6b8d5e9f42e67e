import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { signedIn } from '../plugins/auth.js'
import { attachment } from '../shared/http.js'
import * as areas from '../areas/areas.js'
import { categoryNames } from '../listings/listings.js'
import { ValidationError } from '../shared/errors.js'
import { fieldErrors, fields, int, oneOf } from '../shared/forms.js'
import * as reports from './reports.js'
import { TABLE_IDS, tables, toCsv, type Words } from './tables.js'
import { workbook } from './workbook.js'
import { loadReportPage, reportPageView } from './reports.pages.js'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const Query = fields({
  area: int(1, 2_147_483_647),
  from: Type.String({ maxLength: 10 }),
  to: Type.String({ maxLength: 10 }),
})
interface Query {
  area?: number
  from?: string
  to?: string
}

const reportsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const words = (req: FastifyRequest): Words => {
    const names = categoryNames(app.db, req.locale)
    return { t: req.t, category: (code) => names[code] ?? code, unit: (code) => req.t(`unit.${code}`) }
  }

  /** The report asked for, or the form again with what to fix. */
  const compute = (req: FastifyRequest, query: Query) => {
    // A malformed parameter is the user's to fix, not a reason to quietly show a different report.
    if (req.validationError) throw new ValidationError(fieldErrors(req.validationError.validation))
    const { area, period, scope } = reports.resolve(app.db, signedIn(req), query, new Date())
    return { area, period, scope, report: reports.build(app.db, area.path, period) }
  }

  /** "成效报告-东湖街道-2026-01-01_2026-03-31-需求….csv", and an ASCII name for old clients. */
  const download = (
    req: FastifyRequest,
    r: ReturnType<typeof compute>,
    ext: string,
    part?: { id: string; title: string },
  ) =>
    attachment(
      `${req.t('reports.file')}-${areas.displayName(r.area, req.locale)}-${r.period.from}_${r.period.to}${part ? `-${part.title}` : ''}.${ext}`,
      `assetbridge-report-${r.area.ref ?? r.area.id}-${r.period.from}_${r.period.to}${part ? `-${part.id}` : ''}.${ext}`,
    )

  /** The workbook's cover: the area, the period and when it was made. */
  const cover = (req: FastifyRequest, r: ReturnType<typeof compute>) => ({
    title: req.t('reports.title'),
    lines: [
      [req.t('reports.area'), areas.displayName(r.area, req.locale)],
      [req.t('reports.from'), r.period.from],
      [req.t('reports.to'), r.period.to],
      [req.t('reports.generated'), new Date().toISOString()],
    ] as [string, string][],
  })

  app.get(
    '/reports',
    { config: { access: 'signed_in' }, schema: { querystring: Query }, attachValidation: true },
    async (req, reply) => {
      const problems = req.validationError && fieldErrors(req.validationError.validation)
      const data = loadReportPage(app.db, signedIn(req), req.query, problems, req.locale)
      const { status, view } = reportPageView(data, req.t, req.locale)
      return reply.code(status).render('reports/show', view)
    },
  )

  app.get(
    '/reports/:table.csv',
    {
      config: { access: 'signed_in' },
      schema: { params: fields({ table: oneOf(TABLE_IDS) }, ['table']), querystring: Query },
    },
    async (req, reply) => {
      const r = compute(req, req.query)
      const table = tables(r.report, words(req)).find((t) => t.id === req.params.table)!
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', download(req, r, 'csv', table))
        .send(toCsv(table, req.locale))
    },
  )

  app.get('/reports.xlsx', { config: { access: 'signed_in' }, schema: { querystring: Query } }, async (req, reply) => {
    const r = compute(req, req.query)
    const body = await workbook(cover(req, r), tables(r.report, words(req)))
    return reply
      .type(XLSX)
      .header('content-disposition', download(req, r, 'xlsx'))
      .send(body)
  })
}

export default reportsRoutes
