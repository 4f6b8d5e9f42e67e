import { describe, expect, it } from 'vitest'
import { addUser, appForTest, Browser, PASSWORD, type Res } from '../../helpers/app.js'

function cookieLines(res: Res): string[] {
  const raw = res.headers['set-cookie']
  return raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]
}

function attrs(line: string) {
  const [pair, ...rest] = line.split(';').map((s) => s.trim())
  const map = new Map(
    rest.map((a) => {
      const [k, ...v] = a.split('=')
      return [k.toLowerCase(), v.join('=')] as const
    }),
  )
  return {
    name: pair.slice(0, pair.indexOf('=')),
    value: pair.slice(pair.indexOf('=') + 1),
    has: (k: string) => map.has(k),
    get: (k: string) => map.get(k),
  }
}

/** Every Set-Cookie a sign-in journey produces: the form, the sign-in itself, the flash, a language choice. */
async function journey(app: Awaited<ReturnType<typeof appForTest>>, headers: Record<string, string> = {}) {
  const b = new Browser(app, { headers })
  const lines: string[] = []
  const collect = (res: Res) => {
    lines.push(...cookieLines(res))
    return res
  }
  collect(await b.get('/signin'))
  const signIn = collect(await b.post('/signin', { email: 'a@example.cn', password: PASSWORD }))
  expect(signIn.statusCode).toBe(303)
  collect(await b.get('/account'))
  collect(await b.get('/locale/en?next=/'))
  // Deletions (an emptied flash) carry no value to protect.
  return lines.map(attrs).filter((c) => c.value !== '')
}

describe('cookies', () => {
  it('on plain http: the session cookie is HttpOnly, SameSite=Lax, Path=/ and has no Domain', async () => {
    const app = await appForTest()
    await addUser(app, { email: 'a@example.cn' })
    const cookies = await journey(app)
    const sessions = cookies.filter((c) => c.name === 'sid')
    expect(sessions.length).toBeGreaterThanOrEqual(2)
    for (const c of cookies) {
      expect(c.has('httponly'), c.name).toBe(true)
      expect(c.get('samesite')?.toLowerCase(), c.name).toBe('lax')
      expect(c.get('path'), c.name).toBe('/')
      expect(c.has('domain'), c.name).toBe(false)
    }
    // At least 128 bits of randomness in the id (24 random bytes, base64url).
    const id = decodeURIComponent(sessions.at(-1)!.value).split('.')[0]
    expect(id).toMatch(/^[A-Za-z0-9_-]{32,}$/)
  })

  it('with secureCookies behind a TLS proxy: __Host-sid, Secure, and every other cookie Secure too', async () => {
    const app = await appForTest({ secureCookies: true, trustProxy: '127.0.0.1' })
    await addUser(app, { email: 'a@example.cn' })
    const cookies = await journey(app, { 'x-forwarded-proto': 'https' })
    const sessions = cookies.filter((c) => c.name === '__Host-sid')
    expect(sessions.length).toBeGreaterThanOrEqual(2)
    expect(cookies.some((c) => c.name === 'sid')).toBe(false)
    for (const c of cookies) {
      expect(c.has('secure'), c.name).toBe(true)
      expect(c.has('httponly'), c.name).toBe(true)
      expect(c.get('path'), c.name).toBe('/')
      expect(c.has('domain'), c.name).toBe(false)
    }
  })

  it('with secureCookies, HSTS for a year including subdomains; without, none', async () => {
    const secure = await appForTest({ secureCookies: true, trustProxy: '127.0.0.1' })
    const res = await secure.inject({ url: '/', headers: { 'x-forwarded-proto': 'https' } })
    expect(res.headers['strict-transport-security']).toMatch(/max-age=31536000; includeSubDomains/)
    expect(res.headers['content-security-policy']).toMatch(/upgrade-insecure-requests/)
    const plain = await appForTest()
    expect((await plain.inject({ url: '/' })).headers['strict-transport-security']).toBeUndefined()
  })

  it('does not trust X-Forwarded-* from an address that is not the configured proxy', async () => {
    const app = await appForTest({ secureCookies: true, trustProxy: '127.0.0.1' })
    await addUser(app, { email: 'a@example.cn' })
    // A client pretending to be behind TLS and to come from elsewhere: neither claim is believed.
    const b = new Browser(app, {
      remoteAddress: '203.0.113.9',
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.1' },
    })
    const res = await b.get('/signin')
    expect(cookieLines(res).some((l) => l.startsWith('__Host-sid='))).toBe(false)
  })

  it('gives an anonymous visitor no session until a form needs one', async () => {
    const app = await appForTest()
    for (const url of ['/', '/orgs', '/areas']) expect(cookieLines(await app.inject({ url })), url).toEqual([])
    expect(cookieLines(await app.inject({ url: '/signin' })).some((l) => l.startsWith('sid='))).toBe(true)
  })
})
