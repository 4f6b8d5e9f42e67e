import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { FastifyInstance, RouteOptions } from 'fastify'
import { buildApp } from '../../../src/app.js'
import { testConfig } from '../../../src/config.js'
import type { Access } from '../../../src/types.js'
import { accessOf, isStatic, methodsOf, registered } from '../../helpers/routes.js'
import { Browser, seedWorld, signedIn, type Res, type World } from '../../helpers/app.js'

vi.mock('fastify', async (importOriginal) =>
  (await import('../../helpers/routes.js')).collectingFastify(await importOriginal()),
)

let app: FastifyInstance
let routes: RouteOptions[]
let world: World
let visitor: Browser
let member: Browser
let broker: Browser
let admin: Browser

beforeAll(async () => {
  app = await buildApp(testConfig({ dbPath: ':memory:' }))
  // A handler that fails, to see what a 500 looks like from outside.
  app.get('/__boom', { config: { access: 'anyone' } }, async () => {
    throw new Error('SQLITE_CONSTRAINT secret-table detail')
  })
  await app.ready()
  routes = registered.filter((r) => !isStatic(r) && r.url !== '/__boom')
  world = await seedWorld(app)
  visitor = new Browser(app)
  ;[member, broker, admin] = await Promise.all([
    signedIn(app, world.member.email),
    signedIn(app, world.broker.email),
    signedIn(app, world.admin.email),
  ])
})
afterAll(() => app.close())

const someoneAllowed = (access: Access): Browser =>
  ({ anyone: visitor, signed_in: member, broker, staff: broker, admin })[access]
const concrete = (url: string) =>
  url
    .replace(/:lang\b/, 'en')
    .replace(/:[A-Za-z]+/g, () => String(world.orgA.id))
    .replace(/\*/g, 'x')

/** Every GET route that answers an HTML page to someone allowed to see it. */
async function pageRoutes() {
  const pages: { url: string; as: Browser }[] = []
  // /locale/:lang only redirects (and would leave a language cookie behind).
  for (const r of routes.filter((r) => methodsOf(r).includes('GET') && !r.url.startsWith('/locale/'))) {
    const url = concrete(r.url)
    const as = someoneAllowed(accessOf(r)!)
    const res = await as.get(url)
    if (res.statusCode === 200 && String(res.headers['content-type']).startsWith('text/html')) pages.push({ url, as })
  }
  return pages
}

describe('htmx: one URL, two faces', () => {
  it('answers the full page, the fragment for hx-request, and the full page again for a history restore', async () => {
    const pages = await pageRoutes()
    const foundation = [
      '/',
      '/orgs',
      `/orgs/${world.orgA.id}`,
      `/orgs/${world.orgA.id}/edit`,
      '/areas',
      `/areas/${world.orgA.id}`,
      '/signin',
      '/signup',
      '/account',
      '/orgs/new',
      '/admin',
      '/admin/areas',
    ]
    for (const expected of foundation) expect(pages.map((p) => p.url)).toContain(expected)
    for (const { url, as } of pages) {
      const full = await as.get(url)
      expect(full.body, `${url} full`).toMatch(/^<!doctype html>\s*<html/)
      expect(full.headers.vary, url).toMatch(/HX-Request/)

      const fragment = await as.get(url, { 'hx-request': 'true' })
      expect(fragment.statusCode, `${url} fragment`).toBe(200)
      expect(fragment.body, `${url} fragment`).not.toMatch(/<html|<body|<head/)
      // (A slice's fragment may be legitimately empty, e.g. search results before a query.)
      if (foundation.includes(url)) expect(fragment.body.trim().length, `${url} fragment`).toBeGreaterThan(0)
      expect(fragment.headers.vary, url).toMatch(/HX-Request/)

      const restore = await as.get(url, { 'hx-request': 'true', 'hx-history-restore-request': 'true' })
      expect(restore.body, `${url} restore`).toMatch(/^<!doctype html>\s*<html/)
      const boosted = await as.get(url, { 'hx-request': 'true', 'hx-boosted': 'true' })
      expect(boosted.body, `${url} boosted`).toMatch(/^<!doctype html>\s*<html/)
    }
  })

  it('swaps exactly what the page includes: the org list fragment is the #orgs-list content', async () => {
    const full = await visitor.get('/orgs')
    const fragment = await visitor.get('/orgs', { 'hx-request': 'true' })
    const inner = full.body.match(/<div id="orgs-list">([\s\S]*)<\/div>\s*<\/main>/)?.[1]
    expect(inner).toBeDefined()
    expect(fragment.body.trim()).toBe(inner!.trim())
    expect(fragment.body).toContain(world.orgA.name)
  })

  it('answers errors to htmx as fragments too (404, 403, 422)', async () => {
    const notFound = await visitor.get('/orgs/999999', { 'hx-request': 'true' })
    expect(notFound.statusCode).toBe(404)
    expect(notFound.body).not.toMatch(/<html/)
    expect(notFound.body).toContain('id="error-message"')
    const forbidden = await member.get('/admin', { 'hx-request': 'true' })
    expect(forbidden.statusCode).toBe(403)
    expect(forbidden.body).not.toMatch(/<html/)
    const invalid = await member.post('/orgs', { name: '' }, { headers: { 'hx-request': 'true' } })
    expect(invalid.statusCode).toBe(422)
    expect(invalid.body).toMatch(/^<form[^>]+id="org-form"/)
    expect(invalid.body).not.toMatch(/<html/)
  })
})

function expectSecurityHeaders(res: Res, label: string) {
  const csp = String(res.headers['content-security-policy'] ?? '')
  expect(csp, label).not.toBe('')
  const directives = Object.fromEntries(
    csp
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [k, ...v] = d.split(/\s+/)
        return [k, v.join(' ')]
      }),
  )
  expect(csp, label).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|\*/)
  expect(directives['object-src'], label).toBe("'none'")
  expect(directives['base-uri'], label).toBe("'none'")
  expect(directives['frame-ancestors'], label).toBe("'none'")
  expect(directives['script-src'], label).toBe("'self'")
  expect(directives['default-src'], label).toBe("'self'")
  expect(res.headers['x-content-type-options'], label).toBe('nosniff')
  expect(res.headers['referrer-policy'], label).toMatch(
    /^(same-origin|no-referrer|strict-origin(-when-cross-origin)?)$/,
  )
  expect(res.headers['x-powered-by'], label).toBeUndefined()
}

describe('security headers on every kind of response', () => {
  it.each([
    ['a page', () => visitor.get('/'), 200],
    ['a fragment', () => visitor.get('/orgs', { 'hx-request': 'true' }), 200],
    ['a 404', () => visitor.get('/no/such/page'), 404],
    ['a static file', () => visitor.get('/public/app.css'), 200],
    ['a redirect', () => visitor.get('/account'), 303],
    ['a 403', () => member.get('/admin'), 403],
    ['a 500', () => visitor.get('/__boom'), 500],
    ['an authenticated page', () => member.get('/account'), 200],
  ] as const)('%s', async (label, fetch, status) => {
    const res = await fetch()
    expect(res.statusCode).toBe(status)
    expectSecurityHeaders(res, label)
  })

  it('keeps the details of a 500 out of the page', async () => {
    const res = await visitor.get('/__boom')
    expect(res.body).not.toContain('secret-table')
    expect(res.body).not.toContain('SQLITE')
    expect(res.body).not.toMatch(/at .*\.ts:\d+/)
    expect(res.body).toContain('服务器出了点问题')
  })

  it('marks every authenticated page no-store', async () => {
    const signedInPages = routes
      .filter((r) => methodsOf(r).includes('GET') && accessOf(r) !== 'anyone')
      .map((r) => ({ url: concrete(r.url), as: someoneAllowed(accessOf(r)!) }))
    expect(signedInPages.length).toBeGreaterThan(2)
    for (const { url, as } of [
      ...signedInPages,
      { url: '/', as: member },
      { url: '/orgs', as: member },
      { url: `/orgs/${world.orgA.id}`, as: member },
    ]) {
      const res = await as.get(url)
      expect(res.headers['cache-control'], url).toMatch(/no-store/)
    }
  })

  it('serves HTML as UTF-8 and static files with a cache lifetime', async () => {
    expect((await visitor.get('/')).headers['content-type']).toBe('text/html; charset=utf-8')
    const css = await visitor.get('/public/app.css')
    expect(css.headers['content-type']).toMatch(/^text\/css/)
    expect(css.headers['cache-control']).toMatch(/max-age=\d+/)
  })
})
