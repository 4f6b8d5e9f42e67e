import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { signedIn } from '../plugins/auth.js'
import { Type } from 'typebox'
import * as delivery from './delivery.js'
import * as reporting from './reporting.js'
import { figures, workbook } from './closeout.js'
import { parseYuan, yuan } from './money.js'
import { awardOfReport, awardView, closeoutView, decisionOf, loadAward } from './delivery.pages.js'
import * as evidence from '../evidence/files.js'
import {
  acceptEvidenceUploads,
  chosenFiles,
  refusedFiles,
  sendEvidenceFile,
  uploadBody,
} from '../capacity/evidence-upload.js'
import { formSchema, idParam, int, oneOf, str, text } from '../shared/forms.js'
import { attachment, redirectAfterPost, submitForm } from '../shared/http.js'
import { NotFound, ValidationError, type FieldErrors } from '../shared/errors.js'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** Yuan as typed on a form ("1,234.5"): read exactly by parseYuan, which says what is not an amount. */
const YUAN = str(24)

/** The report form → the service's input: the milestone or the close-out, amounts as fen. */
const reportInput = (b: ReportForm): reporting.ReportInput => ({
  milestoneId: b.milestone === 'closeout' ? undefined : Number(b.milestone),
  done: b.done,
  residentsReached: b.residentsReached,
  ...moneyFields(b),
})

/** The typed amounts as fen, or the fields that are not amounts. */
function moneyFields(b: Record<string, string | number | undefined>) {
  const spending: Record<number, number> = {}
  const problems: FieldErrors = {}
  let returnedFen: number | undefined
  for (const [k, v] of Object.entries(b)) {
    if (!(k.startsWith('spent_') || k === 'returned') || typeof v !== 'string') continue
    const fen = parseYuan(v)
    if (fen === undefined) problems[k === 'returned' ? 'returnedFen' : k] = { key: 'fundwork.validation.money' }
    else if (k === 'returned') returnedFen = fen
    else spending[Number(k.slice(6))] = fen
  }
  if (Object.keys(problems).length) throw new ValidationError(problems)
  return { spending, returnedFen }
}

// The report's own fields, and one `spent_<budget line id>` per line: typed as the flat form it is.
const ReportBody = Type.Unsafe<ReportForm>({
  ...formSchema(
    {
      milestone: Type.String({ pattern: '^(closeout|[0-9]{1,10})$' }),
      done: text(reporting.DONE_MAX, 1),
      residentsReached: int(0, reporting.MAX_RESIDENTS),
      returned: YUAN,
    },
    ['milestone', 'done', 'residentsReached'],
  ),
  patternProperties: { '^spent_[0-9]{1,10}$': YUAN },
  maxProperties: 80,
})
const DecisionBody = formSchema({ decision: oneOf(['approve', 'more']), note: text(reporting.NOTE_MAX) }, ['decision'])
const UploadBodySchema = uploadBody(evidence.MAX_PER_UPLOAD)

type Body = Record<string, string | number | undefined>
/** The report form as its schema reads it: the milestone (or the close-out), and one amount per budget line. */
type ReportForm = {
  milestone: string
  done: string
  residentsReached: number
  returned?: string
  [spent: `spent_${number}`]: string
}

/**
 * An award's delivery: its page (tranches, milestones, reports), reporting and deciding, evidence files, and the
 * close-out page and workbook. Nobody who may not see the award learns that it exists.
 */
const deliveryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const dir = app.config.evidenceDir

  const show = (
    req: FastifyRequest,
    reply: FastifyReply,
    awardId: number,
    errors: FieldErrors = {},
    status = 200,
    form: Body = {},
  ) => reply.render('funds/award', awardView(loadAward(app.db, req.user, awardId), errors, form), { status })

  app.get(
    '/awards/:id',
    { config: { access: 'signed_in' }, schema: { params: idParam }, attachValidation: true },
    async (req, reply) => {
      if (req.validationError) throw new NotFound()
      return show(req, reply, req.params.id)
    },
  )

  /** A form on the award's page: refused, the page again with what to fix (and what was typed); else `act`. */
  const submit = (req: FastifyRequest, reply: FastifyReply, awardId: number, act: () => FastifyReply, form?: Body) =>
    submitForm(req, reply, (errors, status) => show(req, reply, awardId, errors, status, form), act)

  app.post(
    '/awards/:id/reports',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: ReportBody }, attachValidation: true },
    async (req, reply) => {
      const awardId = req.params.id
      const act = () => {
        const report = reporting.submit(app.db, signedIn(req), awardId, reportInput(req.body))
        reply.flash(report.milestoneId === null ? 'fundwork.closeout.submitted' : 'fundwork.report.submitted')
        return redirectAfterPost(req, reply, `/awards/${awardId}#report-${report.id}`)
      }
      return submit(req, reply, awardId, act, req.body)
    },
  )

  app.post(
    '/fund-reports/:id/decision',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: DecisionBody }, attachValidation: true },
    async (req, reply) => {
      const reportId = req.params.id
      const awardId = delivery.awardOfReport(app.db, reportId)
      if (!awardId) throw new NotFound()
      return submit(req, reply, awardId, () => {
        const { releasedFen } = reporting.decide(app.db, signedIn(req), reportId, decisionOf(req.body))
        if (req.body.decision === 'approve') reply.flash('fundwork.report.approved', { amount: yuan(releasedFen) })
        else reply.flash('fundwork.report.more_asked')
        return redirectAfterPost(req, reply, `/awards/${awardId}#report-${reportId}`)
      })
    },
  )

  // Evidence on a report: the capacity evidence's upload (CSRF before any file is read, the same limits and checks).
  await app.register(async (scope) => {
    acceptEvidenceUploads(app, scope)
    const upload = scope.withTypeProvider<TypeBoxTypeProvider>()

    upload.post(
      '/fund-reports/:id/files',
      { config: { access: 'signed_in', streamedBody: true }, schema: { params: idParam, body: UploadBodySchema } },
      async (req, reply) => {
        const reportId = req.params.id
        const awardId = awardOfReport(app.db, req.user, reportId)
        const body = req.body
        const files = chosenFiles(body)
        const refused = refusedFiles(() =>
          reporting.addFiles(app.db, dir, signedIn(req), reportId, files, { tooMany: body.tooMany }),
        )
        if (refused) return show(req, reply, awardId, refused, 422)
        reply.flash('evidence.added', { count: files.length })
        return redirectAfterPost(req, reply, `/awards/${awardId}#report-${reportId}`)
      },
    )
  })

  app.get(
    '/fund-files/:id',
    { config: { access: 'signed_in' }, schema: { params: idParam }, attachValidation: true },
    async (req, reply) => {
      if (req.validationError) throw new NotFound()
      const f = delivery.findFile(app.db, req.user, req.params.id)
      if (!f) throw new NotFound()
      return sendEvidenceFile(reply, dir, f, `report-file-${f.id}`)
    },
  )

  app.get(
    '/awards/:id/closeout',
    { config: { access: 'signed_in' }, schema: { params: idParam }, attachValidation: true },
    async (req, reply) => {
      if (req.validationError) throw new NotFound()
      return reply.render('funds/closeout', closeoutView(loadAward(app.db, req.user, req.params.id).v, req.t))
    },
  )

  app.get(
    '/awards/:id/closeout.xlsx',
    { config: { access: 'signed_in' }, schema: { params: idParam }, attachValidation: true },
    async (req, reply) => {
      if (req.validationError) throw new NotFound()
      const { v } = loadAward(app.db, req.user, req.params.id)
      const title = `${req.t('fundwork.closeout.file')}-${v.application.title}.xlsx`
      const name = attachment(title, `assetbridge-closeout-${v.award.id}.xlsx`)
      return reply
        .type(XLSX)
        .header('content-disposition', name)
        .send(await workbook(v, figures(v), req.t))
    },
  )
}

export default deliveryRoutes
