import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import Database from 'better-sqlite3'
import { evidenceDirFor, ROOT } from '../../../src/config.js'
import { verifyPassword } from '../../../src/accounts/passwords.js'
import { runCli } from '../../helpers/cli.js'

let dir: string
let dbFile: string
const cli = (args: string[]) => runCli(dbFile, args)

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-cli-'))
  dbFile = path.join(dir, 'data.sqlite')
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

// Each call starts a node process with tsx: allow for a busy machine.
describe('CLI', { timeout: 60_000 }, () => {
  it('adds a broker account to the database named by DATABASE_URL, then backs it up intact', async () => {
    const password = 'a long cli passphrase'
    const add = await cli([
      'user',
      'add',
      '--email',
      'E@x.cn',
      '--role',
      'broker',
      '--password',
      password,
      '--name',
      '社工',
    ])
    expect(add.code, add.stderr).toBe(0)
    expect(add.stdout).toMatch(/user \d+ e@x\.cn \(broker\)/)
    // A password given on the command line is not echoed back.
    expect(add.stdout).not.toContain(password)

    const db = new Database(dbFile, { readonly: true })
    const row = db.prepare('SELECT email, name, role, password_hash AS hash FROM users').get() as {
      email: string
      name: string
      role: string
      hash: string
    }
    db.close()
    expect(row).toMatchObject({ email: 'e@x.cn', name: '社工', role: 'broker' })
    expect(await verifyPassword(row.hash, password)).toBe(true)

    const copy = path.join(dir, 'backups', 'copy.sqlite')
    const backup = await cli(['backup', copy])
    expect(backup.code, backup.stderr).toBe(0)
    expect(backup.stdout).toContain('integrity_check: ok')
    const restored = new Database(copy, { readonly: true })
    try {
      expect(restored.pragma('integrity_check', { simple: true })).toBe('ok')
      expect(restored.prepare('SELECT email, role FROM users').all()).toEqual([{ email: 'e@x.cn', role: 'broker' }])
      expect(
        (restored.prepare("SELECT count(*) AS n FROM events WHERE action = 'account.created'").get() as { n: number })
          .n,
      ).toBe(1)
    } finally {
      restored.close()
    }
  })

  it('refuses a duplicate address and an unknown role, with exit code 2 and nothing added', async () => {
    const [dup, role] = await Promise.all([
      cli(['user', 'add', '--email', 'e@X.cn', '--role', 'member', '--password', 'another long passphrase']),
      cli(['user', 'add', '--email', 'new@x.cn', '--role', 'superuser', '--password', 'another long passphrase']),
    ])
    expect(dup.code).toBe(2)
    expect(dup.stderr).toContain('already has an account')
    expect(role.code).toBe(2)
    expect(role.stderr).toContain('--role must be one of member, broker, admin')
    const db = new Database(dbFile, { readonly: true })
    expect((db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n).toBe(1)
    db.close()
  })

  it('refuses to back up onto the live database, which would empty its evidence folder; a folder in there is skipped', async () => {
    // The database the tests above made.
    const evidence = evidenceDirFor(dbFile)
    fs.mkdirSync(path.join(evidence, 'not-evidence'), { recursive: true })
    fs.writeFileSync(path.join(evidence, 'kept.pdf'), '%PDF-1.4')
    onTestFinished(() => fs.rmSync(evidence, { recursive: true, force: true }))
    for (const target of [dbFile, path.relative(ROOT, dbFile)]) {
      const refused = await cli(['backup', target])
      expect(refused.code).not.toBe(0)
      expect(refused.stderr).toContain('must be another file than the database')
    }
    expect(fs.readFileSync(path.join(evidence, 'kept.pdf'), 'utf8')).toBe('%PDF-1.4')
    const copy = path.join(dir, 'elsewhere', 'copy.sqlite')
    const backup = await cli(['backup', copy])
    expect(backup.code, backup.stderr).toBe(0)
    expect(backup.stdout).toContain('1 evidence file(s)')
    expect(fs.readdirSync(evidenceDirFor(copy))).toEqual(['kept.pdf'])
  })

  it('exits 1 with the cause on stderr, and leaves the file as it was, when the file is not a database', async () => {
    const live = dbFile
    dbFile = path.join(dir, 'notes.sqlite')
    onTestFinished(() => {
      dbFile = live
    })
    const text = 'not a database, only some notes that happen to carry the name\n'.repeat(100)
    fs.writeFileSync(dbFile, text)
    const res = await cli(['token', 'add', '--user', 'e@x.cn'])
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('file is not a database')
    expect(fs.readFileSync(dbFile, 'utf8')).toBe(text)
  })
})
