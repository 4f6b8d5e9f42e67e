import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import QRCode from 'qrcode'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { matches as matchesTable, needs as needsTable, organizations } from '../../../src/db/schema.js'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import * as accounts from '../../../src/accounts/accounts.js'
import { addUser, Browser, makeApp, PASSWORD, seedWorld, signedIn, type World } from '../../helpers/app.js'

const BASE = 'https://qiao.example.cn'
let app: FastifyInstance
let w: World
let loner: accounts.CurrentUser

beforeAll(async () => {
  app = await makeApp({ baseUrl: BASE, rateLimits: false })
  w = await seedWorld(app)
  loner = await addUser(app, { email: 'loner@example.cn', name: 'Loner' })
  // Private contacts: never on a share page, a poster or a QR code.
  app.db.update(organizations).set({ contactPhone: 'ZZPHONE-SHARE', contactEmail: 'zz@share.test' }).run()
})
afterAll(async () => {
  await app?.close()
})

const reload = (u: { id: number }) => accounts.load(app.db, u.id)!
const postNeed = (extra: Partial<needs.NeedInput> = {}) =>
  needs.post(app.db, reload(w.member), {
    orgId: w.orgA.id,
    category: 'venue',
    title: '雨天排练场地',
    description: '广场舞队雨天需要室内活动室排练',
    quantity: 10,
    areaId: w.communityA.id,
    ...extra,
  })
const postOffer = (extra: Partial<offers.OfferInput> = {}) =>
  offers.post(app.db, reload(w.other), {
    orgId: w.orgB.id,
    category: 'venue',
    title: '社区活动室',
    description: '可借用的室内活动室，晚上开放',
    quantity: 20,
    servesAreaId: w.district.id,
    ...extra,
  })

describe('short links', () => {
  it('/n/:id and /o/:id open the open listing, for anyone', async () => {
    const need = postNeed(),
      offer = postOffer()
    const visitor = new Browser(app)
    const n = await visitor.get(`/n/${need.id}`)
    expect([n.statusCode, n.headers.location]).toEqual([302, `/needs/${need.id}`])
    const o = await visitor.get(`/o/${offer.id}`)
    expect([o.statusCode, o.headers.location]).toEqual([302, `/offers/${offer.id}`])
  })

  it('a draft is not shared and not revealed: the link, its QR code and its poster are not found', async () => {
    const draft = postNeed({ draft: true })
    const owner = await signedIn(app, w.member.email)
    for (const b of [new Browser(app), owner]) {
      for (const url of [
        `/n/${draft.id}`,
        `/needs/${draft.id}/qr.svg`,
        `/needs/${draft.id}/poster`,
        '/n/99999',
        '/o/99999',
      ]) {
        expect((await b.get(url)).statusCode, url).toBe(404)
      }
    }
    // Its own group sees the draft's page, without anything to share.
    const page = await owner.get(`/needs/${draft.id}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).not.toContain('id="share"')
    expect(page.body).not.toContain('id="help"')
  })

  it('a closed, met or expired listing: the link says it is no longer shared (410), with no QR code', async () => {
    const closed = postNeed()
    needs.close(app.db, reload(w.member), closed.id, 'no_longer_needed')
    const met = postNeed()
    app.db.update(needsTable).set({ status: 'met', remaining: 0 }).where(eq(needsTable.id, met.id)).run()
    const expired = postNeed()
    app.db.update(needsTable).set({ expiresAt: '2020-01-01' }).where(eq(needsTable.id, expired.id)).run()
    const offer = postOffer()
    offers.close(app.db, reload(w.other), offer.id, 'no_longer_needed')
    const visitor = new Browser(app)
    for (const [url, kind] of [
      [`/n/${closed.id}`, 'need'],
      [`/n/${met.id}`, 'need'],
      [`/n/${expired.id}`, 'need'],
      [`/o/${offer.id}`, 'offer'],
      [`/needs/${closed.id}/poster`, 'need'],
    ] as const) {
      const res = await visitor.get(url)
      expect(res.statusCode, url).toBe(410)
      expect(res.body, url).toContain(kind === 'need' ? '这条需求不再分享' : '这项资源不再分享')
    }
    expect((await visitor.get(`/needs/${closed.id}/qr.svg`)).statusCode).toBe(404)
    const page = await visitor.get(`/needs/${closed.id}`)
    expect(page.body).not.toContain('id="share"')
    expect(page.body).not.toContain('id="help"')
  })
})

describe('QR code and poster', () => {
  it('the QR code is an SVG of the absolute short link (BASE_URL), nothing else in it', async () => {
    const need = postNeed()
    const res = await new Browser(app).get(`/needs/${need.id}/qr.svg`)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/)
    expect(res.body).toBe(
      await QRCode.toString(`${BASE}/n/${need.id}`, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
    )
    expect(res.body).not.toMatch(/<script|href=|ZZPHONE/i)
  })

  it('the listing page offers the short link, the QR code and the poster; the poster shows title, organization, what is asked, QR and link, and no contact', async () => {
    const need = postNeed()
    const page = await new Browser(app).get(`/needs/${need.id}`)
    expect(page.body).toContain(`value="${BASE}/n/${need.id}"`)
    expect(page.body).toContain(`src="/needs/${need.id}/qr.svg"`)
    expect(page.body).toContain(`href="/needs/${need.id}/poster"`)
    const poster = await new Browser(app, { headers: { 'accept-language': 'en' } }).get(`/needs/${need.id}/poster`)
    expect(poster.statusCode).toBe(200)
    for (const text of [
      '雨天排练场地',
      `${w.orgA.name} needs`,
      '10 hours',
      '广场舞队雨天需要室内活动室排练',
      `${BASE}/n/${need.id}`,
      `src="/needs/${need.id}/qr.svg"`,
    ])
      expect(poster.body, text).toContain(text)
    expect(poster.body).not.toMatch(/ZZPHONE|share\.test/)
    const offer = postOffer()
    const offerPoster = await new Browser(app).get(`/offers/${offer.id}/poster`)
    expect(offerPoster.body).toContain(`${w.orgB.name} 可以提供`)
    expect(offerPoster.body).toContain(`${BASE}/o/${offer.id}`)
  })
})

describe('"I can help"', () => {
  it('a visitor is sent to sign in, and comes back to the form on the listing', async () => {
    const need = postNeed()
    postOffer()
    const visitor = new Browser(app)
    const page = await visitor.get(`/needs/${need.id}`)
    const next = encodeURIComponent(`/needs/${need.id}#help`)
    expect(page.body).toContain(`href="/signin?next=${next}">我能帮忙</a>`)
    expect(page.body).toContain(`href="/signup?next=${next}"`)
    await visitor.get(`/signin?next=${next}`)
    const signin = await visitor.post('/signin', {
      email: w.other.email,
      password: PASSWORD,
      next: `/needs/${need.id}#help`,
    })
    expect([signin.statusCode, signin.headers.location]).toEqual([303, `/needs/${need.id}#help`])
    const back = await visitor.get(`/needs/${need.id}`)
    expect(back.body).toContain('id="help"')
    expect(back.body).toMatch(new RegExp(`action="/offers/\\d+/pledges"[\\s\\S]*?name="needId" value="${need.id}"`))
  })

  it("a holder whose offer fits pledges it from the need's page in one step; the need's side is asked", async () => {
    const need = postNeed()
    const offer = postOffer()
    const unrelated = postOffer({ category: 'training', title: '智能手机培训', description: '教老人用智能手机' })
    const holder = await signedIn(app, w.other.email)
    const page = await holder.get(`/needs/${need.id}`)
    expect(page.body).toContain(`action="/offers/${offer.id}/pledges"`)
    expect(page.body).not.toContain(`action="/offers/${unrelated.id}/pledges"`)
    const res = await holder.post(`/offers/${offer.id}/pledges`, { needId: need.id, quantity: 4, idem: `h-${need.id}` })
    expect(res.statusCode).toBe(303)
    const match = app.db.select().from(matchesTable).where(eq(matchesTable.needId, need.id)).get()!
    expect(match).toMatchObject({ offerId: offer.id, state: 'pledged', quantity: 4 })
    expect(res.headers.location).toBe(`/matches/${match.id}`)
  })

  it("on an offer's page a leader whose need fits requests it in one step", async () => {
    const offer = postOffer()
    const need = postNeed()
    const leader = await signedIn(app, w.member.email)
    const page = await leader.get(`/offers/${offer.id}`)
    expect(page.body).toContain('id="help"')
    expect(page.body).toContain(`action="/needs/${need.id}/requests"`)
    const res = await leader.post(`/needs/${need.id}/requests`, {
      offerId: offer.id,
      quantity: 3,
      idem: `h-o-${offer.id}`,
    })
    expect(res.statusCode).toBe(303)
    expect(app.db.select().from(matchesTable).where(eq(matchesTable.offerId, offer.id)).get()).toMatchObject({
      needId: need.id,
      state: 'requested',
      quantity: 3,
    })
  })

  it("someone with no group is told to register one; the listing's own group and a broker get no help box", async () => {
    const need = postNeed()
    const lonely = await signedIn(app, loner.email)
    const page = await lonely.get(`/needs/${need.id}`)
    expect(page.body).toContain('id="help"')
    expect(page.body).toContain('href="/orgs/new"')
    for (const email of [w.member.email, w.broker.email]) {
      expect((await (await signedIn(app, email)).get(`/needs/${need.id}`)).body, email).not.toContain('id="help"')
    }
  })

  it('a member whose listings do not fit is shown how to post one, with no form', async () => {
    const need = postNeed({ category: 'materials', title: '便携音响', description: '广场舞需要一个便携音响' })
    const page = await (await signedIn(app, w.other.email)).get(`/needs/${need.id}`)
    expect(page.body).toContain('id="help"')
    expect(page.body).toContain('href="/offers/new"')
    expect(page.body).not.toMatch(/action="\/offers\/\d+\/pledges"/)
  })
})
