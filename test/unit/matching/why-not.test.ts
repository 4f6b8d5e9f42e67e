import { describe, expect, it } from 'vitest'
import { formatReason } from '../../../src/matching/present.js'
import { whyNot } from '../../../src/matching/why-not.js'
import { need, offer, org } from './fixtures.js'
import { generateInstance, prng } from '../../../bench/lib/generate.js'
import { OfferIndex } from '../../../src/matching/candidates.js'
import { violations } from '../../../src/matching/feasibility.js'
import { tally } from '../../../src/matching/offer-columns.js'
import { parseSchedule } from '../../../src/matching/schedule.js'
import { CONSTRAINTS, type Constraint, type OfferView } from '../../../src/matching/types.js'

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
    expect(result.blocked.map((b) => [b.constraint, b.offers])).toEqual([
      ['schedule', 2],
      ['area', 1],
      ['trust', 1],
    ])
    expect(formatReason(result.blocked[0], 'en')).toBe('2 venues never meet your schedule')
  })

  it('suggests widening the schedule when that unlocks the most offers', () => {
    const result = whyNot(need(), [
      offer({ id: 1, schedule: 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=19,20' }),
      offer({ id: 2, schedule: 'FREQ=WEEKLY;BYDAY=WE,FR;BYHOUR=18,19' }),
      offer({ id: 3, schedule: 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=9', minTrust: 'vouched' }),
    ])
    expect(result.unlock).toMatchObject({ constraint: 'schedule', offers: 2 })
    expect(formatReason(result.unlock!, 'en')).toBe(
      'widen to Monday, Wednesday and Friday evenings: 2 venues become feasible',
    )
    expect(formatReason(result.unlock!, 'zh-CN')).toBe('时间放宽到周一、周三和周五晚上：2处场地变为可行')
  })

  it('suggests asking a social worker to vouch when offers need a vouched organization', () => {
    const result = whyNot(need(), [offer({ id: 1, minTrust: 'vouched' }), offer({ id: 2, minTrust: 'vouched' })])
    expect(formatReason(result.unlock!, 'en')).toBe(
      'ask a social worker to vouch for your organization: 2 venues need a vouched organization',
    )
  })

  it('asks for the street office when some of the gated offers need endorsement', () => {
    const result = whyNot(need({ org: org({ trust: 'vouched' }) }), [offer({ id: 1, minTrust: 'endorsed' })])
    expect(result.unlock).toMatchObject({ constraint: 'trust', key: 'whynot.unlock.trust.endorsed', offers: 1 })
  })

  it('suggests a smaller quantity that offers could cover alone', () => {
    const n = need({ category: 'volunteers', unit: 'person-hours', quantity: 40 })
    const result = whyNot(n, [
      offer({ id: 1, category: 'volunteers', remaining: 25 }),
      offer({ id: 2, category: 'volunteers', remaining: 20 }),
      offer({ id: 3, category: 'volunteers', remaining: 0 }),
    ])
    expect(result.blocked).toMatchObject([{ constraint: 'capacity', offers: 3 }])
    expect(formatReason(result.unlock!, 'en')).toBe(
      'reduce the quantity to 20 volunteer-hours: 2 volunteer offers could cover it',
    )
  })

  it('suggests the dates that reach offers outside the window', () => {
    const result = whyNot(need(), [
      offer({ id: 1, from: '2025-06-10', until: '2025-08-31' }),
      offer({ id: 2, from: '2024-10-01', until: '2025-02-20' }),
    ])
    expect(result.unlock).toMatchObject({
      constraint: 'window',
      offers: 2,
      params: { from: '2025-02-20', until: '2025-06-10' },
    })
  })

  it('suggests the nearest area most of the area-blocked offers serve', () => {
    const result = whyNot(need(), [
      offer({ id: 1, servesPath: [1, 2, 13] }),
      offer({ id: 2, servesPath: [1, 2, 13] }),
      offer({ id: 3, servesPath: [1, 3] }),
    ])
    expect(result.unlock).toMatchObject({ constraint: 'area', offers: 2, params: { area: 13 } })
  })

  it('suggests partnering with a group in the focus most reserved offers name', () => {
    const result = whyNot(need(), [
      offer({ id: 1, focus: ['children'] }),
      offer({ id: 2, focus: ['children', 'disability'] }),
    ])
    expect(formatReason(result.unlock!, 'en')).toBe(
      'partner with a group serving children: 2 venues are reserved for them',
    )
  })

  it('offers no single relaxation when every offer breaks two constraints', () => {
    const result = whyNot(need(), [offer({ id: 1, minTrust: 'vouched', servesPath: [1, 3] })])
    expect(result.unlock).toBeNull()
    expect(result.blocked).toHaveLength(2)
  })

  it('reports nothing blocked for a need that an offer already covers', () => {
    expect(whyNot(need(), [offer()])).toEqual({ considered: 1, feasible: 1, blocked: [], unlock: null })
  })

  describe('offers about other things', () => {
    const training = { category: 'training', unit: 'seats' }
    const smartphone = need({ ...training, topics: ['smartphone_lessons'], keywords: ['智能手机', '长者'] })
    const names: Record<string, string> = {
      bookkeeping: '财务',
      first_aid: '急救',
      picture_books: '绘本',
      smartphone_lessons: '智能手机教学',
    }
    const topicName = (c: string) => names[c]

    it('counts same-category offers about other topics and names those topics', () => {
      const result = whyNot(smartphone, [
        offer({ id: 1, ...training, topics: ['bookkeeping'], keywords: ['财务'] }),
        offer({ id: 2, ...training, topics: ['first_aid'], keywords: ['急救'] }),
        offer({ id: 3, ...training, topics: ['picture_books', 'bookkeeping'], keywords: ['绘本'] }),
        offer({ id: 4, category: 'venue', topics: ['smartphone_lessons'] }),
      ])
      expect(result.considered).toBe(3)
      expect(result.blocked).toMatchObject([
        {
          constraint: 'topic',
          offers: 3,
          key: 'whynot.blocked.topic',
          params: { topics: 'bookkeeping,first_aid,picture_books' },
        },
      ])
      expect(formatReason(result.blocked[0], 'zh-CN', { topicName })).toBe('3项培训的内容不相关：财务、急救、绘本')
      expect(formatReason(result.blocked[0], 'en', { topicName })).toBe(
        '3 training offers are about other things: 财务, 急救, 绘本',
      )
    })

    it('says which topic would have to change, when an offer fails on nothing else', () => {
      const result = whyNot(smartphone, [
        offer({ id: 1, ...training, topics: ['first_aid'] }),
        offer({ id: 2, ...training, topics: ['first_aid', 'bookkeeping'] }),
        offer({ id: 3, ...training, topics: ['bookkeeping'], schedule: 'FREQ=WEEKLY;BYDAY=SA;BYHOUR=9' }),
      ])
      expect(result.unlock).toMatchObject({
        constraint: 'topic',
        key: 'whynot.unlock.topic',
        offers: 2,
        params: { topic: 'first_aid' },
      })
      expect(formatReason(result.unlock!, 'zh-CN', { topicName })).toBe(
        '如果你的需求是关于“急救”的，请选择这个主题：2项培训变为可行',
      )
    })

    it('prefers any other relaxation over changing the topic when they open as many offers', () => {
      const result = whyNot(smartphone, [
        offer({ id: 1, ...training, topics: ['first_aid'] }),
        offer({ id: 2, ...training, topics: ['smartphone_lessons'], minTrust: 'vouched' }),
      ])
      expect(result.unlock).toMatchObject({ constraint: 'trust' })
    })

    it('counts offers it cannot tell the subject of as unclear, with the advice to pick a topic', () => {
      const untopical = need({ ...training, topics: [], keywords: ['长者'] })
      const result = whyNot(untopical, [
        offer({ id: 1, ...training, topics: [], keywords: ['绘本'] }),
        offer({ id: 2, ...training, topics: ['first_aid'], keywords: ['急救'] }),
      ])
      expect(result.blocked).toMatchObject([{ constraint: 'topic', offers: 2, key: 'whynot.blocked.topic_unclear' }])
      expect(formatReason(result.blocked[0], 'zh-CN')).toBe('2项培训内容不明确，为需求选择一个主题有助于匹配')
      expect(formatReason(result.blocked[0], 'en')).toBe(
        '2 training offers: unclear what they are about; picking a topic for your need helps',
      )
      // Picking first aid, if that is what the need is about, would open the one that has a topic.
      expect(result.unlock).toMatchObject({ constraint: 'topic', offers: 1, params: { topic: 'first_aid' } })
    })

    it('never counts a fund with no stated purpose as off-topic', () => {
      const funds = { category: 'funds', unit: 'yuan' }
      const result = whyNot(need({ ...funds, quantity: 5000, topics: ['festival'] }), [
        offer({ id: 1, ...funds, topics: [], keywords: [], remaining: 1000 }),
      ])
      expect(result.blocked.map((b) => b.constraint)).toEqual(['capacity'])
    })
  })

  // why-not checks a whole category through columns and classes of alike offers (why-not.ts): its counts must be
  // violations()' own, offer by offer, for any mix of dates, schedules, places, trust, focus and subjects.
  it.each([3, 4, 5])('counts what violations() says of each offer, with or without an index (seed %i)', (seed) => {
    const { needs, offers } = generateInstance({ needs: 80, offers: 500, seed, streets: 2, communitiesPerStreet: 3 })
    offers.forEach((o, k) => {
      if (k % 11 === 0) o.remaining = 0
    })
    const indexes = new Map<string, OfferIndex>()
    for (const o of offers) {
      if (!indexes.has(o.category)) indexes.set(o.category, new OfferIndex())
      indexes.get(o.category)!.put(o)
    }
    let feasible = 0,
      unlocked = 0
    for (const n of needs) {
      const broken = offers.filter((o) => o.category === n.category).map((o) => violations(n, o, { whole: true }))
      const count = (c: Constraint) => broken.filter((b) => b.includes(c)).length
      const only = (c: Constraint) => broken.filter((b) => b.length === 1 && b[0] === c).length
      const index = indexes.get(n.category)!
      const reversed = [...offers].reverse()
      for (const answer of [whyNot(n, reversed), whyNot(n, index.all(), index.relation(n))]) {
        expect(answer.considered).toBe(broken.length)
        expect(answer.feasible).toBe(broken.filter((b) => b.length === 0).length)
        const blocked = new Map<Constraint, number>()
        for (const b of answer.blocked) blocked.set(b.constraint, (blocked.get(b.constraint) ?? 0) + b.offers)
        expect(new Map(CONSTRAINTS.filter((c) => count(c) > 0).map((c) => [c, count(c)]))).toEqual(blocked)
        if (answer.unlock) {
          expect(answer.unlock.offers).toBeLessThanOrEqual(only(answer.unlock.constraint))
          unlocked++
        }
      }
      feasible += broken.filter((b) => b.length === 0).length
    }
    expect(feasible).toBeGreaterThan(3)
    expect(unlocked).toBeGreaterThan(20)
  })

  // Offers failing one constraint alone are gathered one per class of offers alike in what that constraint reads,
  // with how many (offer-columns.ts tally): the answer must be what the offers one by one would give.
  const pick = <T>(rand: () => number, xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!
  const reads: Record<string, (o: OfferView) => string> = {
    capacity: (o) => String(o.remaining),
    schedule: (o) => JSON.stringify(parseSchedule(o.schedule)),
    area: (o) => o.servesPath.join('/'),
    trust: (o) => o.minTrust,
    focus: (o) => o.focus.join(','),
    topic: (o) => o.topics.join(','),
    window: (o) => String(o.id),
  }
  it.each([6, 7])(
    'gathers the offers failing one constraint alone by what it reads, as many as there are (seed %i)',
    (seed) => {
      const { needs, offers } = generateInstance({ needs: 60, offers: 600, seed, streets: 2, communitiesPerStreet: 3 })
      // Each constraint broken alone often enough: small needs, and offers off in one field or two at random.
      const rand = prng(seed)
      for (const n of needs) n.quantity = 1 + Math.floor(rand() * 3)
      for (const o of offers) {
        if (rand() < 0.1) o.remaining = Math.floor(rand() * 3)
        if (rand() < 0.1) o.until = pick(rand, ['2020-01-01', '2020-01-31'])
        if (rand() < 0.1) o.schedule = pick(rand, ['FREQ=WEEKLY;BYDAY=SU;BYHOUR=6', 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=3'])
        if (rand() < 0.1) o.minTrust = pick(rand, ['vouched', 'endorsed'] as const)
        if (rand() < 0.1) o.focus = [pick(rand, ['a focus nobody has', 'another'])]
        if (rand() < 0.1) o.servesPath = [1, 9]
      }
      const gathered = new Map<Constraint, number>()
      for (const n of needs) {
        const only = tally(n, offers).only
        for (const c of CONSTRAINTS) {
          const want = offers
            .filter((o) => o.category === n.category)
            .filter((o) => {
              const broken = violations(n, o, { whole: true })
              return broken.length === 1 && broken[0] === c
            })
            .map(reads[c] ?? String)
            .sort()
          const got = (only.get(c) ?? [])
            .flatMap(({ offer: o, n: k }) => Array<string>(k).fill((reads[c] ?? String)(o)))
            .sort()
          expect(got, `need ${n.id}, ${c}`).toEqual(want)
          gathered.set(c, (gathered.get(c) ?? 0) + got.length)
        }
      }
      for (const c of CONSTRAINTS) if (c !== 'category') expect(gathered.get(c), c).toBeGreaterThan(5)
    },
  )

  it('answers twice the counts, and the same suggestions, for every offer twice over', () => {
    const { needs, offers } = generateInstance({ needs: 60, offers: 400, seed: 8, streets: 2, communitiesPerStreet: 3 })
    const twice = [...offers, ...offers.map((o) => ({ ...o, id: o.id + 100_000 }))]
    const doubled = (e: ReturnType<typeof whyNot>['unlock']) =>
      e && { ...e, offers: 2 * e.offers, params: { ...e.params, offers: 2 * Number(e.params.offers) } }
    let unlocked = 0
    for (const n of needs) {
      const once = whyNot(n, offers)
      expect(whyNot(n, twice), `need ${n.id}`).toEqual({
        considered: 2 * once.considered,
        feasible: 2 * once.feasible,
        blocked: once.blocked.map(doubled),
        unlock: doubled(once.unlock),
      })
      if (once.unlock) unlocked++
    }
    expect(unlocked).toBeGreaterThan(20)
  })

  it("writes a widened date as the lowest id reaching it writes it, whichever of an index's columns hold it", () => {
    // Two offers ending on one day written apart (2025-02-30 reads as 2 March); the lower id put again since the
    // index compiled its columns, so it is among the offers put since, tallied after the other.
    const index = new OfferIndex()
    const early = offer({ id: 1, until: '2025-02-30' })
    index.put(early)
    index.put(offer({ id: 2, until: '2025-03-02' }))
    const n = need({ from: '2025-04-01', until: '2025-05-31' })
    index.columns()
    index.put({ ...early })
    const answer = whyNot(n, index.columns(), index.relation(n))
    expect(answer.unlock).toMatchObject({ constraint: 'window', offers: 2, params: { from: '2025-02-30' } })
    expect(answer).toEqual(whyNot(n, index.all()))
  })
})
