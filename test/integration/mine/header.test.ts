import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as events from '../../../src/events/events.js'
import * as needs from '../../../src/needs/needs.js'
import { Browser, makeApp, seedWorld, signedIn, type World } from '../../helpers/app.js'

let app: FastifyInstance
let w: World
beforeAll(async () => {
  app = await makeApp()
  w = await seedWorld(app)
})
afterAll(async () => {
  await app?.close()
})

const titleOf = (html: string) => html.match(/<title>([^<]*)<\/title>/)?.[1]
const nav = (html: string) => html.slice(html.indexOf('<nav class="nav"'), html.indexOf('</nav>'))

describe('the header', () => {
  it("groups a broker's links into sections inside one <details> menu, and a member's into fewer", async () => {
    const broker = await signedIn(app, w.broker.email)
    const staff = nav((await broker.get('/needs')).body)
    expect(staff).toMatch(/<details class="nav-menu">\s*<summary>/)
    expect(staff.match(/class="nav-group/g)).toHaveLength(3)
    const work = staff.slice(staff.indexOf('nav-group nav-work'), staff.indexOf('nav-group nav-me'))
    for (const href of ['/desk', '/allocations', '/reports', '/ledger']) expect(work).toContain(`href="${href}"`)
    expect(staff.slice(staff.indexOf('nav-group nav-me'))).toContain('href="/me"')
    const member = await signedIn(app, w.member.email)
    const own = nav((await member.get('/needs')).body)
    expect(own).not.toContain('nav-work')
    expect(own).not.toContain('href="/desk"')
    expect(own).toContain('href="/me"')
  })

  it('gives every page its own <title>', async () => {
    const member = await signedIn(app, w.member.email)
    const need = needs.post(app.db, w.member, {
      orgId: w.orgA.id,
      category: 'venue',
      title: '标题测试排练场地',
      quantity: 2,
      areaId: w.communityA.id,
    })
    const pages = [
      '/',
      '/needs',
      '/offers',
      '/orgs',
      '/areas',
      '/map',
      '/search',
      '/me',
      '/matches',
      '/inbox',
      '/account',
      '/needs/new',
      '/offers/new',
      '/orgs/new',
      `/needs/${need.id}`,
      `/orgs/${w.orgA.id}`,
    ]
    const titles = new Map<string, string>()
    for (const url of pages) {
      const res = await member.get(url)
      expect(res.statusCode, url).toBe(200)
      const title = titleOf(res.body)!
      expect(title, url).toMatch(/^.+ · 社区资源桥$/)
      titles.set(url, title)
    }
    expect(new Set(titles.values()).size).toBe(pages.length)
    expect(titles.get(`/needs/${need.id}`)).toBe('标题测试排练场地 · 社区资源桥')
    expect(titles.get(`/orgs/${w.orgA.id}`)).toBe('荔枝湾广场舞队 · 社区资源桥')
    expect(titleOf((await new Browser(app).get('/signin', { 'accept-language': 'en' })).body)).toBe(
      'Sign in · AssetBridge',
    )
  })
})

describe('the admin log', () => {
  it('shows actions in words, newest first by time, each subject linked', async () => {
    const at = (iso: string) => new Date(iso)
    events.record(
      app.db,
      { actorId: w.member.id, action: 'need.closed', subjectType: 'need', subjectId: 41 },
      at('2026-03-02T08:00:00Z'),
    )
    events.record(
      app.db,
      { actorId: w.member.id, action: 'need.posted', subjectType: 'need', subjectId: 41 },
      at('2026-03-01T08:00:00Z'),
    )
    events.record(
      app.db,
      { actorId: null, action: 'some.new_thing', subjectType: 'organization', subjectId: w.orgA.id },
      at('2026-03-03T08:00:00Z'),
    )
    const admin = await signedIn(app, w.admin.email)
    const page = (await admin.get('/admin')).body
    const rows = (page.slice(page.lastIndexOf('<table')).match(/<tr><td>[\s\S]*?<\/tr>/g) ?? []).filter((r) =>
      /2026-03-0[123]/.test(r),
    )
    expect(rows).toHaveLength(3)
    expect(rows[0]).toContain('some.new_thing')
    expect(rows[0]).toContain(`<a href="/orgs/${w.orgA.id}">组织 #${w.orgA.id}</a>`)
    expect(rows[1]).toContain('关闭了需求')
    expect(rows[1]).toContain('<a href="/needs/41">需求 #41</a>')
    expect(rows[2]).toContain('发布了需求')
    expect(rows[2]).not.toContain('need.posted')
    const en = (await admin.get('/admin', { 'accept-language': 'en' })).body
    expect(en).toContain('posted a need')
  })
})
