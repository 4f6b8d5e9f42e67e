/**
 * What the listing forms refuse, and how: bad input comes back as the form with each problem beside its field (422,
 * in the reader's language, nothing written), fields no form has are ignored, and another organization's listing
 * cannot be posted for, moved, edited, closed or renewed. Posting, drafts, editing, closing and renewing are
 * forms.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { translate, type Locale } from '../../../src/i18n/i18n.js'
import { Browser, fieldError, makeApp, tableCounts, type Form } from '../../helpers/app.js'
import {
  day,
  html,
  idFromLocation,
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

describe('bad input: 422, the form again, each problem next to its field in the reader’s language, nothing written', () => {
  type Case = {
    name: string
    kind: 'need' | 'offer'
    form: () => Form
    errors: Record<string, [string, Record<string, unknown>?]>
  }
  const CASES: Case[] = [
    {
      name: 'schema problems in the need form',
      kind: 'need',
      form: () =>
        needForm(w, {
          title: '',
          quantity: 0,
          beneficiaries: 0,
          urgency: 'extreme',
          description: 'x'.repeat(4001),
          place: 'p'.repeat(201),
          areaId: 'abc',
        }),
      errors: {
        title: ['validation.required'],
        quantity: ['validation.too_small', { limit: 1 }],
        beneficiaries: ['validation.too_small', { limit: 1 }],
        urgency: ['validation.choose'],
        description: ['validation.too_long', { limit: 4000 }],
        place: ['validation.too_long', { limit: 200 }],
        areaId: ['validation.not_integer'],
      },
    },
    {
      name: 'more schema problems in the need form',
      kind: 'need',
      form: () =>
        needForm(w, {
          title: '长'.repeat(121),
          quantity: 10_000_001,
          fromDate: '1 March',
          expiresAt: '2026-3-1',
          untilDate: '2026-02-30',
          category: '',
        }),
      errors: {
        // Every date field is a calendar-date: not a date, not written YYYY-MM-DD, or not on the calendar.
        title: ['validation.too_long', { limit: 120 }],
        quantity: ['validation.too_large', { limit: 10_000_000 }],
        fromDate: ['validation.date'],
        expiresAt: ['validation.date'],
        untilDate: ['validation.date'],
        category: ['validation.required'],
      },
    },
    {
      name: 'rules of the need form',
      kind: 'need',
      form: () =>
        needForm(w, {
          category: 'spaceships',
          fromDate: day(1),
          untilDate: day(10),
          expiresAt: day(-1),
          areaId: 99_999,
        }),
      errors: {
        category: ['validation.choose'],
        expiresAt: ['validation.expiry_past'],
        areaId: ['validation.area_missing'],
      },
    },
    {
      name: 'a window that ends before it starts',
      kind: 'need',
      form: () => needForm(w, { fromDate: day(20), untilDate: day(10) }),
      errors: { untilDate: ['validation.window'] },
    },
    {
      name: 'a tampered schedule',
      kind: 'need',
      form: () => needForm(w, { days: ['TU', 'XX'], periods: ['night'] }),
      errors: { days: ['validation.choose'], periods: ['validation.choose'] },
    },
    {
      name: 'schema problems in the offer form',
      kind: 'offer',
      form: () =>
        offerForm(w, {
          title: 'x',
          quantity: -4,
          minTrust: 'best friends',
          focus: ['elderly', 'aliens'],
          servesAreaId: '',
          untilDate: '2026-04-31',
        }),
      errors: {
        title: ['validation.too_short', { limit: 2 }],
        quantity: ['validation.too_small', { limit: 1 }],
        minTrust: ['validation.choose'],
        focus: ['validation.choose'],
        servesAreaId: ['validation.required'],
        untilDate: ['validation.date'],
      },
    },
    {
      name: 'rules of the offer form',
      kind: 'offer',
      form: () => offerForm(w, { servesAreaId: 99_999, untilDate: day(10), fromDate: day(1) }),
      errors: { servesAreaId: ['validation.area_missing'] },
    },
  ]

  for (const c of CASES) {
    for (const locale of ['zh-CN', 'en'] as Locale[]) {
      it(`${c.name} (${locale})`, async () => {
        const headers: Record<string, string> = locale === 'en' ? { 'accept-language': 'en-GB,en;q=0.9' } : {}
        const browser = c.kind === 'need' ? w.asMember : w.asOther
        const before = tableCounts(app)
        const res = await (c.kind === 'need' ? submitNeed : submitOffer)(browser, c.form(), headers)
        expect(res.statusCode).toBe(422)
        expect(res.body).toContain(`id="${c.kind}-form"`)
        expect(res.body).toContain(translate(locale, 'form.fix'))
        for (const [field, [key, params]] of Object.entries(c.errors)) {
          expect(fieldError(res.body, field), `${field} (${locale})`).toBe(html(translate(locale, key, params)))
        }
        expect(tableCounts(app)).toEqual(before)
      })
    }
  }

  it('re-renders the htmx form in place (422 fragment, no page around it)', async () => {
    await w.asMember.get('/needs/new')
    const res = await w.asMember.post('/needs', needForm(w, { title: '' }), { headers: { 'hx-request': 'true' } })
    expect(res.statusCode).toBe(422)
    expect(res.body).toMatch(/^<form[^>]+id="need-form"/)
    expect(res.body).not.toContain('<html')
  })
})

describe('mass assignment', () => {
  it('ignores status, remaining, version, ref and timestamps sent with a new need', async () => {
    const res = await submitNeed(
      w.asMember,
      needForm(w, {
        title: '想一步到位的需求',
        status: 'met',
        remaining: 0,
        ref: 'n-stolen',
        createdAt: '2000-01-01',
        closeReason: 'duplicate',
        version: 77,
      }),
    )
    expect(res.statusCode).toBe(303)
    const row = needRow(app, idFromLocation(res.headers.location, 'needs'))!
    expect(row).toMatchObject({ status: 'open', remaining: 16, quantity: 16, ref: null, closeReason: null, version: 1 })
    expect(row.createdAt.startsWith('2000')).toBe(false)
  })

  it('ignores status and remaining sent with an edit', async () => {
    const need = postNeed(app, w.member, { orgId: w.orgA.id, areaId: w.communityA.id, quantity: 10 })
    await w.asMember.get(`/needs/${need.id}/edit`)
    const res = await w.asMember.post(
      `/needs/${need.id}`,
      needForm(w, { quantity: 10, status: 'met', remaining: 0, version: 1 }),
    )
    expect(res.statusCode).toBe(303)
    expect(needRow(app, need.id)).toMatchObject({ status: 'open', remaining: 10 })
  })

  it('refuses posting on behalf of an organization the user does not belong to', async () => {
    const before = tableCounts(app)
    const need = await submitNeed(w.asMember, needForm(w, { orgId: w.orgB.id }))
    expect(need.statusCode).toBe(422)
    expect(need.body).toContain(html(zh('validation.choose')))
    const offer = await submitOffer(w.asMember, offerForm(w, { orgId: w.orgB.id }))
    expect(offer.statusCode).toBe(422)
    expect(tableCounts(app)).toEqual(before)
  })

  it('refuses moving a listing to another organization in an edit', async () => {
    const need = postNeed(app, w.member, { orgId: w.orgA.id, areaId: w.communityA.id })
    await w.asMember.get(`/needs/${need.id}/edit`)
    const res = await w.asMember.post(`/needs/${need.id}`, needForm(w, { orgId: w.orgB.id, version: 1 }))
    expect(res.statusCode).toBe(422)
    expect(needRow(app, need.id)).toMatchObject({ orgId: w.orgA.id, version: 1 })
  })
})

describe("another organization's listing", () => {
  it('cannot be edited, closed or renewed by a member of org B: 404, nothing changed', async () => {
    const need = postNeed(app, w.member, { orgId: w.orgA.id, areaId: w.communityA.id, title: 'A的需求' })
    const offer = postOffer(app, w.member, { orgId: w.orgA.id, servesAreaId: w.streetA.id, title: 'A的资源' })
    setExpiry(app, 'offers', offer.id, day(-2))
    await w.asOther.get('/account')
    const before = tableCounts(app)
    const attempts: [string, string, Form?][] = [
      ['GET', `/needs/${need.id}/edit`],
      [
        'POST',
        `/needs/${need.id}`,
        needForm(w, { orgId: w.orgB.id, areaId: w.communityB.id, title: 'B改的', version: 1 }),
      ],
      ['POST', `/needs/${need.id}`, needForm(w, { title: 'B改的', version: 1 })],
      ['POST', `/needs/${need.id}/closure`, { reason: 'duplicate' }],
      ['POST', `/needs/${need.id}/renewal`, { expiresAt: day(90) }],
      ['GET', `/offers/${offer.id}/edit`],
      ['POST', `/offers/${offer.id}`, offerForm(w, { title: 'B改的', version: 1 })],
      ['POST', `/offers/${offer.id}/closure`, { reason: 'duplicate' }],
      ['POST', `/offers/${offer.id}/renewal`, { expiresAt: day(90) }],
    ]
    for (const [method, url, form] of attempts) {
      const res = method === 'GET' ? await w.asOther.get(url) : await w.asOther.post(url, form)
      expect(res.statusCode, `${method} ${url}`).toBe(404)
    }
    expect(needRow(app, need.id)).toMatchObject({
      title: 'A的需求',
      status: 'open',
      version: 1,
      expiresAt: need.expiresAt,
    })
    expect(offerRow(app, offer.id)).toMatchObject({ title: 'A的资源', status: 'open', version: 1, expiresAt: day(-2) })
    expect(tableCounts(app)).toEqual(before)
    // The owner sees no owner actions from org B's side either.
    expect((await w.asOther.get(`/needs/${need.id}`)).body).not.toContain('id="owner-actions"')
  })

  it('is not found for a signed-out visitor asking for its edit form either (sign in first)', async () => {
    const need = postNeed(app, w.member, { orgId: w.orgA.id, areaId: w.communityA.id })
    const res = await new Browser(app).get(`/needs/${need.id}/edit`)
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toMatch(/^\/signin\?next=/)
  })
})
