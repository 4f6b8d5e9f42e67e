import { describe, expect, it } from 'vitest'
import { violations, windowsOverlap } from '../../../src/matching/feasibility.js'
import { need, offer, org } from './fixtures.js'

describe('feasibility', () => {
  it('accepts an offer that meets every condition', () => {
    expect(violations(need(), offer())).toEqual([])
  })

  it('rules out another category', () => {
    expect(violations(need(), offer({ category: 'funds' }))).toEqual(['category'])
  })

  it('rules out an offer with nothing left, but not one that covers only part', () => {
    expect(violations(need(), offer({ remaining: 0 }))).toEqual(['capacity'])
    expect(violations(need({ quantity: 40 }), offer({ remaining: 10 }))).toEqual([])
  })

  it('asks for the whole quantity when told to', () => {
    expect(violations(need({ quantity: 40 }), offer({ remaining: 10 }), { whole: true })).toEqual(['capacity'])
  })

  it('rules out offers whose dates never overlap the need', () => {
    expect(violations(need(), offer({ from: '2025-06-01', until: '2025-12-31' }))).toEqual(['window'])
    expect(violations(need(), offer({ from: null, until: '2025-03-01' }))).toEqual([])
  })

  it('treats missing dates as open-ended', () => {
    expect(windowsOverlap(null, null, '2030-01-01', '2030-01-02')).toBe(true)
    expect(windowsOverlap('2025-01-10', null, null, '2025-01-09')).toBe(false)
  })

  it('rules out offers whose schedule never meets the need', () => {
    expect(violations(need(), offer({ schedule: 'FREQ=WEEKLY;BYDAY=SA,SU;BYHOUR=9,10,11' }))).toEqual(['schedule'])
    expect(violations(need(), offer({ schedule: 'FREQ=WEEKLY;BYDAY=TH,FR;BYHOUR=18,19,20' }))).toEqual([])
  })

  it('accepts an offer serving the need’s street or community, not a neighbouring one', () => {
    expect(violations(need(), offer({ servesPath: [1, 2, 12] }))).toEqual([])
    expect(violations(need(), offer({ servesPath: [] }))).toEqual([])
    expect(violations(need(), offer({ servesPath: [1, 2, 13] }))).toEqual(['area'])
    expect(violations(need(), offer({ servesPath: [1, 3] }))).toEqual(['area'])
  })

  it('holds back offers for vouched or endorsed organizations from self-declared ones', () => {
    expect(violations(need(), offer({ minTrust: 'vouched' }))).toEqual(['trust'])
    expect(violations(need({ org: org({ trust: 'vouched' }) }), offer({ minTrust: 'vouched' }))).toEqual([])
    expect(violations(need({ org: org({ trust: 'vouched' }) }), offer({ minTrust: 'endorsed' }))).toEqual(['trust'])
  })

  it('keeps focused offers for organizations that share the focus', () => {
    expect(violations(need(), offer({ focus: ['children'] }))).toEqual(['focus'])
    expect(violations(need(), offer({ focus: ['children', 'elderly'] }))).toEqual([])
  })

  it('lists every broken constraint in a fixed order', () => {
    expect(violations(need(), offer({ focus: ['children'], minTrust: 'endorsed', servesPath: [1, 3], remaining: 0 })))
      .toEqual(['capacity', 'area', 'trust', 'focus'])
  })
})
