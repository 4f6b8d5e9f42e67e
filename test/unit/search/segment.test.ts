import { describe, expect, it } from 'vitest'
import { bigrams, contentWords, indexTokens, queryTerms, stem, subWords } from '../../../src/search/segment.js'

const tokens = (text: string) => indexTokens(text).split(' ')

describe('indexTokens', () => {
  it('stores jieba search-mode words and every bigram of a Chinese run', () => {
    const t = tokens('舞蹈队排练场地')
    expect(t).toEqual(expect.arrayContaining(['舞蹈', '舞蹈队', '排练', '排练场']))
    // jieba cuts 排练场 + 地; the bigrams still carry 场地.
    expect(t).toEqual(expect.arrayContaining(bigrams('舞蹈队排练场地')))
    expect(t).toContain('场地')
  })

  it('lower-cases English, folds width and accents, drops punctuation', () => {
    expect(indexTokens('Café ＳＰＥＡＫＥＲＳ, PA-system!')).toBe('cafe speakers pa system')
  })

  it('splits mixed text at script boundaries', () => {
    expect(tokens('需要音响speakers两套')).toEqual(expect.arrayContaining(['音响', 'speakers', '两套']))
    expect(tokens('2025年')).toEqual(['2025', '年'])
  })

  it('keeps a two-character run as one token', () => {
    expect(tokens('送餐')).toContain('送餐')
    expect(indexTokens('')).toBe('')
  })
})

describe('queryTerms', () => {
  it.each([
    ['"rehearsal" AND (hall*', ['rehearsal', 'hall']],
    ["'; DROP TABLE needs; --", ['drop', 'table']],
    ['title:foo ^bar', ['title', 'foo', 'bar']],
    ['NEAR(piano choir, 3)', ['piano', 'choir', '3']],
    ['音响 speakers', ['音响', 'speakers']],
    ['Speakers SPEAKERS speakers', ['speakers']],
    ['舞蹈的场地', ['舞蹈', '场地']],
    ['长者送餐', ['长者', '送餐']],
    ['排练场地', ['排练场', '场地']],
    ['舞', ['舞']],
    ['the and of', []],
    ['  \t', []],
  ])('%j → %j', (q, expected) => {
    expect(queryTerms(q)).toEqual(expected)
  })

  it('never returns anything FTS5 could read as syntax', () => {
    for (const t of queryTerms('a"b*c(d)e:f^g{h}i-j+k\'l;m,n.o/p\\q NEAR AND OR NOT 🎵')) {
      expect(t).toMatch(/^[\p{L}\p{N}]+$/u)
      expect(['and', 'or', 'not', 'near']).not.toContain(t)
    }
  })
})

describe('stem', () => {
  it.each([
    ['volunteers', 'volunteer'],
    ['rehearsals', 'rehearsal'],
    ['dancing', 'danc'],
    ['classes', 'class'],
    ['activities', 'activit'],
    ['donated', 'donat'],
    ['bus', 'bus'],
    ['class', 'class'],
    ['音响', '音响'],
  ])('%s → %s, a prefix of its inflections', (word, expected) => {
    expect(stem(word)).toBe(expected)
  })
})

describe('subWords', () => {
  it('splits a compound into its smallest dictionary words', () => {
    expect(subWords('活动中心')).toEqual(['活动', '中心'])
    expect(subWords('舞蹈队')).toEqual(['舞蹈'])
    expect(subWords('场地')).toEqual([])
  })
})

describe('contentWords', () => {
  it('counts the words worth matching on, without stop and filler words', () => {
    const words = contentWords('我们社区需要音响，音响 speakers for the community fair')
    expect(words.get('音响')).toBe(2)
    expect(words.has('speakers')).toBe(true)
    expect(words.has('fair')).toBe(true)
    for (const w of ['社区', '需要', 'the', 'for', 'community', '我们']) expect(words.has(w)).toBe(false)
  })
})
