import type { zhTopics } from './zh-CN.topics.js'

export const enTopics: Record<keyof typeof zhTopics, string> = {
  'validation.topic_unknown': '"{topic}" is not a topic of this category; choose from the list.',
  'topics.field': 'What it is about',
  'topics.hint.suggested':
    'Topics suggested from the title and description (they update as you type); tick the ones that fit, untick the others.',
  'topics.hint.chosen': 'Your choice of topics. Typing no longer changes it; "suggested" marks what the text suggests.',
  'topics.suggested': 'suggested',
  'topics.nothing_suggested': 'No topic recognized in the text yet; you can pick one below.',
  'topics.more': 'Other topics of this category',
  'topics.choose_category': 'Choose a category and topics will be suggested here.',
  'topics.none_in_category': 'This category has no topics yet.',
  'topics.label': 'Topics',
  'topics.inferred': 'Tagged from the text; the poster can change it by editing.',
  'topics.filter': 'Topic',
  'topics.filter.any': 'All topics',
  'topics.admin.taken': 'This word is already used by "{topic}".',
  'topics.precision.title': 'Matching precision by topic',
  'topics.precision.lead':
    'Of the pairs the matcher and social workers put forward, how many leaders declined as "not relevant": the matcher\'s precision in real use. A pair about two topics counts under each.',
  'topics.precision.summary':
    '{suggested} {suggested|pair|pairs} put forward, {declined} declined as not relevant; {share} relevant.',
  'topics.precision.unticked_summary':
    'Social workers also unticked {unticked} allocation {unticked|row|rows} as not relevant.',
  'topics.precision.caption': '{category}: pairs and "not relevant" declines per topic',
  'topics.precision.suggested': 'Pairs put forward',
  'topics.precision.declined': 'Declined as not relevant',
  'topics.precision.share': 'Share relevant',
  'topics.precision.unticked': 'Unticked in allocation (not relevant)',
  'topics.precision.no_topic': '(no topic)',
  'topics.precision.empty': 'No pairs have been put forward yet.',
  'topics.precision.link': 'Matching precision',
  'vocab.title': 'Topic vocabulary',
  'vocab.lead':
    'The topics of each category and their synonyms, in Chinese and English. They are how the system recognizes what a need or an offer is about from its words. A new topic or synonym counts at once for what is posted next; "Re-tag" applies it to listings already posted (topics their posters confirmed are left alone).',
  'vocab.add_topic': 'Add a topic',
  'vocab.add_synonym': 'Add a synonym',
  'vocab.name_zh': 'Chinese name',
  'vocab.name_en': 'English name',
  'vocab.lang': 'Language',
  'vocab.term': 'Word',
  'vocab.term.hint': 'Another word people use for this topic, such as 扩音器 or "PA system".',
  'vocab.synonyms': 'Synonyms',
  'vocab.code': 'Code',
  'vocab.added': 'added by an admin',
  'vocab.retag': 'Re-tag all listings',
  'vocab.retag.lead':
    'Recognizes the topics of every need and offer again with the current vocabulary (also from the command line: npm run cli -- topics retag).',
  'vocab.topic_added': 'Topic "{topic}" added (code {code}).',
  'vocab.synonym_added': 'Synonym "{term}" added.',
  'vocab.retagged': 'Re-tagged: {changed} {changed|listing|listings} changed.',
  'ledger.topic_code':
    '"{value}" is not a topic code (lower-case letters, digits and underscores, such as sound_equipment).',
  'ledger.topic_unknown': '"{value}" is not a topic of category "{category}" (there are: {known}).',
  'ledger.too_many': 'At most {limit} items.',
}
