/**
 * The web process's WAL checkpoints run in a thread of their own (db/checkpoints.ts): its commits never copy the WAL
 * back themselves while the thread runs, the thread's checkpoints do, and the connection takes them back when it stops.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { checkpointInBackground } from '../../../src/db/checkpoints.js'
import { count, makeApp, seedWorld } from '../../helpers/app.js'
import { postNeed } from '../listings/world.js'

function tempFile(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-checkpoints-'))
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }))
  return path.join(dir, name)
}

const autocheckpoint = (sqlite: Database.Database) => sqlite.pragma('wal_autocheckpoint', { simple: true })

describe('checkpoints in a thread', () => {
  it("leave the WAL of the app's commits alone; closing the app leaves everything in the file", async () => {
    const file = tempFile('app.sqlite')
    const app = await makeApp({ dbPath: file })
    const w = await seedWorld(app)
    expect(autocheckpoint(app.sqlite)).toBe(0)
    // Without the thread, the commit that finds the WAL past its threshold checkpoints it: here none does.
    app.sqlite.pragma('wal_checkpoint(TRUNCATE)')
    for (let i = 0; i < 5; i++)
      postNeed(app, w.member, { orgId: w.orgA.id, areaId: w.communityA.id, title: `需要${i}` })
    const inWal = app.sqlite.pragma('wal_checkpoint(NOOP)') as { log: number; checkpointed: number }[]
    expect(inWal[0]!.log).toBeGreaterThan(0)
    expect(inWal[0]!.checkpointed).toBe(0)

    const sqlite = app.sqlite
    await app.close()
    expect(sqlite.open).toBe(false)
    // Closed cleanly: the last connection's close copied the WAL in and removed it; everything written is in the file.
    expect(fs.existsSync(`${file}-wal`)).toBe(false)
    const after = new Database(file, { readonly: true })
    expect(after.prepare("SELECT count(*) FROM needs WHERE title LIKE '需要%'").pluck().get()).toBe(5)
    after.close()
  })

  it("copy the WAL into the file from the thread's own connection, without the writer waiting", async () => {
    const file = tempFile('plain.sqlite')
    const sqlite = new Database(file)
    onTestFinished(() => void sqlite.close())
    sqlite.pragma('journal_mode = WAL')
    sqlite.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)')
    const checkpoints = checkpointInBackground(sqlite, file, { everyMs: 60_000 })
    onTestFinished(() => checkpoints.stop())
    const insert = sqlite.prepare('INSERT INTO t (v) VALUES (?)')
    for (let i = 0; i < 2000; i++) insert.run('x'.repeat(500))
    // 2000 commits of a page or more each: past SQLite's threshold many times over, and nothing copied back.
    expect(sqlite.pragma('wal_checkpoint(NOOP)')).toEqual([{ busy: 0, log: expect.any(Number), checkpointed: 0 }])

    const done = await checkpoints.now()
    expect(done.busy).toBe(0)
    expect(done.log).toBeGreaterThan(1000)
    expect(done.checkpointed).toBe(done.log)
    // In the file itself, read without the WAL.
    const copy = tempFile('copy.sqlite')
    fs.copyFileSync(file, copy)
    const read = new Database(copy, { readonly: true })
    onTestFinished(() => void read.close())
    expect(read.prepare('SELECT count(*) FROM t').pluck().get()).toBe(2000)
  })

  it('checkpoint by themselves once the WAL holds the threshold, as a commit would', async () => {
    const file = tempFile('threshold.sqlite')
    const sqlite = new Database(file)
    onTestFinished(() => void sqlite.close())
    sqlite.pragma('journal_mode = WAL')
    sqlite.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)')
    const checkpoints = checkpointInBackground(sqlite, file, { everyMs: 5, pages: 100 })
    onTestFinished(() => checkpoints.stop())
    const insert = sqlite.prepare('INSERT INTO t (v) VALUES (?)')
    for (let i = 0; i < 300; i++) insert.run('x'.repeat(500))
    await vi.waitFor(() => {
      const [wal] = sqlite.pragma('wal_checkpoint(NOOP)') as { log: number; checkpointed: number }[]
      expect(wal!.checkpointed).toBeGreaterThanOrEqual(100)
    })
  })

  it('once the thread stops, the connection checkpoints on commit again', async () => {
    const file = tempFile('stopped.sqlite')
    const sqlite = new Database(file)
    onTestFinished(() => void sqlite.close())
    sqlite.pragma('journal_mode = WAL')
    const checkpoints = checkpointInBackground(sqlite, file)
    expect(autocheckpoint(sqlite)).toBe(0)
    await checkpoints.stop()
    expect(autocheckpoint(sqlite)).toBe(1000)
    expect(await checkpoints.now()).toMatchObject({ busy: 1 })
  })

  it('an in-memory app has none', async () => {
    const app = await makeApp()
    onTestFinished(() => app.close())
    expect(count(app, 'needs')).toBe(0)
    expect(autocheckpoint(app.sqlite)).not.toBe(0)
  })
})
