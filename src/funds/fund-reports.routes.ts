import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { signedIn } from '../plugins/auth.js'
import * as fundReports from './fund-reports.js'
import {
  fundReportFile,
  fundReportsView,
  loadFundReport,
  type FundReport,
  type FundReportQuery,
} from './fund-reports.pages.js'
import { date, fieldErrors, fields, int } from '../shared/forms.js'
import { ValidationError, type FieldErrors } from '../shared/errors.js'
import { localToday } from '../shared/time.js'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const Query = fields({ call: int(1, 2_147_483_647), from: date, to: date })

/** Reports on the calls one runs: a page and a workbook, per call and per period. */
const fundReportsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const compute = (req: FastifyRequest, q: FundReportQuery) => {
    const refused = req.validationError && fieldErrors(req.validationError.validation)
    return loadFundReport(app.db, signedIn(req), q, localToday(new Date()), refused)
  }

  const page = (
    req: FastifyRequest,
    reply: FastifyReply,
    q: FundReportQuery,
    r: FundReport | undefined,
    errors?: FieldErrors,
  ) => {
    const calls = fundReports.callOptions(app.db, signedIn(req))
    const data = fundReportsView(r, calls, q, req.t, req.locale, errors)
    return reply.render('funds/reports', data, { status: errors ? 422 : 200 })
  }

  app.get(
    '/reports/funds',
    { config: { access: 'signed_in' }, schema: { querystring: Query }, attachValidation: true },
    async (req, reply) => {
      try {
        return await page(req, reply, req.query, compute(req, req.query))
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err
        return page(req, reply, req.query, undefined, err.fields)
      }
    },
  )

  app.get(
    '/reports/funds.xlsx',
    { config: { access: 'signed_in' }, schema: { querystring: Query }, attachValidation: true },
    async (req, reply) => {
      const { name, file } = await fundReportFile(compute(req, req.query), req.t)
      return reply.type(XLSX).header('content-disposition', name).send(file)
    },
  )
}

export default fundReportsRoutes
