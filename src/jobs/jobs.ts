import { and, asc, eq, isNull, lte, sql } from 'drizzle-orm'
import { preparedOn, sqliteOf, writeTx, type Db } from '../db/client.js'
import { jobs, settings } from '../db/schema.js'

/**
 * Scheduled work lives in SQLite, so it survives a restart. Each job has a unique key (scheduling it twice
 * is a no-op), and its effect and its "done" mark commit in one transaction: after a crash a job either
 * happened or will run again, never both, never neither. The jobs of one slice (runSome) share that transaction, each
 * in a savepoint of its own: one commit, and so one sync of the WAL, for the slice instead of one per job.
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
 * works them out again), and returns what then runs inside it, after the claim. No request runs on the connection in
 * between (runSome does not yield), but the slice's jobs are all read before the first writes, so the jobs before
 * this one in the slice write after its read, and another process may write too: the write step checks what it
 * relies on, and must see the slice's own writes as it sees another process's (alerts.ts: memo.ts's counters).
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

// A failed attempt: prepared once per connection, as insertJob.
const attempted = preparedOn((db) =>
  db
    .update(jobs)
    .set({ attempts: sql`${sql.placeholder('attempts')}` })
    .where(eq(jobs.id, sql.placeholder('id')))
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
  return runAll(db, handlers, dueJobs(db, now), now, log)
}

/** Every job of `due`, a slice after another without yielding: for the CLI, the tests, and a tick. */
export function runAll(
  db: Db,
  handlers: Record<string, Handler>,
  due: Job[],
  now = new Date(),
  log?: (msg: string, err?: unknown) => void,
): number {
  let done = 0
  while (due.length > 0) done += runSome(db, handlers, due, now, log)
  return done
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
 * Takes jobs off the front of `due` until none is left or performance.now() passes `until` (one job at least), and
 * runs them as one slice. The web process runs a round this way a slice at a time, so that a round with many jobs (a
 * burst of new-fit alerts) does not keep every request waiting until it ends.
 *
 * First every job's read step (ReadFirst), outside any transaction; then one transaction for the slice, each job in
 * a savepoint: a job that throws rolls back alone, and is counted an attempt and retried next round, while the others
 * commit. A ReadFirst job's write step is a few rows; a plain handler does all its work in the transaction, so what
 * it costs is known only once it ran: it ends the slice. The slice never yields, so no request's statement joins its
 * transaction.
 */
export function runSome(
  db: Db,
  handlers: Record<string, Handler>,
  due: Job[],
  now = new Date(),
  log?: (msg: string, err?: unknown) => void,
  until = Infinity,
): number {
  const slice: { job: Job; write?: () => void; failed?: { err: unknown } }[] = []
  while (due.length > 0) {
    const job = due.shift()!
    const handler = handlers[job.kind]
    if (typeof handler !== 'object') {
      slice.push({ job })
      break
    }
    try {
      slice.push({ job, write: handler.read(db, job.payload, now) })
    } catch (err) {
      slice.push({ job, failed: { err } })
    }
    if (performance.now() >= until) break
  }
  if (slice.length === 0) return 0
  const sqlite = sqliteOf(db)
  const failedAttempt = (job: Job, err: unknown) => {
    attempted(db).run({ id: job.id, attempts: job.attempts + 1 })
    log?.(`job ${job.key} failed`, err)
  }
  let done = 0
  try {
    writeTx(db, () => {
      for (const { job, write, failed } of slice) {
        try {
          if (failed) throw failed.err
          // A savepoint: better-sqlite3 nests a transaction in the open one.
          done += writeTx(db, (tx) => {
            // Claim inside the write lock: a second runner (or a second process) finds it done and skips it.
            if (claimJob(tx).run({ id: job.id, at: now.toISOString() }).changes !== 1) return 0
            const handler = handlers[job.kind]
            if (!handler) throw new Error(`no handler for job kind ${job.kind}`)
            if (typeof handler === 'function') handler(db, job.payload, now)
            else write!()
            return 1
          })
        } catch (err) {
          // An error SQLite answers by rolling back the whole transaction (a full disk) leaves none to go on in:
          // the slice ends here, every job of it undone.
          if (!sqlite.inTransaction) throw err
          failedAttempt(job, err)
        }
      }
    })
  } catch (err) {
    // Nothing of the slice was committed: each of its jobs counts an attempt, on its own (the database may still
    // refuse, and then the error is the round's).
    for (const { job } of slice) failedAttempt(job, err)
    return 0
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
