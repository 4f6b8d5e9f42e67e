import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { beforeEach, describe, expect, it, onTestFinished } from 'vitest'
import type { FastifyInstance } from 'fastify'
import * as tokens from '../../../src/accounts/tokens.js'
import { runCli } from '../../helpers/cli.js'
import { appForTest, csrfFrom, encodeForm, seedWorld, signedIn, PASSWORD, type World } from '../../helpers/app.js'

// "Never a 500": when another connection holds the database's write lock past busy_timeout, a write is refused
// with 503 and Retry-After, nothing saved, what was typed kept. The app runs on a real database file; a second
// connection takes the write lock as another process would.

let dir: string
let dbPath: string
let app: FastifyInstance
let world: World
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-busy-'))
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }))
  dbPath = path.join(dir, 'busy.sqlite')
  app = await appForTest({ dbPath })
  world = await seedWorld(app)
})

/** Runs `act` while another connection holds the write lock; the app's own wait for it is cut to 100 ms. */
async function whileLocked<T>(act: () => Promise<T>): Promise<T> {
  const timeout = app.sqlite.pragma('busy_timeout', { simple: true })
  app.sqlite.pragma('busy_timeout = 100')
  const writer = new Database(dbPath)
  writer.exec('BEGIN IMMEDIATE')
  try {
    return await act()
  } finally {
    writer.exec('ROLLBACK')
    writer.close()
    app.sqlite.pragma(`busy_timeout = ${timeout}`)
  }
}

/** Every row of every table: nothing written at all is this being equal before and after. */
function everything(): string {
  const tables = app.sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[]
  return JSON.stringify(tables.map((t) => [t, app.sqlite.prepare(`SELECT * FROM "${t}"`).raw().all()]))
}

const orgForm = () => ({
  name: '新来的编织小组',
  kind: 'community_group',
  areaId: String(world.communityA.id),
  contactPhone: '13812345678',
})
const needStatus = (id: number) => app.sqlite.prepare('SELECT status FROM needs WHERE id = ?').pluck().get(id)

describe('a write while another connection holds the write lock', () => {
  it('re-shows a form as typed with 503 and Retry-After, in the page language, and saves nothing', async () => {
    const member = await signedIn(app, world.member.email)
    await member.get('/orgs/new')
    const before = everything()
    const [zh, en, htmx] = await whileLocked(async () => [
      await member.post('/orgs', orgForm()),
      await member.post('/orgs', orgForm(), { headers: { 'accept-language': 'en' } }),
      await member.post('/orgs', orgForm(), { headers: { 'hx-request': 'true' } }),
    ])
    for (const res of [zh, en, htmx]) {
      expect(res.statusCode).toBe(503)
      expect(res.headers['retry-after']).toBe('5')
      expect(res.body).toContain('value="新来的编织小组"')
      expect(res.body).toContain('value="13812345678"')
    }
    expect(zh.body).toContain('网站正忙，这次提交没有保存任何内容。请稍等几秒再按一次。')
    expect(en.body).toContain('The site is busy and nothing was saved. Please wait a few seconds and press again.')
    // htmx gets the form alone, to swap in place of the one sent.
    expect(htmx.body).not.toContain('<html')
    expect(htmx.body).toContain('网站正忙')
    expect(everything()).toEqual(before)

    // The same press once the lock is gone: the normal answer, and the group is there.
    const saved = await member.post('/orgs', orgForm())
    expect(saved.statusCode).toBe(303)
    expect(saved.headers.location).toMatch(/^\/orgs\/\d+/)
    expect(app.sqlite.prepare('SELECT count(*) FROM organizations WHERE name = ?').pluck().get('新来的编织小组')).toBe(
      1,
    )
  })

  it('never hands a password back', async () => {
    const member = await signedIn(app, world.member.email)
    const newPassword = 'a new and rather long passphrase'
    const res = await whileLocked(() => member.post('/account/password', { currentPassword: PASSWORD, newPassword }))
    expect(res.statusCode).toBe(503)
    expect(res.body).toContain('网站正忙')
    expect(res.body).not.toContain(PASSWORD)
    expect(res.body).not.toContain(newPassword)
  })

  it('keeps what a form without its own round-trip sent, one press from being sent again', async () => {
    const member = await signedIn(app, world.member.email)
    const token = tokens.issue(app.db, world.member.id, 'tests')
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/needs',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        org_id: world.orgA.id,
        category: 'venue',
        title: '排练场地',
        quantity: 6,
        area_id: world.communityA.id,
      },
    })
    expect(created.statusCode).toBe(201)
    const id = created.json().id as number
    await member.get(`/needs/${id}`)
    const before = everything()
    const [plain, htmx] = await whileLocked(async () => [
      await member.post(`/needs/${id}/closure`, { reason: 'met_elsewhere' }),
      await member.post(
        `/needs/${id}/closure`,
        { reason: 'met_elsewhere' },
        { headers: { 'hx-request': 'true', 'hx-trigger': 'close-form' } },
      ),
    ])
    expect(everything()).toEqual(before)
    expect(needStatus(id)).toBe('open')

    expect(plain.statusCode).toBe(503)
    expect(plain.headers['retry-after']).toBe('5')
    expect(plain.body).toContain('网站正忙，这次提交没有保存任何内容。请稍等几秒再按一次。')
    expect(plain.body).toContain(`action="/needs/${id}/closure"`)
    expect(plain.body).toContain('<input type="hidden" name="reason" value="met_elsewhere">')
    // htmx: the notice goes before the form, which stays on screen untouched for the same button.
    expect(htmx.statusCode).toBe(503)
    expect(htmx.headers['hx-retarget']).toBe('#close-form')
    expect(htmx.headers['hx-reswap']).toBe('beforebegin')
    expect(htmx.body).toContain('id="busy-box"')
    expect(htmx.body).not.toContain('<form')

    // Pressing the kept form's button once the lock is gone closes the need.
    const again = await member.request('POST', `/needs/${id}/closure`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: encodeForm({ _csrf: csrfFrom(plain.body), reason: 'met_elsewhere' }),
    })
    expect(again.statusCode).toBe(303)
    expect(needStatus(id)).not.toBe('open')
  })

  it('answers the API with 503, Retry-After and the refusal shape, code busy, and writes nothing', async () => {
    const token = tokens.issue(app.db, world.member.id, 'tests')
    const post = (headers: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/needs',
        headers: { authorization: `Bearer ${token}`, ...headers },
        payload: {
          org_id: world.orgA.id,
          category: 'venue',
          title: '接口场地',
          quantity: 6,
          area_id: world.communityA.id,
        },
      })
    const before = everything()
    const [zh, en] = await whileLocked(async () => [await post({}), await post({ 'accept-language': 'en' })])
    expect(everything()).toEqual(before)
    for (const res of [zh, en]) {
      expect(res.statusCode).toBe(503)
      expect(res.headers['retry-after']).toBe('5')
      expect(res.headers['content-type']).toMatch(/^application\/json/)
    }
    expect(zh.json()).toEqual({
      errors: [{ field: null, code: 'busy', message: '网站正忙，这次提交没有保存任何内容。请稍等几秒再按一次。' }],
    })
    expect(en.json().errors[0].message).toBe(
      'The site is busy and nothing was saved. Please wait a few seconds and press again.',
    )
    // Unchanged once the lock is gone.
    const res = await post({})
    expect(res.statusCode).toBe(201)
    expect(res.headers['retry-after']).toBeUndefined()
  })

  it('still refuses a bad CSRF token or a missing bearer token first', async () => {
    const member = await signedIn(app, world.member.email)
    await member.get('/orgs/new')
    const before = everything()
    const [csrf, bearer] = await whileLocked(async () => [
      await member.post('/orgs', orgForm(), { csrf: 'not-the-token' }),
      await app.inject({
        method: 'POST',
        url: '/api/v1/needs',
        payload: {
          org_id: world.orgA.id,
          category: 'venue',
          title: '接口场地',
          quantity: 6,
          area_id: world.communityA.id,
        },
      }),
    ])
    expect(csrf.statusCode).toBe(403)
    expect(csrf.body).not.toContain('新来的编织小组')
    expect(bearer.statusCode).toBe(401)
    expect(everything()).toEqual(before)
  })
})

describe('a page read while another connection holds the write lock', () => {
  it('answers at once, signed in, without waiting to touch the session, and touches on a later request', async () => {
    const member = await signedIn(app, world.member.email)
    const sid = app.sqlite.prepare('SELECT sid FROM sessions WHERE user_id = ?').pluck().get(world.member.id) as string
    const lastSeen = () => app.sqlite.prepare('SELECT last_seen FROM sessions WHERE sid = ?').pluck().get(sid) as number
    // Due a touch: the row was last written two minutes ago.
    app.sqlite.prepare('UPDATE sessions SET last_seen = last_seen - 120000 WHERE sid = ?').run(sid)
    const stale = lastSeen()
    expect(app.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000)
    const writer = new Database(dbPath)
    writer.exec('BEGIN IMMEDIATE')
    let res
    const started = performance.now()
    try {
      res = await member.get('/account')
    } finally {
      writer.exec('ROLLBACK')
      writer.close()
    }
    // Waiting out the 5 s busy_timeout would have stopped every request of the process; the touch is skipped instead.
    expect(performance.now() - started).toBeLessThan(2500)
    // Still signed in: /account sends anyone else to the sign-in page.
    expect(res.statusCode).toBe(200)
    expect(lastSeen()).toBe(stale)
    expect(app.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000)

    expect((await member.get('/account')).statusCode).toBe(200)
    expect(lastSeen()).toBeGreaterThan(stale)
  })
})

describe('the CLI while another process holds the write lock', { timeout: 60_000 }, () => {
  it('says the database is busy, changes nothing and exits 75', async () => {
    const before = everything()
    await app.close()
    const res = await (async () => {
      const writer = new Database(dbPath)
      writer.exec('BEGIN IMMEDIATE')
      try {
        return await runCli(dbPath, ['user', 'add', '--email', 'new@example.cn', '--role', 'member'])
      } finally {
        writer.exec('ROLLBACK')
        writer.close()
      }
    })()
    expect(res.stderr).toContain('The database is busy (another process is writing to it); nothing was changed.')
    expect(res.code).toBe(75)
    app = await appForTest({ dbPath })
    expect(everything()).toEqual(before)
  })
})
