import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { runCli } from '../../helpers/cli.js'

let dir: string
let dbFile: string
const cli = (args: string[]) => runCli(dbFile, args)

/** What the database says now: each account's covered area refs (or `area-<id>` for an area without one), and the log. */
function covered() {
  const db = new Database(dbFile, { readonly: true })
  try {
    const rows = db
      .prepare(
        `SELECT users.email, coalesce(areas.ref, 'area-' || areas.id) AS ref FROM broker_areas
      JOIN users ON users.id = broker_areas.user_id JOIN areas ON areas.id = broker_areas.area_id ORDER BY users.email, ref`,
      )
      .all() as { email: string; ref: string }[]
    const out: Record<string, string[]> = {}
    for (const r of rows) (out[r.email] ??= []).push(r.ref)
    const users = (db.prepare('SELECT email FROM users ORDER BY email').all() as { email: string }[]).map(
      (u) => u.email,
    )
    const logged = (
      db.prepare("SELECT count(*) AS n FROM events WHERE action = 'account.broker_areas_set'").get() as { n: number }
    ).n
    return { out, users, logged }
  } finally {
    db.close()
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-cli-areas-'))
  dbFile = path.join(dir, 'data.sqlite')
  const ledger = path.join(dir, 'areas.json')
  fs.writeFileSync(
    ledger,
    JSON.stringify({
      format: 'assetbridge/v1',
      areas: [
        { ref: 'H', name: 'H区', parent: null },
        { ref: 'H-DH', name: '东湖街道', parent: 'H' },
        { ref: 'H-NA', name: '南岸街道', parent: 'H' },
        { ref: 'H-DH-LZW', name: '荔枝湾社区', parent: 'H-DH' },
      ],
      organizations: [],
      needs: [],
      offers: [],
    }),
  )
  const imported = await cli(['import', ledger])
  expect(imported.code, imported.stderr + imported.stdout).toBe(0)
}, 60_000)
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe("CLI: a broker's areas by ledger ref", { timeout: 60_000 }, () => {
  it('user add --areas makes the broker covering those areas; an unknown ref makes no account at all', async () => {
    const [ok, unknown] = await Promise.all([
      cli([
        'user',
        'add',
        '--email',
        'chen@x.cn',
        '--role',
        'broker',
        '--password',
        'a long cli passphrase',
        '--areas',
        'H-DH, H-NA',
      ]),
      cli([
        'user',
        'add',
        '--email',
        'wang@x.cn',
        '--role',
        'broker',
        '--password',
        'a long cli passphrase',
        '--areas',
        'H-DH,NOPE,ALSO-NOPE',
      ]),
    ])
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stdout).toMatch(/chen@x\.cn \(broker\), covering 2 area/)
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown area refs: NOPE, ALSO-NOPE')
    const now = covered()
    expect(now.out).toEqual({ 'chen@x.cn': ['H-DH', 'H-NA'] })
    expect(now.users).toEqual(['chen@x.cn'])
  })

  it('--areas on a member or admin account is refused before anything is made', async () => {
    const res = await cli([
      'user',
      'add',
      '--email',
      'li@x.cn',
      '--role',
      'member',
      '--password',
      'a long cli passphrase',
      '--areas',
      'H-DH',
    ])
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('only a broker covers areas')
    expect(covered().users).not.toContain('li@x.cn')
  })

  it('user areas replaces what a broker covers, is logged, and changes nothing on an unknown ref, a non-broker or an unknown address', async () => {
    const before = covered()
    const [unknown, missing, notBroker] = await Promise.all([
      cli(['user', 'areas', '--email', 'chen@x.cn', '--areas', 'H-DH-LZW,H-XX']),
      cli(['user', 'areas', '--email', 'nobody@x.cn', '--areas', 'H-DH']),
      cli(['user', 'add', '--email', 'zhao@x.cn', '--role', 'member', '--password', 'a long cli passphrase']),
    ])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown area ref: H-XX')
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('no account nobody@x.cn')
    expect(notBroker.code, notBroker.stderr).toBe(0)
    const member = await cli(['user', 'areas', '--email', 'zhao@x.cn', '--areas', 'H-DH'])
    expect(member.code).toBe(2)
    expect(member.stderr).toContain('only a broker covers areas')
    expect(covered().out).toEqual(before.out)
    expect(covered().logged).toBe(before.logged)

    const set = await cli(['user', 'areas', '--email', 'CHEN@x.cn', '--areas', 'H-DH-LZW'])
    expect(set.code, set.stderr).toBe(0)
    expect(set.stdout).toContain('covers H-DH-LZW')
    expect(covered().out).toEqual({ 'chen@x.cn': ['H-DH-LZW'] })
    expect(covered().logged).toBe(before.logged + 1)

    const none = await cli(['user', 'areas', '--email', 'chen@x.cn', '--areas', ''])
    expect(none.code, none.stderr).toBe(0)
    expect(covered().out).toEqual({})
  })
})
