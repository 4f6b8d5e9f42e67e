import { describe, expect, it } from 'vitest'
import { isCalendarDate } from '../../../src/shared/time.js'
import { cleanText } from '../../../src/shared/text.js'

describe('isCalendarDate: a real date between 1900 and 2100', () => {
  it('takes real days, leap days included', () => {
    for (const d of ['2026-12-06', '2028-02-29', '2000-02-29', '1900-01-01', '2100-12-31'])
      expect(isCalendarDate(d), d).toBe(true)
  })
  it('refuses impossible days and months, years out of range, and anything not YYYY-MM-DD', () => {
    for (const d of [
      '9999-99-99',
      '2027-13-45',
      '2026-02-30',
      '2027-02-29',
      '2100-02-29',
      '2026-00-10',
      '2026-04-31',
      '2101-01-01',
      '1899-12-31',
      '0000-01-01',
      '2026-1-5',
      '2026-01-05T00:00',
      ' 2026-01-05',
      '20260105',
      '',
      null,
      20260105,
    ]) {
      expect(isCalendarDate(d), String(d)).toBe(false)
    }
  })
})

describe('cleanText: what a text field stores', () => {
  it('drops control characters and bidi overrides and isolates, in one line and in several', () => {
    const nasty = 'a\u0000b\u0007c\u001bd\u007fe\u202ef\u202ag\u2066h\u2069i'
    expect(cleanText(nasty, false)).toBe('abcdefghi')
    expect(cleanText(nasty, true)).toBe('abcdefghi')
  })
  it('folds CR/LF and tabs into a space in one line, keeps line breaks (as LF) in several', () => {
    expect(cleanText('a\r\nb\nc\rd\te', false)).toBe('a b c d e')
    expect(cleanText('a\r\nb\nc\rd\te', true)).toBe('a\nb\nc\nd\te')
  })
  it('leaves Chinese, emoji and the marks that are not overrides alone', () => {
    for (const s of ['荔枝湾广场舞队', '😀 ok', 'العربية', 'a\u200db', 'a\u200eb']) expect(cleanText(s, false)).toBe(s)
  })
})
