import { describe, expect, it } from 'vitest'
import { closedView, posterView, type loadPoster } from '../../../src/share/share.pages.js'

const t = (key: string) => `[${key}]`
const listing = (status: string) => ({
  id: 12,
  title: '周末借用排练厅',
  status,
  category: 'space',
  schedule: null,
  areaName: '东湖街道',
  areaNameEn: 'Donghu Street',
  topics: ['rehearsal'],
})
const poster = (shared: boolean, kind: 'need' | 'offer' = 'offer') =>
  ({
    kind,
    found: { listing: listing(shared ? 'open' : 'closed'), shared },
    names: (codes: string[] | null | undefined) => (codes ?? []).map((code) => ({ code, name: code })),
    categoryNames: { space: 'Space' },
  }) as unknown as NonNullable<ReturnType<typeof loadPoster>>

describe('posterView: a listing on paper', () => {
  it("prints an open listing with its short link, QR code and category, in the reader's words", () => {
    const { status, page, view } = posterView(poster(true), 'https://ab.example', t, 'en')
    expect([status, page]).toEqual([200, 'share/poster'])
    expect(view).toMatchObject({
      url: 'https://ab.example/o/12',
      qr: '/offers/12/qr.svg',
      back: '/offers/12',
      category: 'Space',
      title: '周末借用排练厅',
    })
    expect(view).toMatchObject({ listing: { areaLabel: 'Donghu Street' } })
  })

  it('answers a closed listing 410 with the page that says it is no longer shared, and no link or QR code', () => {
    const { status, page, view } = posterView(poster(false, 'need'), 'https://ab.example', t, 'zh-CN')
    expect([status, page]).toEqual([410, 'share/closed'])
    expect(view).toEqual(closedView('need', listing('closed'), t).view)
    expect(view).toMatchObject({ path: '/needs/12', title: '[share.closed.need_title]' })
    expect('url' in view || 'qr' in view).toBe(false)
  })
})
