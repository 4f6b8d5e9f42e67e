import { describe, expect, it } from 'vitest'
import { MAX_FEN, parseYuan, yuan, yuanInput } from '../../../src/funds/money.js'

describe('money in fen', () => {
  it('reads yuan as typed into exact fen, without floating point', () => {
    expect(parseYuan('1234')).toBe(123_400)
    expect(parseYuan('1,234.5')).toBe(123_450)
    expect(parseYuan('¥1234.50')).toBe(123_450)
    expect(parseYuan(' 0.07 ')).toBe(7)
    // 0.1 + 0.2 style drift never reaches a fen amount
    expect(parseYuan('0.29')).toBe(29)
    expect(parseYuan('1005.7')).toBe(100_570)
    expect(parseYuan(3000)).toBe(300_000)
  })

  it('refuses what is not a yuan amount', () => {
    for (const bad of ['', 'abc', '-5', '1.234', '1e5', 'Infinity', '1.2.3', '١٢', null, undefined, String(MAX_FEN)])
      expect(parseYuan(bad), String(bad)).toBeUndefined()
  })

  it('shows fen as ¥ with thousands and two decimals, and back into a form field', () => {
    expect(yuan(123_450)).toBe('¥1,234.50')
    expect(yuan(7)).toBe('¥0.07')
    expect(yuan(0)).toBe('¥0.00')
    expect(yuan(100_000_000)).toBe('¥1,000,000.00')
    expect(yuan(-2_500)).toBe('−¥25.00')
    expect(yuanInput(123_405)).toBe('1234.05')
    expect(yuanInput(null)).toBe('')
  })
})
