import { describe, expect, it } from 'vitest'
import { prng } from '../../../bench/lib/generate.js'
import { formatReason } from '../../../src/matching/present.js'
import { pairScore, prepareNeed, prepareOffer, rankNeeds, rankOffers } from '../../../src/matching/rank.js'
import type { Candidate, Reason } from '../../../src/matching/types.js'
import { DEFAULT_WEIGHTS, type Factor, type Weights } from '../../../src/matching/weights.js'
import { need, offer, org } from './fixtures.js'

const cand = (over: Parameters<typeof offer>[0], relevance = 0.5, terms: string[] = []): Candidate => ({
  offer: offer(over),
  relevance,
  terms,
})
const reasonOf = (fit: { reasons: Reason[] }, factor: string) => fit.reasons.find((r) => r.factor === factor)!

describe('ranking offers for a need', () => {
  it('prefers same-community over same-street over same-district offers on equal text score', () => {
    const fits = rankOffers(need(), [
      cand({ id: 1, servesPath: [1] }),
      cand({ id: 2, servesPath: [1, 2] }),
      cand({ id: 3, servesPath: [1, 2, 12] }),
    ])
    expect(fits.map((f) => f.offerId)).toEqual([3, 2, 1])
    expect(fits.map((f) => formatReason(reasonOf(f, 'area'), 'en'))).toEqual([
      'same community',
      'same street',
      'same district',
    ])
    expect(formatReason(reasonOf(fits[1], 'area'), 'zh-CN')).toBe('同一街道')
  })

  it('ranks the more relevant text first and names the matched words when the listings carry none of their own', () => {
    const untagged = { topics: [], keywords: [] }
    const n = need({ category: 'funds', unit: 'yuan', ...untagged })
    const fits = rankOffers(n, [
      cand({ id: 1, category: 'funds', ...untagged }, 0.2),
      cand({ id: 2, category: 'funds', ...untagged }, 0.9, ['rehearsal', 'speakers']),
    ])
    expect(fits[0].offerId).toBe(2)
    expect(formatReason(reasonOf(fits[0], 'relevance'), 'en')).toBe('funds for any purpose')
    const related = rankOffers(need({ topics: [], keywords: ['排练'] }), [
      cand({ id: 1, keywords: ['排练', '音响'] }, 0.2),
      cand({ id: 2, topics: [], keywords: ['排练'] }, 0.9, ['rehearsal', 'speakers']),
    ])
    expect(related[0].offerId).toBe(2)
    expect(formatReason(reasonOf(related[0], 'relevance'), 'zh-CN')).toBe('内容相关：排练')
    const fallback = rankOffers(need({ topics: [], keywords: [] }), [
      cand({ id: 2, topics: [], keywords: [] }, 0.9, ['rehearsal', 'speakers']),
    ])
    expect(formatReason(reasonOf(fallback[0], 'relevance'), 'en')).toBe('relevant: rehearsal, speakers')
    expect(formatReason(reasonOf(fallback[0], 'relevance'), 'zh-CN')).toBe('内容相关：rehearsal、speakers')
  })

  it('names the topic both are about, never the category word, as the relevance reason', () => {
    // 长者智能手机使用培训 and an offer of smartphone lessons: "both about smartphone lessons", not "relevant: 培训".
    const n = need({
      category: 'training',
      unit: 'seats',
      topics: ['smartphone_lessons'],
      keywords: ['智能手机', '长者'],
    })
    const [fit] = rankOffers(n, [
      cand(
        { category: 'training', unit: 'seats', topics: ['smartphone_lessons', 'wechat_pay'], keywords: ['智能手机'] },
        0.3,
        ['培训'],
      ),
    ])
    const r = reasonOf(fit, 'relevance')
    expect(r).toMatchObject({ key: 'reason.relevance.topic', params: { topics: 'smartphone_lessons' } })
    expect(
      formatReason(r, 'zh-CN', { topicName: (c) => (c === 'smartphone_lessons' ? '智能手机教学' : undefined) }),
    ).toBe('同属主题：智能手机教学')
    expect(formatReason(r, 'zh-CN')).not.toContain('培训')
  })

  it('ranks an offer about the same topic above one that only shares words, all else equal', () => {
    const n = need({ topics: ['rehearsal_space'], keywords: ['排练', '音响'] })
    const fits = rankOffers(n, [cand({ id: 1, topics: [], keywords: ['排练', '音响'] }, 0.5), cand({ id: 2 }, 0.5)])
    expect(fits.map((f) => f.offerId)).toEqual([2, 1])
    expect(reasonOf(fits[0], 'relevance').contribution).toBeGreaterThan(reasonOf(fits[1], 'relevance').contribution)
  })

  it('prefers an offer that covers the whole need, and says how much a partial one covers', () => {
    const n = need({ category: 'volunteers', unit: 'person-hours', quantity: 40 })
    const fits = rankOffers(n, [
      cand({ id: 1, category: 'volunteers', remaining: 32 }),
      cand({ id: 2, category: 'volunteers', remaining: 50 }),
    ])
    expect(fits.map((f) => f.offerId)).toEqual([2, 1])
    expect(formatReason(reasonOf(fits[1], 'coverage'), 'en')).toBe('covers 80% of 40 volunteer-hours')
    expect(formatReason(reasonOf(fits[0], 'coverage'), 'en')).toBe('covers all 40 volunteer-hours')
    expect(formatReason(reasonOf(fits[1], 'coverage'), 'zh-CN')).toBe('可满足40人时中的80%')
  })

  it('explains a shared schedule in both languages', () => {
    const [fit] = rankOffers(need(), [cand({ schedule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=18,19,20,21' })])
    expect(formatReason(reasonOf(fit, 'schedule'), 'en')).toBe('free on both Tuesday and Thursday evenings')
    expect(formatReason(reasonOf(fit, 'schedule'), 'zh-CN')).toBe('双方周二和周四晚上都有空')
  })

  it('prefers an offer free for all the sessions asked over one free for some', () => {
    const fits = rankOffers(need(), [
      cand({ id: 1, schedule: 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=19' }),
      cand({ id: 2, schedule: 'FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=19' }),
    ])
    expect(fits.map((f) => f.offerId)).toEqual([2, 1])
  })

  it('prefers holders who have delivered and are rated well', () => {
    const fits = rankOffers(need(), [cand({ id: 1 }), cand({ id: 2, track: { delivered: 12, rating: 4.6 } })])
    expect(fits[0].offerId).toBe(2)
    expect(formatReason(reasonOf(fits[0], 'track'), 'en')).toBe('delivered 12 times, rated 4.6/5')
    expect(formatReason(reasonOf(fits[1], 'track'), 'en')).toBe('new resource holder')
  })

  it('breaks ties by offer id so the order never depends on the input order', () => {
    const a = rankOffers(need(), [cand({ id: 9 }), cand({ id: 3 }), cand({ id: 5 })])
    const b = rankOffers(need(), [cand({ id: 5 }), cand({ id: 9 }), cand({ id: 3 })])
    expect(a.map((f) => f.offerId)).toEqual([3, 5, 9])
    expect(b).toEqual(a)
  })

  it('orders long lists by score, then id, whatever the ids', () => {
    const rand = prng(7)
    const candidates = Array.from({ length: 600 }, (_, k) =>
      cand({ id: 1 + Math.floor(rand() * 2 ** 30), remaining: 1 + (k % 12) }, rand()),
    )
    const fits = rankOffers(need(), candidates)
    expect(fits).toHaveLength(600)
    for (let k = 1; k < fits.length; k++) {
      const a = fits[k - 1],
        b = fits[k]
      expect(a.score > b.score || (a.score === b.score && a.offerId <= b.offerId), `at ${k}`).toBe(true)
    }
  })

  it('scores in 0..100 with reasons for every factor whose contributions add up to the score', () => {
    const [fit] = rankOffers(need(), [cand({ track: { delivered: 3, rating: 4 } }, 0.7, ['opera'])])
    expect(fit.score).toBeGreaterThanOrEqual(0)
    expect(fit.score).toBeLessThanOrEqual(100)
    expect(fit.reasons.map((r) => r.factor)).toEqual([
      'relevance',
      'area',
      'coverage',
      'schedule',
      'dates',
      'urgency',
      'fairness',
      'track',
    ])
    expect(Math.abs(fit.reasons.reduce((s, r) => s + r.contribution, 0) - fit.score)).toBeLessThan(1)
  })

  it('follows the weights it is given', () => {
    const onlyTrack = {
      ...DEFAULT_WEIGHTS,
      relevance: 0,
      area: 0,
      coverage: 0,
      schedule: 0,
      dates: 0,
      urgency: 0,
      fairness: 0,
      track: 1,
    }
    const fits = rankOffers(
      need(),
      [cand({ id: 1, servesPath: [1, 2, 12] }), cand({ id: 2, servesPath: [1], track: { delivered: 30, rating: 5 } })],
      onlyTrack,
    )
    expect(fits[0].offerId).toBe(2)
  })

  it('agrees with the numbers-only score the allocator uses', () => {
    const n = need(),
      o = offer({ remaining: 7, track: { delivered: 4, rating: 3.5 } })
    const [fit] = rankOffers(n, [{ offer: o, relevance: 0.4, terms: [] }])
    expect(Math.round(pairScore(prepareNeed(n), prepareOffer(o), DEFAULT_WEIGHTS, 0.4))).toBe(fit.score)
  })
})

describe('ranking needs for an offer', () => {
  it('visibly favours an under-resourced organization over a well-supported one', () => {
    const weak = need({ id: 1, org: org({ id: 1, matchesReceived: 0, members: 8, trust: 'self_declared' }) })
    const strong = need({ id: 2, org: org({ id: 2, matchesReceived: 14, members: 300, trust: 'endorsed' }) })
    const fits = rankNeeds(offer(), [
      { need: strong, relevance: 0.5, terms: [] },
      { need: weak, relevance: 0.5, terms: [] },
    ])
    expect(fits.map((f) => f.needId)).toEqual([1, 2])
    expect(formatReason(reasonOf(fits[0], 'fairness'), 'en')).toBe('no match received yet: first in line')
    expect(formatReason(reasonOf(fits[1], 'fairness'), 'en')).toBe('already well supported (14 matches)')
    expect(reasonOf(fits[0], 'fairness')).toMatchObject({ contribution: expect.any(Number) })
  })

  it('puts urgent needs first when all else is equal', () => {
    const fits = rankNeeds(offer(), [
      { need: need({ id: 1, urgency: 'low' }), relevance: 0, terms: [] },
      { need: need({ id: 2, urgency: 'high' }), relevance: 0, terms: [] },
    ])
    expect(fits.map((f) => f.needId)).toEqual([2, 1])
    expect(formatReason(reasonOf(fits[0], 'urgency'), 'zh-CN')).toBe('需求紧急')
  })
})

describe('ranking with a limit', () => {
  it('returns exactly the first fits of the full ranking, reasons included, for any limit', () => {
    const n = need()
    const candidates: Candidate[] = Array.from({ length: 500 }, (_, k) =>
      cand(
        {
          id: 1000 - k,
          remaining: 1 + (k % 40),
          servesPath: k % 3 ? [1, 2] : [1, 2, 12],
          schedule: k % 4 ? 'FREQ=WEEKLY;BYDAY=TU,TH,SA;BYHOUR=18,19,20' : null,
          from: k % 5 ? null : '2025-04-01',
          until: k % 5 ? null : '2025-09-30',
          track: { delivered: k % 17, rating: k % 2 ? 4.2 : null },
        },
        ((k * 37) % 100) / 100,
        k % 7 ? [] : ['rehearsal'],
      ),
    )
    const full = rankOffers(n, candidates)
    for (const limit of [0, 1, 20, 499]) {
      expect(rankOffers(n, candidates, DEFAULT_WEIGHTS, limit)).toEqual(full.slice(0, limit))
    }
  })
})

describe('ranking needs with a limit', () => {
  it('returns exactly the first fits of the full ranking of needs', () => {
    const o = offer({ remaining: 12 })
    const candidates = Array.from({ length: 300 }, (_, k) => ({
      need: need({
        id: 700 - k,
        quantity: 1 + (k % 30),
        urgency: (['low', 'normal', 'high'] as const)[k % 3],
        org: org({ id: k, matchesReceived: k % 5, members: 5 + (k % 40) }),
      }),
      relevance: ((k * 13) % 100) / 100,
      terms: k % 9 ? [] : ['场地'],
    }))
    const full = rankNeeds(o, candidates)
    for (const limit of [0, 1, 20, 299])
      expect(rankNeeds(o, candidates, DEFAULT_WEIGHTS, limit)).toEqual(full.slice(0, limit))
  })
})

describe('the weighted score', () => {
  it('is the weighted mean of the factor values, out of 100, wherever a pair is scored', () => {
    const random = prng(14)
    const w: Weights = {
      relevance: 7,
      area: 3,
      coverage: 11,
      schedule: 2,
      dates: 5,
      urgency: 13,
      fairness: 17,
      track: 1,
    }
    for (let k = 0; k < 60; k++) {
      const n = need({
        id: k + 1,
        quantity: 1 + Math.floor(random() * 20),
        urgency: (['low', 'normal', 'high'] as const)[k % 3],
        org: org({
          id: k + 1,
          matchesReceived: k % 6,
          members: k % 4 ? 5 + k : null,
          trust: k % 2 ? 'vouched' : 'self_declared',
        }),
      })
      const o = offer({
        id: 100 + k,
        remaining: 1 + Math.floor(random() * 20),
        servesPath: [[1], [1, 2], [1, 2, 12]][k % 3],
        schedule: k % 4 ? 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=19' : null,
        from: k % 5 ? null : '2025-04-01',
        until: k % 5 ? null : '2025-04-30',
        track: { delivered: k % 9, rating: k % 2 ? 1 + (k % 5) : null },
        topics: k % 3 ? ['rehearsal_space'] : [],
      })
      const relevance = random()
      const [asOffer] = rankOffers(n, [{ offer: o, relevance, terms: [] }], w)
      const [asNeed] = rankNeeds(o, [{ need: n, relevance, terms: [] }], w)
      // Each reason carries its factor's points (to 0.1): w·value scaled so the weights sum to 100.
      const total = Object.values(w).reduce((s, x) => s + x, 0)
      for (const r of asOffer.reasons)
        expect(r.contribution, r.factor).toBeLessThanOrEqual((w[r.factor as Factor] * 100) / total + 0.05)
      const mean = asOffer.reasons.reduce((s, r) => s + r.contribution, 0)
      expect(Math.abs(asOffer.score - mean), 'ranking offers for a need: the sum of the points').toBeLessThan(1)
      expect(asNeed.score, 'ranking needs for an offer scores the same pair the same').toBe(asOffer.score)
      expect(
        Math.round(pairScore(prepareNeed(n), prepareOffer(o), w, relevance)),
        "the allocator's numbers-only score",
      ).toBe(asOffer.score)
    }
  })

  it('leaves the relevance factor out of the mean when no text relevance is known, rather than counting it as 0', () => {
    const n = need(),
      o = offer()
    const onlyRelevanceAndArea = {
      ...DEFAULT_WEIGHTS,
      coverage: 0,
      schedule: 0,
      dates: 0,
      urgency: 0,
      fairness: 0,
      track: 0,
    }
    const [fit] = rankOffers(n, [{ offer: o, relevance: 0.5, terms: [] }], onlyRelevanceAndArea)
    const area = fit.reasons.find((r) => r.factor === 'area')!
    const areaShare =
      area.contribution /
      ((onlyRelevanceAndArea.area * 100) / (onlyRelevanceAndArea.area + onlyRelevanceAndArea.relevance))
    expect(pairScore(prepareNeed(n), prepareOffer(o), onlyRelevanceAndArea)).toBeCloseTo(areaShare * 100, 9)
  })
})
