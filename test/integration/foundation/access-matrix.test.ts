import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { FastifyInstance, RouteOptions } from 'fastify'
import { ACCESS_LEVELS, allows } from '../../../src/plugins/auth.js'
import type { Access } from '../../../src/types.js'
import { buildApp } from '../../../src/app.js'
import { testConfig } from '../../../src/config.js'
import { isStatic, methodsOf, registered } from '../../helpers/routes.js'
import { Browser, seedWorld, signedIn, tableCounts, type World } from '../../helpers/app.js'

// Every route the app registers (see helpers/routes.ts): a route added by any slice is held to the policy table.
vi.mock('fastify', async (importOriginal) =>
  (await import('../../helpers/routes.js')).collectingFastify(await importOriginal()),
)

type Who = 'visitor' | 'member' | 'broker' | 'admin'
const WHO: Who[] = ['visitor', 'member', 'broker', 'admin']
const ROLE_OF: Record<Exclude<Who, 'visitor'>, 'member' | 'broker' | 'admin'> = {
  member: 'member',
  broker: 'broker',
  admin: 'admin',
}

let app: FastifyInstance
let routes: RouteOptions[] = []
let world: World
const browsers = {} as Record<Who, Browser>

beforeAll(async () => {
  app = await buildApp(testConfig({ dbPath: ':memory:' }))
  // One probe per access level, so every level is exercised even before a page of its own exists.
  // Registered before ready(), they pass through the same policy hooks as the app's routes.
  for (const access of ACCESS_LEVELS) app.get(`/__probe/${access}`, { config: { access } }, async () => 'ok')
  await app.ready()
  routes = [...registered]
  world = await seedWorld(app)
  browsers.visitor = new Browser(app)
  browsers.member = await signedIn(app, world.member.email)
  browsers.broker = await signedIn(app, world.broker.email)
  browsers.admin = await signedIn(app, world.admin.email)
})
afterAll(() => app.close())

const appRoutes = () => routes.filter((r) => !isStatic(r) && !r.url.startsWith('/__probe/'))

/**
 * Routes open to every signed-in user whose service then decides by what the user is responsible for: reports
 * are for brokers, admins and members of a street office or residents' committee, and the seeded member leads
 * a community group, so the service refuses with 403 and says why.
 */
const SCOPED: Record<string, Who[]> = {
  'GET /reports': ['member'],
  'GET /reports.xlsx': ['member'],
  'GET /reports/:table.csv': ['member'],
  'GET /api/v1/reports': ['member'],
  'GET /reports/funds': ['member'],
  'GET /reports/funds.xlsx': ['member'],
}

/** A concrete URL for a route pattern: ids of the seeded records (org A, area 1, …). */
function concrete(url: string): string {
  return url
    .replace(/:lang\b/, 'en')
    .replace(/:table\b/, 'demand')
    .replace(/:[A-Za-z]+/g, () => String(world.orgA.id))
    .replace(/\*/g, 'x')
}

function expectAllowed(res: { statusCode: number; headers: Record<string, unknown> }, label: string) {
  expect(res.statusCode, label).toBeLessThan(500)
  expect([401, 403], label).not.toContain(res.statusCode)
  expect(String(res.headers.location ?? ''), label).not.toMatch(/^\/signin/)
}

function expectDenied(
  who: Who,
  res: { statusCode: number; headers: Record<string, unknown> },
  url: string,
  label: string,
) {
  if (url.startsWith('/api/')) {
    // The JSON API answers instead of redirecting: 401 to a visitor, 403 to the wrong role.
    expect(res.statusCode, label).toBe(who === 'visitor' ? 401 : 403)
  } else if (who === 'visitor') {
    expect(res.statusCode, label).toBe(303)
    expect(res.headers.location, label).toBe(`/signin?next=${encodeURIComponent(url)}`)
  } else {
    expect(res.statusCode, label).toBe(403)
  }
}

describe('every route has an access policy', () => {
  it('collected the routes of the built app', () => {
    const urls = appRoutes().map((r) => `${methodsOf(r).join(',')} ${r.url}`)
    for (const expected of [
      'GET /',
      'GET /signin',
      'POST /signin',
      'GET /orgs/:id',
      'POST /orgs/:id/vouching',
      'GET /admin',
      'POST /orgs/:id/capacity',
      'GET /capacity/:id',
    ]) {
      expect(
        urls.some((u) => u.startsWith(expected.split(' ')[0]) && u.endsWith(` ${expected.split(' ')[1]}`)),
        expected,
      ).toBe(true)
    }
    expect(routes.some(isStatic)).toBe(true)
  })

  it('names a known access level on every application route', () => {
    const missing = appRoutes()
      .filter((r) => !ACCESS_LEVELS.includes(r.config?.access as Access))
      .map((r) => `${methodsOf(r)} ${r.url}`)
    expect(missing).toEqual([])
  })

  it('refuses to start when a route has no policy', async () => {
    const bare = await buildApp(testConfig({ dbPath: ':memory:' }))
    try {
      expect(() => bare.get('/no-policy', async () => 'oops')).toThrow(/no access policy/)
      expect(() => bare.get('/bad-policy', { config: { access: 'everyone' as Access } }, async () => 'oops')).toThrow(
        /no access policy/,
      )
    } finally {
      await bare.close()
    }
  })
})

describe('role × access level', () => {
  for (const access of ACCESS_LEVELS) {
    for (const who of WHO) {
      const user = who === 'visitor' ? null : { role: ROLE_OF[who] }
      const allowed = allows(access, user as never)
      it(`${access} × ${who} → ${allowed ? 'allowed' : 'denied'}`, async () => {
        const url = `/__probe/${access}`
        const res = await browsers[who].get(url)
        if (allowed) {
          expect(res.statusCode).toBe(200)
          expect(res.body).toBe('ok')
        } else {
          expectDenied(who, res, url, `${who} GET ${url}`)
        }
      })
    }
  }

  it('matches the policy table: anyone/signed_in/broker/admin/staff', () => {
    const table = Object.fromEntries(
      ACCESS_LEVELS.map((a) => [
        a,
        WHO.map((w) => allows(a, w === 'visitor' ? null : ({ role: ROLE_OF[w] } as never))),
      ]),
    )
    expect(table).toEqual({
      anyone: [true, true, true, true],
      signed_in: [false, true, true, true],
      broker: [false, false, true, false],
      admin: [false, false, false, true],
      staff: [false, false, true, true],
    })
  })
})

describe('every GET route answers each role as its policy says', () => {
  it('visitor, member, broker and admin on every GET route', async () => {
    const gets = appRoutes().filter((r) => methodsOf(r).includes('GET'))
    expect(gets.length).toBeGreaterThan(8)
    for (const route of gets) {
      const access = route.config!.access as Access
      const url = concrete(route.url)
      for (const who of WHO) {
        const res = await browsers[who].get(url)
        const label = `${who} GET ${url} (${access}) → ${res.statusCode} ${res.headers.location ?? ''}`
        if (SCOPED[`GET ${route.url}`]?.includes(who)) expect(res.statusCode, label).toBe(403)
        else if (allows(access, who === 'visitor' ? null : ({ role: ROLE_OF[who] } as never))) expectAllowed(res, label)
        else expectDenied(who, res, url, label)
      }
    }
  })

  it('never lets a write through to a role its policy excludes, and writes nothing', async () => {
    const before = tableCounts(app)
    const writes = appRoutes().filter(
      (r) => methodsOf(r).some((m) => m !== 'GET' && m !== 'HEAD') && r.config?.access !== 'anyone',
    )
    expect(writes.length).toBeGreaterThan(5)
    for (const route of writes) {
      const access = route.config!.access as Access
      const url = concrete(route.url)
      const method = methodsOf(route).find((m) => m !== 'GET' && m !== 'HEAD')!
      for (const who of WHO) {
        if (allows(access, who === 'visitor' ? null : ({ role: ROLE_OF[who] } as never))) continue
        const res = await browsers[who].send(method, url, {})
        const label = `${who} ${method} ${url} (${access}) → ${res.statusCode}`
        // Refused: unauthenticated, forbidden, or (for a malformed body) rejected before reaching a handler.
        expect([400, 401, 403], label).toContain(res.statusCode)
      }
    }
    const after = tableCounts(app)
    delete before.sessions
    delete after.sessions
    expect(after).toEqual(before)
  })
})
