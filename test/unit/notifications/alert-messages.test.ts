import { describe, expect, it } from 'vitest'
import { ALERT_KINDS } from '../../../src/alerts/kinds.js'
import { NOTICE_KINDS } from '../../../src/notifications/kinds.js'
import { zhCN } from '../../../src/i18n/zh-CN.js'
import { en as enCatalogue } from '../../../src/i18n/en.js'
import { translate } from '../../../src/i18n/i18n.js'

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('"new fit" notice texts', () => {
  it('have a sentence and a subject per kind in both languages, naming both listings and organizations', () => {
    for (const kind of ALERT_KINDS) {
      for (const key of [`notice.${kind}`, `notice.${kind}.subject`]) {
        const zh = (zhCN as Record<string, string>)[key],
          en = (enCatalogue as Record<string, string>)[key]
        expect(zh, key).toMatch(/[\u4e00-\u9fff]/)
        expect(placeholders(en), key).toEqual(placeholders(zh))
      }
      expect(placeholders((zhCN as Record<string, string>)[`notice.${kind}`])).toEqual([
        'need',
        'needOrg',
        'offer',
        'offerOrg',
      ])
    }
  })

  it("are kinds of their own, not the match notices', and are in the app's catalogues", () => {
    expect(ALERT_KINDS.filter((k) => (NOTICE_KINDS as readonly string[]).includes(k))).toEqual([])
    expect(
      translate('zh-CN', 'notice.fit.offer.subject', {
        need: '排练场地',
        offer: '活动室',
        offerOrg: '花园记茶餐厅',
        needOrg: '广场舞队',
      }),
    ).toBe('「排练场地」有了合适的资源：花园记茶餐厅的「活动室」')
  })
})
