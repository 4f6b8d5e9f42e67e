/**
 * What a listing is about inside its category: topics from a bilingual vocabulary with synonyms (data, in
 * vocabulary.ts, extended by admins in topic_terms), inferred from a listing's words and confirmed by the
 * poster. Pure: the vocabulary is passed in, nothing is read from a database or a clock.
 *
 * FOUNDATION STUB: signatures fixed for the integration work; inference is replaced by the jieba +
 * vocabulary implementation (issue 10).
 */

export interface Topic {
  /** Stable code, e.g. 'sound_equipment'; unique within the vocabulary. */
  code: string
  category: string
  zh: string
  en: string
  /** Other words for it, Chinese and English, as people write them (音箱, 扩音器, speakers, PA system). */
  synonyms: readonly string[]
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
  /** Content words, normalised through synonyms; the relevance floor reads them when a side has no topic. */
  keywords: readonly string[]
}

export function buildVocabulary(shipped: readonly Topic[], additions: readonly TopicTerm[] = []): Vocabulary {
  const byCode = new Map<string, Topic>()
  for (const t of shipped) byCode.set(t.code, { ...t, synonyms: [...t.synonyms] })
  for (const a of additions) {
    const known = byCode.get(a.topic)
    if (a.kind === 'synonym' && known) known.synonyms = [...known.synonyms, a.term]
    else if (a.kind === 'topic' && !known) byCode.set(a.topic, { code: a.topic, category: a.category, zh: a.term, en: a.term, synonyms: [] })
    else if (a.kind === 'topic' && known) {
      if (a.lang === 'zh') known.zh = a.term
      else known.en = a.term
    }
  }
  return { topics: [...byCode.values()], byCode }
}

/** Topics and keywords of a listing of `category` from its title and description. */
export function describe(vocab: Vocabulary, category: string, text: string): Subject {
  const lower = text.toLowerCase()
  const topics = vocab.topics
    .filter((t) => t.category === category && [t.zh, t.en, ...t.synonyms].some((w) => w && lower.includes(w.toLowerCase())))
    .map((t) => t.code)
  return { topics, keywords: [] }
}

/**
 * How two listings of one category relate by subject: 'same' (a topic in common, or a fund with no stated
 * purpose), 'other' (both have topics, none shared), or, when a side has none, 'related' / 'unclear' by the
 * relevance floor on their keywords.
 */
export type TopicRelation = 'same' | 'other' | 'related' | 'unclear'

export function relate(category: string, need: Subject, offer: Subject): TopicRelation {
  if (category === 'funds' && offer.topics.length === 0) return 'same'
  if (need.topics.length > 0 && offer.topics.length > 0) return need.topics.some((t) => offer.topics.includes(t)) ? 'same' : 'other'
  return need.keywords.some((k) => offer.keywords.includes(k)) ? 'related' : 'unclear'
}

/** 'same' and 'related' fit; 'other' and 'unclear' do not. */
export const fitsBySubject = (r: TopicRelation): boolean => r === 'same' || r === 'related'
