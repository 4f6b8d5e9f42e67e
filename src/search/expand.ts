/**
 * Search that understands the topic vocabulary (src/matching/vocabulary.ts). Pure, database-free.
 *
 * A listing is indexed with marker tokens besides its words: one for its category and one for every topic
 * any of its words names, in any category (音响, 音箱 and "speakers" all mark sound_equipment). A query's
 * vocabulary terms then also match the markers of their topics, so 音箱 finds 音响, "speakers" finds 音响设备
 * and 手机课 finds 智能手机培训; a category word (场地, training) also matches its category's marker. Markers
 * start with a digit, so they never meet an English word in typo correction or prefix matching, and nobody
 * types them.
 */
import { buildVocabulary, vocabularyTerms, type Vocabulary } from '../matching/topics.js'
import { TOPICS } from '../matching/vocabulary.js'
import { fold } from './segment.js'

let shipped: Vocabulary | undefined
const vocabulary = () => (shipped ??= buildVocabulary(TOPICS))

const token = (prefix: string, code: string) => `${prefix}${fold(code).replace(/[^a-z0-9]/g, '')}`
export const topicMarker = (code: string) => token('0t', code)
export const categoryMarker = (code: string) => token('0c', code)

/** The words people search with for a category: its names and the plain words for it, in both languages. */
const CATEGORY_WORDS: Record<string, readonly string[]> = {
  venue: ['场地', '场所', '地方', '活动场地', '地点', 'venue', 'venues', 'space', 'spaces', 'premises'],
  funds: ['资金', '经费', '资助', '基金', '善款', 'funds', 'fund', 'funding', 'grant', 'grants', 'money'],
  volunteers: ['志愿者', '义工', '志愿服务', '人手', 'volunteers', 'volunteer', 'volunteering', 'helpers'],
  training: [
    '培训',
    '课程',
    '讲座',
    '培训班',
    '上课',
    'training',
    'course',
    'courses',
    'class',
    'classes',
    'workshop',
    'workshops',
  ],
  materials: ['物资', '设备', '用品', '器材', '物品', 'materials', 'equipment', 'supplies', 'items'],
  expertise: [
    '专业服务',
    '专业',
    '专家',
    '咨询',
    'expertise',
    'expert',
    'experts',
    'professional',
    'professionals',
    'advice',
  ],
  publicity: ['宣传', '推广', '宣传品', 'publicity', 'promotion', 'advertising'],
}
const CATEGORY_OF = new Map<string, string>()
for (const [category, words] of Object.entries(CATEGORY_WORDS))
  for (const w of words) CATEGORY_OF.set(fold(w), category)

/** The category a (folded) query word names, if it names one. */
export function categoryOf(word: string): string | undefined {
  return CATEGORY_OF.get(word)
}

/**
 * The marker tokens to index with a listing's text (space-separated; empty if none). With its category, only
 * that category's topics: 演出 in an offer of speakers says what they are for, not that it is a performance.
 * Funds' purposes count in every category: they say who or what a listing is for (长者 = elderly).
 * Every term counts, those inside longer ones too, so a word marks the same topics wherever it stands.
 */
export function markerTokens(text: string, category?: string): string {
  const out = new Set<string>()
  if (category) out.add(categoryMarker(category))
  for (const hit of vocabularyTerms(vocabulary(), text, { overlapping: true }).hits) {
    for (const t of hit.topics)
      if (!category || t.category === category || t.category === 'funds') out.add(topicMarker(t.code))
  }
  return [...out].join(' ')
}

/**
 * A query's vocabulary terms, each with the topic markers it also matches, and the query without them.
 * A term naming topics in several categories expands to all of them except funds' purposes, which are
 * broad (长者, 环保) and only used when the term names nothing else.
 */
export function expandQuery(q: string): { terms: { text: string; markers: string[] }[]; rest: string } {
  const { hits, rest } = vocabularyTerms(vocabulary(), q)
  const terms = hits.map((hit) => {
    const specific = hit.topics.filter((t) => t.category !== 'funds')
    const markers = [...new Set((specific.length > 0 ? specific : hit.topics).map((t) => topicMarker(t.code)))]
    return { text: hit.text, markers }
  })
  return { terms, rest }
}
