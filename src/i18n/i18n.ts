import { zhCN } from './zh-CN.js'
import { en } from './en.js'

export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'zh-CN'

export type Catalogue = Record<string, string>
const catalogues: Record<Locale, Catalogue> = { 'zh-CN': { ...zhCN }, en: { ...en } }

/** Domains that own their words (the matcher's reasons, say) add them here at start-up. */
export function addMessages(extra: Record<Locale, Catalogue>): void {
  for (const locale of LOCALES) Object.assign(catalogues[locale], extra[locale])
}

export function catalogue(locale: Locale): Readonly<Catalogue> {
  return catalogues[locale]
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value)
}

const plurals = new Map<Locale, Intl.PluralRules>()

/**
 * A missing key shows as itself, so it is visible in the page and caught by the catalogue test. `{name}` is a
 * parameter; `{name|one|other}` picks a word by the number `name` holds ("{count} {count|need|needs}"), for the
 * languages that inflect (Chinese never needs it).
 */
export function translate(locale: Locale, key: string, params?: Record<string, unknown>): string {
  const template = catalogues[locale][key] ?? catalogues[DEFAULT_LOCALE][key] ?? key
  // Most messages have no parameter, yet every {{t}} in a template passes its (empty) hash: skip the two regex passes.
  if (!params || !template.includes('{')) return template
  if (!template.includes('|') && template !== key)
    return fillNames(template, (name) => (params[name] === undefined ? undefined : String(params[name])))
  const rules = plurals.get(locale) ?? plurals.set(locale, new Intl.PluralRules(locale)).get(locale)!
  return template
    .replace(/\{(\w+)\|([^|{}]*)\|([^|{}]*)\}/g, (whole, name: string, one: string, other: string) =>
      params[name] === undefined ? whole : rules.select(Number(params[name])) === 'one' ? one : other,
    )
    .replace(/\{(\w+)\}/g, (whole, name: string) => (params[name] === undefined ? whole : String(params[name])))
}

/**
 * `template` with each `{name}` replaced by `value(name)`, or left as written when that is undefined. The text is split
 * around its names once: a match page fills one message per card ("Fit {score}") and up to sixty reasons, and the
 * regex passes cost ~0.5 µs a call. Only for the catalogues' texts (not a missing key shown as itself), so the map
 * holds no more than the catalogues.
 */
export function fillNames(template: string, value: (name: string) => string | undefined): string {
  let split = pieces.get(template)
  if (!split) pieces.set(template, (split = template.split(/\{(\w+)\}/)))
  let out = split[0]
  for (let i = 1; i < split.length; i += 2) out += (value(split[i]) ?? `{${split[i]}}`) + split[i + 1]
  return out
}
const pieces = new Map<string, string[]>()

/** Accept-Language → our locale: any zh variant means Chinese; otherwise the first language we have. */
export function negotiate(header: string | undefined): Locale {
  if (!header) return DEFAULT_LOCALE
  const ranked = header
    .split(',')
    .map((part, i) => {
      const [tag, ...rest] = part.trim().split(';')
      const q = rest.map((p) => p.trim()).find((p) => p.startsWith('q='))
      return { tag: tag.toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1, i }
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i)
  for (const { tag } of ranked) {
    if (tag.startsWith('zh')) return 'zh-CN'
    if (tag.startsWith('en')) return 'en'
  }
  return DEFAULT_LOCALE
}

/** A translator bound to one reader's language (req.t): what pure view models take instead of the request. */
export type Translate = (key: string, params?: Record<string, unknown>) => string
