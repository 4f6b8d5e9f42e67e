/**
 * What a listing is about inside its category: topics from a bilingual vocabulary with synonyms (data, in
 * vocabulary.ts, extended by admins in topic_terms), inferred from a listing's words and confirmed by the
 * poster. Pure: the vocabulary is passed in, nothing is read from a database or a clock. jieba's dictionary
 * is the search's (src/search/segment.ts), loaded once per process.
 *
 * Inference reads the text as a sequence of units (text-units.ts: one per Chinese character, one per English
 * word folded and stemmed, so "Speakers" and "speaker" are one unit) and finds every vocabulary term in it with
 * a trie. Where terms overlap the longest wins: 手机摄影 (photography) leaves no 手机 (smartphone) behind, and a
 * `not` phrase such as 旧手机 in training tags nothing at all. A clause that says what is *not* wanted
 * (雨季广场没法跳, "no kitchen needed") tags nothing either. Keywords are the rest of the text's content
 * words plus every vocabulary term's canonical name (any category: 音箱 and "speakers" both give 音响设备),
 * which is what the relevance floor compares when a side has no topic (topic-relation.ts).
 */
import { cutWords, isFiller, isStopWord } from '../search/segment.js'
import { englishUnit, termUnits, toUnits } from './text-units.js'

export interface Topic {
  /** Stable code, e.g. 'sound_equipment'; unique within the vocabulary. */
  code: string
  category: string
  zh: string
  en: string
  /** Other words for it, Chinese and English, as people write them (音箱, 扩音器, speakers, PA system). */
  synonyms: readonly string[]
  /** Phrases containing one of its words that mean something else (旧手机 is not a smartphone lesson). */
  not?: readonly string[]
}

/** An admin's addition (a topic_terms row). */
export interface TopicTerm {
  category: string
  topic: string
  kind: 'topic' | 'synonym'
  lang: 'zh' | 'en'
  term: string
}

export interface Vocabulary {
  topics: readonly Topic[]
  byCode: ReadonlyMap<string, Topic>
}

/** What the matcher needs to know about a listing's subject. */
export interface Subject {
  /** Topic codes; empty when none was recognized or confirmed. */
  topics: readonly string[]
  /**
   * Content words, normalised: a vocabulary term as its topic's Chinese name (音箱, speakers → 音响设备),
   * other Chinese words as jieba cuts them, English words folded and stemmed; without category words
   * (场地, 培训, venue, training), stop words and filler. The relevance floor reads them when a side has no topic.
   */
  keywords: readonly string[]
}

export function buildVocabulary(shipped: readonly Topic[], additions: readonly TopicTerm[] = []): Vocabulary {
  const byCode = new Map<string, Topic>()
  for (const t of shipped) byCode.set(t.code, { ...t, synonyms: [...t.synonyms] })
  for (const a of additions) {
    const known = byCode.get(a.topic)
    if (a.kind === 'synonym' && known) known.synonyms = [...known.synonyms, a.term]
    else if (a.kind === 'topic' && !known)
      byCode.set(a.topic, { code: a.topic, category: a.category, zh: a.term, en: a.term, synonyms: [] })
    else if (a.kind === 'topic' && known) {
      if (a.lang === 'zh') known.zh = a.term
      else known.en = a.term
    }
  }
  return { topics: [...byCode.values()], byCode }
}

/**
 * The topic of `category` that `word` names: a topic code as is, or a name or synonym in either language
 * (音箱, "speakers" → sound_equipment). For a ledger's or a form's `topics`; undefined when it names none.
 */
export function topicFor(vocab: Vocabulary, category: string, word: string): string | undefined {
  const known = vocab.byCode.get(word.trim())
  if (known) return known.category === category ? known.code : undefined
  const units = termUnits(word)
  if (!units) return undefined
  let node: Node | undefined = compile(vocab).root
  for (const u of units) node = node?.next.get(u)
  return node?.entry?.byCategory.get(category)?.[0]
}

// ---------------------------------------------------------------------------------------------------------
// The compiled vocabulary: one trie over all terms

type Entry = {
  /** category → topic codes this term tags there (empty: a `not` phrase, which tags nothing). */
  byCategory: Map<string, string[]>
  /** Every topic it names, any category; empty for a `not` phrase only. */
  topics: { code: string; category: string }[]
  /**
   * The keyword it stands for in a listing of another category: its first topic's Chinese name, funds'
   * purposes left out ('' if it has no other): 长者 or 儿童 says who benefits, not what a listing is about.
   */
  canonical: string
}
type Node = { next: Map<string, Node>; entry?: Entry }
type Compiled = { root: Node }

const compiledVocabularies = new WeakMap<Vocabulary, Compiled>()

function compile(vocab: Vocabulary): Compiled {
  let c = compiledVocabularies.get(vocab)
  if (c) return c
  const root: Node = { next: new Map() }
  const entryFor = (units: string[]): Entry => {
    let node = root
    for (const u of units) {
      let next = node.next.get(u)
      if (!next) node.next.set(u, (next = { next: new Map() }))
      node = next
    }
    node.entry ??= { byCategory: new Map(), canonical: '', topics: [] }
    return node.entry
  }
  const names = (name: string) => name.split(/\s*[/、]\s*/).filter(Boolean)
  for (const t of vocab.topics) {
    for (const term of [...names(t.zh), ...names(t.en), ...t.synonyms]) {
      const units = termUnits(term)
      if (!units) continue
      const e = entryFor(units)
      if (e.canonical === '' && t.category !== 'funds') e.canonical = t.zh
      const codes = e.byCategory.get(t.category) ?? []
      if (!codes.includes(t.code)) {
        codes.push(t.code)
        e.topics.push({ code: t.code, category: t.category })
      }
      e.byCategory.set(t.category, codes)
    }
  }
  // A category's `not` phrases only block where no topic of that category uses the same words.
  for (const t of vocab.topics) {
    for (const term of t.not ?? []) {
      const units = termUnits(term)
      if (!units) continue
      const e = entryFor(units)
      if (!e.byCategory.has(t.category)) e.byCategory.set(t.category, [])
    }
  }
  c = { root }
  compiledVocabularies.set(vocab, c)
  return c
}

type Match = { start: number; end: number; entry: Entry }

function findTerms(root: Node, units: string[]): Match[] {
  const out: Match[] = []
  for (let i = 0; i < units.length; i++) {
    let node: Node | undefined = root
    for (let j = i; j < units.length && node; j++) {
      node = node.next.get(units[j])
      if (node?.entry) out.push({ start: i, end: j + 1, entry: node.entry })
    }
  }
  return out
}

/** Longest first, then leftmost; a match overlapping one already taken is dropped. Marks `taken`. */
function chooseLongest(matches: Match[], taken: boolean[]): Match[] {
  const chosen: Match[] = []
  const sorted = [...matches].sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start)
  for (const m of sorted) {
    let free = true
    for (let k = m.start; k < m.end && free; k++) free = !taken[k]
    if (!free) continue
    for (let k = m.start; k < m.end; k++) taken[k] = true
    chosen.push(m)
  }
  return chosen.sort((a, b) => a.start - b.start)
}

// ---------------------------------------------------------------------------------------------------------
// Keywords

// Words naming a category or the act of giving and asking: they say which category, never what about.
const CATEGORY_WORDS_ZH = new Set(
  (
    '场地 地方 场所 资金 经费 费用 资助 捐款 善款 志愿者 志愿 义工 人手 培训 课程 上课 讲座 物资 用品 设备 器材 宣传 推广 ' +
    '专业 服务 支持 帮助 帮忙 活动 借用 出借 借给 捐赠 捐给 招募 寻找 急需 希望 想要 需求 一批 一套 一台 一些 居民 组织 ' +
    '社区组织 街道 居委会 项目 可以 能够 我们 他们 大家 目前 现在 已经 东西 问题 情况 方面 进行 开展 相关 怎么 如何 学习 参加 ' +
    '流程 预约 讲解 平方米 报名 安排 时间 地点 人数 每次 每月 每年 一起 来说 知道 还有 或者 以及 适合 开放 空闲 提前'
  ).split(' '),
)
const CATEGORY_WORDS_EN = new Set(
  (
    'venue venues space spaces place fund funds funding grant grants money volunteer volunteers volunteering training train ' +
    'course courses class classes session sessions equipment material materials supplies supply item items publicity promotion ' +
    'promote advertise advertising expertise professional expert service services support help lend loan borrow donate donated ' +
    'donation donations provide providing give offer offering wanted look looking resident residents organisation organization ' +
    'local use used some any all our new old very just more most what who which how when where about month months year ' +
    'keep get make take people person fair youth free every each ask asked around'
  )
    .split(' ')
    .map(englishUnit),
)

function keepWord(word: string, cjk: boolean): boolean {
  if (cjk) return Array.from(word).length >= 2 && !isStopWord(word) && !isFiller(word) && !CATEGORY_WORDS_ZH.has(word)
  return word.length >= 3 && !/^\d+$/.test(word) && !isStopWord(word) && !isFiller(word) && !CATEGORY_WORDS_EN.has(word)
}

// ---------------------------------------------------------------------------------------------------------
// describe and relate

const MAX_KEYWORDS = 32

/** Topics and keywords of a listing of `category` from its title and description. */
export function describe(vocab: Vocabulary, category: string, text: string): Subject {
  const { root } = compile(vocab)
  const { units, clause, negated, runs } = toUnits(text)
  const all = findTerms(root, units)
  const taken: boolean[] = new Array(units.length).fill(false)

  const topics: string[] = []
  const keywords: string[] = []
  const addKeyword = (k: string) => {
    if (k && keywords.length < MAX_KEYWORDS && !keywords.includes(k)) keywords.push(k)
  }
  // The category's own terms first, so that a phrase meaning one thing here is not read as another
  // category's word; then any other vocabulary term, for the keywords.
  for (const m of chooseLongest(
    all.filter((m) => m.entry.byCategory.has(category)),
    taken,
  )) {
    if (negated[clause[m.start]]) continue
    const codes = m.entry.byCategory.get(category)!
    for (const code of codes) if (!topics.includes(code)) topics.push(code)
    if (codes.length > 0) addKeyword(vocab.byCode.get(codes[0])!.zh)
  }
  // Funds' purposes (长者, 儿童) are taken too but give no keyword: who benefits is not what it is about.
  for (const m of chooseLongest(
    all.filter((m) => m.entry.topics.length > 0),
    taken,
  )) {
    if (!negated[clause[m.start]]) addKeyword(m.entry.canonical)
  }
  // The rest: jieba's words of the Chinese, the English words, where no term was found.
  const free = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (taken[k]) return false
    return !negated[clause[from]]
  }
  let run = 0
  for (let i = 0; i < units.length; i++) {
    const r = runs[run]
    if (r && r.start === i) {
      let at = i
      for (const piece of cutWords(r.text)) {
        const len = Array.from(piece).length
        if (free(at, at + len) && keepWord(piece, true)) addKeyword(piece)
        at += len
      }
      i = at - 1
      run++
      continue
    }
    const u = units[i]
    if (u !== '' && free(i, i + 1) && keepWord(u, false)) addKeyword(u)
  }
  return { topics, keywords }
}

/** A vocabulary term found in a text: its folded words and every topic it names, in any category. */
export type TermHit = { text: string; topics: readonly { code: string; category: string }[] }

/**
 * Every vocabulary term in `text` whatever the category, longest first and none overlapping (`not` phrases
 * excluded; with `overlapping`, every term found, 舞蹈 inside 舞蹈室 too, and no `rest`), and the folded
 * text with those terms blanked out. For search: a term's topics expand a query
 * ("speakers" finds 音响) and mark the listings that use any word for them.
 */
export function vocabularyTerms(
  vocab: Vocabulary,
  text: string,
  opts: { overlapping?: boolean } = {},
): { hits: TermHit[]; rest: string } {
  const { root } = compile(vocab)
  const { folded, units, spans } = toUnits(text)
  const withTopics = findTerms(root, units).filter((m) => m.entry.topics.length > 0)
  const chosen = opts.overlapping ? withTopics : chooseLongest(withTopics, new Array(units.length).fill(false))
  const hits: TermHit[] = []
  let rest = ''
  let at = 0
  for (const m of chosen) {
    const [from, to] = [spans[2 * m.start], spans[2 * m.end - 1]]
    hits.push({ text: folded.slice(from, to), topics: m.entry.topics })
    if (opts.overlapping) continue
    rest += folded.slice(at, from) + ' '.repeat(to - from)
    at = to
  }
  return { hits, rest: opts.overlapping ? '' : rest + folded.slice(at) }
}
