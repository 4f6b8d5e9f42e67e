import { describe, expect, it } from 'vitest'
import { addWritten, closeWords, editDistance, prefixDocs, readVocabulary } from '../../../src/search/typo.js'

describe('editDistance', () => {
  it.each([
    ['rehersal', 'rehearsal', 1],
    ['volunters', 'volunteers', 1],
    ['tutorng', 'tutoring', 1],
    ['recieve', 'receive', 1], // a transposition is one edit
    ['speakers', 'speaker', 1],
    ['choir', 'chair', 1],
    ['dance', 'piano', 3], // gives up past max
  ])('%s → %s is %i', (a, b, d) => {
    expect(editDistance(a as string, b as string, 2)).toBe(d)
  })
})

describe('typo correction', () => {
  const vocab = () =>
    readVocabulary(
      [
        ['rehearsal', 40],
        ['rehearse', 12],
        ['reheat', 1],
        ['volunteers', 30],
        ['音响', 9],
        ['speaker', 20],
        ['speakers', 25],
      ],
      0,
    )

  it('offers the closest common words that share the first letter, most common first', () => {
    expect(closeWords(vocab(), 'rehersal', 0)).toEqual(['rehearsal'])
    expect(closeWords(vocab(), 'speakrs', 0)).toEqual(['speakers'])
    expect(closeWords(vocab(), 'sepakers', 0), 'within 2 edits for a word of 8 letters').toEqual(['speakers'])
  })

  it('offers nothing rarer than five times what the word itself finds, nor words of another first letter', () => {
    expect(closeWords(vocab(), 'rehearsel', 8), 'rehearsal is 40, not above 5 × 8').toEqual([])
    expect(closeWords(vocab(), 'ehearsal', 0)).toEqual([])
  })

  it('keeps no word but English ones, and learns the words this connection writes', () => {
    const v = vocab()
    expect(v.df.has('音响')).toBe(false)
    expect(closeWords(v, 'cellp', 0)).toEqual([])
    addWritten(v, 'cello cello 大提琴')
    expect(v.df.get('cello'), 'a listing counts once however often it says the word').toBe(1)
    for (let i = 0; i < 5; i++) addWritten(v, 'cello')
    expect(closeWords(v, 'cellp', 0)).toEqual(['cello'])
  })

  it('counts the listings of the words a prefix begins, up to a cap', () => {
    const v = vocab()
    expect(prefixDocs(v, 'rehears', Infinity)).toBe(52)
    expect(prefixDocs(v, 'speak', 10), 'stops once the cap is passed').toBeLessThanOrEqual(25)
    addWritten(v, 'rehearsals')
    expect(prefixDocs(v, 'rehears', Infinity), 'a written word joins the sorted list').toBe(53)
  })
})
