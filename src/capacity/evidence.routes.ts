import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { signedIn } from '../plugins/auth.js'
import * as capacity from './capacity.js'
import * as evidence from './evidence.js'
import * as files from '../evidence/files.js'
import { renderAssessment } from './capacity.routes.js'
import { acceptEvidenceUploads, chosenFiles, refusedFiles, sendEvidenceFile, uploadBody } from './evidence-upload.js'
import { formSchema, idParam } from '../shared/forms.js'
import { redirectAfterPost } from '../shared/http.js'
import { NotFound } from '../shared/errors.js'

const UploadBodySchema = uploadBody(files.MAX_PER_UPLOAD)

/**
 * Evidence files on an assessment: uploaded on its page, downloaded as attachments (never shown inline, so a file
 * cannot run as a page of this site), removed by the assessor or an admin. The folder itself is never served.
 */
const evidenceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const dir = app.config.evidenceDir

  // The upload, in a context of its own: only the multipart form is parsed here, with the ledger's machinery
  // (CSRF before any file is read, every stream's errors handled) and this form's limits. The route is
  // `streamedBody`: sign-in, role, origin and the session's CSRF secret are checked before the parser runs.
  await app.register(async (scope) => {
    acceptEvidenceUploads(app, scope)
    const upload = scope.withTypeProvider<TypeBoxTypeProvider>()

    upload.post(
      '/capacity/:id/evidence',
      { config: { access: 'staff', streamedBody: true }, schema: { params: idParam, body: UploadBodySchema } },
      async (req, reply) => {
        const a = capacity.findVisible(app.db, req.user, req.params.id)
        if (!a) throw new NotFound()
        const body = req.body
        const files = chosenFiles(body)
        const refused = refusedFiles(() =>
          evidence.add(app.db, dir, signedIn(req), a.id, files, { tooMany: body.tooMany }),
        )
        if (refused) return renderAssessment(req, reply, a, refused, 422)
        reply.flash('evidence.added', { count: files.length })
        return redirectAfterPost(req, reply, `/capacity/${a.id}#evidence`)
      },
    )
  })

  // Not a number is no file: the same 404 as one that does not exist or may not be seen.
  app.get(
    '/evidence/:id',
    { config: { access: 'signed_in' }, schema: { params: idParam }, attachValidation: true },
    async (req, reply) => {
      if (req.validationError) throw new NotFound()
      const e = evidence.findVisible(app.db, req.user, req.params.id)
      if (!e) throw new NotFound()
      return sendEvidenceFile(reply, dir, e, `evidence-${e.id}`)
    },
  )

  app.post(
    '/evidence/:id/deletion',
    { config: { access: 'staff' }, schema: { params: idParam, body: formSchema({}) } },
    async (req, reply) => {
      const { assessmentId } = evidence.remove(app.db, dir, signedIn(req), req.params.id)
      reply.flash('evidence.removed')
      return redirectAfterPost(req, reply, `/capacity/${assessmentId}#evidence`)
    },
  )
}

export default evidenceRoutes
