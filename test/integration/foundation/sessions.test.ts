import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { eq } from 'drizzle-orm'
import { sessions, users } from '../../../src/db/schema.js'
import {
  addUser,
  appForTest,
  Browser,
  count,
  linkToken,
  PASSWORD,
  SID,
  signedIn,
  signUpThroughEmail,
} from '../../helpers/app.js'

/** The session id inside the signed cookie value `<id>.<signature>`. */
const sidOf = (b: Browser) => decodeURIComponent(b.cookie(SID) ?? '').split('.')[0]

/** Date alone is faked (timers stay real): the session store reads the time from it. */
function fakeClock() {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() })
  onTestFinished(() => {
    vi.useRealTimers()
  })
  return { advance: (ms: number) => vi.setSystemTime(Date.now() + ms) }
}

async function expectAnonymous(b: Browser) {
  const res = await b.get('/account')
  expect(res.statusCode).toBe(303)
  expect(res.headers.location).toBe('/signin?next=%2Faccount')
}

async function expectSignedInAs(b: Browser, name: string) {
  const res = await b.get('/account')
  expect(res.statusCode).toBe(200)
  expect(res.body).toContain(name)
}

describe('sign up, sign in, sign out', () => {
  it('signs a new account up through the emailed link, signs it in, and stores a member with an Argon2id hash', async () => {
    const app = await appForTest()
    const b = new Browser(app)
    await b.get('/signup')
    const res = await b.post('/signup', {
      name: '张阿姨',
      email: 'Zhang@Example.CN',
      password: PASSWORD,
      role: 'admin',
    })
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('请查收邮件')
    // No account until the link is followed.
    expect(count(app, 'users')).toBe(0)
    const token = linkToken(app, 'zhang@example.cn', '/signup/confirm')!
    const form = await b.get(`/signup/confirm?token=${token}`)
    expect(form.statusCode).toBe(200)
    expect(form.headers['referrer-policy']).toBe('no-referrer')
    expect(form.body).toContain('zhang@example.cn')
    const done = await b.post('/signup/confirm', { token, password: PASSWORD })
    expect(done.statusCode).toBe(303)
    expect(done.headers.location).toBe('/orgs/new')
    await expectSignedInAs(b, '张阿姨')
    const row = app.db.select().from(users).where(eq(users.email, 'zhang@example.cn')).get()!
    expect(row.role).toBe('member')
    expect(row.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
  })

  it('never makes a second account for the same address, whatever its case', async () => {
    const app = await appForTest()
    await addUser(app, { email: 'taken@example.cn' })
    const { started } = await signUpThroughEmail(app, { name: 'X', email: 'TAKEN@example.cn', password: PASSWORD })
    expect(started.statusCode).toBe(200)
    expect(count(app, 'users')).toBe(1)
    expect(count(app, 'signups')).toBe(0)
  })

  it('gives a new session id on sign-in, and the pre-sign-in id stays anonymous (fixation)', async () => {
    const app = await appForTest()
    await addUser(app, { email: 'a@example.cn', name: 'Alice' })
    const b = new Browser(app)
    await b.get('/signin')
    const before = b.cookie(SID)
    expect(before).toBeTruthy()
    const res = await b.post('/signin', { email: 'a@example.cn', password: PASSWORD })
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/me')
    expect(b.cookie(SID)).not.toBe(before)
    expect(sidOf(b)).not.toBe(decodeURIComponent(before!).split('.')[0])
    await expectSignedInAs(b, 'Alice')

    const attacker = new Browser(app)
    attacker.jar.set(SID, before!)
    await expectAnonymous(attacker)
  })

  it('follows a same-site next after sign-in but never an outside one', async () => {
    const app = await appForTest()
    await addUser(app, { email: 'a@example.cn' })
    const b = new Browser(app)
    await b.get('/signin?next=/orgs')
    expect(
      (await b.post('/signin', { email: 'a@example.cn', password: PASSWORD, next: '/orgs' })).headers.location,
    ).toBe('/orgs')
    const c = new Browser(app)
    await c.get('/signin')
    expect(
      (await c.post('/signin', { email: 'a@example.cn', password: PASSWORD, next: '//evil.example/x' })).headers
        .location,
    ).toBe('/me')
  })

  it('ends the session on sign-out: the old cookie is anonymous afterwards', async () => {
    const app = await appForTest()
    await addUser(app, { email: 'a@example.cn' })
    const b = await signedIn(app, 'a@example.cn')
    const cookie = b.cookie(SID)!
    const res = await b.post('/signout')
    expect(res.statusCode).toBe(303)
    expect(count(app, 'sessions')).toBe(0)
    const replay = new Browser(app)
    replay.jar.set(SID, cookie)
    await expectAnonymous(replay)
  })
})

describe('password change', () => {
  it('needs the right current password: a wrong one is 403 with the form re-rendered and the hash unchanged', async () => {
    const app = await appForTest()
    const u = await addUser(app, { email: 'a@example.cn' })
    const b = await signedIn(app, 'a@example.cn')
    const hashBefore = app.db.select().from(users).where(eq(users.id, u.id)).get()!.passwordHash
    const res = await b.post('/account/password', {
      currentPassword: 'not my password at all',
      newPassword: 'a brand new passphrase',
      endOthers: 'yes',
    })
    expect(res.statusCode).toBe(403)
    expect(res.body).toContain('id="password-form"')
    expect(res.body).toMatch(
      /id="f-currentPassword"[\s\S]*?<p class="field-error" id="e-currentPassword">当前密码不正确。<\/p>/,
    )
    expect(app.db.select().from(users).where(eq(users.id, u.id)).get()!.passwordHash).toBe(hashBefore)
  })

  it('with the right one, changes it and ends the other sessions but keeps this one', async () => {
    const app = await appForTest()
    await addUser(app, { email: 'a@example.cn', name: 'Alice' })
    const here = await signedIn(app, 'a@example.cn')
    const elsewhere = await signedIn(app, 'a@example.cn', PASSWORD, { remoteAddress: '10.0.0.9' })
    const res = await here.post('/account/password', {
      currentPassword: PASSWORD,
      newPassword: 'a brand new passphrase',
      endOthers: 'yes',
    })
    expect(res.statusCode).toBe(303)
    await expectSignedInAs(here, 'Alice')
    await expectAnonymous(elsewhere)
    // The new password works and the old one no longer does.
    expect((await new Browser(app).signIn('a@example.cn', 'a brand new passphrase')).statusCode).toBe(303)
    expect((await new Browser(app).signIn('a@example.cn', PASSWORD)).statusCode).toBe(401)
  })
})

describe('session lifetime', () => {
  it('ends every session of an account an admin disables', async () => {
    const app = await appForTest()
    const victim = await addUser(app, { email: 'v@example.cn', name: 'Victim' })
    await addUser(app, { email: 'boss@example.cn', role: 'admin' })
    const v = await signedIn(app, 'v@example.cn')
    const admin = await signedIn(app, 'boss@example.cn')
    const res = await admin.post(`/admin/users/${victim.id}/disabled`, { disabled: '1' })
    expect(res.statusCode).toBe(303)
    expect(app.db.select().from(sessions).where(eq(sessions.userId, victim.id)).all()).toHaveLength(0)
    await expectAnonymous(v)
    // And the account cannot sign in again.
    expect((await new Browser(app).signIn('v@example.cn')).statusCode).toBe(401)
  })

  it('logs out after the idle timeout, enforced on the server', async () => {
    const app = await appForTest({ sessionIdleMinutes: 30 })
    await addUser(app, { email: 'a@example.cn', name: 'Alice' })
    const b = await signedIn(app, 'a@example.cn')
    const clock = fakeClock()
    // 29 minutes idle is still fine...
    clock.advance(29 * 60_000)
    await expectSignedInAs(b, 'Alice')
    // ...and counts from that request: 31 minutes after it is not, and the row is gone.
    clock.advance(31 * 60_000)
    await expectAnonymous(b)
    expect(count(app, 'sessions')).toBe(0)
  })

  it('keeps signed in someone who makes a request every 40 s under a one-minute setting', async () => {
    const app = await appForTest({ sessionIdleMinutes: 1 })
    await addUser(app, { email: 'a@example.cn', name: 'Alice' })
    const b = await signedIn(app, 'a@example.cn')
    const clock = fakeClock()
    for (let i = 0; i < 6; i++) {
      clock.advance(40_000)
      await expectSignedInAs(b, 'Alice')
    }
    clock.advance(61_000)
    await expectAnonymous(b)
  })

  it('logs out after the absolute lifetime even when active', async () => {
    const app = await appForTest({ sessionMaxHours: 12 })
    await addUser(app, { email: 'a@example.cn' })
    const b = await signedIn(app, 'a@example.cn')
    app.sqlite
      .prepare('UPDATE sessions SET created_at = ?, last_seen = ?')
      .run(Date.now() - 12 * 3_600_000 - 60_000, Date.now())
    await expectAnonymous(b)
  })
})
