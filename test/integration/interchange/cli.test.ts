import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from '../../../src/config.js'
import { openDb } from '../../../src/database.js'
import * as interchange from '../../../src/interchange/interchange.js'
import { addAccount } from '../../helpers/app.js'
import { runCli } from '../../helpers/cli.js'
import { parseCsv } from '../../../src/interchange/csv.js'

const cli = (db: string, ...args: string[]) => runCli(db, args)

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/interchange')
let dir: string

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-cli-'))
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('npm run cli -- import / export', () => {
  it('imports a .json ledger with a summary, and a second time changes nothing', async () => {
    const db = path.join(dir, 'json.sqlite')
    const first = await cli(db, 'import', path.join(FIXTURES, 'ledger.json'))
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/^Imported .*ledger\.json:/)
    expect(first.stdout).toMatch(/needs\s+2 created\s+0 updated\s+0 unchanged/)
    const second = await cli(db, 'import', path.join(FIXTURES, 'ledger.json'))
    expect(second.code).toBe(0)
    expect(second.stdout).toMatch(/^Nothing to change in/)
    expect(second.stdout).toMatch(/offers\s+0 created\s+0 updated\s+1 unchanged/)
  }, 60_000)

  it("exits 1 listing every problem, in the contract's words, and writes nothing", async () => {
    const db = path.join(dir, 'bad.sqlite')
    const res = await cli(db, 'import', path.join(FIXTURES, 'bad.json'))
    expect(res.code).toBe(1)
    expect(res.stdout).toBe('')
    const lines = res.stderr.trim().split('\n')
    expect(lines[0]).toMatch(/^Nothing imported: 15 problems in /)
    expect(lines).toContain('needs[n-7].unit: "yuan" is not the unit of category "venue" (hours)')
    expect(lines).toContain('needs[n-8].org: No organization has the ref "org-missing", in the file or in the database')
    expect(lines).toContain(
      'organizations[org-a].kind: "club" is not one of: community_group, business, street_office, residents_committee, social_work_agency, foundation, school, individual',
    )
    expect(lines).toHaveLength(16)
    const { sqlite } = openDb(db, ROOT)
    try {
      expect(
        sqlite
          .prepare(
            'SELECT (SELECT count(*) FROM areas) + (SELECT count(*) FROM organizations) + (SELECT count(*) FROM needs) + (SELECT count(*) FROM offers) AS n',
          )
          .get(),
      ).toEqual({ n: 0 })
    } finally {
      sqlite.close()
    }
  }, 60_000)

  it('imports one .csv file per section, and exports the same ledger as .json and as .csv files', async () => {
    const db = path.join(dir, 'csv.sqlite')
    const csv = ['areas', 'organizations', 'needs', 'offers'].map((s) => path.join(FIXTURES, 'csv', `${s}.csv`))
    const imported = await cli(db, 'import', ...csv)
    expect(imported.stderr).toBe('')
    expect(imported.code).toBe(0)

    const out = path.join(dir, 'out', 'ledger.json')
    const exported = await cli(db, 'export', out)
    expect(exported.code).toBe(0)
    expect(exported.stdout).toMatch(/Exported 3 areas, 2 organizations, 2 needs, 1 offers to .*ledger\.json/)
    const ledger = JSON.parse(fs.readFileSync(out, 'utf8')) as interchange.Ledger
    expect(ledger.format).toBe('assetbridge/v1')
    expect(ledger.organizations!.map((o) => o.ref)).toEqual(['org-dance', 'org-dh-office'])

    const csvDir = path.join(dir, 'out', 'csv') + path.sep
    expect((await cli(db, 'export', csvDir)).code).toBe(0)
    const files = fs.readdirSync(csvDir).sort()
    expect(files).toEqual(['areas.csv', 'needs.csv', 'offers.csv', 'organizations.csv'])
    const again = interchange.readFiles(files.map((name) => ({ name, data: fs.readFileSync(path.join(csvDir, name)) })))
    expect(again.problems).toEqual([])
    expect(interchange.toJson(again.ledger)).toBe(fs.readFileSync(out, 'utf8'))
  }, 60_000)

  it('exits 2 for a file that cannot be read or an export target of another kind', async () => {
    const db = path.join(dir, 'none.sqlite')
    const missing = await cli(db, 'import', path.join(dir, 'nope.json'))
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/cannot read .*nope\.json/)
    expect((await cli(db, 'export', path.join(dir, 'ledger.txt'))).code).toBe(2)
  }, 60_000)

  it('writes no CSV cell a spreadsheet would run as a formula, and reads the export back to the same ledger', async () => {
    const db = path.join(dir, 'formula.sqlite')
    const ledger = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'ledger.json'), 'utf8')) as interchange.Ledger
    const tricky = [
      '=HYPERLINK("http://evil.example","点这里")',
      '@SUM(A1:A9)',
      '+86 138 0000 0000',
      "-2+3+cmd|' /C calc'!A0",
      "'=already quoted",
      "'plain apostrophe",
    ]
    ledger.organizations![0].name = tricky[0]
    ledger.organizations![0].description = tricky[1]
    ledger.needs![0].title = tricky[2]
    ledger.needs![0].description = tricky[3]
    ledger.needs![1].title = tricky[4]
    ledger.offers![0].title = tricky[5]
    ledger.areas![2].lng = -0.12
    const source = path.join(dir, 'formula.json')
    fs.writeFileSync(source, JSON.stringify(ledger))
    expect((await cli(db, 'import', source)).code).toBe(0)
    const json = path.join(dir, 'formula-out', 'ledger.json')
    const csvDir = path.join(dir, 'formula-out', 'csv') + path.sep
    expect((await cli(db, 'export', json)).code).toBe(0)
    expect((await cli(db, 'export', csvDir)).code).toBe(0)

    const cells = fs
      .readdirSync(csvDir)
      .flatMap((name) =>
        parseCsv(fs.readFileSync(path.join(csvDir, name), 'utf8').replace(/^\uFEFF/, '')).rows.flatMap((r) => r.cells),
      )
    expect(cells.filter((c) => /^[=+@]/.test(c) || /^-\D/.test(c))).toEqual([])
    for (const text of tricky) expect(cells).toContain(`'${text}`)
    expect(cells).toContain('-0.12')

    // Imported back into an empty database, the CSV files give the very same ledger.
    const copy = path.join(dir, 'formula-copy.sqlite')
    const names = fs.readdirSync(csvDir).map((name) => path.join(csvDir, name))
    expect((await cli(copy, 'import', ...names)).code).toBe(0)
    const again = path.join(dir, 'formula-out', 'again.json')
    expect((await cli(copy, 'export', again)).code).toBe(0)
    expect(fs.readFileSync(again, 'utf8')).toBe(fs.readFileSync(json, 'utf8'))
    expect(fs.readFileSync(json, 'utf8')).toContain(JSON.stringify(tricky[0]))
  }, 120_000)

  it("runs with an admin's rights, or with --as those of a broker or admin, never a member's", async () => {
    const db = path.join(dir, 'as.sqlite')
    const { db: handle, sqlite } = openDb(db, ROOT)
    try {
      const admin = await addAccount(handle, {
        email: 'admin@example.cn',
        role: 'admin',
        password: 'correct horse battery staple',
      })
      await addAccount(handle, {
        email: 'broker@example.cn',
        role: 'broker',
        password: 'correct horse battery staple',
      })
      await addAccount(handle, {
        email: 'member@example.cn',
        role: 'member',
        password: 'correct horse battery staple',
      })
      expect(admin.id).toBeGreaterThan(0)
    } finally {
      sqlite.close()
    }
    const file = path.join(FIXTURES, 'ledger.json')
    const member = await cli(db, 'import', '--as', 'member@example.cn', file)
    expect(member.code).toBe(2)
    expect(member.stderr).toMatch(/member@example\.cn is a member/)
    expect((await cli(db, 'import', '--as', 'nobody@example.cn', file)).code).toBe(2)

    const broker = await cli(db, 'import', '--as', 'broker@example.cn', file)
    expect(broker.code).toBe(1)
    expect(broker.stderr).toContain('areas[H]: Only an admin can create or change areas')
    const operator = await cli(db, 'import', file)
    expect(operator.code).toBe(0)
    expect(operator.stdout).toMatch(/areas\s+3 created/)
  }, 120_000)
})
