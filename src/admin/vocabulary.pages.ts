import type { Db } from '../db/client.js'
import type { Locale, Translate } from '../i18n/i18n.js'
import * as topics from '../topics/topics.js'
import { allCategories } from '../listings/listings.js'
import type { FieldErrors } from '../shared/errors.js'

/** The vocabulary page's two forms as typed, and what to fix in each. */
export interface VocabularyForms {
  topic?: object
  synonym?: object
  topicErrors?: FieldErrors
  synonymErrors?: FieldErrors
}

export function loadVocabulary(db: Db, locale: Locale) {
  return {
    vocab: topics.vocabulary(db),
    additions: topics.additions(db),
    categories: allCategories(db),
    topicOptions: topics.options(db, locale),
  }
}

/**
 * What admin/vocabulary is given: each category's topics and synonyms, those an admin added (not shipped with the
 * app) marked, and both forms as typed with their problems.
 */
export function vocabularyView(
  d: ReturnType<typeof loadVocabulary>,
  locale: Locale,
  t: Translate,
  forms: VocabularyForms = {},
) {
  const added = new Set(d.additions.map((a) => `${a.topic}|${a.kind === 'topic' ? '' : a.term}`))
  const categories = d.categories.map((c) => ({
    code: c.code,
    name: locale === 'en' ? c.nameEn : c.nameZh,
    topics: topics.topicsOf(d.vocab, c.code).map((tp) => ({
      ...tp,
      added: added.has(`${tp.code}|`),
      synonyms: tp.synonyms.map((term) => ({ term, added: added.has(`${tp.code}|${term}`) })),
    })),
  }))
  return {
    categories,
    topicOptions: d.topicOptions,
    categoryNames: Object.fromEntries(categories.map((c) => [c.code, c.name])),
    topicValues: forms.topic ?? {},
    synonymValues: forms.synonym ?? {},
    topicErrors: forms.topicErrors ?? {},
    synonymErrors: forms.synonymErrors ?? {},
    title: t('vocab.title'),
  }
}
