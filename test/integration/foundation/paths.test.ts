import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { makeApp } from '../../helpers/app.js'

let app: FastifyInstance
beforeAll(async () => {
  app = await makeApp()
})
afterAll(() => app.close())

describe('nothing outside public/ is served', () => {
  it.each([
    '/public/../package.json',
    '/public/%2e%2e/package.json',
    '/public/%2E%2E/%2E%2E/package.json',
    '/public/..%2fpackage.json',
    '/public/..%5cpackage.json',
    '/public/%252e%252e/package.json',
    '/public/vendor/../../package.json',
    '/public/.htaccess',
    '/public/.git/config',
    '/.git/config',
    '/.env',
    '/package.json',
    '/db/assetbridge.sqlite',
    '/src/config.ts',
    '/views/layouts/main.hbs',
    '/public/',
    '/public',
  ])('GET %s → 404 without file contents', async (url) => {
    const res = await app.inject({ url })
    expect(res.statusCode).toBe(404)
    expect(res.body).not.toContain('"dependencies"')
    expect(res.body).not.toContain('[core]')
    expect(res.body).not.toContain('{{{body}}}')
    expect(res.headers['content-type']).toMatch(/^text\/html/)
  })

  it('still serves the real static files', async () => {
    expect((await app.inject({ url: '/public/app.css' })).statusCode).toBe(200)
    const htmx = await app.inject({ url: '/public/vendor/htmx-2.0.11.min.js' })
    expect(htmx.statusCode).toBe(200)
    expect(htmx.headers['content-type']).toMatch(/javascript/)
  })

  it.each(['TRACE', 'CONNECT'])('%s / → 404 or 405, never an echo', async (method) => {
    const res = await app.inject({ method: method as 'GET', url: '/', headers: { 'x-secret': 'echo-me' } })
    expect([404, 405]).toContain(res.statusCode)
    expect(res.body).not.toContain('echo-me')
  })

  it('answers an unknown method on a known path without a 500', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH'] as const) {
      const res = await app.inject({ method, url: '/orgs' })
      expect([404, 405], method).toContain(res.statusCode)
    }
  })
})
