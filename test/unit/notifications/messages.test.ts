import { describe, expect, it } from 'vitest'
import { NOTICE_KINDS } from '../../../src/notifications/kinds.js'
import { zhNotices } from '../../../src/i18n/zh-CN.notices.js'
import { enNotices } from '../../../src/i18n/en.notices.js'
import { absoluteLinks } from '../../../src/notifications/mailer.js'
import { EVENTS } from '../../../src/brokering/lifecycle.js'
import { translate } from '../../../src/i18n/i18n.js'
import { zhCN } from '../../../src/i18n/zh-CN.js'

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('notification texts', () => {
  it('cover every kind the match service and the jobs send: each lifecycle event, each opening, reminders', () => {
    const kinds = new Set<string>(NOTICE_KINDS)
    for (const event of EVENTS) expect(kinds, event).toContain(`match.${event}`)
    for (const opened of ['proposed', 'requested', 'pledged']) expect(kinds).toContain(`match.${opened}`)
    for (const kind of ['match.message', 'match.reminder', 'match.followup', 'listing.expiring'])
      expect(kinds).toContain(kind)
  })

  it('have a sentence and a subject for every kind in both languages, with the same placeholders', () => {
    const zh: Record<string, string> = zhNotices
    const en: Record<string, string> = enNotices
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort())
    for (const kind of NOTICE_KINDS) {
      for (const key of [`notice.${kind}`, `notice.${kind}.subject`]) {
        expect(zh[key]?.trim(), key).toBeTruthy()
        expect(en[key]?.trim(), key).toBeTruthy()
        expect(placeholders(en[key]), key).toEqual(placeholders(zh[key]))
        expect(zh[key], key).toMatch(/[\u4e00-\u9fff]/)
      }
    }
    for (const [key, value] of Object.entries(en)) expect(placeholders(value), key).toEqual(placeholders(zh[key]))
  })

  it("are in the app's catalogues, so the completeness test covers them", () => {
    for (const key of Object.keys(zhNotices)) expect(zhCN).toHaveProperty([key])
    expect(
      translate('zh-CN', 'notice.match.reminder', {
        id: 12,
        need: '排练场地',
        offer: '社区活动室',
        needOrg: '广场舞队',
        offerOrg: '互助小组',
        days: 3,
      }),
    ).toBe('「排练场地」（广场舞队）与「社区活动室」（互助小组）的对接已经 3 天没有答复。请尽快查看，接受或谢绝。')
    expect(translate('en', 'notice.listing.expiring.subject', { title: '排练场地', date: '2026-12-01' })).toBe(
      '"排练场地" expires on 2026-12-01: still needed?',
    )
  })
})

describe('absoluteLinks', () => {
  const BASE = 'https://ab.example.cn/'

  it('prefixes the site address to relative links on lines of their own', () => {
    expect(absoluteLinks('- Match #12 was accepted.\n  /matches/12\n- Another\n  /needs/3?x=1\n\nfooter', BASE)).toBe(
      '- Match #12 was accepted.\n  https://ab.example.cn/matches/12\n- Another\n  https://ab.example.cn/needs/3?x=1\n\nfooter',
    )
  })

  it('leaves alone text that merely contains a slash, absolute links and protocol-relative ones', () => {
    const body =
      '- "A/B testing" /matches/1 in a sentence\n  https://elsewhere.example/matches/1\n  //evil.example/x\n/matches/2'
    expect(absoluteLinks(body, BASE)).toBe(body)
  })
})
