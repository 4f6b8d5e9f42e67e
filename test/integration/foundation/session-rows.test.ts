import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest'
import type { FastifyInstance, RouteOptions } from 'fastify'
import { buildApp } from '../../../src/app.js'
import { testConfig } from '../../../src/config.js'
import { tick } from '../../../src/scheduler/handlers.js'
import { isStatic, methodsOf, registered } from '../../helpers/routes.js'
import { addUser, Browser, count, seedWorld, type World } from '../../helpers/app.js'
import { postNeed, postOffer } from '../listings/world.js'

vi.mock('fastify', async (importOriginal) =>
  (await import('../../helpers/routes.js')).collectingFastify(await importOriginal()),
)

/** The forms a visitor can submit: their CSRF token needs a session, so these (and only these) start one. */
const VISITOR_FORMS = ['/signin', '/signup', '/password/forgot']

let app: FastifyInstance
let routes: RouteOptions[] = []
let world: World

beforeAll(async () => {
  app = await buildApp(testConfig({ dbPath: ':memory:', sessionIdleMinutes: 30, sessionMaxHours: 12 }))
  await app.ready()
  routes = registered.filter((r) => !isStatic(r))
  world = await seedWorld(app)
  // So that /needs/:id and /offers/:id show a real listing with id 1.
  postNeed(app, world.member, { orgId: world.orgA.id, areaId: world.communityA.id })
  postOffer(app, world.other, { orgId: world.orgB.id, servesAreaId: world.streetB.id })
})
afterAll(() => app.close())

const concrete = (url: string) =>
  url
    .replace(/:lang\b/, 'en')
    .replace(/:table\b/, 'demand')
    .replace(/:[A-Za-z]+/g, '1')
    .replace(/\*/g, 'x')

describe('anonymous session rows', () => {
  it('are made by a cookieless visit only to the forms a visitor can submit, on every GET route', async () => {
    const gets = routes.filter((r) => methodsOf(r).includes('GET')).map((r) => concrete(r.url))
    expect(gets.length).toBeGreaterThan(20)
    const made: string[] = []
    for (const url of [...new Set(gets)]) {
      const before = count(app, 'sessions')
      const res = await new Browser(app).get(url)
      expect(res.statusCode, url).toBeLessThan(500)
      if (count(app, 'sessions') > before) made.push(url)
    }
    expect(made.sort()).toEqual([...VISITOR_FORMS].sort())
  })

  it('are not made by a dead reset link, whose page has no form', async () => {
    const before = count(app, 'sessions')
    const res = await new Browser(app).get('/password/reset?token=not-a-live-token')
    expect(res.statusCode).toBe(400)
    expect(res.body).not.toContain('name="_csrf"')
    expect(count(app, 'sessions')).toBe(before)
  })

  it('are made once per visitor: a second form page reuses the session', async () => {
    const before = count(app, 'sessions')
    const b = new Browser(app)
    await b.get('/signin')
    await b.get('/signup')
    await b.get('/password/forgot')
    expect(count(app, 'sessions')).toBe(before + 1)
  })
})

describe('the session sweep', () => {
  it('removes the rows of sessions idle or past their lifetime, and keeps live ones, as an hourly job', async () => {
    app.sqlite.prepare('DELETE FROM sessions').run()
    const now = Date.now()
    const min = 60_000
    const insert = app.sqlite.prepare(
      "INSERT INTO sessions (sid, user_id, data, created_at, last_seen) VALUES (?, NULL, '{}', ?, ?)",
    )
    insert.run('fresh', now - 5 * min, now - min)
    // Touched at most once a minute: a row a minute and a half past the idle limit may still be live in memory.
    insert.run('lagging', now - 60 * min, now - 30 * min - 30_000)
    insert.run('idle', now - 120 * min, now - 32 * min)
    insert.run('abandoned form', now - 3 * 86_400_000, now - 3 * 86_400_000)
    insert.run('too old', now - 12 * 60 * min - min, now - min)
    tick(app.db, new Date(now))
    const left = app.sqlite.prepare('SELECT sid FROM sessions ORDER BY sid').pluck().all()
    expect(left).toEqual(['fresh', 'lagging'])
    expect(
      app.sqlite
        .prepare("SELECT count(*) FROM jobs WHERE kind = 'sessions.sweep' AND done_at IS NOT NULL")
        .pluck()
        .get(),
    ).toBe(1)
  })
})

describe('the last request across a restart', () => {
  it('is written to the session row when the app closes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-sessions-'))
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }))
    const dbPath = path.join(dir, 'db.sqlite')
    const fileApp = await buildApp(testConfig({ dbPath }))
    await fileApp.ready()
    await addUser(fileApp, { email: 'a@example.cn' })
    const b = new Browser(fileApp)
    expect((await b.signIn('a@example.cn')).statusCode).toBe(303)
    // The first page after sign-in stores the session's CSRF secret (a write); the next ones only read.
    await b.get('/account')
    // Within the touch interval, so the next request is remembered but not written.
    fileApp.sqlite.prepare('UPDATE sessions SET last_seen = last_seen - 20000').run()
    const stale = fileApp.sqlite.prepare('SELECT last_seen FROM sessions').pluck().get() as number
    const at = Date.now()
    expect((await b.get('/account')).statusCode).toBe(200)
    expect(fileApp.sqlite.prepare('SELECT last_seen FROM sessions').pluck().get()).toBe(stale)
    await fileApp.close()
    const reopened = new Database(dbPath, { readonly: true })
    try {
      expect(reopened.prepare('SELECT last_seen FROM sessions').pluck().get()).toBeGreaterThanOrEqual(at)
    } finally {
      reopened.close()
    }
  })
})
