import { describe, expect, it } from 'vitest'
import { holds, violations, windowsOverlap } from '../../../src/matching/feasibility.js'
import { subjectList } from '../../../src/matching/subject.js'
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
    expect(
      violations(need(), offer({ focus: ['children'], minTrust: 'endorsed', servesPath: [1, 3], remaining: 0 })),
    ).toEqual(['capacity', 'area', 'trust', 'focus'])
    expect(
      violations(need(), offer({ topics: ['first_aid'], keywords: ['急救'], remaining: 0, focus: ['children'] })),
    ).toEqual(['topic', 'capacity', 'focus'])
  })
})

describe('the topic constraint: what the two are about', () => {
  const smartphone = {
    category: 'training',
    unit: 'seats',
    topics: ['smartphone_lessons'],
    keywords: ['智能手机', '长者'],
  }

  it('fits a pair with a topic in common, whatever else either side is about', () => {
    expect(
      violations(
        need(smartphone),
        offer({ ...smartphone, topics: ['bookkeeping', 'smartphone_lessons'], keywords: [] }),
      ),
    ).toEqual([])
  })

  it('rules out an offer of the same category about something else, even when a word is shared', () => {
    // 长者智能手机使用培训 is not served by 社区骨干财务规范培训: both are training, the subjects differ.
    const finance = offer({ category: 'training', unit: 'seats', topics: ['bookkeeping'], keywords: ['财务', '长者'] })
    expect(violations(need(smartphone), finance)).toEqual(['topic'])
  })

  it('fits by related words when a side has no recognised topic, and not when nothing is shared', () => {
    const untopical = { category: 'training', unit: 'seats', topics: [] as string[] }
    expect(holds('topic', need(smartphone), offer({ ...untopical, keywords: ['智能手机', '微信'] }))).toBe(true)
    expect(holds('topic', need({ ...untopical, keywords: ['智能手机'] }), offer({ ...smartphone }))).toBe(true)
    expect(violations(need(smartphone), offer({ ...untopical, keywords: ['绘本', '亲子'] }))).toEqual(['topic'])
  })

  it('takes a fund with no stated purpose as fitting any funds need, and a fund with a purpose only for it', () => {
    const funds = { category: 'funds', unit: 'yuan' }
    const festival = need({ ...funds, topics: ['festival_activities'], keywords: ['中秋', '活动'] })
    expect(violations(festival, offer({ ...funds, topics: [], keywords: [] }))).toEqual([])
    expect(violations(festival, offer({ ...funds, topics: ['elderly_meals'], keywords: ['助餐'] }))).toEqual(['topic'])
    // Only funds are fungible: an equipment offer with no topic and no words says nothing it could fit by.
    expect(
      violations(
        need({ category: 'equipment', unit: 'items', topics: ['sound_equipment'], keywords: ['音响'] }),
        offer({ category: 'equipment', unit: 'items', topics: [], keywords: [] }),
      ),
    ).toEqual(['topic'])
  })

  it('reads an untagged listing (NULL columns) as about nothing, so it fits only a fund without purpose', () => {
    const untagged = { topics: subjectList(null), keywords: subjectList(null) }
    expect(untagged).toEqual({ topics: [], keywords: [] })
    expect(violations(need(), offer(untagged))).toEqual(['topic'])
    expect(violations(need(untagged), offer())).toEqual(['topic'])
    expect(
      violations(
        need({ ...untagged, category: 'funds', unit: 'yuan' }),
        offer({ ...untagged, category: 'funds', unit: 'yuan' }),
      ),
    ).toEqual([])
  })

  it('reads the columns as stored, and a malformed cell as untagged rather than failing', () => {
    expect(subjectList('["sound_equipment","venue_hall"]')).toEqual(['sound_equipment', 'venue_hall'])
    expect(subjectList('not json')).toEqual([])
    expect(subjectList('{"a":1}')).toEqual([])
    expect(subjectList(['kept'])).toEqual(['kept'])
  })
})
