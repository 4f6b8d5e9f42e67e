import { describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { needs as needsTable, notifications } from '../../../src/db/schema.js'
import * as matches from '../../../src/brokering/matches.js'
import * as messages from '../../../src/brokering/messages.js'
import * as needs from '../../../src/needs/needs.js'
import { tick } from '../../../src/scheduler/handlers.js'
import { notify } from '../../../src/notifications/notifications.js'
import { addDays, localToday } from '../../../src/shared/time.js'
import { appForTest, Browser, signedIn } from '../../helpers/app.js'
import { matchWorld } from './world.js'

const badge = (html: string) => html.match(/<span class="badge" id="unread-count"[^>]*>([^<]*)<\/span>/)

describe('the inbox', () => {
  it("lists the user's own notices, newest first, in Chinese by default and in English when asked", async () => {
    const app = await appForTest()
    const w = await matchWorld(app)
    const m = matches.open(app.db, w.other, 'pledge', { needId: w.need.id, offerId: w.offer.id, quantity: 3 })
    messages.say(app.db, w.other, m.id, 'hello')
    notify(app.db, [w.other.id], { kind: 'match.accept', params: { id: 999 }, link: '/matches/999' })
    const member = await signedIn(app, w.member.email)

    const zh = await member.get('/inbox')
    expect(zh.statusCode).toBe(200)
    expect(zh.body).toContain('南岸互助小组愿意为「排练场地」提供 3 小时（「社区活动室」），请答复：接受或谢绝。')
    expect(zh.body).toContain('Other 在「排练场地」与「社区活动室」的对接中留言了。请查看并回复。')
    // A notice names listings and organizations, never bare numbers.
    expect(zh.body).not.toMatch(/需求 #|匹配 #/)
    expect(zh.body.indexOf('留言了')).toBeLessThan(zh.body.indexOf('愿意为'))
    expect(zh.body).toContain(`href="/matches/${m.id}"`)
    expect(zh.body.match(/<span class="tag">未读<\/span>/g)).toHaveLength(2)
    // Someone else's notice is not here.
    expect(zh.body).not.toContain('#999')

    const en = await member.get('/inbox', { 'accept-language': 'en-US,en;q=0.9' })
    const enText = en.body.replaceAll('&quot;', '"')
    expect(enText).toContain(
      '南岸互助小组 offers 3 hours ("社区活动室") for "排练场地". Please answer: accept or decline.',
    )
    expect(enText).toContain('Other wrote in the match of "排练场地" with "社区活动室". Please read it and reply.')
  })

  it('answers htmx with the list alone, and a visitor with the way to sign in', async () => {
    const app = await appForTest()
    const w = await matchWorld(app)
    notify(app.db, [w.member.id], { kind: 'match.accept', params: { id: 5 }, link: '/matches/5' })
    const member = await signedIn(app, w.member.email)
    const fragment = await member.get('/inbox', { 'hx-request': 'true' })
    expect(fragment.statusCode).toBe(200)
    expect(fragment.body).not.toMatch(/<html|<body/)
    expect(fragment.body).toContain('对接 #5 有新动态')
    const visitor = await new Browser(app).get('/inbox')
    expect(visitor.statusCode).toBe(303)
    expect(visitor.headers.location).toBe('/signin?next=%2Finbox')
  })

  it('shows the unread count in the header, and "mark all read" clears it in place', async () => {
    const app = await appForTest()
    const w = await matchWorld(app)
    for (const id of [1, 2, 3])
      notify(app.db, [w.member.id], { kind: 'match.accept', params: { id }, link: `/matches/${id}` })
    const member = await signedIn(app, w.member.email)
    expect(badge((await member.get('/')).body)?.[1]).toBe('3')
    expect(badge((await member.get('/needs')).body)?.[1]).toBe('3')
    // Someone with nothing unread has a hidden, empty badge (a target for later updates).
    const other = await signedIn(app, w.other.email)
    expect(badge((await other.get('/'))?.body)?.[0]).toMatch(/ hidden>/)

    const page = await member.get('/inbox')
    expect(page.body).toContain('action="/inbox/read"')
    const res = await member.post('/inbox/read', {}, { headers: { 'hx-request': 'true' } })
    expect(res.statusCode).toBe(200)
    expect(res.body).not.toMatch(/<html/)
    expect(res.body).toMatch(/<span class="badge" id="unread-count" hx-swap-oob="true" hidden><\/span>/)
    expect(res.body).not.toContain('<span class="tag">未读</span>')
    expect(res.body).not.toContain('action="/inbox/read"')
    expect(
      app.db
        .select()
        .from(notifications)
        .where(eq(notifications.userId, w.member.id))
        .all()
        .every((n) => n.readAt),
    ).toBe(true)
    expect(badge((await member.get('/')).body)?.[1]).toBe('')
  })

  it('marks all read with a plain form too (post/redirect/get), and refuses without the CSRF token', async () => {
    const app = await appForTest()
    const w = await matchWorld(app)
    notify(app.db, [w.member.id], { kind: 'match.accept', params: { id: 1 }, link: '/matches/1' })
    const member = await signedIn(app, w.member.email)
    const refused = await member.post('/inbox/read', {}, { csrf: null })
    expect(refused.statusCode).toBe(403)
    expect(app.db.select().from(notifications).where(eq(notifications.userId, w.member.id)).get()?.readAt).toBeNull()
    const res = await member.post('/inbox/read', {})
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/inbox')
    expect((await member.get('/inbox')).body).toContain('所有通知已标为已读。')
  })

  it('offers one-click renew and close on a "still needed?" notice, which work', async () => {
    const app = await appForTest()
    const w = await matchWorld(app)
    const now = new Date()
    const need = needs.post(
      app.db,
      w.member,
      {
        orgId: w.orgA.id,
        category: 'venue',
        title: '周末排练场地',
        quantity: 3,
        areaId: w.communityA.id,
        expiresAt: localToday(addDays(now, 2)),
      },
      now,
    )
    tick(app.db, now)
    tick(app.db, new Date(now.getTime() + 30_000))
    const member = await signedIn(app, w.member.email)
    const page = await member.get('/inbox')
    expect(page.body).toContain('您发布的「周末排练场地」将于')
    expect(page.body).toContain(`action="/needs/${need.id}/renewal"`)
    expect(page.body).toContain(`action="/needs/${need.id}/closure"`)
    expect(page.body).toContain(`href="/needs/${need.id}"`)

    const renewed = await member.post(`/needs/${need.id}/renewal`, {})
    expect(renewed.statusCode).toBe(303)
    expect(renewed.headers.location).toBe(`/needs/${need.id}`)
    expect(
      app.db.select().from(needsTable).where(eq(needsTable.id, need.id)).get()!.expiresAt! >
        localToday(addDays(now, 20)),
    ).toBe(true)
    const closed = await member.post(`/needs/${need.id}/closure`, { reason: 'no_longer_needed' })
    expect(closed.statusCode).toBe(303)
    expect(app.db.select().from(needsTable).where(eq(needsTable.id, need.id)).get()?.status).toBe('closed')
  })
})

describe('the admin outbox', () => {
  it('lists every message with its state, for admins only', async () => {
    const app = await appForTest({ smtpUrl: undefined })
    const w = await matchWorld(app)
    notify(app.db, [w.member.id], { kind: 'match.accept', params: { id: 42 }, link: '/matches/42' })
    const admin = await signedIn(app, w.admin.email)
    const res = await admin.get('/admin/outbox')
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain(w.member.email)
    expect(res.body).toContain('对接 #42 有新动态')
    expect(res.body).toContain('  /matches/42')
    expect(res.body).toContain('等待发送')
    expect(res.body).toContain('未配置 SMTP_URL')
    const member = await signedIn(app, w.member.email)
    expect((await member.get('/admin/outbox')).statusCode).toBe(403)
    const broker = await signedIn(app, w.broker.email)
    expect((await broker.get('/admin/outbox')).statusCode).toBe(403)
  })
})
