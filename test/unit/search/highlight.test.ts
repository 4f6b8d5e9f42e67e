import { describe, expect, it } from 'vitest'
import { highlight } from '../../../src/search/highlight.js'

/** Renders segments the way a test can read: hits in [brackets]. */
const show = (text: string, terms: string[]) =>
  highlight(text, terms)
    .map((s) => (s.hit ? `[${s.text}]` : s.text))
    .join('')

describe('highlight', () => {
  it('marks Chinese terms inside unsegmented text', () => {
    expect(show('舞蹈队需要排练场地，每周两次', ['场地', '舞蹈'])).toBe('[舞蹈]队需要排练[场地]，每周两次')
  })

  it('is case-insensitive and keeps the original text', () => {
    expect(show('PA Speakers on a STAND', ['speakers', 'stand'])).toBe('PA [Speakers] on a [STAND]')
  })

  it('marks whole English words from a prefix, as the index matched them', () => {
    expect(show('Rehearsals on Tuesday', ['rehears'])).toBe('[Rehearsals] on Tuesday')
  })

  it('marks inflections through the stem', () => {
    expect(show('Volunteer drivers, more volunteers welcome', ['volunteers'])).toBe(
      '[Volunteer] drivers, more [volunteers] welcome',
    )
    expect(show('Dance classes for dancers', ['dancing'])).toBe('[Dance] classes for [dancers]')
  })

  it('does not mark English terms inside other words', () => {
    expect(show('Heart of the hearth', ['ear'])).toBe('Heart of the hearth')
  })

  it('handles mixed text without spaces between scripts', () => {
    expect(show('需要音响speakers两套', ['音响', 'speakers'])).toBe('需要[音响speakers]两套')
    expect(show('要speakers和音响', ['speakers'])).toBe('要[speakers]和音响')
  })

  it('marks short words and numbers only whole, as the index matched them', () => {
    expect(show('PA for parents, 20 or 200 chairs', ['pa', '20'])).toBe('[PA] for parents, [20] or 200 chairs')
  })

  it('folds full width and accents but returns the original characters', () => {
    expect(show('ＳＰＥＡＫＥＲ at the Café', ['speaker', 'cafe'])).toBe('[ＳＰＥＡＫＥＲ] at the [Café]')
  })

  it('merges overlapping terms into one mark', () => {
    expect(show('活动中心', ['活动', '动中', '中心'])).toBe('[活动中心]')
  })

  it('keeps characters outside the BMP intact', () => {
    expect(show('🎵音响🎵', ['音响'])).toBe('🎵[音响]🎵')
  })

  it('returns the text unmarked when nothing matches, and nothing for empty text', () => {
    expect(highlight('Hello', ['场地', '', '  '])).toEqual([{ text: 'Hello', hit: false }])
    expect(highlight('', ['x'])).toEqual([])
  })

  it('returns text, not HTML', () => {
    expect(highlight('<b>音响</b>', ['音响'])).toEqual([
      { text: '<b>', hit: false },
      { text: '音响', hit: true },
      { text: '</b>', hit: false },
    ])
  })
})
