import { describe, expect, it } from 'vitest'
import { CATEGORIES, prng } from '../../../bench/lib/generate.js'
import { explain, format, formatReason, strongest } from '../../../src/matching/present.js'
import { list } from '../../../src/matching/words.js'
import { rankOffers } from '../../../src/matching/rank.js'
import { CONSTRAINTS } from '../../../src/matching/types.js'
import { FACTORS, type Factor } from '../../../src/matching/weights.js'
import { FOCUS_GROUPS } from '../../../src/db/schema.js'
import { zhCN } from '../../../src/i18n/zh-CN.js'
import { en } from '../../../src/i18n/en.js'
import { need, offer } from './fixtures.js'

describe('matcher messages', () => {
  // The catalogues' completeness test (test/unit/foundation/i18n.test.ts) covers these keys too.
  it('live in the app catalogues, under matcher.', () => {
    expect(Object.keys(zhCN).filter((k) => k.startsWith('matcher.')).length).toBeGreaterThan(100)
    expect((zhCN as Record<string, string>)['matcher.reason.area.same_community']).toBe('同一社区')
    expect((en as Record<string, string>)['matcher.reason.area.same_community']).toBe('same community')
  })

  it('names every focus group an organization can choose, in both languages (no code leaks into a sentence)', () => {
    for (const focus of FOCUS_GROUPS) {
      const params = { focus, offers: 2, noun: 'venue' }
      expect(format('whynot.unlock.focus', params, 'zh-CN'), focus).not.toContain(focus)
      expect((en as Record<string, string>)[`matcher.focus.${focus}`], focus).toBeTruthy()
    }
    expect(format('whynot.unlock.focus', { focus: 'sports', offers: 2, noun: 'venue' }, 'zh-CN')).toBe(
      '与服务体育的组织合作：2处场地只面向这类对象',
    )
  })

  it('has a word for every factor, every category noun and every blocked constraint', () => {
    for (const f of FACTORS) expect((zhCN as Record<string, string>)[`matcher.factor.${f}`], f).toBeTruthy()
    // The seven categories every district starts with (db/migrations/0002_categories.sql), and the generator's.
    const codes = [
      'venue',
      'funds',
      'volunteers',
      'training',
      'materials',
      'expertise',
      'publicity',
      ...CATEGORIES.map((c) => c.category),
    ]
    for (const code of codes) expect((en as Record<string, string>)[`matcher.noun.${code}`], code).toBeTruthy()
    expect(format('whynot.blocked.area', { offers: 2, noun: 'materials' }, 'zh-CN')).toBe('2批物资不服务你所在的区域')
    for (const c of CONSTRAINTS.filter((c) => c !== 'category'))
      expect((zhCN as Record<string, string>)[`matcher.whynot.blocked.${c}`], c).toBeTruthy()
  })

  it('joins lists the way each language does', () => {
    expect(list(['Monday', 'Tuesday', 'Friday'], 'en')).toBe('Monday, Tuesday and Friday')
    expect(list(['周一', '周二', '周五'], 'zh-CN')).toBe('周一、周二和周五')
  })

  it('translates weekday, period and unit codes inside a reason', () => {
    const r = { key: 'reason.schedule.days_periods', params: { day: 'WEEKDAYS', periods: 'morning,evening' } }
    expect(formatReason(r, 'en')).toBe('free on weekday mornings and evenings')
    expect(formatReason(r, 'zh-CN')).toBe('双方工作日上午和晚上都有空')
    expect(format('reason.schedule.days', { days: 'SA,SU' }, 'en')).toBe('free on Saturdays and Sundays')
  })

  it('groups the thousands of large amounts', () => {
    expect(format('reason.coverage.full', { quantity: 50000, unit: 'yuan' }, 'en')).toBe('covers all 50,000 yuan')
    expect(format('reason.coverage.full', { quantity: 50000, unit: 'yuan' }, 'zh-CN')).toBe('可满足全部50,000元')
  })

  it('keeps a unit it does not know as written', () => {
    expect(format('reason.coverage.full', { quantity: 3, unit: '桌' }, 'en')).toBe('covers all 3 桌')
  })

  it('uses the singular when one offer is meant', () => {
    expect(format('whynot.blocked.schedule', { offers: 1, noun: 'venue' }, 'en')).toBe(
      '1 venue never meets your schedule',
    )
    expect(format('whynot.blocked.schedule', { offers: 3, noun: 'venue' }, 'en')).toBe(
      '3 venues never meet your schedule',
    )
    expect(format('whynot.blocked.schedule', { offers: 3, noun: 'venue' }, 'zh-CN')).toBe(
      '3处场地的时间与需求时间不重合',
    )
  })

  it('names areas through the caller, with a fallback', () => {
    const r = { key: 'whynot.unlock.area', params: { area: 12, offers: 2, noun: 'funds' } }
    expect(formatReason(r, 'en', { areaName: (id: number) => (id === 12 ? 'Changshou community' : undefined) })).toBe(
      'hold it in Changshou community: 2 funding offers serve there',
    )
    expect(formatReason(r, 'zh-CN')).toBe('改在区域12开展：2笔资金服务该区域')
  })

  it('shows an unknown key as itself, so a gap is visible rather than blank', () => {
    expect(format('reason.nonexistent', {}, 'en')).toBe('reason.nonexistent')
  })

  it('fills every message as a regex pass over its text did (split once, words found once)', () => {
    // Names present.ts words in its own way (days, units, areas…) are left out: this is about the text between.
    const special = new Set(['day', 'days', 'periods', 'terms', 'topics', 'topic', 'unit', 'focus', 'noun', 'area'])
    special.add('from').add('until')
    let filled = 0
    for (const [locale, words] of [
      ['zh-CN', zhCN],
      ['en', en],
    ] as const)
      for (const [full, text] of Object.entries(words as Record<string, string>)) {
        if (!full.startsWith('matcher.') || full.endsWith('.one')) continue
        const key = full.slice('matcher.'.length)
        const names = [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).filter((n) => !special.has(n))
        const params = Object.fromEntries(names.map((n, i) => [n, i % 2 ? 12345 : `$& {${n}} <${i}>`]))
        const asRegex = text.replace(/\{(\w+)\}/g, (whole, name: string) =>
          params[name] === undefined ? whole : typeof params[name] === 'number' ? '12,345' : String(params[name]),
        )
        for (let again = 0; again < 2; again++) expect(format(key, params, locale), full).toBe(asRegex)
        filled++
      }
    expect(filled).toBeGreaterThan(100)
    expect(format('reason.nonexistent {x}', { x: 'y' }, 'en')).toBe('reason.nonexistent y')
  })

  it('names topics through the caller, and falls back to the code', () => {
    const r = { key: 'reason.relevance.topic', params: { topics: 'sound_equipment,rehearsal_space' } }
    const names: Record<string, string> = { sound_equipment: '音响设备', rehearsal_space: '排练场地' }
    expect(formatReason(r, 'zh-CN', { topicName: (c) => names[c] })).toBe('同属主题：音响设备、排练场地')
    expect(formatReason(r, 'en')).toBe('both about sound_equipment, rehearsal_space')
  })
})

describe('a fit as a person reads it', () => {
  const [fit] = rankOffers(need(), [
    { offer: offer({ track: { delivered: 3, rating: 4 } }), relevance: 0.6, terms: [] },
  ])

  it('gives a leader the three strongest reasons in words, with no numbers of the score in them', () => {
    const shown = explain(fit.reasons, fit.score, 'en')
    expect(shown.top).toHaveLength(3)
    const strongest = [...fit.reasons]
      .sort((a, b) => b.contribution - a.contribution)
      .slice(0, 3)
      .map((r) => formatReason(r, 'en'))
    expect(shown.top).toEqual(strongest)
    for (const text of shown.top) expect(text).not.toMatch(/\d\.\d/)
  })

  it('picks the strongest reasons as sorting them would: contribution first, then factor order, then as given', () => {
    const rand = prng(5)
    const contributions = [0, -1, NaN, 1.5, 3, 3, 7.25, 12]
    for (let round = 0; round < 500; round++) {
      const reasons = Array.from({ length: Math.floor(rand() * 10) }, (_, i) => ({
        key: `k${i}`,
        params: {},
        factor: rand() < 0.1 ? 'unknown' : FACTORS[Math.floor(rand() * FACTORS.length)]!,
        contribution: contributions[Math.floor(rand() * contributions.length)]!,
      }))
      for (const n of [0, 1, 3, 4]) {
        const sorted = reasons
          .filter((r) => r.contribution > 0)
          .sort(
            (a, b) =>
              b.contribution - a.contribution ||
              FACTORS.indexOf(a.factor as Factor) - FACTORS.indexOf(b.factor as Factor),
          )
          .slice(0, n)
        expect(strongest(reasons, n)).toEqual(sorted)
        if (n > 0) expect(strongest(reasons, n).every((r, i) => r === sorted[i])).toBe(true)
      }
    }
  })

  it('gives a broker every factor with whole points out of its share, adding up to the score', () => {
    const { table } = explain(fit.reasons, fit.score, 'zh-CN')
    expect(table.map((r) => r.factor)).toEqual([...FACTORS])
    expect(table.reduce((s, r) => s + r.points, 0)).toBe(fit.score)
    expect(table.reduce((s, r) => s + r.outOf, 0)).toBe(100)
    for (const r of table) {
      expect(Number.isInteger(r.points)).toBe(true)
      expect(r.points).toBeLessThanOrEqual(r.outOf)
    }
    expect(table[0]).toMatchObject({ name: '内容相关', outOf: 25 })
  })
})

describe('a page of fits put in words', () => {
  const fits = rankOffers(
    need(),
    [1, 2, 3, 4].map((id) => ({ offer: offer({ id, track: { delivered: 3, rating: 4 } }), relevance: 0.6, terms: [] })),
  )

  it('words each shared reason once, and the same as alone', () => {
    // The four offers are alike, so the ranker hands them many of the same reason objects (rank.ts ReasonMemo).
    const strongest = new Set(
      fits.flatMap((f) =>
        [...f.reasons]
          .filter((r) => r.contribution > 0)
          .sort(
            (a, b) =>
              b.contribution - a.contribution ||
              FACTORS.indexOf(a.factor as never) - FACTORS.indexOf(b.factor as never),
          )
          .slice(0, 3),
      ),
    )
    expect(strongest.size).toBeLessThan(3 * fits.length)
    const said = new Map()
    const shown = fits.map((f) => explain(f.reasons, f.score, 'en', { said }))
    expect(said.size).toBe(strongest.size)
    for (const [k, f] of fits.entries()) {
      expect(shown[k]!.top).toEqual(explain(f.reasons, f.score, 'en').top)
      expect(shown[k]!.table).toEqual(explain(f.reasons, f.score, 'en').table)
    }
  })

  it('writes a fit’s table only when it is read (most readers are not shown it)', () => {
    const said = new Map()
    const shown = explain(fits[0]!.reasons, fits[0]!.score, 'zh-CN', { said })
    expect(said.size).toBe(3)
    expect(shown.table).toHaveLength(fits[0]!.reasons.length)
    expect(said.size).toBe(fits[0]!.reasons.length)
    expect(shown.table).toBe(shown.table)
  })
})
