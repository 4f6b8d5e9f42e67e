import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it, onTestFinished } from 'vitest'
import { remember } from '../../../src/db/memo.js'

function tempDb() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-memo-'))
  const file = path.join(dir, 'memo.sqlite')
  const a = new Database(file)
  a.pragma('journal_mode = WAL')
  a.exec('CREATE TABLE t (x INTEGER)')
  const b = new Database(file)
  onTestFinished(() => { a.close(); b.close(); fs.rmSync(dir, { recursive: true, force: true }) })
  return { a, b }
}

const count = (db: Database.Database) => () => db.prepare('SELECT count(*) FROM t').pluck().get() as number

describe('remember', () => {
  it('answers from memory until this connection writes', () => {
    const { a } = tempDb()
    let computed = 0
    const total = () => remember(a, 'total', () => (computed++, count(a)()))
    expect(total()).toBe(0)
    expect(total()).toBe(0)
    expect(computed).toBe(1)
    a.prepare('INSERT INTO t VALUES (1)').run()
    expect(total()).toBe(1)
    expect(computed).toBe(2)
  })

  it('forgets when another connection commits', () => {
    const { a, b } = tempDb()
    expect(remember(a, 'total', count(a))).toBe(0)
    b.prepare('INSERT INTO t VALUES (1)').run()
    expect(remember(a, 'total', count(a))).toBe(1)
  })

  it('neither keeps nor reuses answers inside a transaction, which may yet roll back', () => {
    const { a } = tempDb()
    expect(remember(a, 'total', count(a))).toBe(0)
    const rollback = new Error('rollback')
    expect(() => a.transaction(() => {
      a.prepare('INSERT INTO t VALUES (1)').run()
      expect(remember(a, 'total', count(a))).toBe(1)
      throw rollback
    })()).toThrow(rollback)
    expect(remember(a, 'total', count(a))).toBe(0)
  })

  it('keeps answers apart by key', () => {
    const { a } = tempDb()
    expect(remember(a, 'one', () => 1)).toBe(1)
    expect(remember(a, 'two', () => 2)).toBe(2)
    expect(remember(a, 'one', () => 3)).toBe(1)
  })
})
