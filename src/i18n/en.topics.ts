import type { zhTopics } from './zh-CN.topics.js'

export const enTopics: Record<keyof typeof zhTopics, string> = {
  'validation.topic_unknown': '"{topic}" is not a topic of this category; choose from the list.',
  'topics.admin.taken': 'This word is already used by "{topic}".',
}
