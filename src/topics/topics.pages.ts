import type { Db } from '../db/client.js'
import type { Locale, Translate } from '../i18n/i18n.js'
import * as topics from './topics.js'
import { precisionFigures, type CategoryFigures } from './precision.js'
import { categoryNames } from '../listings/listings.js'
import type { Topic } from '../matching/topics.js'

/** How often people said the matcher's pairs were about other things, per category and topic. */
export function loadPrecision(db: Db, locale: Locale) {
  return {
    figures: precisionFigures(db),
    names: topics.namer(db, locale),
    categoryNames: categoryNames(db, locale),
  }
}

const percent = (p: number | null) => (p === null ? '—' : `${Math.round(p * 100)}%`)

/**
 * What topics/precision is given: each share as a whole percent, a dash where nothing was suggested (no share to
 * speak of), and the pairs with no topic named as such.
 */
export function precisionView(
  d: { figures: CategoryFigures[]; names: ReturnType<typeof topics.namer>; categoryNames: Record<string, string> },
  t: Translate,
) {
  return {
    figures: d.figures.map((c) => ({
      ...c,
      share: percent(c.precision),
      topics: c.topics.map((f) => ({
        ...f,
        name: f.topic === null ? t('topics.precision.no_topic') : d.names([f.topic])[0]!.name,
        share: percent(f.precision),
      })),
    })),
    categoryNames: d.categoryNames,
    title: t('topics.precision.title'),
  }
}

/** What the form sends about topics: the chips' state, and for which category they were drawn. */
export interface ChipState {
  category?: string
  title?: string
  description?: string
  topics?: string[]
  /** The category the chips on the form were drawn for; the poster has seen them when it is the listing's. */
  topicsFor?: string
  /** '1' once the poster has ticked or unticked a chip: typing then no longer changes the ticks. */
  topicsChosen?: string
}

export interface Chip extends topics.Named {
  checked: boolean
  suggested: boolean
}

/**
 * The chips a listing form shows: suggested topics ticked until the poster changes one, theirs afterwards.
 * Ticked and suggested ones first; the category's other topics in a picker.
 */
export function chips(db: Db, locale: string, state: ChipState) {
  const category = state.category
  if (!category) return { category: undefined, shown: [] as Chip[], more: [] as Chip[], chosen: false, empty: true }
  const vocab = topics.vocabulary(db)
  const all = topics.topicsOf(vocab, category)
  const suggested = new Set(topics.suggest(db, category, state.title ?? '', state.description ?? '').topics)
  const seen = state.topicsFor === category
  const chosen = seen && state.topicsChosen === '1'
  const ticked = new Set(chosen ? (state.topics ?? []) : suggested)
  const chip = (t: Topic): Chip => ({
    code: t.code,
    name: topics.topicName(vocab, t.code, locale),
    checked: ticked.has(t.code),
    suggested: suggested.has(t.code),
  })
  const first = all.filter((t) => ticked.has(t.code) || suggested.has(t.code)).map(chip)
  return {
    category,
    shown: first,
    more: all.filter((t) => !ticked.has(t.code) && !suggested.has(t.code)).map(chip),
    chosen,
    empty: all.length === 0,
  }
}

/** The form's topics as the services take them: the ticks when the chips were drawn for this category, else none given. */
export function confirmedFromForm(state: ChipState): string[] | undefined {
  return state.category && state.topicsFor === state.category ? (state.topics ?? []) : undefined
}
