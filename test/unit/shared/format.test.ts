import { describe, expect, it } from 'vitest'
import { formatNumber, signed } from '../../../src/shared/format.js'

describe('signed', () => {
  it('writes a sign and a true minus, to the digits asked for, and a dash for none', () => {
    expect(signed(0.2857, 2)).toBe('+0.29')
    expect(signed(-0.125, 2)).toBe('−0.13')
    expect(signed(1.25, 1)).toBe('+1.3')
    expect(signed(-2, 1)).toBe('−2.0')
    expect(signed(null, 2)).toBe('—')
    expect(signed(Number.NaN, 1)).toBe('—')
  })

  it('gives no sign to what rounds to zero (never "+0.0" or "−0.00")', () => {
    expect(signed(0, 2)).toBe('0.00')
    expect(signed(0, 1)).toBe('0.0')
    expect(signed(0.004, 2)).toBe('0.00')
    expect(signed(-0.04, 1)).toBe('0.0')
  })
})

describe('formatNumber', () => {
  it('writes every figure as the locale’s own formatter does, a kept whole number as well as any other', () => {
    const values = [0, -0, 1, 7, 999, 1000, 9999, 10_000, 123_456, -3, 2.5, 1e21, Number.NaN, Infinity]
    for (const locale of ['zh-CN', 'en']) {
      const intl = new Intl.NumberFormat(locale, { useGrouping: true })
      // Twice: the second answer of a whole number is the kept one.
      for (const round of [1, 2])
        for (const v of values) expect(formatNumber(locale, v), `${locale} ${v} (${round})`).toBe(intl.format(v))
    }
  })

  it('keeps a whole number per locale, never one locale’s writing for another', () => {
    expect(formatNumber('en', 1234)).toBe('1,234')
    expect(formatNumber('fr', 1234)).toBe(new Intl.NumberFormat('fr').format(1234))
    expect(formatNumber('fr', 1234)).not.toBe('1,234')
  })
})
