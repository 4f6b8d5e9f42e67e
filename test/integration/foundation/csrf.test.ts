import { beforeAll, afterAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { addUser, Browser, count, encodeForm, makeApp, signedIn } from '../../helpers/app.js'

// One app for the file: each check below is a refused write (nothing changes) or a settings save on its own user.
let app: FastifyInstance
let alice: Browser
let bob: Browser

beforeAll(async () => {
  app = await makeApp()
  await Promise.all([
    addUser(app, { email: 'alice@example.cn', name: 'Alice' }),
    addUser(app, { email: 'bob@example.cn', name: 'Bob' }),
  ])
  alice = await signedIn(app, 'alice@example.cn')
  bob = await signedIn(app, 'bob@example.cn')
})
afterAll(() => app.close())

const nameOf = (email: string) =>
  (app.sqlite.prepare('SELECT name FROM users WHERE email = ?').get(email) as { name: string }).name
const settings = (name: string) => ({ name, notify: 'digest' })

describe('cross-site request forgery', () => {
  it('refuses a POST without a token with 403 and changes nothing', async () => {
    const res = await alice.post('/account/settings', settings('Mallory'), { csrf: null })
    expect(res.statusCode).toBe(403)
    expect(res.body).toContain('页面已过期，请刷新后重试。')
    expect(nameOf('alice@example.cn')).toBe('Alice')
  })

  it('refuses a token minted for another session', async () => {
    const res = await alice.post('/account/settings', settings('Mallory'), { csrf: bob.csrf! })
    expect(res.statusCode).toBe(403)
    expect(nameOf('alice@example.cn')).toBe('Alice')
  })

  it('refuses a forged token', async () => {
    const res = await alice.post('/account/settings', settings('Mallory'), { csrf: `${alice.csrf}x` })
    expect(res.statusCode).toBe(403)
  })

  it('refuses a write from another origin even with a valid token', async () => {
    const res = await alice.post('/account/settings', settings('Mallory'), {
      headers: { origin: 'https://evil.example' },
    })
    expect(res.statusCode).toBe(403)
    const site = await alice.post('/account/settings', settings('Mallory'), {
      headers: { 'sec-fetch-site': 'cross-site' },
    })
    expect(site.statusCode).toBe(403)
    expect(nameOf('alice@example.cn')).toBe('Alice')
  })

  it('refuses a malformed Origin with 403, not a 500', async () => {
    for (const origin of ['not a url', 'http://', 'https://[::1']) {
      const res = await alice.post('/account/settings', settings('Mallory'), { headers: { origin } })
      expect(res.statusCode, origin).toBe(403)
    }
    expect(nameOf('alice@example.cn')).toBe('Alice')
  })

  it('refuses anonymous sign-up without a token (no session to hang a token on)', async () => {
    const before = count(app, 'users')
    const res = await new Browser(app).post('/signup', {
      name: 'X',
      email: 'x@example.cn',
      password: 'a long enough passphrase',
    })
    expect(res.statusCode).toBe(403)
    expect(count(app, 'users')).toBe(before)
  })

  it('accepts the form field, and the X-CSRF-Token header htmx sends', async () => {
    expect((await alice.post('/account/settings', settings('Alice A'))).statusCode).toBe(303)
    expect(nameOf('alice@example.cn')).toBe('Alice A')
    const res = await alice.request('POST', '/account/settings', {
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'hx-request': 'true',
        'x-csrf-token': alice.csrf!,
      },
      payload: encodeForm(settings('Alice H')),
    })
    expect(res.statusCode).toBe(204)
    expect(res.headers['hx-redirect']).toBe('/account')
    expect(nameOf('alice@example.cn')).toBe('Alice H')
  })

  it('accepts a same-origin Origin header', async () => {
    const res = await alice.post('/account/settings', settings('Alice O'), {
      headers: { host: 'assetbridge.example', origin: 'https://assetbridge.example' },
    })
    expect(res.statusCode).toBe(303)
    expect(nameOf('alice@example.cn')).toBe('Alice O')
  })

  it('puts the token in the page for htmx (hx-headers on body) and in every form', async () => {
    const res = await alice.get('/account')
    expect(res.body).toContain(`hx-headers='{"X-CSRF-Token":"${alice.csrf}"}'`)
    const forms = res.body.match(/<form method="post"[\s\S]*?<\/form>/g) ?? []
    expect(forms.length).toBeGreaterThanOrEqual(3)
    for (const form of forms) expect(form).toMatch(/name="_csrf" value="[^"]+"/)
  })
})
