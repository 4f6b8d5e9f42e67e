import type { FastifyInstance } from 'fastify'
import { and, eq } from 'drizzle-orm'
import { beforeEach, describe, expect, it } from 'vitest'
import { fitAlerts, jobs as jobsTable, memberships, notifications, outbox, users } from '../../../src/db/schema.js'
import * as jobs from '../../../src/jobs/jobs.js'
import { HANDLERS } from '../../../src/scheduler/handlers.js'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import * as accounts from '../../../src/accounts/accounts.js'
import { sendDigests } from '../../../src/notifications/notifications.js'
import { translate } from '../../../src/i18n/i18n.js'
import { addUser, appForTest, seedWorld, type World } from '../../helpers/app.js'
import { roomListings } from './room-listings.js'

const T0 = new Date('2026-12-01T02:00:00Z')
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000)

let app: FastifyInstance
let w: World

beforeEach(async () => {
  app = await appForTest()
  w = await seedWorld(app)
})

const reload = (u: { id: number }) => accounts.load(app.db, u.id)!
/** The scheduler's round: every due job, as the web process runs them every 30 s. */
const runJobs = (now: Date) => jobs.runDue(app.db, HANDLERS, now)
const alertsTo = (userId: number) =>
  app.db
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, userId), eq(notifications.kind, 'fit.offer')))
    .all()
const offerAlertsTo = (userId: number) =>
  app.db
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, userId), eq(notifications.kind, 'fit.need')))
    .all()
const mailsTo = (email: string) => app.db.select().from(outbox).where(eq(outbox.to, email)).all()

const { postNeed, postOffer } = roomListings(
  () => app,
  () => w,
)

describe('"new fit" alerts', () => {
  it("a new offer that fits a need nothing fitted: the need's leader gets one notice naming both listings and organizations, after the job runs", async () => {
    postNeed(at(0))
    runJobs(at(1))
    const offer = postOffer(at(10))
    // Posting only queued the work: the request path wrote no notice.
    expect(alertsTo(w.member.id)).toHaveLength(0)
    expect(
      app.db
        .select()
        .from(jobsTable)
        .where(eq(jobsTable.kind, 'fit.alerts'))
        .all()
        .filter((j) => !j.doneAt),
    ).toHaveLength(1)
    runJobs(at(11))
    const [notice, ...more] = alertsTo(w.member.id)
    expect(more).toHaveLength(0)
    expect(notice.link).toMatch(/^\/needs\/\d+$/)
    const text = translate('zh-CN', `notice.${notice.kind}`, notice.params)
    expect(text).toContain('社区活动室')
    expect(text).toContain('雨天排练场地')
    expect(text).toContain(w.orgA.name)
    expect(text).toContain(w.orgB.name)
    // Instant e-mail by default, subject in words too.
    const [mail] = mailsTo(w.member.email).filter((m) => m.body.includes('社区活动室'))
    expect(mail.subject).toContain('雨天排练场地')
    // The offer's own side, and nobody else, heard nothing from it.
    expect(offerAlertsTo(w.other.id)).toHaveLength(0)
    expect(app.db.select().from(fitAlerts).all()).toMatchObject([{ offerId: offer.id, side: 'need' }])
  })

  it('never twice for the same pair: editing, renewing and re-publishing the offer (or editing the need) adds nothing', async () => {
    const need = postNeed(at(0))
    const offer = postOffer(at(10))
    runJobs(at(11))
    expect(alertsTo(w.member.id)).toHaveLength(1)
    const edited = offers.edit(
      app.db,
      reload(w.other),
      offer.id,
      {
        orgId: w.orgB.id,
        category: 'venue',
        title: '社区活动室（新装修）',
        description: '可借用的室内活动室，晚上开放',
        quantity: 25,
        servesAreaId: w.district.id,
        version: offer.version,
      },
      at(20),
    )
    offers.renew(app.db, reload(w.other), edited.id, undefined, at(30))
    needs.edit(
      app.db,
      reload(w.member),
      need.id,
      {
        orgId: w.orgA.id,
        category: 'venue',
        title: '雨天排练场地',
        description: '广场舞队雨天需要室内活动室排练，每周两次',
        quantity: 12,
        areaId: w.communityA.id,
        version: need.version,
      },
      at(40),
    )
    runJobs(at(50))
    expect(alertsTo(w.member.id)).toHaveLength(1)
    expect(offerAlertsTo(w.other.id)).toHaveLength(0)
  })

  it('none when the need already had a fit: a second fitting offer is not news', async () => {
    postNeed(at(0))
    postOffer(at(10))
    runJobs(at(11))
    expect(alertsTo(w.member.id)).toHaveLength(1)
    const third = await addUser(app, { email: 'third@example.cn', name: 'Third' })
    const { addOrg } = await import('../../helpers/app.js')
    const orgC = addOrg(app, third.id, { name: '东湖街道党群服务中心', areaId: w.communityA.id, kind: 'street_office' })
    offers.post(
      app.db,
      reload(third),
      {
        orgId: orgC.id,
        category: 'venue',
        title: '党群服务中心多功能室',
        description: '室内活动室，可排练',
        quantity: 30,
        servesAreaId: w.streetA.id,
      },
      at(20),
    )
    runJobs(at(21))
    expect(alertsTo(w.member.id)).toHaveLength(1)
  })

  it('two fitting offers posted before the scheduler runs: still exactly one notice', async () => {
    postNeed(at(0))
    runJobs(at(1))
    postOffer(at(10))
    postOffer(at(12), { title: '活动室（周末）' })
    runJobs(at(20))
    expect(alertsTo(w.member.id)).toHaveLength(1)
  })

  it('a need and the offer that fits it, their jobs in one slice: the need is told once, the offer (posted after) not', async () => {
    const need = postNeed(at(0))
    const offer = postOffer(at(10))
    // Both jobs are read before either writes (jobs.runSome): the need's job must not count the later offer as there
    // before, nor the offer's job miss the need.
    expect(jobs.runSome(app.db, HANDLERS, jobs.dueJobs(app.db, at(20)), at(20))).toBe(2)
    expect(alertsTo(w.member.id).map((n) => n.link)).toEqual([`/needs/${need.id}`])
    expect(offerAlertsTo(w.other.id)).toEqual([])
    expect(app.db.select().from(fitAlerts).all()).toMatchObject([{ needId: need.id, offerId: offer.id }])
  })

  it('none for a pair that is not a fit: another category, another topic, an area the offer does not serve, a draft', async () => {
    postNeed(at(0))
    postOffer(at(10), { category: 'training', title: '智能手机培训', description: '教老人用智能手机' })
    postOffer(at(11), { title: '厨房', description: '社区食堂的厨房，可借用做饭' })
    postOffer(at(12), { servesAreaId: w.streetB.id })
    postOffer(at(13), { draft: true })
    runJobs(at(20))
    expect(alertsTo(w.member.id)).toHaveLength(0)
    expect(app.db.select().from(fitAlerts).all()).toHaveLength(0)
  })

  it('a draft that is published is news then', async () => {
    postNeed(at(0))
    const draft = postOffer(at(10), { draft: true })
    runJobs(at(11))
    expect(alertsTo(w.member.id)).toHaveLength(0)
    offers.edit(
      app.db,
      reload(w.other),
      draft.id,
      {
        orgId: w.orgB.id,
        category: 'venue',
        title: '社区活动室',
        description: '可借用的室内活动室，晚上开放',
        quantity: 20,
        servesAreaId: w.district.id,
        version: draft.version,
      },
      at(20),
    )
    runJobs(at(21))
    expect(alertsTo(w.member.id)).toHaveLength(1)
  })

  it("the reverse: a new need that fits an offer no need fitted tells the offer's leaders", async () => {
    const offer = postOffer(at(0))
    runJobs(at(1))
    expect(offerAlertsTo(w.other.id)).toHaveLength(0)
    const need = postNeed(at(10))
    runJobs(at(11))
    const [notice, ...more] = offerAlertsTo(w.other.id)
    expect(more).toHaveLength(0)
    expect(notice.link).toBe(`/offers/${offer.id}`)
    expect(translate('en', `notice.${notice.kind}`, notice.params)).toContain(w.orgA.name)
    expect(notice.params).toMatchObject({ need: need.title, offer: offer.title })
    expect(alertsTo(w.member.id)).toHaveLength(0)
  })

  it("leaders only: the group's plain members are not alerted", async () => {
    const plain = await addUser(app, { email: 'plain@example.cn', name: 'Plain' })
    app.db.insert(memberships).values({ userId: plain.id, orgId: w.orgA.id, role: 'member' }).run()
    postNeed(at(0))
    postOffer(at(10))
    runJobs(at(11))
    expect(alertsTo(w.member.id)).toHaveLength(1)
    expect(alertsTo(plain.id)).toHaveLength(0)
  })

  it('a group with no leader: the broker looking after it hears it, the broker of another street does not', async () => {
    const { addOrg } = await import('../../helpers/app.js')
    const founder = await addUser(app, { email: 'founder@example.cn', name: 'Founder' })
    const choir = addOrg(app, founder.id, { name: '荔枝湾合唱团', areaId: w.communityA.id })
    const need = needs.post(
      app.db,
      reload(founder),
      {
        orgId: choir.id,
        category: 'venue',
        title: '合唱排练室',
        description: '合唱团需要室内活动室排练',
        quantity: 8,
        areaId: w.communityA.id,
      },
      at(0),
    )
    // The founder leaves; nobody from the group is online any more.
    app.db.delete(memberships).where(eq(memberships.orgId, choir.id)).run()
    const broker2 = await addUser(app, { email: 'broker2@example.cn', role: 'broker', name: 'Broker Two' })
    accounts.setBrokerAreas(app.db, w.admin.id, broker2.id, [w.streetB.id])
    runJobs(at(1))
    postOffer(at(10))
    runJobs(at(11))
    const told = app.db.select().from(notifications).where(eq(notifications.kind, 'fit.offer')).all()
    expect(told.filter((n) => n.link === `/needs/${need.id}`).map((n) => n.userId)).toEqual([w.broker.id])
    expect(alertsTo(founder.id)).toHaveLength(0)
    expect(alertsTo(broker2.id)).toHaveLength(0)
  })

  it("respects the leader's e-mail setting: off → the inbox only; digest → no instant mail, then in the day's digest", async () => {
    app.db.update(users).set({ notify: 'off' }).where(eq(users.id, w.member.id)).run()
    postNeed(at(0))
    const mailsBefore = mailsTo(w.member.email).length
    postOffer(at(10))
    runJobs(at(11))
    expect(alertsTo(w.member.id)).toHaveLength(1)
    expect(mailsTo(w.member.email)).toHaveLength(mailsBefore)
    sendDigests(app.db, at(12))
    expect(mailsTo(w.member.email)).toHaveLength(mailsBefore)

    app.db.update(users).set({ notify: 'digest' }).where(eq(users.id, w.other.id)).run()
    const offerBefore = mailsTo(w.other.email).length
    const offer = postOffer(at(20), {
      title: '会议室',
      description: '室内活动室，可开会也可排练',
      servesAreaId: w.streetB.id,
    })
    runJobs(at(21))
    // A need of org A in street B for the offer that serves only street B: the reverse alert goes to org B, by digest.
    needs.post(
      app.db,
      reload(w.member),
      {
        orgId: w.orgA.id,
        category: 'venue',
        title: '南岸排练点',
        description: '需要室内活动室排练',
        quantity: 5,
        areaId: w.communityB.id,
      },
      at(30),
    )
    runJobs(at(31))
    const notices = offerAlertsTo(w.other.id)
    expect(notices.map((n) => n.link)).toContain(`/offers/${offer.id}`)
    expect(mailsTo(w.other.email)).toHaveLength(offerBefore)
    sendDigests(app.db, at(40))
    const digest = mailsTo(w.other.email).slice(offerBefore)
    expect(digest).toHaveLength(1)
    expect(digest[0].body).toContain('南岸排练点')
    expect(digest[0].body).toContain(`/offers/${offer.id}`)
  })
})
