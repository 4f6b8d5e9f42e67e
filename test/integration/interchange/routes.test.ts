import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { beforeEach, describe, expect, it, onTestFinished } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { appForTest, Browser, seedWorld, signedIn, tableCounts, type World } from '../../helpers/app.js'
import { organizations } from '../../../src/db/schema.js'
import { multipart, MULTIPART } from '../../helpers/uploads.js'

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/interchange')
const fixture = (rel: string) => fs.readFileSync(path.join(FIXTURES, rel), 'utf8')

function upload(
  browser: Browser,
  files: { name: string; content: string }[],
  csrf: string | null = browser.csrf ?? null,
) {
  return browser.request('POST', '/ledger/import', {
    headers: { 'content-type': MULTIPART },
    payload: multipart(
      csrf ?? undefined,
      files.map((f) => ({ filename: f.name, data: f.content })),
    ) as unknown as string,
  })
}

let app: FastifyInstance
let world: World
beforeEach(async () => {
  app = await appForTest()
  world = await seedWorld(app)
})

describe('the ledger pages: staff only', () => {
  it('sends a visitor to sign in, refuses a member, and shows brokers and admins the upload form and the export link', async () => {
    const visitor = new Browser(app)
    const res = await visitor.get('/ledger')
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/signin?next=%2Fledger')
    expect((await visitor.get('/ledger/export.json')).statusCode).toBe(303)

    const member = await signedIn(app, world.member.email)
    expect((await member.get('/ledger')).statusCode).toBe(403)
    expect((await member.get('/ledger/export.json')).statusCode).toBe(403)
    const before = tableCounts(app)
    expect((await upload(member, [{ name: 'ledger.json', content: fixture('ledger.json') }])).statusCode).toBe(403)
    expect(tableCounts(app)).toEqual(before)

    for (const email of [world.broker.email, world.admin.email]) {
      const staff = await signedIn(app, email)
      const page = await staff.get('/ledger')
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain('台账导入导出')
      expect(page.body).toMatch(/<form method="post" action="\/ledger\/import" enctype="multipart\/form-data"/)
      expect(page.body).toMatch(/name="_csrf" value="[^"]+"/)
      expect(page.body).toContain('type="file"')
      expect(page.body).toContain('href="/ledger/export.json"')
    }
  })

  it('speaks English to an English browser', async () => {
    const broker = await signedIn(app, world.broker.email, undefined, { headers: { 'accept-language': 'en' } })
    const page = await broker.get('/ledger')
    expect(page.body).toContain('Ledger import and export')
    expect(page.body).toContain('Download the ledger (.json)')
  })
})

describe('uploading a ledger', () => {
  it('imports a .json file and shows the counts per section', async () => {
    // An admin: the file endorses the street office, which a broker may not do (see below).
    const admin = await signedIn(app, world.admin.email)
    await admin.get('/ledger')
    const res = await upload(admin, [{ name: 'ledger.json', content: fixture('ledger.json') }])
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('台账已导入。')
    const counts = res.body.match(/<table class="data" id="ledger-counts">[\s\S]*?<\/table>/)![0]
    expect(counts).toMatch(/<td>需求<\/td><td>2<\/td><td>0<\/td><td>0<\/td>/)
    expect(counts).toMatch(/<td>区域<\/td><td>3<\/td><td>0<\/td><td>0<\/td>/)
    const again = await upload(admin, [{ name: 'ledger.json', content: fixture('ledger.json') }])
    expect(again.body).toContain('没有改动')
    expect(again.body).toMatch(/<td>需求<\/td><td>0<\/td><td>0<\/td><td>2<\/td>/)
  })

  it('imports one .csv file per section', async () => {
    const admin = await signedIn(app, world.admin.email)
    await admin.get('/ledger')
    const files = ['areas', 'organizations', 'needs', 'offers'].map((s) => ({
      name: `${s}.csv`,
      content: fixture(`csv/${s}.csv`),
    }))
    const res = await upload(admin, files)
    expect(res.statusCode).toBe(200)
    expect(res.body).toMatch(/<td>资源<\/td><td>1<\/td>/)
  })

  it('answers 422 with every problem in a table by section, ref, field and reason, and writes nothing', async () => {
    const broker = await signedIn(app, world.broker.email, undefined, { headers: { 'accept-language': 'en' } })
    await broker.get('/ledger')
    const before = tableCounts(app)
    const res = await upload(broker, [{ name: 'bad.json', content: fixture('bad.json') }])
    expect(res.statusCode).toBe(422)
    expect(res.body).toContain('Nothing was imported: 15 problems.')
    const rows = [
      ...res.body.matchAll(
        /<tr><td>([^<]*)<\/td><td>(?:<code>([^<]*)<\/code>)?<\/td><td>(?:<code>([^<]*)<\/code>)?<\/td><td>([^<]*)<\/td><\/tr>/g,
      ),
    ].map((m) => m.slice(1, 5))
    expect(rows).toHaveLength(15)
    expect(rows).toContainEqual([
      'needs',
      'n-7',
      'unit',
      '&quot;yuan&quot; is not the unit of category &quot;venue&quot; (hours).',
    ])
    expect(rows).toContainEqual([
      'areas',
      'H-X',
      'parent',
      'No area has the ref &quot;NOWHERE&quot;, in the file or in the database.',
    ])
    expect(tableCounts(app)).toEqual(before)
  })

  it('gives the reasons in Chinese to a Chinese browser', async () => {
    const broker = await signedIn(app, world.broker.email)
    await broker.get('/ledger')
    const res = await upload(broker, [{ name: 'bad.json', content: fixture('bad.json') }])
    expect(res.statusCode).toBe(422)
    expect(res.body).toContain('没有导入任何内容：共 15 处问题。')
    expect(res.body).toContain('“yuan”不是“venue”类别的单位（应为 hours）。')
  })

  it('refuses files it cannot read: another type, broken JSON, too large, none at all', async () => {
    const broker = await signedIn(app, world.broker.email)
    await broker.get('/ledger')
    const cases: [{ name: string; content: string }[], string][] = [
      [[{ name: 'ledger.xlsx', content: 'PK' }], '“ledger.xlsx”不是 .json 或 .csv 文件。'],
      [[{ name: 'ledger.json', content: '{"format": "assetbridge/v1",' }], '“ledger.json”不是有效的 JSON'],
      [
        [{ name: 'ledger.json', content: `{"format": "assetbridge/v1", "x": "${'x'.repeat(1_100_000)}"}` }],
        '“ledger.json”超过 1 MB。',
      ],
      [[], '请选择一个 .json 文件，或一个或多个 .csv 文件。'],
    ]
    for (const [files, message] of cases) {
      const res = await upload(broker, files)
      expect(res.statusCode, message).toBe(422)
      expect(res.body).toContain(message)
    }
  })

  it('refuses an upload with no file before it reads the store, as the inventory import does', async () => {
    // On a database file another connection is writing to: an import that read the store would wait for its lock.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-ledger-'))
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }))
    const dbPath = path.join(dir, 'ledger.sqlite')
    const fileApp = await appForTest({ dbPath })
    const broker = await signedIn(fileApp, (await seedWorld(fileApp)).broker.email)
    await broker.get('/ledger')
    const before = tableCounts(fileApp)
    const writer = new Database(dbPath)
    writer.exec('BEGIN IMMEDIATE')
    try {
      // Nothing chosen, and the empty file part a browser sends when nothing is chosen.
      for (const files of [[], [{ name: '', content: '' }]]) {
        const res = await upload(broker, files)
        expect(res.statusCode).toBe(422)
        expect(res.body).toContain('请选择一个 .json 文件，或一个或多个 .csv 文件。')
      }
      // The CSRF check still comes first.
      expect((await upload(broker, [], null)).statusCode).toBe(403)
    } finally {
      writer.exec('ROLLBACK')
      writer.close()
    }
    expect(tableCounts(fileApp)).toEqual(before)
  })

  it('needs the CSRF token in the form', async () => {
    const broker = await signedIn(app, world.broker.email)
    const before = tableCounts(app)
    const res = await upload(broker, [{ name: 'ledger.json', content: fixture('ledger.json') }], null)
    expect(res.statusCode).toBe(403)
    expect(tableCounts(app)).toEqual(before)
  })

  it('lets an admin, not a broker, create areas (rights.test.ts has the rest of the rule book)', async () => {
    const broker = await signedIn(app, world.broker.email, undefined, { headers: { 'accept-language': 'en' } })
    await broker.get('/ledger')
    const before = tableCounts(app)
    const refused = await upload(broker, [{ name: 'ledger.json', content: fixture('ledger.json') }])
    expect(refused.statusCode).toBe(422)
    expect(refused.body).toContain('Only an admin can create or change areas.')
    expect(tableCounts(app)).toEqual(before)
    const admin = await signedIn(app, world.admin.email)
    await admin.get('/ledger')
    expect((await upload(admin, [{ name: 'ledger.json', content: fixture('ledger.json') }])).statusCode).toBe(200)
  })
})

describe('downloading the ledger', () => {
  it('sends the JSON as an attachment, without contact details', async () => {
    app.db.update(organizations).set({ contactPhone: '13800001234', contactEmail: 'secret@example.cn' }).run()
    const admin = await signedIn(app, world.admin.email)
    const res = await admin.get('/ledger/export.json')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="assetbridge-ledger-\d{4}-\d{2}-\d{2}\.json"$/,
    )
    const ledger = JSON.parse(res.body)
    expect(ledger.format).toBe('assetbridge/v1')
    expect(ledger.organizations.map((o: { name: string }) => o.name)).toContain('荔枝湾广场舞队')
    expect(res.body).not.toMatch(/13800001234|secret@example\.cn|contact/)
  })
})
