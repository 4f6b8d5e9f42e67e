import { describe, expect, it, onTestFinished } from 'vitest'
import { eq, isNull } from 'drizzle-orm'
import { notifications, organizations, outbox } from '../../../src/db/schema.js'
import * as matches from '../../../src/brokering/matches.js'
import * as messages from '../../../src/brokering/messages.js'
import * as needs from '../../../src/needs/needs.js'
import { tick } from '../../../src/scheduler/handlers.js'
import { deliverOutbox } from '../../../src/notifications/mailer.js'
import { notify } from '../../../src/notifications/notifications.js'
import { addDays, localToday } from '../../../src/shared/time.js'
import { appForTest } from '../../helpers/app.js'
import { startSmtp } from './smtp.js'
import { mails, mailsTo, matchWorld, setNotify } from './world.js'

const DAY = 86_400_000
const BASE = 'https://assetbridge.example.cn'
const MAIL_FROM = 'AssetBridge <noreply@assetbridge.example.cn>'

async function smtpForTest(opts?: Parameters<typeof startSmtp>[0]) {
  const smtp = await startSmtp(opts)
  onTestFinished(() => smtp.close())
  return smtp
}

describe('e-mail through a real SMTP server', () => {
  it('sends an instant notice with an absolute link, marks it sent, and sends it only once', async () => {
    const smtp = await smtpForTest()
    const app = await appForTest({ smtpUrl: smtp.url, baseUrl: BASE, mailFrom: MAIL_FROM })
    const w = await matchWorld(app)
    // The holder's side must answer a request: the notice is written with the match, in its transaction.
    const m = matches.open(app.db, w.member, 'request', { needId: w.need.id, offerId: w.offer.id, quantity: 4 })
    expect(mailsTo(app, w.other.email)).toHaveLength(1)
    expect(mailsTo(app, w.other.email)[0].body).toContain(`\n  /matches/${m.id}`)

    const settings = { smtpUrl: smtp.url, mailFrom: MAIL_FROM, baseUrl: BASE }
    const first = await deliverOutbox(app.db, settings)
    expect(first.failed).toBe(0)
    expect(first.sent).toBe(mails(app).length)
    const got = smtp.received.find((r) => r.to.includes(w.other.email))!
    expect(got).toBeDefined()
    expect(got.from).toBe('noreply@assetbridge.example.cn')
    expect(got.subject).toBe('荔枝湾广场舞队请求您的「社区活动室」')
    expect(got.text).toContain('荔枝湾广场舞队请求用您的「社区活动室」满足「排练场地」（4 小时），请答复：接受或谢绝。')
    expect(got.text).toContain(`\n  ${BASE}/matches/${m.id}\n`)
    expect(got.text).toContain('AssetBridge')
    expect(mails(app).every((row) => row.sentAt !== null && row.error === null)).toBe(true)
    // The stored body keeps its relative link: the outbox does not depend on where the site lives.
    expect(mailsTo(app, w.other.email)[0].body).not.toContain(BASE)

    const again = await deliverOutbox(app.db, settings)
    expect(again).toEqual({ sent: 0, failed: 0 })
    expect(smtp.received.filter((r) => r.to.includes(w.other.email))).toHaveLength(1)
  })

  it("writes in the reader's language", async () => {
    const smtp = await smtpForTest()
    const app = await appForTest()
    const w = await matchWorld(app)
    setNotify(app, w.other.id, 'instant', 'en')
    matches.open(app.db, w.member, 'request', { needId: w.need.id, offerId: w.offer.id, quantity: 4 })
    await deliverOutbox(app.db, { smtpUrl: smtp.url, mailFrom: MAIL_FROM, baseUrl: BASE })
    const got = smtp.received.find((r) => r.to.includes(w.other.email))!
    expect(got.subject).toBe('荔枝湾广场舞队 asks for your "社区活动室"')
    expect(got.text).toContain(
      '荔枝湾广场舞队 asks for your "社区活动室" for "排练场地" (4 hours). Please answer: accept or decline.',
    )
  })

  it('keeps the error of a refused message and tries again later', async () => {
    let refuse = true
    const smtp = await smtpForTest({ reject: () => refuse })
    const app = await appForTest()
    const w = await matchWorld(app)
    notify(app.db, [w.member.id], { kind: 'match.accept', params: { id: 7 }, link: '/matches/7' })
    const settings = { smtpUrl: smtp.url, mailFrom: MAIL_FROM, baseUrl: BASE }
    let clock = Date.parse('2026-05-01T00:00:00Z')
    const now = () => new Date(clock)
    expect(await deliverOutbox(app.db, settings, now)).toEqual({ sent: 0, failed: 1 })
    const row = mails(app)[0]
    expect(row.sentAt).toBeNull()
    expect(row.error).toMatch(/550/)

    refuse = false
    // Not hammered: the next round, 30 s later, leaves it waiting.
    clock += 30_000
    expect(await deliverOutbox(app.db, settings, now)).toEqual({ sent: 0, failed: 0 })
    clock += 60_000
    expect(await deliverOutbox(app.db, settings, now)).toEqual({ sent: 1, failed: 0 })
    expect(mails(app)[0]).toMatchObject({ error: null, sentAt: new Date(clock).toISOString() })
    expect(smtp.received).toHaveLength(1)
  })

  it('without SMTP_URL sends nothing and keeps the outbox for admins', async () => {
    const app = await appForTest({ smtpUrl: undefined })
    const w = await matchWorld(app)
    notify(app.db, [w.member.id], { kind: 'match.accept', params: { id: 7 }, link: '/matches/7' })
    expect(await deliverOutbox(app.db, { smtpUrl: undefined, mailFrom: MAIL_FROM, baseUrl: BASE })).toEqual({
      sent: 0,
      failed: 0,
    })
    expect(mails(app)).toHaveLength(1)
    expect(mails(app)[0].sentAt).toBeNull()
  })
})

describe('the daily digest', () => {
  it('sends a digest reader one e-mail for two notices, an "off" reader none, an instant reader each', async () => {
    const smtp = await smtpForTest()
    const app = await appForTest()
    const w = await matchWorld(app)
    setNotify(app, w.member.id, 'digest')
    setNotify(app, w.other.id, 'off')
    const day = new Date('2026-06-01T09:00:00Z')
    for (const id of [1, 2])
      notify(
        app.db,
        [w.member.id, w.other.id, w.broker.id],
        { kind: 'match.accept', params: { id }, link: `/matches/${id}` },
        day,
      )
    expect(mailsTo(app, w.member.email)).toHaveLength(0)
    expect(mailsTo(app, w.broker.email)).toHaveLength(2)

    // Ticking through the next morning: the digest goes out at 00:30 UTC, once.
    for (const at of ['2026-06-02T00:10:00Z', '2026-06-02T00:30:00Z', '2026-06-02T00:30:30Z', '2026-06-02T07:00:00Z'])
      tick(app.db, new Date(at))
    const digests = mailsTo(app, w.member.email)
    expect(digests).toHaveLength(1)
    expect(digests[0].subject).toBe('AssetBridge 每日摘要：2 条新通知')
    expect(digests[0].body).toContain('对接 #1 有新动态')
    expect(digests[0].body).toContain('对接 #2 有新动态')
    expect(digests[0].body).toContain('\n  /matches/2')
    expect(mailsTo(app, w.other.email)).toHaveLength(0)
    expect(
      app.db
        .select()
        .from(notifications)
        .where(eq(notifications.userId, w.member.id))
        .all()
        .every((n) => n.emailedAt),
    ).toBe(true)

    await deliverOutbox(app.db, { smtpUrl: smtp.url, mailFrom: MAIL_FROM, baseUrl: BASE })
    const got = smtp.received.filter((r) => r.to.includes(w.member.email))
    expect(got).toHaveLength(1)
    expect(got[0].text).toContain(`${BASE}/matches/1`)

    // The next day brings nothing new: no empty digest. A new notice goes into the next one only.
    tick(app.db, new Date('2026-06-03T00:31:00Z'))
    expect(mailsTo(app, w.member.email)).toHaveLength(1)
    notify(
      app.db,
      [w.member.id],
      { kind: 'match.review', params: { id: 3 }, link: '/matches/3' },
      new Date('2026-06-03T10:00:00Z'),
    )
    tick(app.db, new Date('2026-06-04T00:31:00Z'))
    const third = mailsTo(app, w.member.email)
    expect(third).toHaveLength(2)
    expect(third[1].subject).toBe('AssetBridge 每日摘要：1 条新通知')
    expect(third[1].body).not.toContain('对接 #1 ')
  })
})

describe('private contacts never reach an e-mail', () => {
  it("no outbox message or delivered e-mail carries an organization's phone or contact address", async () => {
    const smtp = await smtpForTest()
    const app = await appForTest()
    const w = await matchWorld(app)
    const MARKERS = ['ZZPHONE123', 'zzmarker-contact@example.cn']
    app.db.update(organizations).set({ contactPhone: MARKERS[0], contactEmail: MARKERS[1] }).run()
    setNotify(app, w.broker.id, 'digest')

    // A whole life: request, message, accept, deliver, review both ways, reminders, follow-ups, expiry, digests.
    const t0 = new Date()
    const m = matches.open(app.db, w.member, 'request', { needId: w.need.id, offerId: w.offer.id, quantity: 4 }, t0)
    messages.say(app.db, w.member, m.id, `我们的电话是 ${MARKERS[0]}`, t0)
    const second = matches.open(
      app.db,
      w.other,
      'pledge',
      {
        needId: needs.post(
          app.db,
          w.member,
          {
            orgId: w.orgA.id,
            category: 'venue',
            title: '周末排练场地',
            quantity: 2,
            areaId: w.communityA.id,
            expiresAt: localToday(addDays(t0, 2)),
          },
          t0,
        ).id,
        offerId: w.offer.id,
        quantity: 2,
      },
      t0,
    )
    matches.fire(app.db, w.other, m.id, 'accept', {}, t0)
    messages.say(app.db, w.other, m.id, `联系 ${MARKERS[1]}`, t0)
    matches.fire(app.db, w.member, m.id, 'deliver', { quantity: 4 }, t0)
    matches.fire(app.db, w.member, m.id, 'review', { rating: 5, comment: `谢谢 ${MARKERS[0]}` }, t0)
    matches.fire(app.db, w.other, m.id, 'review', { rating: 4 }, t0)
    for (const days of [0, 1, 3.1, 4, 31, 91]) {
      tick(app.db, new Date(t0.getTime() + days * DAY))
      tick(app.db, new Date(t0.getTime() + days * DAY + 30_000))
    }
    expect(second.id).toBeGreaterThan(m.id)
    const kinds = new Set(
      app.db
        .select({ kind: notifications.kind })
        .from(notifications)
        .all()
        .map((n) => n.kind),
    )
    for (const kind of [
      'match.requested',
      'match.pledged',
      'match.message',
      'match.accept',
      'match.deliver',
      'match.review',
      'match.reminder',
      'match.followup',
      'listing.expiring',
    ]) {
      expect(kinds, kind).toContain(kind)
    }
    await deliverOutbox(app.db, { smtpUrl: smtp.url, mailFrom: MAIL_FROM, baseUrl: BASE })
    expect(app.db.select().from(outbox).where(isNull(outbox.sentAt)).all()).toEqual([])
    expect(smtp.received.length).toBeGreaterThan(10)
    expect(smtp.received.some((r) => r.subject.includes('每日摘要'))).toBe(true)
    for (const marker of MARKERS) {
      for (const row of mails(app))
        expect(`${row.to}\n${row.subject}\n${row.body}`, `outbox #${row.id}`).not.toContain(marker)
      for (const r of smtp.received) {
        expect(r.raw, r.subject).not.toContain(marker)
        expect(r.text, r.subject).not.toContain(marker)
      }
    }
  })
})
