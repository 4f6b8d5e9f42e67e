import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { EVIDENCE_TYPES } from '../db/schema.js'
import { DomainError, NotFound, ValidationError } from '../shared/errors.js'

/**
 * Evidence files, whatever record they go on (a capacity assessment's, a fund report's): photos, scanned sign-in
 * sheets, PDFs, kept on disk in the evidence folder (config.evidenceDir, beside the database) under generated names.
 * The type is read from the content's first bytes; what the browser called the file or claimed it was decides
 * nothing. Who may add or see them is the record's rule, not this module's: it sits below capacity and funds so
 * both keep files the same way without importing each other.
 */

export type EvidenceType = (typeof EVIDENCE_TYPES)[number]
export const MAX_BYTES = 5 * 1_048_576
/** One form sends at most this many; the rest of what a record may hold comes in later uploads. */
export const MAX_PER_UPLOAD = 5
const NAME_MAX = 120

export const EXTENSION: Record<EvidenceType, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
}
const STORED_NAME = /^[0-9a-f]{32}\.(jpg|png|webp|pdf)$/

/** A body that is not the form the page sends (cut short, malformed): said plainly rather than as a bare 400. */
export class UploadUnreadable extends DomainError {
  override readonly status = 400
}

/** The file's type by its magic bytes, or undefined for anything else (HTML, SVG, a renamed executable, text). */
export function sniff(data: Buffer): EvidenceType | undefined {
  const starts = (bytes: number[], at = 0) =>
    data.length >= at + bytes.length && bytes.every((b, i) => data[at + i] === b)
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg'
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png'
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp'
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf'
  return undefined
}

/** What the page shows as the file's name: the last part of what the browser sent, without control characters. */
export function displayName(sent: string): string {
  const last = sent.split(/[\\/]/).pop() ?? ''
  return last
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, NAME_MAX)
}

/** Where a stored file lives; a name that is not one we generate never becomes a path. */
export function fileOf(dir: string, storedName: string): string {
  if (!STORED_NAME.test(storedName)) throw new NotFound()
  return path.join(dir, storedName)
}

export interface IncomingFile {
  name: string
  data: Buffer
  truncated?: boolean
}

/**
 * What is wrong with the files as sent, each said once per file; empty when they can all be kept. `max` is how many
 * the record they go on may hold (an assessment's, a fund report's).
 */
export function problemsWith(files: IncomingFile[], already: number, tooMany: boolean, max: number) {
  const problems: { key: string; params?: Record<string, string | number> }[] = []
  if (!files.length) problems.push({ key: 'evidence.error.none' })
  if (tooMany || files.length > MAX_PER_UPLOAD)
    problems.push({ key: 'evidence.error.too_many_at_once', params: { limit: MAX_PER_UPLOAD } })
  else if (already + files.length > max)
    problems.push({ key: 'evidence.error.too_many', params: { limit: max, left: Math.max(0, max - already) } })
  for (const f of files) {
    const name = displayName(f.name) || '—'
    if (f.truncated) problems.push({ key: 'evidence.error.too_large', params: { name, limit: MAX_BYTES / 1_048_576 } })
    else if (!f.data.length) problems.push({ key: 'evidence.error.empty', params: { name } })
    else if (!sniff(f.data)) problems.push({ key: 'evidence.error.type', params: { name } })
  }
  return problems
}

export const refuse = (problems: ReturnType<typeof problemsWith>): never => {
  throw new ValidationError(Object.fromEntries(problems.map((p, i) => [i === 0 ? 'files' : `files_${i}`, p])))
}

export interface StoredFile {
  storedName: string
  contentType: EvidenceType
  bytes: number
  sha256: string
  originalName: string
}

/**
 * Keeps the files, all or none: each is written under a fresh name (to a temporary name first, renamed once
 * complete), then `persist` writes their rows (in one transaction that counts again under the write lock). If anything
 * fails, the files written are removed, so no file is left without its row and no row without its file. Used for an
 * assessment's evidence and a fund report's.
 */
export function keepFiles<T>(dir: string, files: IncomingFile[], persist: (stored: StoredFile[]) => T): T {
  fs.mkdirSync(dir, { recursive: true, mode: 0o750 })
  const written: string[] = []
  try {
    const stored = files.map((f) => {
      const contentType = sniff(f.data)!
      const storedName = `${crypto.randomBytes(16).toString('hex')}.${EXTENSION[contentType]}`
      const target = fileOf(dir, storedName)
      const partial = `${target}.part`
      written.push(partial)
      fs.writeFileSync(partial, f.data, { flag: 'wx', mode: 0o640 })
      fs.renameSync(partial, target)
      written.push(target)
      return {
        storedName,
        contentType,
        bytes: f.data.length,
        sha256: crypto.createHash('sha256').update(f.data).digest('hex'),
        originalName: displayName(f.name),
      }
    })
    return persist(stored)
  } catch (err) {
    for (const file of written) fs.rmSync(file, { force: true })
    throw err
  }
}
