import { describe, expect, it, onTestFinished } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { deliverOutbox } from '../../../src/notifications/mailer.js'
import { tick } from '../../../src/scheduler/handlers.js'
import { appForTest, Browser, linkToken, seedWorld, signedIn } from '../../helpers/app.js'
import { startSmtp } from './smtp.js'

/** Issue 11: an admin reading the outbox must not be able to take over an account with its reset link. */
const BASE = 'https://assetbridge.example.cn'

async function requestReset(app: FastifyInstance, email: string): Promise<string> {
  const visitor = new Browser(app)
  await visitor.get('/password/forgot')
  expect((await visitor.post('/password/forgot', { email })).statusCode).toBe(200)
  // The request is queued; the scheduler's round writes the mail.
  tick(app.db)
  const body = app.sqlite
    .prepare('SELECT body FROM outbox WHERE to_addr = ? ORDER BY id DESC')
    .pluck()
    .get(email) as string
  return body.match(/token=([A-Za-z0-9_-]+)/)![1]
}

describe('the outbox and password-reset links', () => {
  it('shows an admin that a reset was sent, never its token', async () => {
    const app = await appForTest()
    const world = await seedWorld(app)
    const token = await requestReset(app, world.member.email)
    const admin = await signedIn(app, world.admin.email)
    const page = await admin.get('/admin/outbox')
    expect(page.statusCode).toBe(200)
    const text = page.body.replaceAll('&#x3D;', '=')
    expect(text).toContain(world.member.email)
    expect(text).toContain('密码重置链接在这里是隐藏的')
    expect(text).toContain('/password/reset?token=••••••••')
    expect(text).not.toContain(token)
    // A sign-up's confirmation link is a token too: hidden the same way.
    const visitor = new Browser(app)
    await visitor.get('/signup')
    expect(
      (await visitor.post('/signup', { name: 'New', email: 'new@example.cn', password: 'lychee bay dance at seven' }))
        .statusCode,
    ).toBe(200)
    const signup = linkToken(app, 'new@example.cn', '/signup/confirm')!
    const again = (await admin.get('/admin/outbox')).body.replaceAll('&#x3D;', '=')
    expect(again).toContain('/signup/confirm?token=••••••••')
    expect(again).not.toContain(signup)
    // The link still works for the one it was sent to.
    expect((await new Browser(app).get(`/password/reset?token=${token}`)).statusCode).toBe(200)
  })

  it('mails the whole link, then keeps no token in the stored copy', async () => {
    const smtp = await startSmtp()
    onTestFinished(() => smtp.close())
    const app = await appForTest({ smtpUrl: smtp.url, baseUrl: BASE })
    const world = await seedWorld(app)
    const token = await requestReset(app, world.member.email)
    expect(
      (await deliverOutbox(app.db, { smtpUrl: smtp.url, mailFrom: 'AssetBridge <noreply@example.cn>', baseUrl: BASE }))
        .sent,
    ).toBe(1)
    expect(smtp.received[0].text).toContain(`${BASE}/password/reset?token=${token}`)
    const stored = app.sqlite.prepare('SELECT body, sent_at FROM outbox').get() as {
      body: string
      sent_at: string | null
    }
    expect(stored.sent_at).not.toBeNull()
    expect(stored.body).not.toContain(token)
    expect(stored.body).toContain('/password/reset?token=••••••••')
  })
})
