import { describe, expect, it } from 'vitest'
import {
  bigrams,
  contentWords,
  cutWords,
  fold,
  foldChar,
  indexTokens,
  isFiller,
  isStopWord,
  queryTerms,
  stem,
  subWords,
} from '../../../src/search/segment.js'

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

describe('contentWords, its runs kept', () => {
  it("answers each text as jieba's words of it, whatever texts came before and however often it is asked", () => {
    // Texts sharing runs, an edit of one (a run changed by a character), and one asked again: a run's words are kept,
    // so each must still be that run's words and counted afresh per text.
    const texts = [
      '周末排练场地，可容纳50人，需要音响设备。',
      '周末排练场地，可容纳80人，需要投影仪。',
      '周末排练场所，可容纳50人，需要音响设备和音响师。',
      '老年大学书法班需要教室',
      '周末排练场地，可容纳50人，需要音响设备。',
    ]
    const uncut = (text: string) => {
      const counts = new Map<string, number>()
      for (const run of fold(text).match(/[\p{sc=Han}]+/gu) ?? [])
        for (const w of cutWords(run))
          if (Array.from(w).length >= 2 && !isStopWord(w) && !isFiller(w)) counts.set(w, (counts.get(w) ?? 0) + 1)
      return counts
    }
    for (const round of [1, 2])
      for (const text of texts) {
        const got = contentWords(text)
        expect(got, `${round}: ${text}`).toEqual(uncut(text))
        got.set('音响', 99) // a caller's map is its own
      }
    expect(contentWords(texts[0]!)).toEqual(uncut(texts[0]!))
  })
})

describe('fold', () => {
  it('folds a text as foldChar folds each of its characters, runs of ASCII and ideographs copied as they are', () => {
    const text =
      'Café ＳＰＥＡＫＥＲＳ, PA-system! 需要音响，两套。 カタカナ ｶﾀｶﾅ Ⅻ ﬁ 𠮷野家 ㊙ Straße ÀÉÎÕÜ é @[`{ \u00a0\u3000 😀 ABC xyz 09'
    let expected = ''
    for (const ch of text) expected += foldChar(ch)
    expect(fold(text)).toBe(expected)
    for (const ch of text) expect(fold(ch), ch).toBe(foldChar(ch))
    expect(fold('')).toBe('')
  })
})
