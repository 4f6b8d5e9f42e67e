/**
 * The matcher's words in the reader's language (keys under 'matcher.' in src/i18n/*.matching.ts) and the way a
 * list of them is joined: what present.ts and the listing forms' schedule description say codes with.
 */
import { catalogue, type Locale } from '../i18n/i18n.js'

const PREFIX = 'matcher.'

/**
 * The words found, by key without the prefix, per locale: the catalogue is read with a new string per lookup
 * ('matcher.' + key, hashed on every call), and a match page words up to sixty reasons, several words each. Only
 * words the catalogue has are kept, so no more than the catalogue.
 */
const found = new Map<Locale, Map<string, string>>()

/** One of the matcher's words ('weekday.TU', 'unit.hours'), or undefined when the catalogue has none. */
export function word(locale: Locale, key: string): string | undefined {
  let words = found.get(locale)
  if (!words) found.set(locale, (words = new Map()))
  const known = words.get(key)
  if (known !== undefined) return known
  const text = catalogue(locale)[PREFIX + key]
  if (text !== undefined) words.set(key, text)
  return text
}

/** "A and B", "A, B and C"; "A和B", "A、B和C". */
export function list(items: string[], locale: Locale): string {
  if (items.length <= 1) return items.join('')
  const head = items.slice(0, -1).join(locale === 'en' ? ', ' : '、')
  return locale === 'en' ? `${head} and ${items[items.length - 1]}` : `${head}和${items[items.length - 1]}`
}
