/**
 * Split a listing's original text into plain and matched segments, for templates to wrap hits in <mark>.
 * Returns text, never HTML: escaping stays with the template engine.
 */
import { foldChar, isCjk, stem } from './segment.js'

export type Segment = { text: string; hit: boolean }

const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u

/**
 * Case-, width- and accent-insensitive. Chinese terms match anywhere, since the original text is not
 * segmented. Other terms mark what the index matched: a word starting with the term's stem, to the end of
 * that word ("rehears" marks "Rehearsals", "volunteers" marks "Volunteer"); words under three letters and
 * numbers only as whole words. Adjacent marks merge into one.
 */
export function highlight(text: string, terms: readonly string[]): Segment[] {
  if (!text) return []
  // Fold per code point and remember where each folded unit came from, so matches map back exactly even
  // when folding changes length ("ﬁ" → "fi", "İ" → "i̇").
  let folded = ''
  const origin: number[] = [] // folded offset → original offset
  let pos = 0
  for (const ch of text) {
    const f = foldChar(ch)
    for (let i = 0; i < f.length; i++) origin.push(pos)
    folded += f
    pos += ch.length
  }
  origin.push(text.length)

  const spans: [number, number][] = []
  for (const term of new Set(terms.map((t) => Array.from(t).map(foldChar).join('').trim()))) {
    if (!term) continue
    const cjk = isCjk(term)
    const wholeWord = !cjk && (term.length < 3 || /^\d+$/.test(term))
    const needle = cjk || wholeWord ? term : stem(term)
    for (let at = folded.indexOf(needle); at !== -1; at = folded.indexOf(needle, at + 1)) {
      let end = at + needle.length
      if (!cjk) {
        if (at > 0 && isWordChar(folded, at - 1)) continue
        if (wholeWord && isWordChar(folded, end)) continue
        while (end < folded.length && isWordChar(folded, end)) end++
      }
      if (origin[end] > origin[at]) spans.push([origin[at], origin[end]])
    }
  }
  if (spans.length === 0) return [{ text, hit: false }]

  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1])
  const out: Segment[] = []
  let cursor = 0
  for (const [start, end] of spans) {
    if (end <= cursor) continue
    const from = Math.max(start, cursor)
    if (from > cursor) out.push({ text: text.slice(cursor, from), hit: false })
    const last = out[out.length - 1]
    if (last?.hit && from === cursor) last.text += text.slice(from, end)
    else out.push({ text: text.slice(from, end), hit: true })
    cursor = end
  }
  if (cursor < text.length) out.push({ text: text.slice(cursor), hit: false })
  return out
}

/** A Latin letter or digit; CJK characters do not glue to English words ("音响speakers"). */
function isWordChar(s: string, i: number): boolean {
  const c = s.codePointAt(i)
  if (c === undefined) return false
  // A low surrogate is the second half of a character already judged by its first half.
  const ch = c >= 0xdc00 && c <= 0xdfff ? s.slice(i - 1, i + 1) : String.fromCodePoint(c)
  return WORD_CHAR.test(ch) && !isCjk(ch)
}
