import type { Db } from '../db/client.js'
import type { Locale, Translate } from '../i18n/i18n.js'
import * as topics from './topics.js'
import { precisionFigures, type CategoryFigures } from './precision.js'
import { categoryNames } from '../listings/listings.js'

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
