import { describe, expect, it } from 'vitest'
import {
  listingFormView,
  listPageView,
  newListingValues,
  searchView,
  toForm,
  type ListPage,
  type loadListingForm,
  type loadSearch,
} from '../../../src/listings/listings.pages.js'
import type { Category } from '../../../src/listings/listings.js'

const t = (key: string) => `[${key}]`
const categories = [{ code: 'space', nameZh: '场地', nameEn: 'Space', unit: 'hour' }] as unknown as Category[]
const row = (id: number, over: Record<string, unknown> = {}) => ({
  id,
  title: `排练厅 ${id}`,
  category: 'space',
  schedule: 'FREQ=WEEKLY;BYDAY=SA',
  areaName: '东湖街道',
  areaNameEn: 'Donghu Street' as string | null,
  topics: ['rehearsal'],
  ...over,
})
const names = (codes: string[] | null | undefined) => (codes ?? []).map((code) => ({ code, name: `<${code}>` }))

function listPage(items = [row(1), row(2, { areaNameEn: null })], query: object = { q: '排练' }) {
  return {
    page: { items, total: 45, page: 2, pages: 3, terms: ['排练'] },
    query,
    names,
    topicOptions: [],
    categories,
    areaOptions: [{ id: 1, level: 'street', label: '东湖街道' }],
  } as unknown as ListPage<ReturnType<typeof row>>
}

describe('listPageView: the need and offer lists', () => {
  it("shows each row in the reader's language, falling back to the Chinese area name when there is no English one", () => {
    const v = listPageView('need', listPage(), 'en')
    expect(v.items.map((i) => i.areaLabel)).toEqual(['Donghu Street', '东湖街道'])
    expect(v.items[0]!.topicList).toEqual([{ code: 'rehearsal', name: '<rehearsal>' }])
    expect(v.items[0]!.scheduleText).not.toBe('')
    expect(v.categoryNames).toEqual({ space: 'Space' })
    expect(listPageView('need', listPage(), 'zh-CN').items[0]!.areaLabel).toBe('东湖街道')
  })

  it('keeps the page it is on and the filters as the visitor set them', () => {
    const v = listPageView('offer', listPage(undefined, { q: '排练', page: 2 }), 'zh-CN')
    expect([v.page, v.pages, v.total]).toEqual([2, 3, 45])
    expect(v.query).toEqual({ q: '排练', page: 2 })
  })

  it('offers the urgency filter on needs only, and each side its own statuses and orders', () => {
    const need = listPageView('need', listPage(), 'zh-CN')
    const offer = listPageView('offer', listPage(), 'zh-CN')
    expect('urgencies' in need && need.urgencies).toContain('high')
    expect('urgencies' in offer).toBe(false)
    expect(need.statuses).not.toEqual(offer.statuses)
  })

  it('an empty page says so with no rows, not an error', () => {
    const v = listPageView('need', listPage([]), 'zh-CN')
    expect(v.items).toEqual([])
    expect(v.total).toBe(45)
  })
})

describe('listingFormView: the need and offer forms', () => {
  const data = {
    topicChips: { category: 'space', shown: [], more: [], chosen: false, empty: false },
    categories,
    myOrgs: [{ id: 3, name: '广场舞队' }],
    areaOptions: [],
  } as unknown as ReturnType<typeof loadListingForm>

  it('gives a refused form back with what was typed and each problem beside its field', () => {
    const values = { title: '借', category: 'space', orgId: '3' }
    const errors = { title: { key: 'validation.too_short', params: { limit: 2 } } }
    const v = listingFormView(data, 'zh-CN', values, errors)
    expect(v.values).toBe(values)
    expect(v.errors).toEqual(errors)
    expect(v.form).toBe(true)
  })

  it("labels the categories in the reader's language and dates the form by the listings' calendar", () => {
    const v = listingFormView(data, 'en', {}, {}, new Date('2026-12-06T20:00:00Z'))
    expect(v.categories.map((c) => c.label)).toEqual(['Space'])
    expect(v.today).toBe('2026-12-07')
    expect(v.errors).toEqual({})
  })
})

describe('newListingValues: where a new listing starts', () => {
  const acting = [
    { id: 3, areaId: 30 },
    { id: 4, areaId: 40 },
  ]
  it('starts at the group asked for, in its area, for a need and an offer alike', () => {
    expect(newListingValues(acting, 4)).toMatchObject({ orgId: 4, areaId: 40, servesAreaId: 40 })
  })
  it('falls back to the first group when the poster does not act for the one asked for', () => {
    expect(newListingValues(acting, 99)).toMatchObject({ orgId: 3, areaId: 30 })
    expect(newListingValues([], 3)).toMatchObject({ orgId: undefined, areaId: undefined })
  })
  it('expires after the default lifetime, urgency normal, nothing ticked', () => {
    const v = newListingValues(acting, undefined, new Date('2026-12-06T04:00:00Z'))
    expect(v.expiresAt > '2026-12-06').toBe(true)
    expect([v.urgency, v.days, v.periods, v.focus]).toEqual(['normal', [], [], []])
  })
})

describe('toForm: a stored listing back in its form', () => {
  it('ticks the days of its rule and keeps the topics the poster confirmed as confirmed', () => {
    const f = toForm({ ...row(1), topicsConfirmed: true })
    expect(f.days).toEqual(['SA'])
    expect([f.topicsFor, f.topicsChosen, f.topics]).toEqual(['space', '1', ['rehearsal']])
  })
  it('leaves inferred topics unconfirmed, so the chips are redrawn as the poster types', () => {
    const f = toForm({ ...row(1), topics: null, topicsConfirmed: false })
    expect([f.topicsChosen, f.topics]).toEqual([undefined, []])
  })
})

describe('searchView: one box for both sides', () => {
  const found = (q: string) =>
    ({
      q,
      categories,
      found: q
        ? {
            needs: { items: [row(1)], total: 1, page: 1, pages: 1, terms: [q] },
            offers: { items: [], total: 0, page: 1, pages: 0, terms: [q] },
          }
        : undefined,
    }) as unknown as ReturnType<typeof loadSearch>

  it('shows no results and the page title for a blank box', () => {
    const v = searchView(found(''), t, 'zh-CN')
    expect([v.needs, v.offers, v.title]).toEqual([undefined, undefined, '[page.search]'])
  })

  it('titles the page with the words and shows each side, an empty side as empty', () => {
    const v = searchView(found('排练'), t, 'en')
    expect(v.title).toBe('排练')
    expect(v.needs!.items[0]!.areaLabel).toBe('Donghu Street')
    expect(v.offers!.items).toEqual([])
  })
})
