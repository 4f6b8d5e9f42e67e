import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { eq } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ROOT } from '../../../src/config.js'
import { openDb } from '../../../src/database.js'
import { sqliteOf, type Db } from '../../../src/db/client.js'
import { jobs as jobsTable, settings } from '../../../src/db/schema.js'
import * as jobs from '../../../src/jobs/jobs.js'

/**
 * runSome runs a slice's jobs in one transaction, each in a savepoint of its own, after reading them all (jobs.ts):
 * one commit per slice. What each job promised alone must still hold: its effect and its done mark commit together,
 * a failing job rolls back alone and runs again, and a job another process ran is not run twice.
 */

let dir: string
let file: string
let opened: ReturnType<typeof openDb>[]
const open = () => {
  const o = openDb(file, ROOT)
  opened.push(o)
  return o
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-jobs-slice-'))
  file = path.join(dir, 'jobs.sqlite')
  opened = []
})
afterEach(() => {
  for (const o of opened) if (o.sqlite.open) o.sqlite.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const mark = (db: Db, key: string) => db.insert(settings).values({ key, value: '1' }).run()
const marks = (db: Db) =>
  db
    .select()
    .from(settings)
    .all()
    .map((r) => r.key)
    .filter((k) => k.startsWith('did:'))
    .sort()
const job = (db: Db, key: string) => db.select().from(jobsTable).where(eq(jobsTable.key, key)).get()
const scheduleAll = (db: Db, kinds: string[]) =>
  kinds.forEach((kind, i) => jobs.schedule(db, { key: `${kind}:${i}`, kind, runAt: new Date(i), payload: { i } }))
/** A job that reads first and writes one row named after itself; `during` runs in its write step first. */
const marking = (during?: (key: string) => void): jobs.ReadFirst => ({
  read: (db, payload) => () => {
    const key = `did:${String(payload.i)}`
    during?.(key)
    mark(db, key)
  },
})

describe('the jobs of a slice share one transaction', () => {
  it('they commit together: another connection sees none of the first job before the slice ends', () => {
    const { db } = open()
    const other = open()
    scheduleAll(db, ['mark', 'mark', 'mark'])
    const seen: string[][] = []
    expect(jobs.runDue(db, { mark: marking(() => seen.push(marks(other.db))) })).toBe(3)
    // Each job committing alone, the second and third would see the rows before them.
    expect(seen).toEqual([[], [], []])
    expect(marks(other.db)).toEqual(['did:0', 'did:1', 'did:2'])
  })

  it('a job that throws rolls back alone, counts an attempt and runs again; the others commit', () => {
    const { db } = open()
    scheduleAll(db, ['mark', 'flaky', 'broken', 'mark'])
    let calls = 0
    const flaky: jobs.ReadFirst = {
      read: (_db, payload) => () => {
        mark(db, `did:${String(payload.i)}`)
        if (++calls === 1) throw new Error('relay down')
      },
    }
    let reads = 0
    const broken: jobs.ReadFirst = {
      read: () => {
        if (++reads === 1) throw new Error('read failed')
        return () => mark(db, 'did:2')
      },
    }
    const errors: string[] = []
    const handlers = { mark: marking(), flaky, broken }
    expect(jobs.runDue(db, handlers, new Date(), (msg) => errors.push(msg))).toBe(2)
    expect(errors).toEqual(['job flaky:1 failed', 'job broken:2 failed'])
    expect(marks(db)).toEqual(['did:0', 'did:3'])
    expect([job(db, 'flaky:1'), job(db, 'broken:2')]).toMatchObject([
      { doneAt: null, attempts: 1 },
      { doneAt: null, attempts: 1 },
    ])
    expect(job(db, 'mark:0')).toMatchObject({ attempts: 0, doneAt: expect.any(String) })

    expect(jobs.runDue(db, handlers)).toBe(2)
    expect(marks(db)).toEqual(['did:0', 'did:1', 'did:2', 'did:3'])
    expect(jobs.runDue(db, handlers)).toBe(0)
  })

  it('an error that rolls the whole transaction back: none of the slice is done, each job counts an attempt', () => {
    const { db, sqlite } = open()
    scheduleAll(db, ['mark', 'fatal', 'mark'])
    let fatalCalls = 0
    const fatal: jobs.ReadFirst = {
      read: () => () => {
        // What SQLite does on a full disk or an I/O error: the transaction is gone, savepoints and all.
        if (++fatalCalls === 1) {
          sqlite.exec('ROLLBACK')
          throw new Error('disk full')
        }
      },
    }
    const errors: string[] = []
    const handlers = { mark: marking(), fatal }
    expect(jobs.runDue(db, handlers, new Date(), (msg) => errors.push(msg))).toBe(0)
    expect(sqlite.inTransaction).toBe(false)
    expect(errors).toEqual(['job mark:0 failed', 'job fatal:1 failed', 'job mark:2 failed'])
    expect(marks(db)).toEqual([])
    expect(db.select().from(jobsTable).all()).toMatchObject([
      { doneAt: null, attempts: 1 },
      { doneAt: null, attempts: 1 },
      { doneAt: null, attempts: 1 },
    ])
    expect(jobs.runDue(db, handlers)).toBe(3)
    expect(marks(db)).toEqual(['did:0', 'did:2'])
  })

  it('a crash in the middle of a slice: each job either happened with its done mark, or runs again; once', () => {
    const { db } = open()
    scheduleAll(db, ['mark', 'mark', 'mark'])
    // What a crash leaves on disk: the database file and its WAL as they are while the last job writes.
    const crashed = path.join(dir, 'crashed.sqlite')
    const crash = (key: string) => {
      if (key !== 'did:2') return
      fs.copyFileSync(file, crashed)
      fs.copyFileSync(`${file}-wal`, `${crashed}-wal`)
    }
    expect(jobs.runDue(db, { mark: marking(crash) })).toBe(3)

    const after = openDb(crashed, ROOT)
    opened.push(after)
    const rows = after.db.select().from(jobsTable).all()
    for (const [i, row] of rows.entries()) expect(marks(after.db).includes(`did:${i}`)).toBe(row.doneAt !== null)
    jobs.runDue(after.db, { mark: marking() })
    expect(marks(after.db)).toEqual(['did:0', 'did:1', 'did:2'])
    expect(
      after.db
        .select()
        .from(jobsTable)
        .all()
        .every((j) => j.doneAt !== null),
    ).toBe(true)
  })

  it('a job another process ran after this slice was read is not run again', () => {
    const { db } = open()
    const other = open()
    scheduleAll(db, ['mark', 'mark'])
    let ran = 0
    const elsewhere: jobs.Handler = (tx, payload) => {
      ran++
      mark(tx, `did:${String(payload.i)}`)
    }
    // The second process runs every due job while this one reads the first: between this slice's read and its
    // transaction.
    const first: jobs.ReadFirst = {
      read: (rdb, payload) => {
        if (payload.i === 0) jobs.runDue(other.db, { mark: elsewhere })
        return marking().read(rdb, payload, new Date())
      },
    }
    const errors: string[] = []
    expect(jobs.runDue(db, { mark: first }, new Date(), (msg) => errors.push(msg))).toBe(0)
    expect(errors).toEqual([])
    expect(ran).toBe(2)
    expect(marks(db)).toEqual(['did:0', 'did:1'])
    expect(sqliteOf(db).inTransaction).toBe(false)
  })

  it('a plain handler ends its slice: what it costs is known only once it ran', () => {
    const { db } = open()
    scheduleAll(db, ['mark', 'plain', 'mark', 'mark'])
    const plain: jobs.Handler = (tx, payload) => mark(tx, `did:${String(payload.i)}`)
    const due = jobs.dueJobs(db)
    expect(jobs.runSome(db, { mark: marking(), plain }, due)).toBe(2)
    expect(due.map((j) => j.key)).toEqual(['mark:2', 'mark:3'])
    expect(jobs.runSome(db, { mark: marking(), plain }, due)).toBe(2)
    expect(marks(db)).toEqual(['did:0', 'did:1', 'did:2', 'did:3'])
  })
})
