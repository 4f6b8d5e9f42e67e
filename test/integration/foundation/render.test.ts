import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { templates } from '../../../src/plugins/view.js'
import { buildApp } from '../../../src/app.js'
import { ROOT, testConfig } from '../../../src/config.js'

let app: FastifyInstance

beforeAll(async () => {
  app = await buildApp(testConfig({ dbPath: ':memory:' }))
  // What unread.ts and reports/nav.ts do: add to every page through reply.locals.
  app.get('/__render', { config: { access: 'anyone' } }, async (_req, reply) => {
    reply.locals = { ...reply.locals, message: 'from locals', title: 'Locals title' }
    return reply.render('error', { title: 'Route title' })
  })
  app.get('/__missing', { config: { access: 'anyone' } }, async (_req, reply) => reply.render('no/such/page'))
  await app.ready()
})
afterAll(() => app.close())

describe('reply.render', () => {
  it('renders the page inside the layout, with reply.locals merged in and the route data winning', async () => {
    const res = await app.inject({ url: '/__render' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(res.body).toMatch(/^<!doctype html>/)
    expect(res.body).toContain('<title>Route title · ')
    expect(res.body).toContain('<div class="notice error" role="alert" id="error-message"><p>from locals</p></div>')
  })

  it('answers htmx with the partial alone', async () => {
    const res = await app.inject({ url: '/__render', headers: { 'hx-request': 'true' } })
    expect(res.body).not.toMatch(/<html/)
    expect(res.body).toContain('<h1>')
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
  })

  it('answers a page with no template as a 500 error page, never a crash', async () => {
    const res = await app.inject({ url: '/__missing' })
    expect(res.statusCode).toBe(500)
    expect(res.body).toContain('<html')
    expect(res.body).not.toContain('no/such/page')
  })
})

describe('templates', () => {
  it('reads every template under views/ at start-up and answers each by its path', () => {
    const template = templates(path.join(ROOT, 'views'))
    const pages = fs
      .readdirSync(path.join(ROOT, 'views'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.hbs'))
    expect(pages.length).toBeGreaterThan(50)
    for (const file of pages) expect(typeof template(file), file).toBe('function')
    expect(() => template('pages/no-such.hbs')).toThrow(/no template/)
  })

  it('compiles nothing from a file changed after start-up (templates are the ones read at boot)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'views-'))
    try {
      fs.mkdirSync(path.join(dir, 'partials', 'shared'), { recursive: true })
      fs.mkdirSync(path.join(dir, 'pages'))
      fs.writeFileSync(path.join(dir, 'partials', 'shared', 'hi.hbs'), 'hi {{who}}')
      fs.writeFileSync(path.join(dir, 'pages', 'p.hbs'), '[{{> shared/hi}}]')
      const template = templates(dir)
      fs.writeFileSync(path.join(dir, 'pages', 'p.hbs'), '{{{who}}}')
      expect(template('pages/p.hbs')({ who: '<b>' })).toBe('[hi &lt;b&gt;]')
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
