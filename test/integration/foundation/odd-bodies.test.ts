/**
 * Every route the app has, for every role, given bodies no form or API client sends (JSON that is not an object,
 * broken or oversized bodies, a truncated multipart upload): each is refused with a 4xx and changes no row. The
 * foundation routes' odd values and the newer pages' odd query values are fuzz.test.ts.
 */
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../../src/app.js'
import { testConfig } from '../../../src/config.js'
import { isStatic, methodsOf, registered, ROUTES } from '../../helpers/routes.js'
import { Browser, signedIn } from '../../helpers/app.js'
import { brokerWorld, reload } from '../brokering/world.js'
import * as matches from '../../../src/brokering/matches.js'
import * as needs from '../../../src/needs/needs.js'

vi.mock('fastify', async (importOriginal) =>
  (await import('../../helpers/routes.js')).collectingFastify(await importOriginal()),
)

const PARAMS: Record<string, string> = { id: '1', lang: 'en', table: 'demand' }
const fillPath = (url: string) => url.replace(/:([A-Za-z]+)/g, (_, name: string) => PARAMS[name] ?? '1')

/** Bodies no form or API client sends. The truncated multipart one is issue 11's, which used to stop the process. */
const ODD_BODIES: { name: string; type: string; payload: string }[] = [
  { name: 'JSON null', type: 'application/json', payload: 'null' },
  { name: 'JSON array', type: 'application/json', payload: '[{"name":"x"},1]' },
  { name: 'JSON empty array', type: 'application/json', payload: '[]' },
  { name: 'JSON string', type: 'application/json', payload: '"x"' },
  { name: 'JSON number', type: 'application/json', payload: '42' },
  { name: 'JSON true', type: 'application/json', payload: 'true' },
  { name: 'broken JSON', type: 'application/json', payload: '{"name":' },
  { name: 'text', type: 'text/plain', payload: 'name=x' },
  {
    name: 'truncated multipart',
    type: 'multipart/form-data; boundary=abc',
    payload: '--abc\r\nContent-Disposition: form-data; name="f"; filename="x.json"\r\n\r\n{}',
  },
  { name: 'oversized JSON', type: 'application/json', payload: `{"name":"${'x'.repeat(1_048_576)}"}` },
  { name: 'oversized form', type: 'application/x-www-form-urlencoded', payload: `name=${'x'.repeat(1_048_576)}` },
]

// The session store's own bookkeeping: a request (even a refused one) slides the idle timeout, at most once a minute.
const BOOKKEEPING: Record<string, string[]> = { sessions: ['last_seen'] }

/** Every table's row count and a hash of its rows: "nothing changed" is these being equal before and after. */
function snapshot(target: FastifyInstance): Record<string, string> {
  const tables = target.sqlite
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
    .all() as { name: string }[]
  return Object.fromEntries(
    tables.map(({ name }) => {
      const columns = (target.sqlite.prepare(`SELECT name FROM pragma_table_info(?)`).all(name) as { name: string }[])
        .map((c) => c.name)
        .filter((c) => !BOOKKEEPING[name]?.includes(c))
      const rows = (
        target.sqlite
          .prepare(`SELECT ${columns.map((c) => `"${c}"`).join(', ') || '*'} FROM "${name}"`)
          .raw()
          .all() as unknown[][]
      )
        .map((r) =>
          JSON.stringify(r, (_k, v) =>
            Buffer.isBuffer(v) ? v.toString('hex') : typeof v === 'bigint' ? String(v) : v,
          ),
        )
        .sort()
      return [name, `${rows.length} ${createHash('sha256').update(rows.join('\n')).digest('hex')}`]
    }),
  )
}

describe('every route, every role: bodies that are not forms are refused with a 4xx and change nothing', () => {
  let fuzzApp: FastifyInstance
  let fuzzRoutes: { method: string; url: string }[]
  let roles: [string, Browser][]

  beforeAll(async () => {
    const from = registered.length
    fuzzApp = await buildApp(testConfig({ dbPath: ':memory:', rateLimits: false, scheduler: false }))
    await fuzzApp.ready()
    fuzzRoutes = registered
      .slice(from)
      .filter((r) => !isStatic(r))
      .flatMap((r) => methodsOf(r).map((method) => ({ method, url: r.url })))
    const w = await brokerWorld(fuzzApp)
    // Something at id 1 of each kind, so a GET reaches the page rather than a 404.
    const room = needs.post(fuzzApp.db, w.member, {
      orgId: w.orgA.id,
      category: 'venue',
      title: '社区活动室',
      description: '借用社区活动室排练',
      quantity: 4,
      areaId: w.communityA.id,
    })
    fuzzApp.sqlite.prepare(`UPDATE needs SET topics = '["room"]' WHERE id = ?`).run(room.id)
    fuzzApp.sqlite.prepare(`UPDATE offers SET topics = '["room"]' WHERE id = ?`).run(w.offer.id)
    matches.open(fuzzApp.db, reload(fuzzApp, w.broker), 'propose', {
      needId: room.id,
      offerId: w.offer.id,
      quantity: 1,
    })
    const visitor = new Browser(fuzzApp)
    await visitor.refreshCsrf('/signin')
    roles = [
      ['visitor', visitor],
      ['member', await signedIn(fuzzApp, w.member.email)],
      ['broker', await signedIn(fuzzApp, w.broker.email)],
      ['admin', await signedIn(fuzzApp, w.admin.email)],
    ]
    for (const [, b] of roles.slice(1)) await b.refreshCsrf('/ledger').catch(() => b.refreshCsrf())
  }, 60_000)
  afterAll(() => fuzzApp?.close())

  it('lists every route the app has, and only those', () => {
    const have = fuzzRoutes.filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`)
    expect(new Set(have).size, 'a route registered twice').toBe(have.length)
    expect([...have].sort(), 'a route that the fuzz list does not cover, or one the app no longer has').toEqual(
      [...ROUTES].sort(),
    )
    for (const r of fuzzRoutes.filter((x) => x.method === 'HEAD'))
      expect(ROUTES, `HEAD ${r.url} has no GET`).toContain(`GET ${r.url}`)
  })

  it('answers a body that is not an object with 400: the error page for a form, JSON for the API', async () => {
    const [, visitor] = roles[0]
    const [, broker] = roles[2]
    for (const [b, url] of [
      [visitor, '/signin'],
      [visitor, '/signup'],
      [visitor, '/password/reset'],
      [broker, '/matches'],
    ] as const) {
      for (const payload of ['null', '[]', '"x"', '7']) {
        const res = await b.request('POST', url, {
          headers: { 'content-type': 'application/json', 'x-csrf-token': b.csrf! },
          payload,
        })
        expect(res.statusCode, `${url} ${payload}`).toBe(400)
        expect(res.headers['content-type']).toMatch(/^text\/html/)
      }
    }
    const api = await broker.request('POST', '/api/v1/allocations', {
      headers: { 'content-type': 'application/json', 'x-csrf-token': broker.csrf! },
      payload: 'null',
    })
    expect(api.statusCode).toBe(400)
    expect(api.json()).toEqual({ errors: [{ field: '_', message: '格式不正确。' }] })
  })

  it('never answers 5xx, and no refused request changes a row', async () => {
    let requests = 0
    const serverErrors: string[] = []
    const changedRows: string[] = []
    const accepted: string[] = []
    const statuses = new Map<number, number>()
    // The rows as the last refused requests left them: the next role's "before". No await comes between taking it and
    // that role's first request, so nothing can write in between; taking it again was a quarter of this test's time.
    let before: Record<string, string> | undefined
    for (const route of fuzzRoutes) {
      const url = fillPath(route.url)
      const reads = route.method === 'GET' || route.method === 'HEAD'
      // A GET never reads a body (Fastify does not parse one): two shapes are enough to show it is ignored.
      const bodies = reads ? [ODD_BODIES[0], ODD_BODIES[8]] : ODD_BODIES
      for (const [role, b] of roles) {
        before ??= snapshot(fuzzApp)
        let refused = true
        for (const body of bodies) {
          const res = await b.request(route.method, url, {
            headers: { 'content-type': body.type, 'x-csrf-token': b.csrf! },
            payload: body.payload,
          })
          requests++
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
          if (res.statusCode >= 500)
            serverErrors.push(`${role} ${route.method} ${url} ${body.name} → ${res.statusCode}`)
          if (!reads && res.statusCode < 400)
            accepted.push(`${role} ${route.method} ${url} ${body.name} → ${res.statusCode}`)
          // A page shown is not a refusal (the ledger export stores refs it hands out); a redirect to sign in is.
          if (res.statusCode < 300) refused = false
        }
        if (!refused) {
          before = undefined
          continue
        }
        const after = snapshot(fuzzApp)
        for (const t of Object.keys(before))
          if (before[t] !== after[t]) changedRows.push(`${role} ${route.method} ${url}: ${t}`)
        before = after
      }
    }
    const routes = new Set(fuzzRoutes.map((r) => `${r.method} ${r.url}`)).size
    console.log(
      `fuzz: ${requests} requests, ${routes} routes (${ROUTES.length} + HEAD mirrors), 4 roles, 5xx seen: ${serverErrors.length}, tables changed by refused requests: ${changedRows.length}; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`,
    )
    expect(serverErrors).toEqual([])
    expect(accepted, 'writes that took a body no form sends').toEqual([])
    expect(changedRows).toEqual([])
    // Everyone is still signed in as themselves: the refusals did not end a session either.
    for (const [role, b] of roles.slice(1)) expect((await b.get('/account')).statusCode, role).toBe(200)
    expect((await roles[0][1].get('/')).statusCode).toBe(200)
  }, 300_000)
})
