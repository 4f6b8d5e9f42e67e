import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { is } from 'drizzle-orm'
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core'
import { describe, expect, it, onTestFinished } from 'vitest'
import { openDb } from '../../../src/database.js'
import { COUNTED, UNCOUNTED, remember, versions } from '../../../src/db/memo.js'
import * as schema from '../../../src/db/schema.js'
import { ROOT } from '../../../src/config.js'

/** A migrated file database (counters and triggers as the server has them) and a second connection to it. */
function tempDb() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-memo-'))
  const file = path.join(dir, 'memo.sqlite')
  const { sqlite: a } = openDb(file, ROOT)
  const b = new Database(file)
  onTestFinished(() => {
    a.close()
    b.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })
  return { a, b }
}

const count =
  (db: Database.Database, table = 'categories') =>
  () =>
    db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number
const addCategory = (db: Database.Database, code: string) =>
  db
    .prepare("INSERT INTO categories (code, name_zh, name_en, unit, position) VALUES (?, ?, ?, 'items', 99)")
    .run(code, code, code)

describe('remember', () => {
  it('answers from memory until this connection writes a table it reads', () => {
    const { a } = tempDb()
    let computed = 0
    const total = () => remember(a, 'total', () => (computed++, count(a)()), ['categories'])
    const before = total()
    expect(total()).toBe(before)
    expect(computed).toBe(1)
    addCategory(a, 'x1')
    expect(total()).toBe(before + 1)
    expect(computed).toBe(2)
  })

  it('forgets when another connection commits to a table it reads', () => {
    const { a, b } = tempDb()
    const before = remember(a, 'total', count(a), ['categories'])
    addCategory(b, 'x1')
    expect(remember(a, 'total', count(a), ['categories'])).toBe(before + 1)
  })

  it('keeps answers when only other tables change: sessions, jobs, notifications, the audit log, other listings', () => {
    const { a } = tempDb()
    let computed = 0
    const needsOnly = () => remember(a, 'needs', () => (computed++, count(a, 'needs')()), ['needs'])
    const everything = () => remember(a, 'all', () => (computed++, count(a, 'needs')()))
    needsOnly()
    everything()
    expect(computed).toBe(2)
    a.prepare("INSERT INTO sessions (sid, data, created_at, last_seen) VALUES ('s', '{}', 1, 1)").run()
    a.prepare('UPDATE sessions SET last_seen = 2 WHERE sid = ?').run('s')
    a.prepare("INSERT INTO jobs (key, kind, run_at, payload) VALUES ('k', 'digest', '2026-01-01', '{}')").run()
    a.prepare("INSERT INTO events (at, action, subject_type) VALUES ('2026-01-01', 'x', 'y')").run()
    needsOnly()
    everything()
    expect(computed).toBe(2)
    // A category is not a need: the needs-only answer holds, the one that reads everything does not.
    addCategory(a, 'x1')
    needsOnly()
    everything()
    expect(computed).toBe(3)
  })

  it('does not reuse inside a transaction an answer whose tables it wrote, nor keep what it computed', () => {
    const { a } = tempDb()
    const before = remember(a, 'total', count(a), ['categories'])
    const rollback = new Error('rollback')
    expect(() =>
      a.transaction(() => {
        addCategory(a, 'x1')
        expect(remember(a, 'total', count(a), ['categories'])).toBe(before + 1)
        throw rollback
      })(),
    ).toThrow(rollback)
    expect(remember(a, 'total', count(a), ['categories'])).toBe(before)
  })

  it('reuses inside a transaction an answer whose tables it has not written (a background job reading track records)', () => {
    const { a } = tempDb()
    let computed = 0
    const total = () => remember(a, 'total', () => (computed++, count(a)()), ['categories'])
    const before = total()
    a.transaction(() => {
      a.prepare("INSERT INTO jobs (key, kind, run_at, payload) VALUES ('k', 'digest', '2026-01-01', '{}')").run()
      expect(total()).toBe(before)
      expect(computed).toBe(1)
      addCategory(a, 'x1')
      expect(total()).toBe(before + 1)
      expect(computed).toBe(2)
    })()
    // What the transaction computed was not kept: after its commit the answer is computed once more, then kept.
    expect(total()).toBe(before + 1)
    expect(total()).toBe(before + 1)
    expect(computed).toBe(3)
  })

  it('forgets when any one of the several tables it names moves, and only then', () => {
    const { a } = tempDb()
    let computed = 0
    const both = () =>
      remember(a, 'both', () => (computed++, count(a)() + count(a, 'areas')()), ['categories', 'areas'])
    const before = both()
    a.prepare("INSERT INTO jobs (key, kind, run_at, payload) VALUES ('k', 'digest', '2026-01-01', '{}')").run()
    expect(both()).toBe(before)
    addCategory(a, 'x1')
    expect(both()).toBe(before + 1)
    a.prepare("INSERT INTO areas (name, level, path) VALUES ('区', 'district', '/x/')").run()
    expect(both()).toBe(before + 2)
    expect(computed).toBe(3)
  })

  it('stamps alike from versions read once for a page and from its own read', () => {
    const { a } = tempDb()
    let computed = 0
    const sources = ['categories', 'areas'] as const
    const total = (seen?: ReturnType<typeof versions>) =>
      remember(a, 'total', () => (computed++, count(a)()), sources, seen)
    const before = total(versions(a, ['areas', 'categories', 'matches']))
    expect(total()).toBe(before)
    expect(total(versions(a, sources))).toBe(before)
    expect(computed).toBe(1)
    addCategory(a, 'x1')
    expect(total(versions(a, sources))).toBe(before + 1)
    expect(total()).toBe(before + 1)
    expect(computed).toBe(2)
  })

  it('stamps alike from versions and from its own read for an answer that reads one table', () => {
    const { a } = tempDb()
    let computed = 0
    const total = (seen?: ReturnType<typeof versions>) =>
      remember(a, 'total', () => (computed++, count(a)()), ['categories'], seen)
    total(versions(a, ['categories', 'areas']))
    total()
    total(versions(a, ['categories']))
    expect(computed).toBe(1)
  })

  it('reads the stamp itself when the versions it is given lack one of its tables', () => {
    const { a } = tempDb()
    const seen = versions(a, ['areas'])
    const before = remember(a, 'total', count(a), ['categories'], seen)
    addCategory(a, 'x1')
    expect(remember(a, 'total', count(a), ['categories'], seen)).toBe(before + 1)
  })

  it('keeps answers apart by key', () => {
    const { a } = tempDb()
    expect(remember(a, 'one', () => 1)).toBe(1)
    expect(remember(a, 'two', () => 2)).toBe(2)
    expect(remember(a, 'one', () => 3)).toBe(1)
  })

  it('knows every table of the schema: counted (with its triggers) or named as never read by a remembered answer', () => {
    const { a } = tempDb()
    const tables = (Object.values(schema) as unknown[])
      .filter((v): v is SQLiteTable => is(v, SQLiteTable))
      .map((t) => getTableConfig(t).name)
      .sort()
    expect(tables.length).toBeGreaterThan(20)
    expect([...COUNTED, ...UNCOUNTED].sort()).toEqual(tables)
    const triggers = new Set(
      a.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[],
    )
    for (const table of COUNTED)
      for (const op of ['insert', 'update', 'delete'])
        expect(triggers.has(`memo_${table}_${op}`), `${table} ${op}`).toBe(true)
    for (const table of UNCOUNTED)
      expect(
        [...triggers].some((t) => t.startsWith(`memo_${table}_`)),
        table,
      ).toBe(false)
  })
})
