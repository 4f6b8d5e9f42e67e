import fs from 'node:fs'
import { asc, count, eq } from 'drizzle-orm'
import { writeTx, type Db } from '../db/client.js'
import { capacityEvidence, users } from '../db/schema.js'
import { NotFound, NotPermitted } from '../shared/errors.js'
import { fileOf, keepFiles, problemsWith, refuse, type IncomingFile } from '../evidence/files.js'
import * as events from '../events/events.js'
import type { CurrentUser } from '../accounts/accounts.js'
import * as capacity from './capacity.js'

/**
 * Evidence on a capacity assessment, kept as evidence/files.ts keeps every evidence file. Who sees the assessment
 * sees its evidence; who may record assessments of the organization adds it; the assessor or an admin removes it.
 */

export type Evidence = typeof capacityEvidence.$inferSelect
export const MAX_PER_ASSESSMENT = 10

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
  const problems = problemsWith(files, countOf(db), opts.tooMany === true, MAX_PER_ASSESSMENT)
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
