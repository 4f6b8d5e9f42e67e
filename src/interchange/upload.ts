import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import { Busboy } from '@fastify/busboy'
import type { LedgerProblem } from './format.js'
import { noFiles } from './read.js'

export const MAX_FILE_BYTES = 1_048_576
export const MAX_FILES = 4

/** How much one upload form may carry; the ledger's are the defaults, other forms (evidence files) pass their own. */
export interface UploadLimits {
  fileBytes: number
  files: number
}
export const LEDGER_LIMITS: UploadLimits = { fileBytes: MAX_FILE_BYTES, files: MAX_FILES }

export interface UploadedFile {
  filename: string
  data: Buffer
  truncated: boolean
}
export interface UploadBody {
  _csrf?: string
  files: UploadedFile[]
  tooMany?: boolean
}

/** A body that is not the multipart form the page sends (cut short, malformed): the user's request, not our fault. */
const unreadable = (err: Error) => Object.assign(err, { statusCode: 400 })
const csrfRefused = () =>
  Object.assign(new Error('csrf token missing or invalid in upload'), {
    code: 'FST_CSRF_INVALID_TOKEN',
    statusCode: 403,
  })

/**
 * multipart/form-data → `{ _csrf, files }`, as a content-type parser. The caller has already checked sign-in, role
 * and the request's origin (before any of the body is read); the form's `_csrf` field comes first, and is checked
 * with `tokenValid` as soon as it arrives, so a file part is read only after a valid token (the app-wide CSRF check
 * then sees `_csrf` again as for urlencoded forms). Limits: by default the ledger's 4 files of 1 MB, a few small
 * fields; nothing touches the disk.
 *
 * Every stream here can fail on a body cut short: an 'error' without a listener is thrown by Node and ends the
 * process, so each one (payload, parser, file part) has one, and the promise settles exactly once.
 */
export function parseUpload(
  headers: IncomingHttpHeaders,
  payload: Readable,
  tokenValid: (token: string) => boolean,
  limits: UploadLimits = LEDGER_LIMITS,
): Promise<UploadBody> {
  return new Promise((resolve, reject) => {
    const body: UploadBody = { files: [] }
    let settled = false
    let busboy: InstanceType<typeof Busboy>
    const fail = (err: Error) => {
      if (settled) return
      settled = true
      // Stop parsing; the rest of the body is read and dropped so the connection can answer.
      payload.unpipe()
      payload.resume()
      reject(err)
    }
    try {
      busboy = new Busboy({
        headers: headers as IncomingHttpHeaders & { 'content-type': string },
        limits: {
          fileSize: limits.fileBytes,
          files: limits.files,
          fields: 4,
          fieldSize: 1024,
          parts: limits.files + 4,
          headerPairs: 20,
        },
      })
    } catch (err) {
      return reject(unreadable(err as Error))
    }
    let tokenChecked = false
    busboy.on('field', (name: string, value: string) => {
      if (name !== '_csrf' || tokenChecked) return
      tokenChecked = true
      body._csrf = value
      if (!tokenValid(value)) fail(csrfRefused())
    })
    busboy.on('file', (_field: string, stream: Readable & { truncated?: boolean }, filename: string) => {
      stream.on('error', (err: Error) => fail(unreadable(err)))
      if (!tokenChecked || settled) {
        stream.resume()
        return fail(csrfRefused())
      }
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        // A browser sends an empty part when no file was chosen.
        if (filename || chunks.length)
          body.files.push({
            filename: filename ?? '',
            data: Buffer.concat(chunks),
            truncated: stream.truncated === true,
          })
      })
    })
    busboy.on('filesLimit', () => {
      body.tooMany = true
    })
    busboy.on('finish', () => {
      if (settled) return
      settled = true
      resolve(body)
    })
    busboy.on('error', (err: Error) => fail(unreadable(err)))
    payload.on('error', (err: Error) => fail(unreadable(err)))
    // A body that ends inside a field or a header block makes the parser stop without 'finish' or 'error'.
    payload.on('end', () => setImmediate(() => fail(unreadable(new Error('multipart body ended early')))))
    payload.pipe(busboy)
  })
}

/**
 * The uploaded files as the reader takes them, or the problems that stop them before the store is read: none chosen
 * (an empty part is none), too many, one cut short at the size limit.
 */
export function uploadedFiles(body: Partial<UploadBody> | undefined): {
  files: { name: string; data: Buffer }[]
  problems: LedgerProblem[]
} {
  const files = (body?.files ?? []).filter((f) => f.filename || f.data.length)
  const problems: LedgerProblem[] = []
  if (files.length === 0 && !body?.tooMany) problems.push(noFiles())
  if (body?.tooMany)
    problems.push({
      section: null,
      ref: null,
      field: null,
      message: { key: 'ledger.too_many_files', params: { limit: MAX_FILES } },
    })
  for (const f of files) {
    if (f.truncated)
      problems.push({
        section: null,
        ref: f.filename,
        field: null,
        message: { key: 'ledger.too_large', params: { name: f.filename, limit: MAX_FILE_BYTES / 1_048_576 } },
      })
  }
  return { files: files.map((f) => ({ name: f.filename, data: f.data })), problems }
}
