import { describe, expect, it } from 'vitest'
import { zhCN } from '../../../src/i18n/zh-CN.js'
import { en } from '../../../src/i18n/en.js'
import { catalogue, isLocale, LOCALES, negotiate, translate } from '../../../src/i18n/i18n.js'

describe('catalogues', () => {
  it('zh-CN and en have exactly the same keys', () => {
    const zh = Object.keys(zhCN).sort()
    const eng = Object.keys(en).sort()
    expect(eng.filter((k) => !zh.includes(k))).toEqual([])
    expect(zh.filter((k) => !eng.includes(k))).toEqual([])
  })

  it('no message is empty, and placeholders agree between languages', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    for (const [key, zh] of Object.entries(zhCN)) {
      const e = (en as Record<string, string>)[key]
      expect(zh.trim(), key).not.toBe('')
      expect(e.trim(), key).not.toBe('')
      expect(placeholders(e), key).toEqual(placeholders(zh))
      // A plural choice counts a number the message is given.
      for (const m of e.matchAll(/\{(\w+)\|[^|{}]*\|[^|{}]*\}/g))
        expect(placeholders(zh), `${key}: ${m[0]}`).toContain(m[1])
    }
  })

  it('the Chinese catalogue is in Chinese', () => {
    const latinOnly = Object.entries(zhCN).filter(
      ([k, v]) => !/[\u4e00-\u9fff]/.test(v) && !['app.name', 'lang.en', 'lang.zh-CN'].includes(k),
    )
    // A few are legitimately Latin (brand names, examples); most must not be.
    expect(latinOnly.length).toBeLessThan(Object.keys(zhCN).length / 20)
  })
})

describe('translate', () => {
  it('fills parameters and leaves unknown ones visible', () => {
    expect(translate('zh-CN', 'validation.too_short', { limit: 12 })).toBe('至少需要 12 个字符。')
    expect(translate('en', 'validation.too_short', { limit: 12 })).toBe('Use at least 12 characters.')
    expect(translate('en', 'validation.too_short')).toBe('Use at least {limit} characters.')
  })

  it('picks the singular or plural word by the number given', () => {
    expect(translate('en', 'needs.count', { count: 1 })).toBe('1 need')
    expect(translate('en', 'needs.count', { count: 0 })).toBe('0 needs')
    expect(translate('en', 'needs.count', { count: 2 })).toBe('2 needs')
    expect(translate('en', 'matching.whynot.considered', { count: 1 })).toBe(
      'There is 1 open offer in this category; none can meet this need as it stands.',
    )
    expect(
      translate('en', 'agenda.none_fits', { place: 'Lizhiwan', offers: 1, category: 'venue', count: 2, needs: 3 }),
    ).toBe('In Lizhiwan, 1 offer of venue exists but none fits; 2 groups need it (3 needs).')
    expect(translate('zh-CN', 'needs.count', { count: 1 })).not.toMatch(/\|/)
  })

  it('shows a missing key as itself', () => {
    expect(translate('en', 'no.such.key')).toBe('no.such.key')
  })

  it('does not interpret parameters as patterns', () => {
    expect(translate('en', 'auth.signed_in', { name: '$& {name} <b>' })).toBe('Welcome back, $& {name} <b>.')
  })

  it('fills every message as the two regex passes did (parameters split out once, not matched per call)', () => {
    const rules = (locale: string) => new Intl.PluralRules(locale)
    const passes = (locale: string, template: string, params: Record<string, unknown>) =>
      template
        .replace(/\{(\w+)\|([^|{}]*)\|([^|{}]*)\}/g, (whole, name: string, one: string, other: string) =>
          params[name] === undefined ? whole : rules(locale).select(Number(params[name])) === 'one' ? one : other,
        )
        .replace(/\{(\w+)\}/g, (whole, name: string) => (params[name] === undefined ? whole : String(params[name])))
    let filled = 0
    for (const locale of LOCALES)
      for (const [key, template] of Object.entries(catalogue(locale))) {
        const names = [...template.matchAll(/\{(\w+)/g)].map((m) => m[1])
        if (!names.length) continue
        const all = Object.fromEntries(names.map((n, i) => [n, i % 2 ? 1 : `$& {${n}} <${i}>`]))
        const some = Object.fromEntries(names.slice(1).map((n) => [n, 0]))
        for (const params of [all, some, {}])
          expect(translate(locale, key, params), key).toBe(passes(locale, template, params))
        filled++
      }
    expect(filled).toBeGreaterThan(100)
  })
})

describe('Accept-Language negotiation', () => {
  it.each([
    [undefined, 'zh-CN'],
    ['', 'zh-CN'],
    ['en', 'en'],
    ['en-US,en;q=0.9', 'en'],
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN'],
    ['zh-TW', 'zh-CN'],
    ['zh-Hant-HK', 'zh-CN'],
    ['fr-FR,fr;q=0.9,en;q=0.5', 'en'],
    ['fr-FR,de;q=0.9', 'zh-CN'],
    ['en;q=0.5,zh;q=0.8', 'zh-CN'],
    ['zh;q=0.5,en;q=0.8', 'en'],
    ['en;q=0,zh', 'zh-CN'],
    ['en;q=0', 'zh-CN'],
    ['*', 'zh-CN'],
    ['EN-gb', 'en'],
    ['en;q=abc, zh;q=0.1', 'zh-CN'],
    [' en , zh ', 'en'],
  ])('%j → %s', (header, locale) => {
    expect(negotiate(header as string | undefined)).toBe(locale)
  })

  it('knows exactly its locales', () => {
    expect(isLocale('zh-CN')).toBe(true)
    expect(isLocale('en')).toBe(true)
    for (const v of ['zh', 'EN', 'en-US', '', undefined, 1, '__proto__', 'constructor']) expect(isLocale(v)).toBe(false)
  })
})
