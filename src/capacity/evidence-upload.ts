import fs from 'node:fs'
import type { Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import * as evidence from '../evidence/files.js'
import { Type } from 'typebox'
import { parseUpload, type UploadBody, type UploadedFile } from '../interchange/upload.js'
import { bool, fields, secret } from '../shared/forms.js'
import { NotFound, ValidationError, type FieldErrors } from '../shared/errors.js'

/**
 * Makes `scope` (a route context of its own) accept the evidence upload form: only multipart is parsed, with the
 * ledger's machinery (CSRF before any file is read, every stream's errors handled) and the evidence limits; an
 * unreadable body is the evidence's own 400. Capacity assessments and fund reports take their files through it.
 */
export function acceptEvidenceUploads(app: FastifyInstance, scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers()
  scope.addContentTypeParser('multipart/form-data', async (req: FastifyRequest, payload: Readable) => {
    try {
      return await parseUpload(req.headers, payload, (token) => app.csrfTokenValid(req, token), {
        fileBytes: evidence.MAX_BYTES,
        files: evidence.MAX_PER_UPLOAD,
      })
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 400)
        throw new evidence.UploadUnreadable({ key: 'evidence.error.unreadable' })
      throw err
    }
  })
}

/** The files chosen on an upload form: a browser sends one empty part when none was. */
export const chosenFiles = (body: Partial<UploadBody>): evidence.IncomingFile[] =>
  (body.files ?? [])
    .filter((f) => f.filename || f.data.length)
    .map((f) => ({ name: f.filename, data: f.data, truncated: f.truncated }))

/** Files kept by `keep`, or the problems that refused them (shown above the upload form); anything else propagates. */
export function refusedFiles(keep: () => unknown): FieldErrors | undefined {
  try {
    keep()
    return undefined
  } catch (err) {
    if (err instanceof ValidationError) return err.fields
    throw err
  }
}

/** The upload form as the multipart parser leaves it: the token, up to `maxFiles` files, and whether more were sent. */
export const uploadBody = (maxFiles: number) =>
  fields({
    _csrf: secret(200),
    files: Type.Array(Type.Unsafe<UploadedFile>({ type: 'object' }), { maxItems: maxFiles }),
    tooMany: bool(),
  })

/**
 * A kept evidence file sent as an attachment named `<name>.<ext>`, never shown inline (so it cannot run as a page
 * of this site); a file missing from the folder is not found, like one that may not be seen.
 */
export function sendEvidenceFile(
  reply: FastifyReply,
  dir: string,
  f: { storedName: string; contentType: evidence.EvidenceType },
  name: string,
) {
  const file = evidence.fileOf(dir, f.storedName)
  if (!fs.existsSync(file)) throw new NotFound()
  return reply
    .type(f.contentType)
    .header('Content-Disposition', `attachment; filename="${name}.${evidence.EXTENSION[f.contentType]}"`)
    .header('X-Content-Type-Options', 'nosniff')
    .header('Content-Security-Policy', "default-src 'none'; sandbox")
    .send(fs.createReadStream(file))
}
