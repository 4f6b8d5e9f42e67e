import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from '../../../src/config.js'
import { runCli } from '../../helpers/cli.js'
import { openDb } from '../../../src/database.js'

// Each CLI command's writes are one transaction: when a later step fails, the earlier ones are not left behind.
// The failure is a real one inside SQLite (a trigger refusing a row), in the CLI's own process.

let dir: string
let dbFile: string
const cli = (args: string[]) => runCli(dbFile, args)

function sql<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(dbFile)
  try {
    return fn(db)
  } finally {
    db.close()
  }
}

/** Every row of every table: nothing written at all is this being equal before and after. */
const everything = () =>
  sql((db) => {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all() as string[]
    return JSON.stringify(tables.map((t) => [t, db.prepare(`SELECT * FROM "${t}"`).raw().all()]))
  })

/** A trigger that refuses the rows `when` picks, with `message`, until the returned function drops it. */
function refuse(table: string, when: string, message: string) {
  sql((db) =>
    db.exec(
      `CREATE TRIGGER refuse_test BEFORE INSERT ON ${table} WHEN ${when} BEGIN SELECT RAISE(ABORT, '${message}'); END`,
    ),
  )
  return () => sql((db) => db.exec('DROP TRIGGER refuse_test'))
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-cli-atomic-'))
  dbFile = path.join(dir, 'data.sqlite')
  // Migrated and empty, as `seed` wants it.
  openDb(dbFile, ROOT).sqlite.close()
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('the CLI writes each command whole or not at all', { timeout: 120_000 }, () => {
  it('seed: a failure late in the demo district leaves the database empty, and seed then runs', async () => {
    const before = everything()
    const allow = refuse('match_events', 'NEW.match_id > 0', 'refused by the test')
    const failed = await cli(['seed', '--password', 'a long demo passphrase'])
    allow()
    expect(failed.code).not.toBe(0)
    expect(failed.stderr).toContain('refused by the test')
    expect(everything()).toEqual(before)

    const seeded = await cli(['seed', '--password', 'a long demo passphrase'])
    expect(seeded.code, seeded.stderr).toBe(0)
    expect(seeded.stdout).toContain('broker@demo.assetbridge.cn')
    const again = await cli(['seed'])
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('The database is not empty; the demo district loads only into an empty one.')
  })

  it('user add --areas: a failure setting the areas leaves no account; then the same command makes both', async () => {
    const args = ['user', 'add', '--email', 'zhou@x.cn', '--role', 'broker', '--password', 'a long cli passphrase']
    const before = everything()
    const allow = refuse('broker_areas', '1', 'refused by the test')
    const failed = await cli([...args, '--areas', 'HB-DH'])
    allow()
    expect(failed.code).not.toBe(0)
    expect(failed.stderr).toContain('refused by the test')
    expect(everything()).toEqual(before)

    const ok = await cli([...args, '--areas', 'HB-DH'])
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stdout).toMatch(/zhou@x\.cn \(broker\), covering 1 area/)
    expect(
      sql((db) =>
        db
          .prepare(
            `SELECT areas.ref FROM broker_areas JOIN users ON users.id = broker_areas.user_id
             JOIN areas ON areas.id = broker_areas.area_id WHERE users.email = 'zhou@x.cn'`,
          )
          .pluck()
          .all(),
      ),
    ).toEqual(['HB-DH'])
  })

  it('token add: a token whose issuing cannot be logged is not issued', async () => {
    const before = everything()
    const allow = refuse('events', "NEW.action = 'token.issued'", 'refused by the test')
    const failed = await cli(['token', 'add', '--user', 'zhou@x.cn'])
    allow()
    expect(failed.code).not.toBe(0)
    expect(failed.stdout).not.toMatch(/ab_/)
    expect(everything()).toEqual(before)

    const ok = await cli(['token', 'add', '--user', 'zhou@x.cn', '--label', 'sync'])
    expect(ok.code, ok.stderr).toBe(0)
    expect(sql((db) => db.prepare('SELECT label FROM api_tokens').pluck().all())).toEqual(['sync'])
  })
})
