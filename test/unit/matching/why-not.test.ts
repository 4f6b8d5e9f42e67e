import { describe, expect, it } from 'vitest'
import { formatReason } from '../../../src/matching/present.js'
import { whyNot } from '../../../src/matching/why-not.js'
import { need, offer, org } from './fixtures.js'

describe('why not', () => {
  it('counts how many offers each constraint rules out, leaving other categories aside', () => {
    const result = whyNot(need(), [
      offer({ id: 1, schedule: 'FREQ=WEEKLY;BYDAY=SA;BYHOUR=9' }),
      offer({ id: 2, schedule: 'FREQ=WEEKLY;BYDAY=SU;BYHOUR=9', servesPath: [1, 3] }),
      offer({ id: 3, minTrust: 'vouched' }),
      offer({ id: 4, category: 'funds' }),
    ])
    expect(result.considered).toBe(3)
    expect(result.feasible).toBe(0)
    expect(result.blocked.map((b) => [b.constraint, b.offers])).toEqual([['schedule', 2], ['area', 1], ['trust', 1]])
    expect(formatReason(result.blocked[0], 'en')).toBe('2 venues never meet your schedule')
  })

  it('suggests widening the schedule when that unlocks the most offers', () => {
    const result = whyNot(need(), [
      offer({ id: 1, schedule: 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=19,20' }),
      offer({ id: 2, schedule: 'FREQ=WEEKLY;BYDAY=WE,FR;BYHOUR=18,19' }),
      offer({ id: 3, schedule: 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=9', minTrust: 'vouched' }),
    ])
    expect(result.unlock).toMatchObject({ constraint: 'schedule', offers: 2 })
    expect(formatReason(result.unlock!, 'en')).toBe('widen to Monday, Wednesday and Friday evenings: 2 venues become feasible')
    expect(formatReason(result.unlock!, 'zh-CN')).toBe('时间放宽到周一、周三和周五晚上：2处场地变为可行')
  })

  it('suggests asking a social worker to vouch when offers need a vouched organization', () => {
    const result = whyNot(need(), [offer({ id: 1, minTrust: 'vouched' }), offer({ id: 2, minTrust: 'vouched' })])
    expect(formatReason(result.unlock!, 'en')).toBe('ask a social worker to vouch for your organization: 2 venues need a vouched organization')
  })

  it('asks for the street office when some of the gated offers need endorsement', () => {
    const result = whyNot(need({ org: org({ trust: 'vouched' }) }), [offer({ id: 1, minTrust: 'endorsed' })])
    expect(result.unlock).toMatchObject({ constraint: 'trust', key: 'whynot.unlock.trust.endorsed', offers: 1 })
  })

  it('suggests a smaller quantity that offers could cover alone', () => {
    const n = need({ category: 'volunteers', unit: 'person-hours', quantity: 40 })
    const result = whyNot(n, [offer({ id: 1, category: 'volunteers', remaining: 25 }), offer({ id: 2, category: 'volunteers', remaining: 20 }),
      offer({ id: 3, category: 'volunteers', remaining: 0 })])
    expect(result.blocked).toMatchObject([{ constraint: 'capacity', offers: 3 }])
    expect(formatReason(result.unlock!, 'en')).toBe('reduce the quantity to 20 volunteer-hours: 2 volunteer offers could cover it')
  })

  it('suggests the dates that reach offers outside the window', () => {
    const result = whyNot(need(), [offer({ id: 1, from: '2025-06-10', until: '2025-08-31' }), offer({ id: 2, from: '2024-10-01', until: '2025-02-20' })])
    expect(result.unlock).toMatchObject({ constraint: 'window', offers: 2, params: { from: '2025-02-20', until: '2025-06-10' } })
  })

  it('suggests the nearest area most of the area-blocked offers serve', () => {
    const result = whyNot(need(), [offer({ id: 1, servesPath: [1, 2, 13] }), offer({ id: 2, servesPath: [1, 2, 13] }), offer({ id: 3, servesPath: [1, 3] })])
    expect(result.unlock).toMatchObject({ constraint: 'area', offers: 2, params: { area: 13 } })
  })

  it('suggests partnering with a group in the focus most reserved offers name', () => {
    const result = whyNot(need(), [offer({ id: 1, focus: ['children'] }), offer({ id: 2, focus: ['children', 'disability'] })])
    expect(formatReason(result.unlock!, 'en')).toBe('partner with a group serving children: 2 venues are reserved for them')
  })

  it('offers no single relaxation when every offer breaks two constraints', () => {
    const result = whyNot(need(), [offer({ id: 1, minTrust: 'vouched', servesPath: [1, 3] })])
    expect(result.unlock).toBeNull()
    expect(result.blocked).toHaveLength(2)
  })

  it('reports nothing blocked for a need that an offer already covers', () => {
    expect(whyNot(need(), [offer()])).toEqual({ considered: 1, feasible: 1, blocked: [], unlock: null })
  })
})
