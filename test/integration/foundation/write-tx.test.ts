import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ROOT } from '../../../src/config.js'
import { openDb } from '../../../src/database.js'
import { writeTx, type Db } from '../../../src/db/client.js'
import { settings } from '../../../src/db/schema.js'

/**
 * writeTx runs through better-sqlite3's own transaction wrapper, not drizzle's (db/client.ts): what every write
 * relies on must hold as it did — the write lock taken up front, a nested call a savepoint of its own, and a
 * transaction handle drizzle gave still accepted.
 */

let dir: string
let opened: ReturnType<typeof openDb>[]
const open = () => {
  const o = openDb(path.join(dir, 'tx.sqlite'), ROOT)
  opened.push(o)
  return o
}
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-write-tx-'))
  opened = []
})
afterEach(() => {
  for (const o of opened) if (o.sqlite.open) o.sqlite.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const put = (db: Db, key: string) => db.insert(settings).values({ key, value: '1' }).run()
const keys = (db: Db) =>
  db
    .select()
    .from(settings)
    .all()
    .map((r) => r.key)
    .filter((k) => k.startsWith('t:'))
    .sort()

describe('writeTx', () => {
  it('takes the write lock before the first statement: another connection cannot write in between', () => {
    const { db } = open()
    const other = open()
    other.sqlite.pragma('busy_timeout = 0')
    writeTx(db, () => {
      // Nothing written yet: a deferred transaction would hold no lock here.
      expect(() => put(other.db, 't:other')).toThrow(/locked|busy/i)
      put(db, 't:mine')
    })
    expect(keys(other.db)).toEqual(['t:mine'])
  })

  it('commits what its callback wrote, and nothing when the callback throws', () => {
    const { db } = open()
    expect(writeTx(db, (tx) => (put(tx, 't:a'), 'answer'))).toBe('answer')
    expect(() =>
      writeTx(db, (tx) => {
        put(tx, 't:b')
        throw new Error('no')
      }),
    ).toThrow('no')
    expect(keys(db)).toEqual(['t:a'])
  })

  it('nested, is a savepoint: it rolls back alone, and the outer transaction commits the rest', () => {
    const { db, sqlite } = open()
    writeTx(db, (tx) => {
      put(tx, 't:outer')
      expect(() =>
        writeTx(tx, (inner) => {
          put(inner, 't:inner')
          throw new Error('inner')
        }),
      ).toThrow('inner')
      expect(sqlite.inTransaction).toBe(true)
      writeTx(tx, (inner) => put(inner, 't:kept'))
    })
    expect(keys(open().db)).toEqual(['t:kept', 't:outer'])
  })

  it("inside drizzle's own transaction, on the handle it gave", () => {
    const { db } = open()
    db.transaction((dtx) => {
      put(dtx as unknown as Db, 't:drizzle')
      expect(() =>
        writeTx(dtx as unknown as Db, (tx) => {
          put(tx, 't:undone')
          throw new Error('undone')
        }),
      ).toThrow('undone')
      writeTx(dtx as unknown as Db, (tx) => put(tx, 't:nested'))
    })
    expect(keys(open().db)).toEqual(['t:drizzle', 't:nested'])
  })
})
