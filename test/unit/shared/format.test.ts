import { describe, expect, it } from 'vitest'
import { signed } from '../../../src/shared/format.js'

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
