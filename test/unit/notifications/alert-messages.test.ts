import { describe, expect, it } from 'vitest'
import { ALERT_KINDS, ALERT_MESSAGES } from '../../../src/alerts/messages.js'
import { NOTICE_MESSAGES } from '../../../src/notifications/messages.js'
import { translate } from '../../../src/i18n/i18n.js'

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('"new fit" notice texts', () => {
  it('have a sentence and a subject per kind in both languages, naming both listings and organizations', () => {
    for (const kind of ALERT_KINDS) {
      for (const key of [`notice.${kind}`, `notice.${kind}.subject`]) {
        const zh = ALERT_MESSAGES['zh-CN'][key], en = ALERT_MESSAGES.en[key]
        expect(zh, key).toMatch(/[\u4e00-\u9fff]/)
        expect(placeholders(en), key).toEqual(placeholders(zh))
      }
      expect(placeholders(ALERT_MESSAGES['zh-CN'][`notice.${kind}`])).toEqual(['need', 'needOrg', 'offer', 'offerOrg'])
    }
    expect(Object.keys(ALERT_MESSAGES.en).sort()).toEqual(Object.keys(ALERT_MESSAGES['zh-CN']).sort())
  })

  it('do not take keys the match notices own, and are registered with the app\'s i18n', () => {
    expect(Object.keys(ALERT_MESSAGES['zh-CN']).filter((k) => k in NOTICE_MESSAGES['zh-CN'])).toEqual([])
    expect(translate('zh-CN', 'notice.fit.offer.subject', { need: '排练场地', offer: '活动室', offerOrg: '花园记茶餐厅', needOrg: '广场舞队' })).toBe('「排练场地」有了合适的资源：花园记茶餐厅的「活动室」')
  })
})
