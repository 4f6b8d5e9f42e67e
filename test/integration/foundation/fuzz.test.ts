import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { FastifyInstance, RouteOptions } from 'fastify'
import { buildApp } from '../../../src/app.js'
import { testConfig } from '../../../src/config.js'
import { isStatic, methodsOf, registered } from '../../helpers/routes.js'
import { Browser, seedWorld, signedIn, type World } from '../../helpers/app.js'

vi.mock('fastify', async (importOriginal) =>
  (await import('../../helpers/routes.js')).collectingFastify(await importOriginal()),
)

// Foundation routes only: the other slices fuzz their own.
const FOUNDATION = /^\/($|signin|signup|signout|account|locale|orgs|areas|admin($|\/users|\/areas))/

let app: FastifyInstance
let routes: RouteOptions[]
let world: World
let admin: Browser
let member: Browser
let broker: Browser

beforeAll(async () => {
  app = await buildApp(testConfig({ dbPath: ':memory:', rateLimits: false }))
  await app.ready()
  routes = registered.filter((r) => !isStatic(r) && FOUNDATION.test(r.url))
  world = await seedWorld(app)
  admin = await signedIn(app, world.admin.email)
  member = await signedIn(app, world.member.email)
  broker = await signedIn(app, world.broker.email)
})
afterAll(() => app.close())

const IDS = ['1', '0', '-1', 'abc', '99999999999999999999', '1.5', '%00', '1%20OR%201=1']
const withId = (url: string, id: string) => url.replace(/:lang\b/, 'en').replace(/:[A-Za-z]+/g, id)

const BODIES: Record<string, string | number | string[]>[] = [
  {},
  { name: ['a', 'b'], email: ['x@y.cn', 'z@y.cn'], password: ['p', 'q'], kind: ['a'], areaId: ['1', '2'] },
  { name: 'x'.repeat(10_000), description: 'y'.repeat(100_000), email: `${'a'.repeat(300)}@x.cn` },
  {
    areaId: '1e309',
    members: 'NaN',
    version: '-0',
    parentId: '0x10',
    role: '__proto__',
    notify: 'constructor',
    disabled: 'true',
  },
  { 'constructor[prototype][admin]': 'true', '__proto__[role]': 'admin', focus: ['elderly', 'elderly', 'nope'] },
  { name: '\u0000\u202e\ud800', email: 'a@b', next: 'javascript:alert(1)', lang: '../../etc' },
]

describe('odd input never causes a 500 on a foundation route', () => {
  it('covers the foundation routes', () => {
    expect(routes.length).toBeGreaterThan(15)
  })

  it('GET with odd ids and query strings', async () => {
    const odd = [
      '',
      '?page=-1',
      '?page=abc',
      '?page=1e9',
      `?q=${'%E5%B9%BF'.repeat(200)}`,
      '?kind=club&area=x',
      '?kind[]=school',
      '?next=%0d%0a',
    ]
    for (const r of routes.filter((r) => methodsOf(r).includes('GET'))) {
      for (const id of r.url.includes(':') ? IDS : ['1']) {
        for (const q of odd) {
          const url = withId(r.url, id) + q
          for (const b of [admin, member]) {
            const res = await b.get(url)
            expect(res.statusCode, `GET ${url} → ${res.statusCode}`).toBeLessThan(500)
          }
        }
      }
    }
  }, 60_000)

  it('writes with wrong types, oversize values, prototype keys and JSON bodies', async () => {
    // (Not /signout: the fuzzing admin must stay signed in for the rest to reach their handlers.)
    const writes = routes.filter((r) => methodsOf(r).some((m) => m !== 'GET' && m !== 'HEAD') && r.url !== '/signout')
    const statuses = new Set<number>()
    for (const r of writes) {
      const method = methodsOf(r).find((m) => m !== 'GET' && m !== 'HEAD')!
      for (const id of r.url.includes(':') ? ['1', 'abc', '99999999999999999999'] : ['1']) {
        const url = withId(r.url, id)
        for (const form of BODIES) {
          const res = await admin.send(method, url, form, { headers: { 'x-csrf-token': admin.csrf! } })
          expect(
            res.statusCode,
            `${method} ${url} ${JSON.stringify(form).slice(0, 80)} → ${res.statusCode}`,
          ).toBeLessThan(500)
          statuses.add(res.statusCode)
        }
        const json = await admin.request(method, url, {
          headers: { 'content-type': 'application/json', 'x-csrf-token': admin.csrf! },
          payload: '{"name":{"$gt":""},"__proto__":{"role":"admin"}}',
        })
        expect(json.statusCode, `${method} ${url} JSON → ${json.statusCode}`).toBeLessThan(500)
        const broken = await admin.request(method, url, {
          headers: { 'content-type': 'application/json', 'x-csrf-token': admin.csrf! },
          payload: '{"name":',
        })
        expect(broken.statusCode, `${method} ${url} broken JSON → ${broken.statusCode}`).toBeLessThan(500)
      }
    }
    // The handlers were reached (re-rendered forms, refusals by rule), not just the CSRF gate.
    expect([...statuses]).toEqual(expect.arrayContaining([400, 404, 422]))
    expect((await admin.get('/admin')).statusCode).toBe(200)
    // The admin is still an admin and no prototype was polluted along the way.
    expect(({} as Record<string, unknown>).role).toBeUndefined()
    expect(({} as Record<string, unknown>).admin).toBeUndefined()
    expect(app.sqlite.prepare('SELECT role, disabled_at FROM users WHERE id = ?').get(world.admin.id)).toEqual({
      role: 'admin',
      disabled_at: null,
    })
    expect(app.sqlite.prepare("SELECT count(*) AS n FROM users WHERE role = 'admin'").get()).toEqual({ n: 1 })
  })
})

// Numbers Ajv would coerce to ±Infinity ("Infinity", "1e400") used to pass int() and reach SQLite (500); the rest are
// the usual odd shapes. Pages outside the foundation are listed by hand with the parameters they read.
const ODD_VALUES = [
  'Infinity',
  '-Infinity',
  '1e400',
  '-1e400',
  'NaN',
  '0x10',
  '1e3',
  ['1', '2'],
  'x'.repeat(5000),
  '广'.repeat(300),
  '\u0000\u202e\ud83d\ude00',
]
const encodeParam = (name: string, v: string | string[]) =>
  (Array.isArray(v) ? v : [v]).map((x) => `${name}=${encodeURIComponent(x)}`).join('&')

describe('numbers that are not finite and other odd query values never cause a 500 on the newer pages', () => {
  const pages = () => [
    { url: '/map', params: ['category', 'area', 'sort', 'page'] },
    { url: '/map/agenda', params: ['area', 'page'] },
    { url: '/reports', params: ['area', 'from', 'to'] },
    { url: '/reports.xlsx', params: ['area', 'from', 'to'] },
    { url: '/reports/demand.csv', params: ['area', 'from', 'to'] },
    { url: '/reports/funds', params: ['call', 'from', 'to'] },
    { url: '/reports/funds.xlsx', params: ['call', 'from', 'to'] },
    { url: `/orgs/${world.orgA.id}/capacity`, params: ['before', 'after'] },
    { url: `/orgs/${world.orgA.id}`, params: ['before', 'after'] },
    { url: '/capacity/1', params: ['page'] },
    { url: '/needs', params: ['page', 'area', 'category'] },
    { url: '/offers', params: ['page', 'area', 'category'] },
    { url: '/api/v1/hsds/services', params: ['page', 'per_page', 'lang'] },
    { url: '/api/v1/needs', params: ['page', 'per_page', 'area'] },
    { url: '/api/v1/offers', params: ['page', 'per_page', 'area'] },
  ]

  it('in the query string, for a visitor and every role', async () => {
    const visitor = new Browser(app)
    for (const { url, params } of pages()) {
      for (const name of params) {
        for (const v of ODD_VALUES) {
          const full = `${url}?${encodeParam(name, v)}`
          for (const b of [visitor, member, broker, admin]) {
            const res = await b.get(full)
            expect(res.statusCode, `GET ${full.slice(0, 120)} → ${res.statusCode}`).toBeLessThan(500)
          }
        }
      }
    }
  }, 60_000)

  it('in the path: odd ids on the capacity pages', async () => {
    for (const id of ['Infinity', '-Infinity', '1e400', 'NaN', '1e3', '0x10', 'x'.repeat(5000), '%E5%B9%BF']) {
      for (const url of [`/capacity/${id}`, `/orgs/${id}/capacity`, `/orgs/${id}`]) {
        const res = await admin.get(url)
        expect(res.statusCode, `GET ${url.slice(0, 120)} → ${res.statusCode}`).toBeLessThan(500)
      }
    }
  })

  it('the API refuses a page or per_page that is not a finite whole number with 400 JSON naming the field', async () => {
    for (const url of ['/api/v1/hsds/services', '/api/v1/needs', '/api/v1/offers']) {
      for (const name of ['page', 'per_page']) {
        for (const v of ['Infinity', '-Infinity', '1e400', 'NaN']) {
          const res = await member.get(`${url}?${name}=${v}`)
          expect(res.statusCode, `${url}?${name}=${v}`).toBe(400)
          expect(res.headers['content-type']).toMatch(/^application\/json/)
          expect(res.json().errors[0].field).toBe(name)
        }
      }
    }
    // A list page ignores a filter it cannot read, as it does for any other bad value.
    for (const url of ['/needs?page=Infinity', '/offers?page=1e400', '/orgs?page=-Infinity', '/map?area=Infinity'])
      expect((await member.get(url)).statusCode, url).toBe(200)
    // The report names the field instead of showing another area's figures.
    const report = await broker.get('/reports?area=1e400')
    expect(report.statusCode).toBe(422)
    expect(report.body).toContain('请输入整数')
  })
})
