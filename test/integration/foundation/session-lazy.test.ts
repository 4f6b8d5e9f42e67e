import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { Signer } from '@fastify/cookie'
import { addUser, Browser, count, csrfFrom, makeApp, type Res } from '../../helpers/app.js'

let app: FastifyInstance

beforeAll(async () => {
  app = await makeApp()
  await addUser(app, { email: 'alice@example.cn', name: 'Alice' })
})
afterAll(() => app.close())

const sidSet = (res: Res) => ([res.headers['set-cookie'] ?? []].flat() as string[]).some((l) => l.startsWith('sid='))

describe('a session is made only when a request needs one', () => {
  it('an anonymous page without a form signs no session id, sets no cookie and stores nothing', async () => {
    const sign = vi.spyOn(Signer.prototype, 'sign')
    try {
      const before = count(app, 'sessions')
      for (const url of ['/', '/needs', '/offers', '/orgs', '/no/such/page']) {
        const res = await app.inject({ url })
        expect(res.headers['set-cookie'], url).toBeUndefined()
      }
      expect(sign).not.toHaveBeenCalled()
      expect(count(app, 'sessions')).toBe(before)
      // The control: a form page does make (and sign) one.
      expect(sidSet(await app.inject({ url: '/signin' }))).toBe(true)
      expect(sign).toHaveBeenCalled()
    } finally {
      sign.mockRestore()
    }
  })

  it("a visitor's first form page carries a token that its POST accepts", async () => {
    const b = new Browser(app)
    const page = await b.get('/signin')
    expect(csrfFrom(page.body)).toBeDefined()
    const res = await b.post('/signin', { email: 'alice@example.cn', password: 'correct horse battery staple' })
    expect(res.statusCode).toBe(303)
    expect((await b.get('/account')).statusCode).toBe(200)
  })

  it('a cookieless write is refused as before, and leaves no session behind', async () => {
    const before = count(app, 'sessions')
    const res = await app.inject({
      method: 'POST',
      url: '/signin',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=alice%40example.cn&password=x',
    })
    expect(res.statusCode).toBe(403)
    expect(sidSet(res)).toBe(false)
    expect(count(app, 'sessions')).toBe(before)
  })

  it('a signed-in member is still known on a page without a form, and signing out ends the session', async () => {
    const b = new Browser(app)
    await b.signIn('alice@example.cn')
    const page = await b.get('/needs')
    expect(page.body).toContain('Alice')
    expect((await b.post('/signout')).statusCode).toBe(303)
    expect((await b.get('/account')).statusCode).toBe(303)
  })
})
