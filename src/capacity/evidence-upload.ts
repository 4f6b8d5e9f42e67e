import type { Readable } from 'node:stream'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import * as evidence from './evidence.js'
import { parseUpload } from '../interchange/upload.js'

/**
 * Makes `scope` (a route context of its own) accept the evidence upload form: only multipart is parsed, with the
 * ledger's machinery (CSRF before any file is read, every stream's errors handled) and the evidence limits; an
 * unreadable body is the evidence's own 400. Capacity assessments and fund reports take their files through it.
 */
export function acceptEvidenceUploads(app: FastifyInstance, scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers()
  scope.addContentTypeParser('multipart/form-data', async (req: FastifyRequest, payload: Readable) => {
    try {
      return await parseUpload(req.headers, payload, (token) => app.csrfTokenValid(req, token), { fileBytes: evidence.MAX_BYTES, files: evidence.MAX_PER_UPLOAD })
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 400) throw new evidence.UploadUnreadable({ key: 'evidence.error.unreadable' })
      throw err
    }
  })
}
