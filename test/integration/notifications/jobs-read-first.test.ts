import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { sqliteOf } from '../../../src/db/client.js'
import { jobs as jobsTable, settings } from '../../../src/db/schema.js'
import * as jobs from '../../../src/jobs/jobs.js'
import { appForTest } from '../../helpers/app.js'

describe('a job that reads before its transaction (jobs.ReadFirst)', () => {
  it('reads outside the transaction, then writes inside it after the claim, once', async () => {
    const app = await appForTest()
    const steps: string[] = []
    const counted: jobs.ReadFirst = {
      read: (db) => {
        steps.push(`read, in a transaction: ${sqliteOf(db).inTransaction}`)
        const value = String(db.select().from(settings).all().length)
        return () => {
          steps.push(`write, in a transaction: ${sqliteOf(db).inTransaction}`)
          db.insert(settings).values({ key: 'counted', value }).run()
        }
      },
    }
    jobs.schedule(app.db, { key: 'counted:1', kind: 'counted', runAt: new Date(0), payload: {} })
    expect(jobs.runDue(app.db, { counted })).toBe(1)
    expect(jobs.runDue(app.db, { counted })).toBe(0)
    expect(steps).toEqual(['read, in a transaction: false', 'write, in a transaction: true'])
    expect(app.db.select().from(settings).where(eq(settings.key, 'counted')).get()).toBeDefined()
  })

  it('a read that throws is a failed attempt: nothing written, the job left to run again', async () => {
    const app = await appForTest()
    let writes = 0
    const broken: jobs.ReadFirst = {
      read: () => {
        throw new Error('read failed')
      },
    }
    const fixed: jobs.ReadFirst = { read: () => () => void writes++ }
    jobs.schedule(app.db, { key: 'flaky:1', kind: 'flaky', runAt: new Date(0), payload: {} })
    const errors: string[] = []
    expect(jobs.runDue(app.db, { flaky: broken }, new Date(), (msg) => errors.push(msg))).toBe(0)
    expect(errors).toEqual(['job flaky:1 failed'])
    expect(app.db.select().from(jobsTable).where(eq(jobsTable.key, 'flaky:1')).get()).toMatchObject({
      doneAt: null,
      attempts: 1,
    })
    expect(jobs.runDue(app.db, { flaky: fixed })).toBe(1)
    expect(writes).toBe(1)
  })

  it('a job another runner claimed after this round listed it: its write step does not run', async () => {
    const app = await appForTest()
    let writes = 0
    const once: jobs.ReadFirst = { read: () => () => void writes++ }
    jobs.schedule(app.db, { key: 'once:1', kind: 'once', runAt: new Date(0), payload: {} })
    const due = jobs.dueJobs(app.db)
    expect(jobs.runSome(app.db, { once }, [...due])).toBe(1)
    expect(jobs.runSome(app.db, { once }, [...due])).toBe(0)
    expect(writes).toBe(1)
  })
})
