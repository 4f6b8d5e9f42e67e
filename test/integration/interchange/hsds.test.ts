import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { execFile } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Ajv } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { ROOT } from '../../../src/config.js'
import { openDb } from '../../../src/database.js'
import { seedDemo } from '../../../src/demo/seed.js'
import { hsdsAllServices } from '../../../src/interchange/hsds-export.js'
import type { HsdsService } from '../../../src/interchange/hsds.js'
import { activeOfferText } from '../../../src/listings/listings.js'
import { appForTest } from '../../helpers/app.js'
import { localToday } from '../../../src/shared/time.js'

const SCHEMA = JSON.parse(
  fs.readFileSync(path.resolve(import.meta.dirname, '../../fixtures/hsds/service-3.0.schema.json'), 'utf8'),
)
/** HSDS allows extra fields; a field name we made up or misspelt must fail here, so the objects we emit are closed. */
function strict(schema: any) {
  const copy = structuredClone(schema)
  copy.additionalProperties = false
  for (const name of ['organization', 'schedule', 'service_area', 'attribute', 'taxonomy_term'])
    copy.definitions[name].additionalProperties = false
  return copy
}
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv
const ajv = addFormats(new Ajv({ allErrors: true, strict: true }))
const validate = ajv.compile(strict(SCHEMA))
const NEVER_EMITTED = [
  'phones',
  'contacts',
  'email',
  'languages',
  'funding',
  'cost_options',
  'required_documents',
  'locations',
  'metadata',
]
const DATE = /^\d{4}-\d{2}-\d{2}$/
const TIME = /^\d{2}:\d{2}\+08:00$/

function checkService(s: HsdsService) {
  expect(validate(s), `${s.name}: ${ajv.errorsText(validate.errors)}`).toBe(true)
  const text = JSON.stringify(s)
  for (const key of NEVER_EMITTED) expect(text).not.toContain(`"${key}":`)
  // HSDS types these as plain strings and says their format in words: hold our output to the words.
  for (const sc of s.schedules) {
    for (const d of [sc.valid_from, sc.valid_to, sc.dtstart, sc.until]) if (d !== undefined) expect(d).toMatch(DATE)
    for (const t of [sc.opens_at, sc.closes_at]) if (t !== undefined) expect(t).toMatch(TIME)
    expect(sc.service_id).toBe(s.id)
  }
  for (const a of s.service_areas) expect(a.service_id).toBe(s.id)
  expect(s.organization.id).toBe(s.organization_id)
}

async function demoApp() {
  const app = await appForTest({ baseUrl: 'https://hebin.example.cn' })
  await seedDemo(app.db, { password: 'hsds-demo-password' })
  // Markers in every private contact field: none may reach an export.
  app.sqlite
    .prepare(
      "UPDATE organizations SET contact_phone = 'ZZPHONE' || id, contact_email = 'zzmail' || id || '@example.cn'",
    )
    .run()
  return app
}
const activeCount = (app: Awaited<ReturnType<typeof demoApp>>) =>
  app.sqlite
    .prepare("SELECT count(*) FROM offers WHERE status = 'open' AND (expires_at IS NULL OR expires_at >= ?)")
    .pluck()
    .get(localToday(new Date())) as number

describe('HSDS export of the demo district', () => {
  it('gives every active offer as a service that validates against the HSDS 3.0 schema, with nothing private', async () => {
    const app = await demoApp()
    const services = hsdsAllServices(app.db, { baseUrl: app.config.baseUrl })
    expect(services.length).toBeGreaterThan(0)
    expect(services).toHaveLength(activeCount(app))
    for (const s of services) checkService(s)
    const text = JSON.stringify(services)
    expect(text).not.toMatch(/ZZPHONE|zzmail/)
    expect(new Set(services.map((s) => s.id)).size).toBe(services.length)
    // The demo's schedules are the forms' rules: each one came out structured, not as a note.
    const ruled = app.sqlite
      .prepare(`SELECT id FROM offers WHERE schedule IS NOT NULL AND trim(schedule) <> '' AND ${activeOfferText()}`)
      .pluck()
      .all(localToday(new Date())) as number[]
    expect(ruled.length).toBeGreaterThan(2)
    for (const id of ruled) {
      const s = services.find((x) => new URL(x.url).pathname === `/offers/${id}`)
      expect(s, `offer ${id}`).toBeDefined()
      expect(
        s!.schedules.filter((sc) => sc.freq && !sc.notes),
        `offer ${id}`,
      ).not.toHaveLength(0)
    }
    for (const locale of ['en', 'zh-CN'] as const)
      for (const s of hsdsAllServices(app.db, { baseUrl: app.config.baseUrl, locale })) checkService(s)
  })

  it('leaves out drafts, closed and expired offers, and gives the same ids on the next export', async () => {
    const app = await demoApp()
    const before = hsdsAllServices(app.db, { baseUrl: app.config.baseUrl })
    const [closed, expired] = app.sqlite
      .prepare("SELECT id FROM offers WHERE status = 'open' ORDER BY id LIMIT 2")
      .pluck()
      .all() as number[]
    app.sqlite.prepare("UPDATE offers SET status = 'closed', close_reason = 'duplicate' WHERE id = ?").run(closed)
    app.sqlite.prepare("UPDATE offers SET expires_at = '2000-01-01' WHERE id = ?").run(expired)
    const after = hsdsAllServices(app.db, { baseUrl: app.config.baseUrl })
    expect(after).toHaveLength(before.length - 2)
    const gone = new Set([closed, expired].map((id) => `/offers/${id}`))
    expect(before.filter((s) => !gone.has(new URL(s.url).pathname))).toEqual(after)
  })
})

describe('GET /api/v1/hsds/services', () => {
  it('answers anyone with a page of services in HSDS page shape, validating, in either language', async () => {
    const app = await demoApp()
    const total = activeCount(app)
    const first = await app.inject({ url: '/api/v1/hsds/services?per_page=3' })
    expect(first.statusCode).toBe(200)
    expect(first.headers['content-type']).toMatch(/application\/json/)
    expect(first.body).not.toMatch(/ZZPHONE|zzmail/)
    const body = first.json()
    expect(body).toMatchObject({
      total_items: total,
      total_pages: Math.ceil(total / 3),
      page_number: 1,
      size: Math.min(3, total),
      first_page: true,
      empty: false,
    })
    for (const s of body.contents) checkService(s)
    const second = (await app.inject({ url: '/api/v1/hsds/services?per_page=3&page=2' })).json()
    expect(second.page_number).toBe(2)
    const ids = [...body.contents, ...second.contents].map((s: HsdsService) => s.id)
    expect(new Set(ids).size).toBe(ids.length)
    const en = (await app.inject({ url: '/api/v1/hsds/services?per_page=100&lang=en' })).json()
    expect(en.contents.map((s: HsdsService) => s.id)).toEqual(
      hsdsAllServices(app.db, { baseUrl: app.config.baseUrl }).map((s) => s.id),
    )
    expect(JSON.stringify(en.contents)).toContain('any organization may ask')
  })

  it('refuses a bad page size or language with 400, never a 500', async () => {
    const app = await appForTest()
    for (const q of ['per_page=1000', 'per_page=x', 'page=0', 'lang=fr']) {
      expect((await app.inject({ url: `/api/v1/hsds/services?${q}` })).statusCode, q).toBe(400)
    }
    const empty = (await app.inject({ url: '/api/v1/hsds/services' })).json()
    expect(empty).toMatchObject({ total_items: 0, empty: true, contents: [] })
  })

  it('is linked from the offers list in both languages', async () => {
    const app = await appForTest()
    const zh = await app.inject({ url: '/offers', headers: { 'accept-language': 'zh-CN' } })
    expect(zh.body).toContain('href="/api/v1/hsds/services?lang=zh-CN"')
    expect(zh.body).toContain('Open Referral HSDS')
    const en = await app.inject({ url: '/offers', headers: { 'accept-language': 'en' } })
    expect(en.body).toContain('href="/api/v1/hsds/services?lang=en"')
  })
})

describe('npm run cli -- export --format hsds', () => {
  let dir: string
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-hsds-'))
  })
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
  const cli = (db: string, ...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'src/cli.ts', ...args],
        {
          cwd: ROOT,
          env: { ...process.env, DATABASE_URL: db, LOG_LEVEL: 'silent', BASE_URL: 'https://hebin.example.cn' },
          timeout: 60_000,
        },
        (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      )
    })

  it('writes the same file twice over, and the same services to stdout', async () => {
    const db = path.join(dir, 'demo.sqlite')
    const opened = openDb(db, ROOT)
    await seedDemo(opened.db, { password: 'hsds-demo-password' })
    const expected = hsdsAllServices(opened.db, { baseUrl: 'https://hebin.example.cn' })
    opened.sqlite.close()
    const file = path.join(dir, 'out', 'services.json')
    const run = await cli(db, 'export', '--format', 'hsds', file)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain(`Exported ${expected.length} active offers as HSDS 3.0 services`)
    const bytes = fs.readFileSync(file, 'utf8')
    expect(JSON.parse(bytes)).toEqual(expected)
    expect((await cli(db, 'export', '--format', 'hsds', file)).code).toBe(0)
    expect(fs.readFileSync(file, 'utf8')).toBe(bytes)
    const out = await cli(db, 'export', '--format', 'hsds')
    expect(out.stdout).toBe(bytes)
    const bad = await cli(db, 'export', '--format', 'hsds', path.join(dir, 'services.csv'))
    expect(bad.code).toBe(2)
  }, 120_000)
})
