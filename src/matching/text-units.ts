/**
 * How text and vocabulary terms are compared (topics.ts): a text as a sequence of units, one per Chinese character
 * and one per English word folded and stemmed, so "Speakers" and "speaker" are one unit; a gap of punctuation is a
 * boundary no term crosses, and each unit knows its clause and whether that clause says what is not wanted.
 */
import { fold, stem } from '../search/segment.js'

const CJK = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}]/u
const WORD =
  /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}]+|(?:(?![\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}])[\p{L}\p{N}\p{M}])+/gu
// Punctuation that ends a clause; a negation is read within its clause only.
const CLAUSE_END = /[，。；！？,.;!?\n\r]/
// Words whose final s is not a plural.
const NO_STEM = new Set(
  'news series species always perhaps towards sometimes various previous gas bus lens its this his has was does is us yes tennis maths physics athletics diabetes'.split(
    ' ',
  ),
)

/** An English word as a unit: folded, stemmed, a final e or consonant-y dropped (dance, dancing → danc). */
export function englishUnit(word: string): string {
  if (NO_STEM.has(word) || /\d/.test(word)) return word
  let s = stem(word)
  if (s.length > 3 && s.endsWith('e')) s = s.slice(0, -1)
  else if (s.length > 3 && /[^aeiou]y$/.test(s)) s = s.slice(0, -1)
  return s
}

type Units = {
  folded: string
  units: string[] // '' is a boundary no term crosses
  spans: number[] // unit i is folded.slice(spans[2i], spans[2i + 1])
  clause: number[] // each unit's clause
  negated: boolean[] // by clause
  runs: { text: string; start: number }[] // Chinese runs and their first unit, for jieba
}

const ZH_NEGATION = /没法|无法|不能|不需要|不用|不要|不是|除了|不再需要|已经有|已有|已借到|不包括|不含|以外|而非/
const EN_NEGATION = new Set([
  'not',
  'no',
  'without',
  'except',
  'dont',
  'doesnt',
  'isnt',
  'instead',
  'rather',
  'nor',
  'aren',
])

export function toUnits(text: string): Units {
  const folded = fold(text)
    .replace(/['’]s\b/g, '')
    .replace(/['’]/g, '')
  const units: string[] = []
  const spans: number[] = []
  const clause: number[] = []
  const negated: boolean[] = [false]
  const runs: { text: string; start: number }[] = []
  let c = 0
  let last = 0
  for (const m of folded.matchAll(WORD)) {
    const gap = folded.slice(last, m.index)
    last = m.index + m[0].length
    if (units.length > 0 && gap !== '' && !/^ +$/.test(gap)) {
      if (CLAUSE_END.test(gap)) negated[++c] = false
      units.push('')
      spans.push(m.index, m.index)
      clause.push(c)
    }
    const w = m[0]
    if (CJK.test(w)) {
      runs.push({ text: w, start: units.length })
      let at = m.index
      for (const ch of w) {
        units.push(ch)
        spans.push(at, (at += ch.length))
        clause.push(c)
      }
      if (ZH_NEGATION.test(w)) negated[c] = true
    } else {
      if (EN_NEGATION.has(w)) negated[c] = true
      units.push(englishUnit(w))
      spans.push(m.index, m.index + w.length)
      clause.push(c)
    }
  }
  return { folded, units, spans, clause, negated, runs }
}

/** A term's units; undefined if it has none or crosses punctuation (it could never match). */
export function termUnits(term: string): string[] | undefined {
  const u = toUnits(term).units
  return u.length === 0 || u.includes('') ? undefined : u
}
