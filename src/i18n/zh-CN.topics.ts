/** Topics: what a listing is about (chips on forms and pages, the vocabulary page, precision) (reference language). */
export const zhTopics = {
  'validation.topic_unknown': '“{topic}”不是这个类别的主题，请从列表中选择。',
  'topics.admin.taken': '“{topic}”已经用了这个词。',
}
