import { and, asc, eq, isNull, lte, sql } from 'drizzle-orm'
import { preparedOn, writeTx, type Db } from '../db/client.js'
import { jobs, settings } from '../db/schema.js'

/**
 * Scheduled work lives in SQLite, so it survives a restart. Each job has a unique key (scheduling it twice
 * is a no-op), and its effect and its "done" mark commit in one transaction: after a crash a job either
 * happened or will run again, never both, never neither.
 */
export interface JobSpec {
  key: string
  kind: string
  runAt: Date
  payload: Record<string, unknown>
}

/**
 * Runs inside the job's transaction. `db` is the root connection (better-sqlite3 has one connection, so every
 * statement on it joins the open transaction, and a service's own writeTx nests as a savepoint): services
 * that need the raw connection, such as the search index's writes, work from a handler too.
 */
export type Handler = ((db: Db, payload: Record<string, unknown>, now: Date) => void) | ReadFirst

/**
 * A job that reads before its transaction: `read` runs outside it, where what the connection keeps between requests
 * answers (inside a transaction the matcher's kept views and remembered answers are not kept, so a job that asks them
 * works them out again), and returns what then runs inside it, after the claim. Nothing else runs on the connection
 * in between (runSome does not yield), but another process may write: the write step checks what it relies on.
 */
export interface ReadFirst {
  read(db: Db, payload: Record<string, unknown>, now: Date): () => void
}

// Most listing writes queue a job: prepared once per connection, and run on the write's transaction (it shares it).
const insertJob = preparedOn((db) =>
  db
    .insert(jobs)
    .values({
      key: sql.placeholder('key'),
      kind: sql.placeholder('kind'),
      runAt: sql.placeholder('runAt'),
      payload: sql.placeholder('payload'),
    })
    .onConflictDoNothing()
    .prepare(),
)

// Every job is claimed first: prepared once per connection, as insertJob.
const claimJob = preparedOn((db) =>
  db
    .update(jobs)
    .set({ doneAt: sql`${sql.placeholder('at')}` })
    .where(and(eq(jobs.id, sql.placeholder('id')), isNull(jobs.doneAt)))
    .prepare(),
)

export function schedule(db: Db, job: JobSpec) {
  insertJob(db).run({ key: job.key, kind: job.kind, runAt: job.runAt.toISOString(), payload: job.payload })
}

/** Runs every due job (oldest first) with its handler; a failing job is retried next round, up to 5 times. */
export function runDue(
  db: Db,
  handlers: Record<string, Handler>,
  now = new Date(),
  log?: (msg: string, err?: unknown) => void,
): number {
  return runSome(db, handlers, dueJobs(db, now), now, log)
}

export type Job = typeof jobs.$inferSelect

/** The jobs due now, oldest first: one round's work, for runSome to take in turn. */
export function dueJobs(db: Db, now = new Date()): Job[] {
  return db
    .select()
    .from(jobs)
    .where(and(isNull(jobs.doneAt), lte(jobs.runAt, now.toISOString()), lte(jobs.attempts, 4)))
    .orderBy(asc(jobs.runAt), asc(jobs.id))
    .limit(500)
    .all()
}

/**
 * Takes jobs off the front of `due` and runs each in its own transaction, until none is left or performance.now()
 * passes `until` (one job at least). The web process runs a round this way a slice at a time, so that a round with
 * many jobs (a burst of new-fit alerts) does not keep every request waiting until it ends.
 */
export function runSome(
  db: Db,
  handlers: Record<string, Handler>,
  due: Job[],
  now = new Date(),
  log?: (msg: string, err?: unknown) => void,
  until = Infinity,
): number {
  let done = 0
  while (due.length > 0) {
    const job = due.shift()!
    const handler = handlers[job.kind]
    try {
      const write = typeof handler === 'object' ? handler.read(db, job.payload, now) : undefined
      writeTx(db, (tx) => {
        // Claim inside the write lock: a second runner (or a second process) finds it done and skips it.
        const claimed = claimJob(tx).run({ id: job.id, at: now.toISOString() })
        if (claimed.changes !== 1) return
        if (!handler) throw new Error(`no handler for job kind ${job.kind}`)
        if (typeof handler === 'function') handler(db, job.payload, now)
        else write!()
        done++
      })
    } catch (err) {
      db.update(jobs)
        .set({ attempts: job.attempts + 1 })
        .where(eq(jobs.id, job.id))
        .run()
      log?.(`job ${job.key} failed`, err)
    }
    if (performance.now() >= until) break
  }
  return done
}

export function pending(db: Db) {
  return db.select().from(jobs).where(isNull(jobs.doneAt)).orderBy(asc(jobs.runAt)).all()
}

// Kept in the database (written at start-up from REQUEST_REMINDER_DAYS) so services need no config object.
export function reminderDays(db: Db): number {
  const row = db.select().from(settings).where(eq(settings.key, 'request_reminder_days')).get()
  return row ? Number(row.value) : 3
}

export function setReminderDays(db: Db, days: number) {
  db.insert(settings)
    .values({ key: 'request_reminder_days', value: String(days) })
    .onConflictDoUpdate({ target: settings.key, set: { value: String(days) } })
    .run()
}
