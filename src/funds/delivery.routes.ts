import fs from 'node:fs'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import * as delivery from './delivery.js'
import { figures, workbook } from './closeout.js'
import { parseYuan, yuan } from './money.js'
import * as evidence from '../capacity/evidence.js'
import { type UploadBody } from '../interchange/upload.js'
import { acceptEvidenceUploads } from '../capacity/evidence-upload.js'
import { formSchema, idParam, int, oneOf, str, text } from '../shared/forms.js'
import { attachment, redirectAfterPost, submitForm } from '../shared/http.js'
import { NotFound, ValidationError, type FieldErrors } from '../shared/errors.js'

/** Yuan as typed on a form ("1,234.5"): read exactly by parseYuan, which says what is not an amount. */
const YUAN = str(24)

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

const ReportBody = {
  ...formSchema({
    milestone: { type: 'string', pattern: '^(closeout|[0-9]{1,10})$' }, done: text(delivery.DONE_MAX, 1), residentsReached: int(0, delivery.MAX_RESIDENTS), returned: YUAN,
  }, ['milestone', 'done', 'residentsReached']),
  patternProperties: { '^spent_[0-9]{1,10}$': YUAN },
  maxProperties: 80,
}
const DecisionBody = formSchema({ decision: oneOf(['approve', 'more']), note: text(delivery.NOTE_MAX) }, ['decision'])
const UploadBodySchema = {
  type: 'object',
  properties: { _csrf: { type: 'string', maxLength: 200 }, files: { type: 'array', maxItems: evidence.MAX_PER_UPLOAD, items: { type: 'object' } }, tooMany: { type: 'boolean' } },
} as const

type Body = Record<string, string | number | undefined>

/**
 * An award's delivery: its page (tranches, milestones, reports), reporting and deciding, evidence files, and the
 * close-out page and workbook. Nobody who may not see the award learns that it exists.
 */
const deliveryRoutes: FastifyPluginAsync = async (app) => {
  const dir = app.config.evidenceDir

  const load = (req: FastifyRequest, awardId: number) => {
    const found = delivery.findVisible(app.db, req.user, awardId)
    if (!found) throw new NotFound()
    return delivery.view(app.db, found)
  }

  const show = (req: FastifyRequest, reply: FastifyReply, awardId: number, errors: FieldErrors = {}, status = 200, form: Body = {}) => {
    const found = delivery.findVisible(app.db, req.user, awardId)
    if (!found) throw new NotFound()
    const v = delivery.view(app.db, found)
    return reply.render('funds/award', {
      title: v.application.title, v, access: found.access, steward: found.access === 'steward', group: found.access === 'group',
      money: { award: yuan(v.award.amountFen), released: yuan(v.releasedFen), remaining: yuan(v.remainingFen) },
      milestones: v.milestones.map((m) => ({ ...m, tranche: yuan(m.trancheFen), released: m.releasedFen ? yuan(m.releasedFen) : '' })),
      lines: v.lines.map((l) => ({ ...l, asked: yuan(l.askedFen), own: yuan(l.ownFen), typed: form[`spent_${l.id}`], error: errors[`spent_${l.id}`] })),
      reports: v.reports.map((r) => ({ ...r, returned: r.returnedFen ? yuan(r.returnedFen) : '', spendingLines: r.spendingLines.map((s) => ({ ...s, spent: yuan(s.spentFen) })) })),
      form, errors: Object.keys(errors).length ? errors : undefined, maxFiles: delivery.MAX_FILES_PER_REPORT,
    }, { status })
  }

  app.get('/awards/:id', { config: { access: 'signed_in' }, schema: { params: idParam }, attachValidation: true }, async (req, reply) => {
    if (req.validationError) throw new NotFound()
    return show(req, reply, (req.params as { id: number }).id)
  })

  app.post('/awards/:id/reports', { config: { access: 'signed_in' }, schema: { params: idParam, body: ReportBody }, attachValidation: true }, async (req, reply) => {
    const awardId = (req.params as { id: number }).id
    const b = req.body as Body
    return submitForm(req, reply, (errors, status) => show(req, reply, awardId, errors, status, b), () => {
      const { spending, returnedFen } = moneyFields(b)
      const report = delivery.submit(app.db, req.user!, awardId, {
        milestoneId: b.milestone === 'closeout' ? undefined : Number(b.milestone), done: String(b.done), residentsReached: Number(b.residentsReached), spending, returnedFen,
      })
      reply.flash(report.milestoneId === null ? 'fundwork.closeout.submitted' : 'fundwork.report.submitted')
      return redirectAfterPost(req, reply, `/awards/${awardId}#report-${report.id}`)
    })
  })

  app.post('/fund-reports/:id/decision', { config: { access: 'signed_in' }, schema: { params: idParam, body: DecisionBody }, attachValidation: true }, async (req, reply) => {
    const reportId = (req.params as { id: number }).id
    const awardId = delivery.awardOfReport(app.db, reportId)
    if (!awardId) throw new NotFound()
    const b = req.body as Body
    return submitForm(req, reply, (errors, status) => show(req, reply, awardId, errors, status), () => {
      const { releasedFen } = delivery.decide(app.db, req.user!, reportId, b.decision === 'approve' ? { approve: true } : { approve: false, note: String(b.note ?? '') })
      if (b.decision === 'approve') reply.flash('fundwork.report.approved', { amount: yuan(releasedFen) })
      else reply.flash('fundwork.report.more_asked')
      return redirectAfterPost(req, reply, `/awards/${awardId}#report-${reportId}`)
    })
  })

  // Evidence on a report: the capacity evidence's upload (CSRF before any file is read, the same limits and checks).
  await app.register(async (upload) => {
    acceptEvidenceUploads(app, upload)

    upload.post('/fund-reports/:id/files', { config: { access: 'signed_in', streamedBody: true }, schema: { params: idParam, body: UploadBodySchema } }, async (req, reply) => {
      const reportId = (req.params as { id: number }).id
      const awardId = delivery.awardOfReport(app.db, reportId)
      if (!awardId || !delivery.findVisible(app.db, req.user, awardId)) throw new NotFound()
      const body = req.body as Partial<UploadBody>
      const files = (body.files ?? []).filter((f) => f.filename || f.data.length).map((f) => ({ name: f.filename, data: f.data, truncated: f.truncated }))
      try {
        delivery.addFiles(app.db, dir, req.user!, reportId, files, { tooMany: body.tooMany })
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err
        return show(req, reply, awardId, err.fields, 422)
      }
      reply.flash('evidence.added', { count: files.length })
      return redirectAfterPost(req, reply, `/awards/${awardId}#report-${reportId}`)
    })
  })

  app.get('/fund-files/:id', { config: { access: 'signed_in' }, schema: { params: idParam }, attachValidation: true }, async (req, reply) => {
    if (req.validationError) throw new NotFound()
    const f = delivery.findFile(app.db, req.user, (req.params as { id: number }).id)
    if (!f) throw new NotFound()
    const file = evidence.fileOf(dir, f.storedName)
    if (!fs.existsSync(file)) throw new NotFound()
    return reply.type(f.contentType)
      .header('Content-Disposition', `attachment; filename="report-file-${f.id}.${evidence.EXTENSION[f.contentType]}"`)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Security-Policy', "default-src 'none'; sandbox")
      .send(fs.createReadStream(file))
  })

  app.get('/awards/:id/closeout', { config: { access: 'signed_in' }, schema: { params: idParam }, attachValidation: true }, async (req, reply) => {
    if (req.validationError) throw new NotFound()
    const v = load(req, (req.params as { id: number }).id)
    const f = figures(v)
    return reply.render('funds/closeout', {
      title: req.t('fundwork.closeout.heading', { project: v.application.title }), v, f,
      lines: f.lines.map((l) => ({ ...l, asked: yuan(l.askedFen), own: yuan(l.ownFen), spent: yuan(l.spentFen), difference: yuan(l.differenceFen) })),
      milestones: f.milestones.map((m) => ({ ...m, tranche: yuan(m.trancheFen), released: yuan(m.releasedFen) })),
      money: { award: yuan(f.awardFen), released: yuan(f.releasedFen), returned: yuan(f.returnedFen), asked: yuan(f.askedFen), own: yuan(f.ownFen), spent: yuan(f.spentFen), difference: yuan(f.askedFen - f.spentFen) },
    })
  })

  app.get('/awards/:id/closeout.xlsx', { config: { access: 'signed_in' }, schema: { params: idParam }, attachValidation: true }, async (req, reply) => {
    if (req.validationError) throw new NotFound()
    const v = load(req, (req.params as { id: number }).id)
    const file = await workbook(v, figures(v), req.t)
    return reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', attachment(`${req.t('fundwork.closeout.file')}-${v.application.title}.xlsx`, `assetbridge-closeout-${v.award.id}.xlsx`)).send(file)
  })
}

export default deliveryRoutes
