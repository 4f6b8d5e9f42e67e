import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { asc, count, eq } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import { capacityEvidence, users, type EVIDENCE_TYPES } from '../db/schema.js'
import { DomainError, NotFound, NotPermitted, ValidationError } from '../shared/errors.js'
import * as events from '../events/events.js'
import type { CurrentUser } from '../accounts/accounts.js'
import * as capacity from './capacity.js'

/**
 * Evidence on a capacity assessment: photos, scanned sign-in sheets, PDFs, kept on disk in the evidence folder
 * (config.evidenceDir, beside the database) under generated names. The type is read from the content's first bytes;
 * what the browser called the file or claimed it was decides nothing. Who sees the assessment sees its evidence;
 * who may record assessments of the organization adds it; the assessor or an admin removes it.
 */

export type EvidenceType = (typeof EVIDENCE_TYPES)[number]
export type Evidence = typeof capacityEvidence.$inferSelect
export const MAX_BYTES = 5 * 1_048_576
export const MAX_PER_ASSESSMENT = 10
/** One form sends at most this many; the rest of the assessment's ten come in later uploads. */
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

export function listFor(db: Db, assessmentId: number) {
  return db
    .select({
      id: capacityEvidence.id,
      contentType: capacityEvidence.contentType,
      bytes: capacityEvidence.bytes,
      originalName: capacityEvidence.originalName,
      uploadedBy: capacityEvidence.uploadedBy,
      uploaderName: users.name,
      createdAt: capacityEvidence.createdAt,
    })
    .from(capacityEvidence)
    .innerJoin(users, eq(users.id, capacityEvidence.uploadedBy))
    .where(eq(capacityEvidence.assessmentId, assessmentId))
    .orderBy(asc(capacityEvidence.id))
    .all()
}

/** Who may add evidence: whoever may record an assessment of the organization (its covering brokers, admins). */
export const canAdd = (db: Db, user: CurrentUser | null, a: { org: { areaId: number } }) =>
  capacity.canRecord(db, user, a.org)

/** Scoped lookup: the evidence with its assessment, if this user may see the assessment. */
export function findVisible(db: Db, user: CurrentUser | null, id: number) {
  const e = db.select().from(capacityEvidence).where(eq(capacityEvidence.id, id)).get()
  if (!e) return undefined
  const a = capacity.findVisible(db, user, e.assessmentId)
  return a ? { ...e, assessment: a } : undefined
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
export function problemsWith(files: IncomingFile[], already: number, tooMany: boolean, max = MAX_PER_ASSESSMENT) {
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

export function add(
  db: Db,
  dir: string,
  user: CurrentUser,
  assessmentId: number,
  files: IncomingFile[],
  opts: { tooMany?: boolean } = {},
  now = new Date(),
): Evidence[] {
  const a = capacity.findVisible(db, user, assessmentId)
  if (!a) throw new NotFound()
  if (!canAdd(db, user, a)) throw new NotPermitted({ key: 'evidence.not_permitted' })
  const countOf = (tx: Db) =>
    tx.select({ n: count() }).from(capacityEvidence).where(eq(capacityEvidence.assessmentId, assessmentId)).get()!.n
  const problems = problemsWith(files, countOf(db), opts.tooMany === true)
  if (problems.length) refuse(problems)
  return keepFiles(dir, files, (stored) =>
    writeTx(db, (tx) => {
      const already = countOf(tx)
      if (already + stored.length > MAX_PER_ASSESSMENT)
        refuse([
          {
            key: 'evidence.error.too_many',
            params: { limit: MAX_PER_ASSESSMENT, left: Math.max(0, MAX_PER_ASSESSMENT - already) },
          },
        ])
      const kept = tx
        .insert(capacityEvidence)
        .values(stored.map((f) => ({ ...f, assessmentId, uploadedBy: user.id, createdAt: now.toISOString() })))
        .returning()
        .all()
      for (const e of kept) {
        events.record(
          tx,
          {
            actorId: user.id,
            action: 'capacity.evidence_added',
            subjectType: 'capacity_assessment',
            subjectId: assessmentId,
            data: { evidence: e.id, type: e.contentType, bytes: e.bytes, sha256: e.sha256 },
          },
          now,
        )
      }
      return kept
    }),
  )
}

/** The assessor or an admin removes a file: the row and the log entry together, then the file itself. */
export function remove(db: Db, dir: string, user: CurrentUser, id: number, now = new Date()): { assessmentId: number } {
  const e = findVisible(db, user, id)
  if (!e) throw new NotFound()
  if (!capacity.canEdit(user, e.assessment)) throw new NotPermitted({ key: 'evidence.not_assessor' })
  writeTx(db, (tx) => {
    tx.delete(capacityEvidence).where(eq(capacityEvidence.id, id)).run()
    events.record(
      tx,
      {
        actorId: user.id,
        action: 'capacity.evidence_removed',
        subjectType: 'capacity_assessment',
        subjectId: e.assessmentId,
        data: { evidence: id, sha256: e.sha256 },
      },
      now,
    )
  })
  fs.rmSync(fileOf(dir, e.storedName), { force: true })
  return { assessmentId: e.assessmentId }
}
