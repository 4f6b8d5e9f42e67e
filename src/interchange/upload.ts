import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import { Busboy } from '@fastify/busboy'
import type { LedgerProblem } from './format.js'

export const MAX_FILE_BYTES = 1_048_576
export const MAX_FILES = 4

export interface UploadedFile { filename: string; data: Buffer; truncated: boolean }
export interface UploadBody { _csrf?: string; files: UploadedFile[]; tooMany?: boolean }

/**
 * multipart/form-data → `{ _csrf, files }`, as a content-type parser. Parsing here, before the
 * preValidation hooks, is what lets the app-wide CSRF check read the form's `_csrf` field as it does for
 * urlencoded forms; @fastify/multipart's own body attachment runs in a preValidation hook of the route's
 * plugin, i.e. after that check. Limits: 4 files of 1 MB, a few small fields; nothing touches the disk.
 */
export function parseUpload(headers: IncomingHttpHeaders, payload: Readable): Promise<UploadBody> {
  return new Promise((resolve, reject) => {
    const body: UploadBody = { files: [] }
    let busboy: InstanceType<typeof Busboy>
    try {
      busboy = new Busboy({
        headers: headers as IncomingHttpHeaders & { 'content-type': string },
        limits: { fileSize: MAX_FILE_BYTES, files: MAX_FILES, fields: 4, fieldSize: 1024, parts: MAX_FILES + 4, headerPairs: 20 },
      })
    } catch (err) {
      return reject(Object.assign(err as Error, { statusCode: 400 }))
    }
    busboy.on('field', (name: string, value: string) => {
      if (name === '_csrf') body._csrf = value
    })
    busboy.on('file', (_field: string, stream: Readable & { truncated?: boolean }, filename: string) => {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        // A browser sends an empty part when no file was chosen.
        if (filename || chunks.length) body.files.push({ filename: filename ?? '', data: Buffer.concat(chunks), truncated: stream.truncated === true })
      })
    })
    busboy.on('filesLimit', () => { body.tooMany = true })
    busboy.on('finish', () => resolve(body))
    busboy.on('error', (err: Error) => reject(Object.assign(err, { statusCode: 400 })))
    payload.on('error', reject)
    payload.pipe(busboy)
  })
}

/** The uploaded files as the reader takes them, or the problems that stop them before reading. */
export function uploadedFiles(body: Partial<UploadBody> | undefined): { files: { name: string; data: Buffer }[]; problems: LedgerProblem[] } {
  const files = (body?.files ?? []).filter((f) => f.filename || f.data.length)
  const problems: LedgerProblem[] = []
  if (body?.tooMany) problems.push({ section: null, ref: null, field: null, message: { key: 'ledger.too_many_files', params: { limit: MAX_FILES } } })
  for (const f of files) {
    if (f.truncated) problems.push({ section: null, ref: f.filename, field: null, message: { key: 'ledger.too_large', params: { name: f.filename, limit: MAX_FILE_BYTES / 1_048_576 } } })
  }
  return { files: files.map((f) => ({ name: f.filename, data: f.data })), problems }
}
