import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { addUser, Browser, makeApp, PASSWORD } from '../../helpers/app.js'

let app: FastifyInstance
beforeAll(async () => {
  app = await makeApp()
  await addUser(app, { email: 'a@example.cn' })
})
afterAll(() => app.close())

describe('/locale/:lang', () => {
  it('remembers the choice in a cookie and goes back to the page', async () => {
    const b = new Browser(app)
    const res = await b.get('/locale/en?next=/orgs')
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/orgs')
    const cookie = String(res.headers['set-cookie'])
    expect(cookie).toMatch(/^lang=en;/)
    expect(cookie).toMatch(/Max-Age=31536000/)
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Lax/)
    const page = await b.get('/orgs')
    expect(page.body).toContain('<html lang="en">')
    expect(page.body).toContain('<h1>Organizations</h1>')
    // And back again.
    await b.get('/locale/zh-CN?next=/orgs')
    expect((await b.get('/orgs')).body).toContain('<html lang="zh-CN">')
  })

  it('offers the other language on every page, linking back to the same page', async () => {
    const zh = await new Browser(app).get('/orgs?kind=school')
    expect(zh.body).toContain('href="/locale/en?next=%2Forgs%3Fkind%3Dschool"')
    const en = await new Browser(app, { headers: { 'accept-language': 'en' } }).get('/areas')
    expect(en.body).toContain('href="/locale/zh-CN?next=%2Fareas"')
  })

  it.each([
    ['/orgs?kind=school', '/orgs?kind=school'],
    ['//evil.example', '/'],
    ['//evil.example/orgs', '/'],
    ['/\\evil.example', '/'],
    ['\\\\evil.example', '/'],
    ['https://evil.example/', '/'],
    ['javascript:alert(1)', '/'],
    ['evil.example', '/'],
    ['/\t/evil.example', '/'],
    ['/\n/evil.example', '/'],
    ['/\r\nSet-Cookie: sid=x', '/'],
    ['', '/'],
    ['/orgs?q=广场舞 队', '/orgs?q=%E5%B9%BF%E5%9C%BA%E8%88%9E%20%E9%98%9F'],
    ['/orgs?q=%E5%B9%BF', '/orgs?q=%E5%B9%BF'],
  ])('next=%j → %s', async (next, location) => {
    const res = await new Browser(app).get(`/locale/en?next=${encodeURIComponent(next)}`)
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(location)
  })

  it('refuses a language it does not have', async () => {
    const res = await new Browser(app).get('/locale/fr?next=/orgs')
    expect(res.statusCode).toBe(400)
    expect(res.headers['set-cookie']).toBeUndefined()
  })

  it('ignores a lang cookie it does not know and falls back to Accept-Language', async () => {
    const res = await app.inject({ url: '/', headers: { cookie: 'lang=xx', 'accept-language': 'en' } })
    expect(res.body).toContain('<html lang="en">')
    const zh = await app.inject({ url: '/', headers: { cookie: 'lang=__proto__' } })
    expect(zh.body).toContain('<html lang="zh-CN">')
  })

  it('applies the same rule to next after sign-in', async () => {
    for (const [next, location] of [
      ['/\t/evil.example', '/me'],
      ['/orgs', '/orgs'],
    ]) {
      const b = new Browser(app)
      await b.get('/signin')
      const res = await b.post('/signin', { email: 'a@example.cn', password: PASSWORD, next })
      expect(res.headers.location, JSON.stringify(next)).toBe(location)
    }
  })
})
