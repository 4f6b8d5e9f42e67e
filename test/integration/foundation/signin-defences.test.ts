import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import { events, users } from '../../../src/db/schema.js'
import {
  addUser,
  appForTest,
  Browser,
  count,
  makeApp,
  PASSWORD,
  signUpThroughEmail,
  type Res,
} from '../../helpers/app.js'

/** A response with everything per-session (CSRF tokens) and the echoed address taken out. */
function comparable(res: Res, email: string, token: string | undefined) {
  let body = res.body.split(email).join('EMAIL')
  if (token) body = body.split(token).join('TOKEN')
  return { status: res.statusCode, body }
}

async function failedSignIn(app: Parameters<typeof addUser>[0], email: string, password: string) {
  const b = new Browser(app)
  await b.get('/signin')
  const res = await b.post('/signin', { email, password })
  return comparable(res, email, b.csrf)
}

describe('sign-in does not tell accounts apart', () => {
  it('answers an unknown account exactly like a wrong password', async () => {
    const app = await appForTest()
    await addUser(app, { email: 'known@example.cn' })
    const unknown = await failedSignIn(app, 'nobody@example.cn', 'some wrong password')
    const wrong = await failedSignIn(app, 'known@example.cn', 'some wrong password')
    expect(unknown.status).toBe(401)
    expect(wrong).toEqual(unknown)
    expect(wrong.body).toContain('邮箱或密码不正确。')
    // Both failures are recorded, the unknown one without an actor.
    const failed = app.db.select().from(events).where(eq(events.action, 'auth.sign_in_failed')).all()
    expect(failed).toHaveLength(2)
  })
})

describe('per-account-and-address back-off', () => {
  it('slows repeated bad passwords with 429 and Retry-After, but the right password from another address still works', async () => {
    const app = await appForTest()
    await addUser(app, { email: 'leader@example.cn', name: 'Leader' })
    const attacker = new Browser(app, { remoteAddress: '203.0.113.7' })
    await attacker.get('/signin')
    const statuses: number[] = []
    let throttled: Res | undefined
    for (let i = 0; i < 12 && !throttled; i++) {
      const res = await attacker.post('/signin', { email: 'leader@example.cn', password: `wrong guess number ${i}` })
      statuses.push(res.statusCode)
      if (res.statusCode === 429) throttled = res
    }
    // The first five failures are free; the back-off starts after them.
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
    expect(throttled, `statuses: ${statuses}`).toBeDefined()
    expect(Number(throttled!.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(throttled!.body).toMatch(/尝试次数过多，请 \d+ 秒后再试。/)
    // While backing off, even the right password from that address is refused...
    const same = await attacker.post('/signin', { email: 'leader@example.cn', password: PASSWORD })
    expect(same.statusCode).toBe(429)
    // ...but the leader, elsewhere, is not locked out.
    const leader = new Browser(app, { remoteAddress: '198.51.100.20' })
    expect((await leader.signIn('leader@example.cn')).statusCode).toBe(303)
  })

  it('counts failures per address: another address starts from zero', async () => {
    const app = await appForTest()
    await addUser(app, { email: 'leader@example.cn' })
    app.sqlite
      .prepare('INSERT INTO login_throttle (email, failures, last_failure_at) VALUES (?, ?, ?)')
      .run('leader@example.cn|203.0.113.7', 10, Date.now())
    const blocked = new Browser(app, { remoteAddress: '203.0.113.7' })
    const res = await blocked.signIn('leader@example.cn')
    expect(res.statusCode).toBe(429)
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(30)
    expect((await new Browser(app, { remoteAddress: '203.0.113.8' }).signIn('leader@example.cn')).statusCode).toBe(303)
  })
})

describe('per-address rate limit', () => {
  it('answers the 21st sign-in attempt in a minute from one address with 429, in the page language', async () => {
    const app = await appForTest()
    const b = new Browser(app, { remoteAddress: '203.0.113.50' })
    await b.get('/signin')
    // Blank forms: refused before any password check, so this costs no hashing.
    for (let i = 0; i < 20; i++) expect((await b.post('/signin', {})).statusCode).toBe(422)
    const res = await b.post('/signin', {}, { headers: { 'accept-language': 'en' } })
    expect(res.statusCode).toBe(429)
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
    expect(res.body).toContain('Too many')
    // Another address is not affected.
    const other = new Browser(app, { remoteAddress: '203.0.113.51' })
    await other.get('/signin')
    expect((await other.post('/signin', {})).statusCode).toBe(422)
  })
})

describe('password rules', () => {
  // One app for the rules: each case signs up its own address, so the cases cannot see each other.
  let app: FastifyInstance
  beforeAll(async () => {
    app = await makeApp({ rateLimits: false })
  })
  afterAll(() => app.close())
  let n = 0

  async function signUp(password: string) {
    const email = `someone${++n}@example.cn`
    const before = count(app, 'users')
    const { started } = await signUpThroughEmail(app, { name: 'Someone', email, password })
    return { res: started, added: count(app, 'users') - before, email }
  }

  it.each([
    { label: '11 characters', password: 'abcdefghij1', status: 422 },
    // (abcdefghij12 would be refused now: an alphabet run padded with digits is on the breach list.)
    { label: '12 characters', password: 'lychee bay 7', status: 200 },
    { label: '128 characters', password: 'x'.repeat(120) + 'abcdefgh', status: 200 },
    { label: '129 characters', password: 'y'.repeat(121) + 'abcdefgh', status: 422 },
    { label: 'password1234', password: 'password1234', status: 422 },
    { label: 'qwertyuiop123', password: 'qwertyuiop123', status: 422 },
    { label: 'P@ssw0rd2026 (leet and a year)', password: 'P@ssw0rd2026', status: 422 },
    { label: 'Qwerty123456! (digits and a symbol)', password: 'Qwerty123456!', status: 422 },
    { label: 'passwordpassword (repeated)', password: 'passwordpassword', status: 422 },
    { label: 'a strong random one', password: 'mK8#vQ2!pLx9', status: 200 },
    { label: 'unicode and spaces', password: '我爱我家 但这是一句很长的话', status: 200 },
  ])('$label → $status', async ({ password, status }) => {
    const { res, added } = await signUp(password)
    expect(res.statusCode).toBe(status)
    expect(added).toBe(status === 200 ? 1 : 0)
    if (status === 422) expect(res.body).toMatch(/<p class="field-error" id="e-password">[^<]+<\/p>/)
  })

  it('stores Argon2id with m=19456,t=2,p=1 in the PHC string', async () => {
    const { email } = await signUp('a perfectly fine passphrase')
    const { passwordHash } = app.db
      .select({ passwordHash: users.passwordHash })
      .from(users)
      .where(eq(users.email, email))
      .get()!
    expect(passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/)
    expect(passwordHash).not.toContain('a perfectly fine passphrase')
  })
})
