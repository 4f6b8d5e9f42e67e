/**
 * Text → search tokens, for Chinese and English listings. Pure apart from loading jieba's dictionary once.
 *
 * Both the stored text and the query pass through the same normalisation (`fold`), so that FTS5's own
 * unicode61 tokenizer only ever sees space-separated, lower-case tokens made of letters and digits.
 */
import { Jieba } from '@node-rs/jieba'
import { dict } from '@node-rs/jieba/dict.js'

let jieba: Jieba | undefined
/** Loading the dictionary takes ~250 ms, so it happens on first use and only once per process. */
function segmenter(): Jieba {
  jieba ??= Jieba.withDict(dict)
  return jieba
}

// Han, kana: scripts written without spaces, which need a segmenter (and bigrams) to find words.
const CJK_RUN = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}]+/u
// A run of CJK characters, or a run of any other letters/digits. Everything else separates words, which is
// what keeps user input from ever reaching FTS5 as syntax: no quote, star, colon, bracket or caret survives.
const WORD =
  /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}]+|(?:(?![\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}])[\p{L}\p{N}\p{M}])+/gu
const MARKS = /\p{M}/gu

/**
 * Case, width and accent folding for matching: "ＳＰＥＡＫＥＲ" → "speaker", "Café" → "cafe".
 * Applied per code point so callers (highlight) can map folded offsets back to the original text.
 */
export function foldChar(ch: string): string {
  const code = ch.codePointAt(0)!
  if (code < 0x80) return ch.toLowerCase()
  // CJK unified ideographs have no decomposition and no case: most of a Chinese text, skipped cheaply.
  if (code >= 0x4e00 && code <= 0x9fff) return ch
  return ch.normalize('NFKD').replace(MARKS, '').toLowerCase()
}

export function fold(text: string): string {
  return text.replace(FOLDED, (run) => {
    let out = ''
    for (const ch of run) out += foldChar(ch)
    return out
  })
}
// The characters foldChar changes or may change: all but ASCII other than capitals and the CJK ideographs it skips.
// A text is mostly those two, which are copied as they are rather than one character at a time.
const FOLDED = /[^\u0000-\u0040\u005b-\u007f\u4e00-\u9fff]+/gu

export function isCjk(word: string): boolean {
  return CJK_RUN.test(word)
}

function words(text: string): string[] {
  return fold(text).match(WORD) ?? []
}

/** Overlapping character pairs: they make any two-character substring findable, whatever jieba decided. */
export function bigrams(run: string): string[] {
  const chars = Array.from(run)
  if (chars.length < 2) return chars
  const out: string[] = []
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1])
  return out
}

/**
 * The segmented text to store in the index, space-separated.
 *
 * Chinese runs contribute jieba's search-mode words ("活动中心" → 活动 中心 活动中心) and then all the
 * run's bigrams in order, so that 场地 is found in 排练场地 (which jieba cuts as 排练场 地), and a longer
 * query word can be matched as a phrase of adjacent bigrams. Other words are folded to lower case; English
 * inflections are left alone here and handled at query time by stem prefixes.
 */
export function indexTokens(text: string): string {
  const out: string[] = []
  for (const w of words(text)) {
    if (!isCjk(w)) {
      out.push(w)
      continue
    }
    const pieces = segmenter().cutForSearch(w, true)
    out.push(...pieces)
    // A two-character run is its own only bigram; longer runs add every bigram.
    if (Array.from(w).length > 2) out.push(...bigrams(w))
    else if (!pieces.includes(w)) out.push(w)
  }
  return out.join(' ')
}

// Words too common to narrow a search; a query made only of them finds nothing rather than everything.
const EN_STOP = new Set(
  (
    'a an and are as at be but by for from has have in into is it its of on or our so than that the their them ' +
    'then there these they this to was we were will with you your not no near can need needs want wanted please'
  ).split(' '),
)
const ZH_STOP = new Set(
  '的 了 和 与 及 或 在 是 我 我们 你 你们 他 她 它 也 都 就 有 要 需要 一个 一些 这 那 吗 呢 吧 啊 等'.split(' '),
)

export function isStopWord(word: string): boolean {
  return EN_STOP.has(word) || ZH_STOP.has(word)
}

/** jieba's words for a Chinese run (precise mode, HMM on): the one dictionary, shared with topic inference. */
export function cutWords(run: string): string[] {
  return segmenter().cut(run, true)
}

/**
 * What the user asked for: folded words, Chinese cut by jieba, stop words and FTS syntax removed, duplicates
 * dropped, order kept. `'"rehearsal" AND (hall*'` → ["rehearsal", "hall"]. Never returns an empty string.
 */
export function queryTerms(q: string): string[] {
  const out: string[] = []
  const add = (w: string) => {
    if (w && !isStopWord(w) && !out.includes(w)) out.push(w)
  }
  for (const w of words(q.slice(0, 500))) {
    if (!isCjk(w)) {
      add(w)
      continue
    }
    for (const piece of cjkQueryWords(w)) add(piece)
  }
  return out
}

/**
 * jieba's words for a Chinese query run, with stray single characters made useful: neighbouring ones are
 * glued back together (unknown names, 送餐 without HMM), and a lone one next to a word becomes the bigram it
 * forms with that word's edge ("排练场地" → 排练场 + 地 → 排练场, 场地), since a single character alone would
 * match as a prefix of far too many words. A query that is one character stays one character.
 */
function cjkQueryWords(run: string): string[] {
  const len = (w: string) => Array.from(w).length
  // null marks a stop word: it separates pieces but is not searched.
  const pieces: ({ text: string; singles: boolean } | null)[] = []
  for (const piece of segmenter().cut(run, true)) {
    const last = pieces[pieces.length - 1]
    if (ZH_STOP.has(piece)) pieces.push(null)
    else if (len(piece) === 1 && last?.singles) last.text += piece
    else pieces.push({ text: piece, singles: len(piece) === 1 })
  }
  return pieces.flatMap((p, i) => {
    if (!p) return []
    if (len(p.text) > 1) return [p.text]
    const before = pieces[i - 1]?.text
    const after = pieces[i + 1]?.text
    if (before) return [Array.from(before).at(-1) + p.text]
    if (after) return [p.text + Array.from(after)[0]]
    return [p.text]
  })
}

/**
 * A Chinese word's smaller dictionary words that together cover most of it: 活动中心 → 活动, 中心;
 * 舞蹈队 → 舞蹈. Lets a query for the compound also find listings that use its parts.
 */
export function subWords(word: string): string[] {
  const parts = segmenter()
    .cutForSearch(word, true)
    .filter((p) => p !== word && Array.from(p).length >= 2)
  // Keep the smallest pieces: 中华人民共和国 → 中华 华人 人民 共和, not also 共和国.
  return parts.filter((p) => !parts.some((q) => q !== p && p.includes(q)))
}

/**
 * A prefix shared by an English word's inflections: "volunteers" → "volunteer", "dancing" → "danc",
 * "rehearsals" → "rehearsal". Deliberately crude: it is used as a prefix, so over-matching costs little and
 * under-stemming only loses the inflections a plain prefix already misses.
 */
export function stem(word: string): string {
  if (!/^[a-z]+$/.test(word) || word.length < 4) return word
  let s = word
  if (s.endsWith('ies') && s.length > 4) s = s.slice(0, -3)
  else if (/(?:ss|x|ch|sh|z)es$/.test(s)) s = s.slice(0, -2)
  else if (s.endsWith('s') && !/(?:ss|us|is)$/.test(s)) s = s.slice(0, -1)
  else if (s.endsWith('ing') && s.length >= 6) s = s.slice(0, -3)
  else if (s.endsWith('ed') && s.length >= 5) s = s.slice(0, -2)
  return s.length >= 3 ? s : word
}

// Words every listing uses ("community", 社区, "available"): fine to search for, useless for telling which
// offer fits a need, where they would outweigh the one word that matters in a short corpus.
const FILLER = new Set(
  (
    'community looking needed required seeking offer offers offering available help thanks contact would like also free people group ' +
    'groups welcome weekly week weekend day days time 社区 小区 提供 可以 希望 欢迎 每周 每天 晚上 上午 下午 周末 ' +
    '左右 以上 以下 联系 电话 谢谢 免费 一名 一次 使用 ' +
    // When and how big say nothing about what a listing is: the schedule and quantity factors weigh those.
    '周一 周二 周三 周四 周五 周六 周日 周天 星期一 星期二 星期三 星期四 星期五 星期六 星期日 星期天 工作日 中午 傍晚 小时 容纳 可容纳 ' +
    'monday tuesday wednesday thursday friday saturday sunday weekdays morning mornings afternoon afternoons evening evenings hours'
  ).split(' '),
)

/** A word every listing uses or one about when and how much, not about what (see FILLER). */
export function isFiller(word: string): boolean {
  return FILLER.has(word)
}

/**
 * The words of a longer text (a need's description) worth matching on, with their counts: English words
 * of 3+ letters and Chinese words of 2+ characters, stop and filler words dropped. Callers weigh them by rarity.
 */
export function contentWords(text: string): Map<string, number> {
  const counts = new Map<string, number>()
  const add = (w: string) => counts.set(w, (counts.get(w) ?? 0) + 1)
  for (const w of words(text)) {
    if (!isCjk(w)) {
      if (w.length >= 3 && !EN_STOP.has(w) && !FILLER.has(w) && !/^\d+$/.test(w)) add(w)
      continue
    }
    for (const piece of runWords(w)) add(piece)
  }
  return counts
}

/**
 * A Chinese run's content words (contentWords), kept per run: a match page cuts its listing's text, and listings
 * repeat their phrases (场地 可容纳 50 人, 周末 排练) far more than whole texts repeat, so most of a page's runs were
 * cut before; asking jieba was most of contentWords. The dictionary does not change while the process runs.
 */
const runWordsKept = new Map<string, readonly string[]>()
/** Runs kept at most (a run and its words are a few hundred bytes); past that, begin again. */
const RUNS_KEPT = 50_000

function runWords(run: string): readonly string[] {
  let kept = runWordsKept.get(run)
  if (!kept) {
    kept = segmenter()
      .cut(run, true)
      .filter((piece) => Array.from(piece).length >= 2 && !ZH_STOP.has(piece) && !FILLER.has(piece))
    if (runWordsKept.size >= RUNS_KEPT) runWordsKept.clear()
    runWordsKept.set(run, kept)
  }
  return kept
}
