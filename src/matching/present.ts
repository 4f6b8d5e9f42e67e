import type { Db } from '../db/client.js'
import * as areas from '../areas/areas.js'
import type { Locale } from '../i18n/i18n.js'
import { format, formatReason } from './messages.js'
import type { Message, Reason } from './types.js'

/** Reasons and "why not" lines in the reader's language, with area ids named. */
export function presenter(db: Db, locale: Locale) {
  const names = new Map(areas.all(db).map((a) => [a.id, areas.displayName(a, locale)]))
  const ctx = { areaName: (id: number) => names.get(id) }
  return {
    reasons: (reasons: Reason[]) => reasons.filter((r) => r.contribution > 0).map((r) => ({ factor: r.factor, contribution: r.contribution, text: formatReason(r, locale, ctx) })),
    message: (m: Message) => format(m.key, m.params, locale, ctx),
  }
}
