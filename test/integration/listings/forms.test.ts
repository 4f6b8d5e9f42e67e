/**
 * A listing's life through the web forms: posting a need or an offer, drafts, editing with a version check, closing
 * and renewing. What the forms refuse (bad input, fields no form has, another organization's listing) is
 * form-refusals.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import type { Locale } from '../../../src/i18n/i18n.js'
import { Browser, fieldError, makeApp, tableCounts } from '../../helpers/app.js'
import {
  day,
  idFromLocation,
  listedIds,
  listingWorld,
  needForm,
  needRow,
  offerForm,
  offerRow,
  postNeed,
  postOffer,
  setExpiry,
  submitNeed,
  submitOffer,
  zh,
  en,
  html,
} from './world.js'

// One app for the file: every test makes its own listings, and "nothing written" compares row counts
// before and after within one test.
let app: FastifyInstance
let w: Awaited<ReturnType<typeof listingWorld>>
beforeAll(async () => {
  app = await makeApp()
  w = await listingWorld(app)
})
afterAll(() => app.close())

describe('posting through the web forms', () => {
  it('posts a need: the schedule checkboxes become a weekly rule, the unit follows the category, and the need shows on its page', async () => {
    const res = await submitNeed(w.asMember, needForm(w))
    expect(res.statusCode).toBe(303)
    const id = idFromLocation(res.headers.location, 'needs')
    expect(needRow(app, id)).toMatchObject({
      orgId: w.orgA.id,
      title: '雨季室内排练场地',
      category: 'venue',
      unit: 'hours',
      quantity: 16,
      remaining: 16,
      status: 'open',
      schedule: 'FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=18,19,20',
      areaId: w.communityA.id,
      urgency: 'high',
      beneficiaries: 35,
      expiresAt: day(30),
      version: 1,
    })
    const page = await new Browser(app).get(`/needs/${id}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<h1>雨季室内排练场地</h1>')
    expect(page.body).toMatch(/周二.*周四.*晚上/)
    expect(page.body).toContain('荔枝湾广场舞队')
    const list = await new Browser(app).get('/needs')
    expect(listedIds(list.body, 'needs')).toContain(id)
  })

  it('posts an offer with its area, conditions and focus groups', async () => {
    const res = await submitOffer(w.asOther, offerForm(w, { focus: ['elderly', 'disability'], minTrust: 'vouched' }))
    expect(res.statusCode).toBe(303)
    const id = idFromLocation(res.headers.location, 'offers')
    expect(offerRow(app, id)).toMatchObject({
      orgId: w.orgB.id,
      title: '南岸社区活动室',
      unit: 'hours',
      quantity: 40,
      remaining: 40,
      status: 'open',
      servesAreaId: w.streetB.id,
      minTrust: 'vouched',
      focus: ['elderly', 'disability'],
      schedule: 'FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=18,19,20',
    })
    const page = await new Browser(app).get(`/offers/${id}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('南岸社区活动室')
  })

  it('says when in one line: dates and weekly times joined by a dot, no stray dot without dates', async () => {
    const when = async (over: Record<string, unknown>) => {
      const need = postNeed(app, w.member, { orgId: w.orgA.id, areaId: w.communityA.id, ...over })
      const page = (await new Browser(app).get(`/needs/${need.id}`)).body
      return page.match(/<dt>时间<\/dt><dd>([^<]*)<\/dd>/)?.[1].trim()
    }
    expect(await when({ schedule: 'FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=19' })).toBe('周二和周四 晚上')
    expect(await when({ fromDate: '2026-05-01', untilDate: '2026-06-30', schedule: 'FREQ=WEEKLY;BYDAY=SA' })).toBe(
      '2026-05-01 至 2026-06-30 · 周六',
    )
    expect(await when({})).toBe(zh('listing.any_time'))
  })

  it('answers an htmx submit with HX-Redirect to the new listing instead of a 303', async () => {
    await w.asMember.get('/needs/new')
    const res = await w.asMember.post('/needs', needForm(w, { title: '通过htmx提交的需求' }), {
      headers: { 'hx-request': 'true' },
    })
    expect(res.statusCode).toBe(204)
    expect(res.headers['hx-redirect']).toMatch(/^\/needs\/\d+$/)
  })

  it('refuses a post without the form’s CSRF token and writes nothing', async () => {
    const before = tableCounts(app)
    const res = await w.asMember.post('/needs', needForm(w), { csrf: null })
    expect(res.statusCode).toBe(403)
    expect(tableCounts(app)).toEqual(before)
  })
})

describe('drafts', () => {
  it('keeps a draft from everyone outside its organization until it is published', async () => {
    const res = await submitNeed(w.asMember, needForm(w, { title: '暑期亲子营场地草稿', draft: '1' }))
    const id = idFromLocation(res.headers.location, 'needs')
    expect(needRow(app, id)!.status).toBe('draft')

    for (const b of [new Browser(app), w.asOther]) {
      expect((await b.get(`/needs/${id}`)).statusCode).toBe(404)
      expect((await b.get(`/api/v1/needs/${id}`)).statusCode).toBe(404)
      expect(listedIds((await b.get('/needs')).body, 'needs')).not.toContain(id)
      expect(listedIds((await b.get('/needs?q=亲子营')).body, 'needs')).not.toContain(id)
    }
    const own = await w.asMember.get(`/needs/${id}`)
    expect(own.statusCode).toBe(200)
    expect(own.body).toContain(zh('listing.draft_note'))

    // Publishing is saving the form without "save as draft".
    await w.asMember.get(`/needs/${id}/edit`)
    const pub = await w.asMember.post(`/needs/${id}`, needForm(w, { title: '暑期亲子营场地', version: 1 }))
    expect(pub.statusCode).toBe(303)
    expect(needRow(app, id)).toMatchObject({ status: 'open', version: 2 })
    expect((await new Browser(app).get(`/needs/${id}`)).statusCode).toBe(200)
    expect(listedIds((await new Browser(app).get('/needs?q=亲子营')).body, 'needs')).toContain(id)
  })

  it('keeps an offer draft private too', async () => {
    const res = await submitOffer(w.asOther, offerForm(w, { title: '草稿里的会议室', draft: '1' }))
    const id = idFromLocation(res.headers.location, 'offers')
    expect(offerRow(app, id)!.status).toBe('draft')
    expect((await new Browser(app).get(`/offers/${id}`)).statusCode).toBe(404)
    expect((await w.asMember.get(`/offers/${id}`)).statusCode).toBe(404)
    expect((await w.asOther.get(`/offers/${id}`)).statusCode).toBe(200)
    expect(listedIds((await new Browser(app).get('/offers')).body, 'offers')).not.toContain(id)
  })
})

describe('a multi-line description', () => {
  // Partials are called indented in the forms; Handlebars used to indent every line of their output, a textarea's
  // value too, so each save added spaces to every line after the first.
  const textarea = (body: string) => /<textarea id="f-description"[^>]*>([^<]*)<\/textarea>/.exec(body)?.[1]
  const text = '第一行：周二晚上\n第二行：周四晚上\n\n  第四行自带缩进'

  it("comes back in a need's edit form as written, and saving the form unchanged keeps it", async () => {
    const need = postNeed(app, w.member, { orgId: w.orgA.id, areaId: w.communityA.id, description: text })
    for (const version of [1, 2]) {
      const form = await w.asMember.get(`/needs/${need.id}/edit`)
      expect(textarea(form.body)).toBe(text)
      const saved = await w.asMember.post(
        `/needs/${need.id}`,
        needForm(w, { description: textarea(form.body), version }),
      )
      expect(saved.statusCode).toBe(303)
      expect(needRow(app, need.id)!.description).toBe(text)
    }
  })

  it("comes back in an offer's edit form as written", async () => {
    const offer = postOffer(app, w.other, { orgId: w.orgB.id, servesAreaId: w.streetB.id, description: text })
    expect(textarea((await w.asOther.get(`/offers/${offer.id}/edit`)).body)).toBe(text)
  })
})

describe('editing with a version check', () => {
  for (const locale of ['zh-CN', 'en'] as Locale[]) {
    it(`refuses a save based on an old version with 409, the form again and the message (${locale}), and overwrites nothing`, async () => {
      const headers: Record<string, string> = locale === 'en' ? { 'accept-language': 'en' } : {}
      const need = postNeed(app, w.member, { orgId: w.orgA.id, areaId: w.communityA.id, title: '旧标题' })
      const form = await w.asMember.get(`/needs/${need.id}/edit`, headers)
      expect(form.body).toContain('name="version" value="1"')

      // Someone else in the organization saves first…
      const first = await w.asMember.post(
        `/needs/${need.id}`,
        needForm(w, { title: '第一次保存', quantity: 20, version: 1 }),
        { headers },
      )
      expect(first.statusCode).toBe(303)
      expect(needRow(app, need.id)).toMatchObject({ title: '第一次保存', quantity: 20, version: 2 })

      // …then the form loaded earlier is sent with its old version.
      const before = tableCounts(app)
      const stale = await w.asMember.post(
        `/needs/${need.id}`,
        needForm(w, { title: '第二次保存', quantity: 5, version: 1 }),
        { headers },
      )
      expect(stale.statusCode).toBe(409)
      expect(stale.body).toContain('id="need-form"')
      expect(stale.body).toContain(html((locale === 'en' ? en : zh)('error.stale')))
      expect(stale.body).toContain('value="第二次保存"') // what the user typed is kept for them to compare
      expect(needRow(app, need.id)).toMatchObject({ title: '第一次保存', quantity: 20, version: 2 })
      expect(tableCounts(app)).toEqual(before)
    })
  }

  it('refuses a stale offer edit the same way', async () => {
    const offer = postOffer(app, w.other, { orgId: w.orgB.id, servesAreaId: w.streetB.id, title: '会议室' })
    await w.asOther.get(`/offers/${offer.id}/edit`)
    expect(
      (await w.asOther.post(`/offers/${offer.id}`, offerForm(w, { title: '会议室（新）', version: 1 }))).statusCode,
    ).toBe(303)
    const stale = await w.asOther.post(`/offers/${offer.id}`, offerForm(w, { title: '会议室（旧）', version: 1 }))
    expect(stale.statusCode).toBe(409)
    expect(stale.body).toContain(html(zh('error.stale')))
    expect(offerRow(app, offer.id)).toMatchObject({ title: '会议室（新）', version: 2 })
  })

  it('refuses a quantity below what accepted matches already reserved', async () => {
    const need = postNeed(app, w.member, { orgId: w.orgA.id, areaId: w.communityA.id, quantity: 20 })
    // An accepted match reserved 6 of the 20 hours.
    app.sqlite.prepare('UPDATE needs SET remaining = 14 WHERE id = ?').run(need.id)
    await w.asMember.get(`/needs/${need.id}/edit`)
    const before = tableCounts(app)
    const res = await w.asMember.post(`/needs/${need.id}`, needForm(w, { quantity: 5, version: 1 }))
    expect(res.statusCode).toBe(422)
    expect(fieldError(res.body, 'quantity')).toBe(html(zh('validation.below_reserved', { reserved: 6 })))
    expect(needRow(app, need.id)).toMatchObject({ quantity: 20, remaining: 14, version: 1 })
    expect(tableCounts(app)).toEqual(before)

    // Exactly the reserved amount is fine: the need is then met.
    expect((await w.asMember.post(`/needs/${need.id}`, needForm(w, { quantity: 6, version: 1 }))).statusCode).toBe(303)
    expect(needRow(app, need.id)).toMatchObject({ quantity: 6, remaining: 0, status: 'met' })
  })

  it('keeps an imported schedule the checkboxes cannot say when the edit leaves them alone', async () => {
    // 7–9 a.m. every day (a litter-picking rota): the form can only tick "morning" (8–12).
    const rule = 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYHOUR=7,8'
    const need = postNeed(app, w.member, { orgId: w.orgA.id, areaId: w.communityA.id, schedule: rule })
    const form = await w.asMember.get(`/needs/${need.id}/edit`)
    const ticked = (name: string) =>
      [...form.body.matchAll(new RegExp(`name="${name}" value="(\\w+)" checked`, 'g'))].map((m) => m[1])
    const res = await w.asMember.post(
      `/needs/${need.id}`,
      needForm(w, { title: '只改了标题', days: ticked('days'), periods: ticked('periods'), version: 1 }),
    )
    expect(res.statusCode).toBe(303)
    expect(needRow(app, need.id)).toMatchObject({ title: '只改了标题', schedule: rule })
    // A real change of the checkboxes still replaces it.
    await w.asMember.post(`/needs/${need.id}`, needForm(w, { days: ['SA'], periods: ['afternoon'], version: 2 }))
    expect(needRow(app, need.id)!.schedule).toBe('FREQ=WEEKLY;BYDAY=SA;BYHOUR=14,15,16,17')
  })
})

describe('close and renew', () => {
  it('closes a need with a reason: it leaves the open list and shows the reason on its page', async () => {
    const need = postNeed(app, w.member, { orgId: w.orgA.id, areaId: w.communityA.id, title: '将要关闭的需求' })
    await w.asMember.get(`/needs/${need.id}`)
    const res = await w.asMember.post(`/needs/${need.id}/closure`, { reason: 'met_elsewhere' })
    expect(res.statusCode).toBe(303)
    expect(needRow(app, need.id)).toMatchObject({ status: 'closed', closeReason: 'met_elsewhere', version: 2 })
    const anon = new Browser(app)
    expect(listedIds((await anon.get('/needs')).body, 'needs')).not.toContain(need.id)
    expect(listedIds((await anon.get('/needs?status=closed')).body, 'needs')).toContain(need.id)
    const page = await anon.get(`/needs/${need.id}`)
    expect(page.body).toContain(zh('close_reason.met_elsewhere'))
    expect(page.body).toContain(zh('status.closed'))
  })

  it('refuses a reason that is not on the list', async () => {
    const need = postNeed(app, w.member, { orgId: w.orgA.id, areaId: w.communityA.id })
    await w.asMember.get(`/needs/${need.id}`)
    const res = await w.asMember.post(`/needs/${need.id}/closure`, { reason: 'bored' })
    expect(res.statusCode).toBe(400)
    expect(needRow(app, need.id)!.status).toBe('open')
  })

  it('renews an expired need: open again, listed again, until the new date', async () => {
    const need = postNeed(app, w.member, { orgId: w.orgA.id, areaId: w.communityA.id, title: '过期后续期的需求' })
    setExpiry(app, 'needs', need.id, day(-1))
    const anon = new Browser(app)
    expect(listedIds((await anon.get('/needs')).body, 'needs')).not.toContain(need.id)
    const page = await w.asMember.get(`/needs/${need.id}`)
    expect(page.body).toContain(`status-expired`)
    const res = await w.asMember.post(`/needs/${need.id}/renewal`, { expiresAt: day(40) })
    expect(res.statusCode).toBe(303)
    expect(needRow(app, need.id)).toMatchObject({ status: 'open', expiresAt: day(40) })
    expect(listedIds((await anon.get('/needs')).body, 'needs')).toContain(need.id)
  })

  it('renews a closed offer, and without a date runs it for the default period', async () => {
    const offer = postOffer(app, w.other, { orgId: w.orgB.id, servesAreaId: w.streetB.id })
    await w.asOther.get(`/offers/${offer.id}`)
    await w.asOther.post(`/offers/${offer.id}/closure`, { reason: 'no_longer_needed' })
    expect(offerRow(app, offer.id)!.status).toBe('closed')
    const res = await w.asOther.post(`/offers/${offer.id}/renewal`, {})
    expect(res.statusCode).toBe(303)
    expect(offerRow(app, offer.id)).toMatchObject({ status: 'open', closeReason: null, expiresAt: day(60) })
  })

  it('refuses to renew into the past', async () => {
    const need = postNeed(app, w.member, { orgId: w.orgA.id, areaId: w.communityA.id })
    await w.asMember.get(`/needs/${need.id}`)
    const res = await w.asMember.post(`/needs/${need.id}/renewal`, { expiresAt: day(-3) })
    expect(res.statusCode).toBe(422)
    expect(res.body).toContain(html(zh('validation.expiry_past')))
    expect(needRow(app, need.id)!.expiresAt).toBe(need.expiresAt)
  })
})
