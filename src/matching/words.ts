/**
 * The matcher's words in the reader's language (keys under 'matcher.' in src/i18n/*.matching.ts) and the way a
 * list of them is joined: what present.ts and the listing forms' schedule description say codes with.
 */
import { catalogue, type Locale } from '../i18n/i18n.js'

const PREFIX = 'matcher.'

/** One of the matcher's words ('weekday.TU', 'unit.hours'), or undefined when the catalogue has none. */
export function word(locale: Locale, key: string): string | undefined {
  return catalogue(locale)[PREFIX + key]
}

/** "A and B", "A, B and C"; "A和B", "A、B和C". */
export function list(items: string[], locale: Locale): string {
  if (items.length <= 1) return items.join('')
  const head = items.slice(0, -1).join(locale === 'en' ? ', ' : '、')
  return locale === 'en' ? `${head} and ${items[items.length - 1]}` : `${head}和${items[items.length - 1]}`
}
