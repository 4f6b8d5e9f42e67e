import { describe, expect, it } from 'vitest'
import { translate, type Locale } from '../../../src/i18n/i18n.js'
import { describeSchedule } from '../../../src/listings/schedule-form.js'
import {
  deploymentNamespace,
  eligibilityWords,
  page,
  toSchedules,
  toService,
  uuidV5,
  type HsdsContext,
  type HsdsOffer,
} from '../../../src/interchange/hsds.js'
import { hourRuns } from '../../../src/interchange/hsds-schedules.js'

const ctxFor = (locale: Locale = 'en', baseUrl = 'https://assets.example.cn'): HsdsContext => ({
  namespace: deploymentNamespace(baseUrl),
  baseUrl,
  today: '2026-12-10',
  t: (key, params) => translate(locale, key, params),
  describeRule: (rule) => describeSchedule(rule, locale),
})
const ctx = ctxFor()

const offer = (over: Partial<HsdsOffer> = {}): HsdsOffer => ({
  id: 7,
  ref: 'o-1',
  title: '党群服务中心多功能室',
  description: '可容纳50人，有音响',
  category: 'venue',
  categoryName: 'Venue',
  quantity: 60,
  remaining: 45,
  unit: 'hours',
  fromDate: '2026-11-01',
  untilDate: '2027-06-30',
  schedule: 'FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=19',
  minTrust: 'self_declared',
  focus: [],
  status: 'open',
  expiresAt: '2027-06-30',
  updatedAt: '2026-11-02T08:00:00.000Z',
  org: {
    id: 3,
    ref: 'org-dh-office',
    name: '东湖街道办事处',
    description: '',
    kind: 'street_office',
    areaName: 'Donghu Street',
  },
  area: { id: 2, ref: 'H-DH', name: 'Donghu Street', level: 'street' },
  ...over,
})
const schedules = (schedule: string | null, over: Partial<HsdsOffer> = {}) =>
  toSchedules(offer({ schedule, ...over }), 'svc', ctx)

describe('identifiers', () => {
  it('are RFC 4122 version 5 UUIDs (the published example for python.org in the DNS namespace)', () => {
    expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d')
    expect(deploymentNamespace('http://localhost:3000/')).toBe('1afc52dc-3894-50f8-bfda-5f07fc2f5151')
  })

  it('are the same on every export, and differ between two deployments with the same refs', () => {
    const a = toService(offer(), ctx)
    expect(toService(offer(), ctx)).toEqual(a)
    const other = toService(offer(), ctxFor('en', 'https://other-district.example.cn'))
    expect(other.id).not.toBe(a.id)
    expect(other.organization.id).not.toBe(a.organization.id)
    const ids = [
      a.id,
      a.organization_id,
      ...a.schedules.map((s) => s.id),
      ...a.service_areas.map((s) => s.id),
      ...a.attributes.map((x) => x.id),
    ]
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it('follow the ref when there is one and the row id otherwise, so a ref-less offer still exports the same twice', () => {
    expect(toService(offer({ ref: null }), ctx).id).toBe(toService(offer({ ref: null }), ctx).id)
    expect(toService(offer({ ref: null }), ctx).id).not.toBe(toService(offer(), ctx).id)
    expect(toService(offer({ id: 99 }), ctx).id).toBe(toService(offer(), ctx).id)
  })
})

describe('schedules from RRULEs', () => {
  it('turns Tuesday and Thursday at 19:00 into one weekly entry, 19:00–20:00 China time, valid between the dates', () => {
    expect(schedules('FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=19')).toEqual([
      expect.objectContaining({
        freq: 'WEEKLY',
        byday: 'TU,TH',
        opens_at: '19:00+08:00',
        closes_at: '20:00+08:00',
        timezone: 8,
        valid_from: '2026-11-01',
        valid_to: '2027-06-30',
        dtstart: '2026-11-01',
        service_id: 'svc',
        description: 'Tuesday and Thursday, evenings, from 2026-11-01 to 2027-06-30',
      }),
    ])
  })

  it('gives one entry per run of hours (morning and afternoon are two), each with its own id', () => {
    const out = schedules('FREQ=WEEKLY;BYDAY=SA,SU;BYHOUR=8,9,10,11,14,15,16,17')
    expect(out.map((s) => [s.byday, s.opens_at, s.closes_at])).toEqual([
      ['SA,SU', '08:00+08:00', '12:00+08:00'],
      ['SA,SU', '14:00+08:00', '18:00+08:00'],
    ])
    expect(out[0].id).not.toBe(out[1].id)
    expect(hourRuns([20, 18, 19, 19, 23])).toEqual([
      [18, 20],
      [23, 23],
    ])
  })

  it('says a daily rule as weekly on every day (HSDS 3.0 knows only WEEKLY and MONTHLY)', () => {
    expect(schedules('FREQ=DAILY;BYHOUR=18,19,20')).toEqual([
      expect.objectContaining({
        freq: 'WEEKLY',
        byday: 'MO,TU,WE,TH,FR,SA,SU',
        opens_at: '18:00+08:00',
        closes_at: '21:00+08:00',
      }),
    ])
  })

  it('keeps a monthly "first Saturday" rule, all day, and COUNT, UNTIL and an hour ending at midnight', () => {
    const [monthly] = schedules('FREQ=MONTHLY;BYDAY=1SA;COUNT=10')
    expect(monthly).toMatchObject({ freq: 'MONTHLY', byday: '1SA', count: 10 })
    expect(monthly.opens_at).toBeUndefined()
    expect(schedules('RRULE:FREQ=WEEKLY;BYDAY=FR;BYHOUR=23;UNTIL=20270228T000000Z')[0]).toMatchObject({
      until: '2027-02-28',
      opens_at: '23:00+08:00',
      closes_at: '00:00+08:00',
    })
    expect(schedules('FREQ=MONTHLY;BYMONTHDAY=1,15')[0]).toMatchObject({ freq: 'MONTHLY', bymonthday: '1,15' })
  })

  it('carries a fortnightly rule with the date it counts from, and cannot without one', () => {
    expect(schedules('FREQ=WEEKLY;INTERVAL=2;BYDAY=WE')[0]).toMatchObject({
      freq: 'WEEKLY',
      interval: 2,
      dtstart: '2026-11-01',
    })
    const [unanchored] = schedules('FREQ=WEEKLY;INTERVAL=2;BYDAY=WE', { fromDate: null })
    expect(unanchored.freq).toBeUndefined()
    expect(unanchored.notes).toBe('RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=WE')
  })

  it('never invents structure for a rule HSDS cannot say: words, dates and the rule itself in notes', () => {
    for (const rule of [
      'FREQ=WEEKLY;BYDAY=MO;BYSETPOS=1',
      'FREQ=YEARLY;BYMONTH=3',
      'FREQ=WEEKLY;BYDAY=XX',
      'every tuesday',
      'FREQ=WEEKLY;BYHOUR=25',
      'FREQ=WEEKLY;BYDAY=TU;BYHOUR=19;',
      'FREQ=WEEKLY;BYDAY=TU;garbled',
      'BYDAY=TU;BYHOUR=19',
    ]) {
      const out = schedules(rule)
      expect(out, rule).toHaveLength(1)
      expect(out[0], rule).toMatchObject({ valid_from: '2026-11-01', valid_to: '2027-06-30' })
      expect(out[0].freq, rule).toBeUndefined()
      expect(out[0].opens_at, rule).toBeUndefined()
      expect(out[0].notes, rule).toBe(`RRULE:${rule}`)
    }
  })

  it('has no schedule without rule or dates, and an any-time entry with the dates alone', () => {
    expect(schedules(null, { fromDate: null, untilDate: null })).toEqual([])
    expect(schedules(null, { untilDate: null })).toEqual([
      expect.objectContaining({ valid_from: '2026-11-01', description: 'any time, from 2026-11-01' }),
    ])
    expect(schedules('  ', { fromDate: null })[0]).toMatchObject({
      valid_to: '2027-06-30',
      description: 'any time, until 2027-06-30',
    })
  })
})

describe('the service', () => {
  it('names, describes and dates the offer, with its capacity in the description and as a category attribute', () => {
    const s = toService(offer(), ctx)
    expect(s).toMatchObject({
      name: '党群服务中心多功能室',
      status: 'active',
      url: 'https://assets.example.cn/offers/7',
      last_modified: '2026-11-02T08:00:00.000Z',
      description: '可容纳50人，有音响\n\nOffers 60 hours in all; 45 hours still available.',
    })
    expect(s.attributes).toEqual([
      expect.objectContaining({
        link_type: 'service_category',
        link_entity: 'service',
        link_id: s.id,
        value: '45/60 hours',
        taxonomy_term: expect.objectContaining({
          code: 'category:venue',
          name: 'Venue',
          taxonomy: 'AssetBridge',
          language: 'en',
        }),
      }),
    ])
    expect(s.attributes[0].taxonomy_term_id).toBe(s.attributes[0].taxonomy_term.id)
  })

  it('is inactive once closed or past its expiry', () => {
    expect(toService(offer({ expiresAt: '2026-12-09' }), ctx).status).toBe('inactive')
    expect(toService(offer({ expiresAt: '2026-12-10' }), ctx).status).toBe('active')
    expect(toService(offer({ status: 'closed' }), ctx).status).toBe('inactive')
  })

  it('serves the area and everything below it, named in words with our area ref', () => {
    expect(toService(offer(), ctx).service_areas).toEqual([
      expect.objectContaining({
        name: 'Donghu Street and all areas within it',
        description: 'Serves Donghu Street (Street) and every area within it (AssetBridge area ref: H-DH).',
        uri: 'https://assets.example.cn/areas/2',
      }),
    ])
    const zh = toService(offer({ area: { id: 2, ref: null, name: '东湖街道', level: 'street' } }), ctxFor('zh-CN'))
    expect(zh.service_areas[0]).toMatchObject({
      name: '东湖街道及其下辖区域',
      description: '服务街道“东湖街道”及其下辖的全部区域（AssetBridge 区域编号：#2）。',
    })
  })

  it('puts the conditions into eligibility words and eligibility attributes', () => {
    const t = ctx.t
    expect(eligibilityWords({ minTrust: 'self_declared', focus: [] }, t)).toBe(
      'No special conditions; any organization may ask.',
    )
    expect(eligibilityWords({ minTrust: 'vouched', focus: ['elderly', 'disability'] }, t)).toBe(
      'The asking organization must be at least "Vouched". Only for organizations working with: Elderly, Disability.',
    )
    expect(eligibilityWords({ minTrust: 'endorsed', focus: ['children'] }, ctxFor('zh-CN').t)).toBe(
      '申请的组织须至少达到“街道认证”信任等级。 仅面向服务以下人群的组织：儿童。',
    )
    expect(eligibilityWords({ minTrust: 'self_declared', focus: ['children', 'elderly'] }, ctxFor('zh-CN').t)).toMatch(
      /^仅面向服务以下人群的组织：[^、，,]+、[^、，,]+。$/,
    )
    const s = toService(offer({ minTrust: 'vouched', focus: ['elderly'] }), ctx)
    expect(s.attributes.map((a) => [a.link_type, a.taxonomy_term.code])).toEqual([
      ['service_category', 'category:venue'],
      ['eligibility', 'min_trust:vouched'],
      ['eligibility', 'focus:elderly'],
    ])
  })

  it('describes an organization that wrote nothing by its kind and place (HSDS requires a description)', () => {
    expect(toService(offer(), ctx).organization.description).toBe('A Street office in Donghu Street.')
    expect(
      toService(offer({ org: { ...offer().org, description: '  服务东湖街道居民 ' } }), ctx).organization.description,
    ).toBe('服务东湖街道居民')
  })

  it('carries nothing private, even when handed an organization row that has contact details', () => {
    const org = { ...offer().org, contactPhone: 'ZZPHONE123', contactEmail: 'zzmail@example.cn' } as HsdsOffer['org']
    const text = JSON.stringify(toService(offer({ org }), ctx))
    expect(text).not.toContain('ZZPHONE123')
    expect(text).not.toContain('zzmail')
    expect(Object.keys(toService(offer({ org }), ctx).organization).sort()).toEqual(['description', 'id', 'name'])
  })
})

describe('pages', () => {
  it('follow the HSDS API page shape', () => {
    expect(page(['a', 'b'], 5, 1, 2)).toEqual({
      total_items: 5,
      total_pages: 3,
      page_number: 1,
      size: 2,
      first_page: true,
      last_page: false,
      empty: false,
      contents: ['a', 'b'],
    })
    expect(page([], 0, 1, 50)).toMatchObject({ total_pages: 1, first_page: true, last_page: true, empty: true })
    expect(page(['e'], 5, 3, 2)).toMatchObject({ last_page: true, size: 1 })
  })
})
