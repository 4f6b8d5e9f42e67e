import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { addOrg, addUser, Browser, makeApp, seedWorld, signedIn, type World } from '../../helpers/app.js'
import * as areas from '../../../src/areas/areas.js'

const PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(1)>",
  '{{constructor.constructor("alert(1)")()}}',
  '</textarea><script>alert(2)</script>',
  'javascript:alert(3)',
]
const NAME = PAYLOADS.slice(0, 2).join(' ')
const DESCRIPTION = PAYLOADS.join('\n')

let app: FastifyInstance
let world: World
let evilOrgId: number
let leader: Browser
let admin: Browser

beforeAll(async () => {
  app = await makeApp()
  world = await seedWorld(app)
  const evilArea = areas.create(app.db, null, {
    name: '<script>alert("area")</script>',
    parentId: world.streetA.id,
    nameEn: '"><img src=x onerror=alert(9)>',
  })
  const evilUser = await addUser(app, { email: 'evil@example.cn', name: '<script>alert("name")</script>' })
  leader = await signedIn(app, 'evil@example.cn')
  // Through the form, as an attacker would.
  const res = await leader.post('/orgs', {
    name: NAME,
    kind: 'community_group',
    areaId: String(evilArea.id),
    description: DESCRIPTION,
    focus: ['elderly'],
    contactPhone: '020 1234 5678',
  })
  expect(res.statusCode).toBe(303)
  evilOrgId = Number(res.headers.location!.split('/').pop())
  addOrg(app, evilUser.id, { name: 'second <b>bold</b>', areaId: evilArea.id })
  admin = await signedIn(app, world.admin.email)
})
afterAll(() => app.close())

/** No payload survives as markup: no tag from the payloads, no handler attribute, no template syntax evaluated. */
function expectInert(html: string, label: string) {
  expect(html, label).not.toMatch(/<script>alert|<img src=x|<svg onload|<\/textarea><script|<b>bold/i)
  expect(html, label).not.toMatch(/\sonerror=|\sonload=/i)
  expect(html, label).not.toMatch(/href="javascript:/i)
}

describe('stored XSS in organization, area and user names never comes back as markup', () => {
  const pages = (): { label: string; url: string; as: Browser; headers?: Record<string, string> }[] => [
    { label: 'org list', url: '/orgs', as: new Browser(app) },
    { label: 'org list fragment', url: '/orgs', as: new Browser(app), headers: { 'hx-request': 'true' } },
    { label: 'org search', url: `/orgs?q=${encodeURIComponent('<script>')}`, as: new Browser(app) },
    { label: 'org page', url: `/orgs/${evilOrgId}`, as: new Browser(app) },
    { label: 'org page fragment', url: `/orgs/${evilOrgId}`, as: new Browser(app), headers: { 'hx-request': 'true' } },
    { label: 'org edit form', url: `/orgs/${evilOrgId}/edit`, as: leader },
    { label: 'org edit fragment', url: `/orgs/${evilOrgId}/edit`, as: leader, headers: { 'hx-request': 'true' } },
    { label: 'home', url: '/', as: new Browser(app) },
    { label: 'areas', url: '/areas', as: new Browser(app) },
    { label: 'area page', url: `/areas/${world.streetA.id}`, as: new Browser(app) },
    {
      label: 'area page in English',
      url: `/areas/${world.streetA.id}`,
      as: new Browser(app),
      headers: { 'accept-language': 'en' },
    },
    {
      label: 'area fragment',
      url: `/areas/${world.streetA.id}`,
      as: new Browser(app),
      headers: { 'hx-request': 'true' },
    },
    { label: 'account', url: '/account', as: leader },
    { label: 'admin', url: '/admin', as: admin },
    { label: 'admin areas', url: '/admin/areas', as: admin },
  ]

  it('renders every page that shows them with the payloads escaped', async () => {
    for (const { label, url, as, headers } of pages()) {
      const res = await as.get(url, headers)
      expect(res.statusCode, label).toBe(200)
      expectInert(res.body, label)
    }
  })

  it('shows the escaped text (so the test is looking at the right place)', async () => {
    const page = (await new Browser(app).get(`/orgs/${evilOrgId}`)).body
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(page).toContain('&quot;&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;')
    expect(page).toContain('{{constructor.constructor(&quot;alert(1)&quot;)()}}')
    expect(page).toContain('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;')
    const list = (await new Browser(app).get('/orgs', { 'hx-request': 'true' })).body
    expect(list).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    const edit = (await leader.get(`/orgs/${evilOrgId}/edit`)).body
    expect(edit).toContain('&lt;/textarea&gt;&lt;script&gt;alert(2)&lt;/script&gt;')
  })

  it('escapes a query echoed back into the search box', async () => {
    const res = await new Browser(app).get(`/orgs?q=${encodeURIComponent('"><script>alert(5)</script>')}`)
    expect(res.body).not.toContain('<script>alert(5)')
    expect(res.body).toContain('value="&quot;&gt;&lt;script&gt;alert(5)&lt;/script&gt;"')
  })

  it('escapes a display name in the welcome flash', async () => {
    const b = new Browser(app)
    await b.signIn('evil@example.cn')
    const res = await b.get('/account')
    expect(res.body).toContain('<p class="flash" role="status">')
    expectInert(res.body, 'flash')
    expect(res.body).not.toContain('<script>alert("name")')
  })

  it('keeps a hostile next parameter out of the language link and the sign-in form', async () => {
    const next = '"><script>alert(7)</script>'
    const signin = await new Browser(app).get(`/signin?next=${encodeURIComponent(next)}`)
    expect(signin.body).not.toContain('<script>alert(7)')
    const orgs = await new Browser(app).get(`/orgs?x=${encodeURIComponent(next)}`)
    expect(orgs.body).not.toContain('<script>alert(7)')
    expect(orgs.body).toMatch(/href="\/locale\/en\?next=%2Forgs%3Fx%3D%2522%253E%253Cscript/)
  })
})
