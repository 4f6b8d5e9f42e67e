import { describe, expect, it } from 'vitest'
import { inboxView } from '../../../src/notifications/notifications.pages.js'
import type * as notifications from '../../../src/notifications/notifications.js'

type Row = ReturnType<typeof notifications.inbox>[number]
const t = (key: string) => `[${key}]`
const notice = (over: Partial<Row>) =>
  ({
    id: 1,
    userId: 5,
    kind: 'listing.expiring',
    params: { kind: 'offer', id: 12, title: '折叠椅' },
    link: '/offers/12',
    readAt: null,
    createdAt: '2026-12-06T01:00:00.000Z',
    ...over,
  }) as unknown as Row

describe('inboxView: the inbox', () => {
  it('gives a listing about to expire its still-needed forms, unread until read', () => {
    const [n] = inboxView([notice({})], 'zh-CN', t).items
    expect(n).toMatchObject({ listing: { path: 'offers', id: 12 }, link: '/offers/12', isUnread: true })
    expect(n!.text).not.toBe('')
  })

  it('never links off the site, and gives no forms for a listing it cannot name', () => {
    const items = inboxView(
      [
        notice({ link: '//evil.example/x', readAt: '2026-12-06T02:00:00.000Z' }),
        notice({ params: { kind: 'need', id: 'x' } as unknown as Row['params'] }),
      ],
      'en',
      t,
    ).items
    expect(items.map((i) => [i.link, i.isUnread])).toEqual([
      [undefined, false],
      ['/offers/12', true],
    ])
    expect(items[1]!.listing).toBeUndefined()
  })

  it('after marking all read, swaps the header badge to none; otherwise leaves it alone', () => {
    expect(inboxView([], 'zh-CN', t, { marked: true })).toMatchObject({ unread: 0, oob: true, items: [] })
    expect('unread' in inboxView([], 'zh-CN', t)).toBe(false)
  })
})
