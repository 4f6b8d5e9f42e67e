/**
 * The matcher's results in the reader's language. Reasons and "why not" answers carry a key and codes; the
 * words are in the i18n catalogues (src/i18n/*.matching.ts, keys under 'matcher.'), where the completeness
 * test covers them. Codes inside parameters (weekdays, periods, units, categories, focus groups, topics, areas)
 * are named here; areas and topics through the caller, who knows the district and the vocabulary.
 */
import type { Db } from '../db/client.js'
import * as areas from '../areas/areas.js'
import { fillNames, type Locale } from '../i18n/i18n.js'
import { vocabulary } from '../topics/topics.js'
import type { Vocabulary } from './topics.js'
import type { Message, Reason } from './types.js'
import { list, word } from './words.js'
import { DEFAULT_WEIGHTS, FACTORS, type Factor, type Weights } from './weights.js'

export interface FormatContext {
  /** Area ids are all the pure core knows; the caller names them ("长寿社区"). */
  areaName?: (id: number) => string | undefined
  /** Topic codes likewise ("音响设备" / "sound equipment"). */
  topicName?: (code: string) => string | undefined
  /**
   * Reasons already put in words, by identity: a need's shown fits share many reason objects (rank.ts ReasonMemo),
   * and a page writes each one once. For one locale and one context only.
   */
  said?: Map<Message, string>
}

export function formatReason(reason: Message, locale: Locale, ctx: FormatContext = {}): string {
  const said = ctx.said
  if (!said) return format(reason.key, reason.params, locale, ctx)
  let text = said.get(reason)
  if (text === undefined) said.set(reason, (text = format(reason.key, reason.params, locale, ctx)))
  return text
}

export function format(key: string, params: Message['params'], locale: Locale, ctx: FormatContext = {}): string {
  const count = params.offers ?? params.count
  const template = (count === 1 ? word(locale, `${key}.one`) : undefined) ?? word(locale, key) ?? key
  return fillNames(template, (name) => {
    const value = params[name]
    return value === undefined ? undefined : render(name, value, params, locale, ctx)
  })
}

function render(
  name: string,
  value: string | number,
  params: Message['params'],
  locale: Locale,
  ctx: FormatContext,
): string {
  const named = (prefix: string, code: string) => word(locale, `${prefix}.${code}`) ?? code
  const codes = () =>
    String(value)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
  switch (name) {
    case 'day':
      return list(
        codes().map((c) => named('weekday', c)),
        locale,
      )
    case 'days':
      return list(
        codes().map((c) => named('weekdays', c)),
        locale,
      )
    case 'periods':
      return list(
        codes().map((c) => named('period', c)),
        locale,
      )
    case 'terms':
      return codes().join(locale === 'en' ? ', ' : '、')
    case 'topics':
      return codes()
        .map((c) => ctx.topicName?.(c) ?? c)
        .join(locale === 'en' ? ', ' : '、')
    case 'topic':
      return ctx.topicName?.(String(value)) ?? String(value)
    case 'unit':
      return named('unit', String(value))
    case 'focus':
      return named('focus', String(value))
    case 'noun': {
      const one = params.offers === 1 ? word(locale, `noun.${value}.one`) : undefined
      return (
        one ??
        word(locale, `noun.${value}`) ??
        (params.offers === 1 ? word(locale, 'noun.other.one') : undefined) ??
        word(locale, 'noun.other') ??
        String(value)
      )
    }
    case 'area': {
      const id = Number(value)
      return ctx.areaName?.(id) ?? (word(locale, 'area.unnamed') ?? 'area {id}').replace('{id}', String(id))
    }
    case 'from':
    case 'until':
      return value === '' ? (word(locale, 'date.open') ?? '') : String(value)
    default:
      return typeof value === 'number' ? number(value) : value
  }
}

/** 50000 → "50,000" in both languages; written by hand so output never depends on the runtime's ICU data. */
function number(n: number): string {
  if (!Number.isInteger(n)) return String(n)
  const s = String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return n < 0 ? `-${s}` : s
}

export interface ShownReason {
  factor: Factor
  contribution: number
  text: string
}
export interface ScoreRow {
  factor: Factor
  name: string
  text: string
  points: number
  outOf: number
}

/**
 * A fit as a person reads it: the three reasons that add the most, in words only (a leader's view), and the
 * whole table, each factor's points against the most it could give (a broker's view). The table's points are
 * whole numbers that add up to the score. The table is written when first read: most readers are not shown it,
 * and a page of twenty fits would otherwise put every reason of every fit in words.
 */
export function explain(
  reasons: readonly Reason[],
  score: number,
  locale: Locale,
  ctx: FormatContext = {},
  w: Weights = DEFAULT_WEIGHTS,
) {
  const top = strongest(reasons, 3).map((r) => formatReason(r, locale, ctx))
  let table: ScoreRow[] | undefined
  return {
    top,
    get table(): ScoreRow[] {
      return (table ??= scoreTable(reasons, score, locale, ctx, w))
    },
    score,
  }
}

/**
 * The `n` reasons that add the most, most first, ties in FACTORS order and then as given: what sorting a copy of the
 * positive ones and taking the first `n` gives, picked in one pass (a page does it for each of its twenty cards).
 */
export function strongest(reasons: readonly Reason[], n: number): Reason[] {
  const top: Reason[] = []
  for (const r of reasons) {
    if (!(r.contribution > 0)) continue
    let at = top.length
    while (at > 0 && before(r, top[at - 1]!)) at--
    if (at >= n) continue
    top.splice(at, 0, r)
    if (top.length > n) top.pop()
  }
  return top
}

const factorRank = (f: string) => FACTORS.indexOf(f as Factor)
const before = (a: Reason, b: Reason) =>
  a.contribution > b.contribution || (a.contribution === b.contribution && factorRank(a.factor) < factorRank(b.factor))

function scoreTable(
  reasons: readonly Reason[],
  score: number,
  locale: Locale,
  ctx: FormatContext,
  w: Weights,
): ScoreRow[] {
  const total = FACTORS.reduce((s, f) => s + w[f], 0) || 1
  const points = wholePoints(
    reasons.map((r) => r.contribution),
    score,
  )
  return reasons.map((r, i) => ({
    factor: r.factor as Factor,
    name: word(locale, `factor.${r.factor}`) ?? r.factor,
    text: formatReason(r, locale, ctx),
    points: points[i],
    outOf: Math.round((100 * (w[r.factor as Factor] ?? 0)) / total),
  }))
}

/** Rounds shares to whole points that still sum to the total (largest remainders first). */
function wholePoints(shares: number[], total: number): number[] {
  const floors = shares.map((s) => Math.floor(Math.max(0, s)))
  let left = Math.round(total) - floors.reduce((a, b) => a + b, 0)
  const order = shares
    .map((s, i) => ({ i, rest: Math.max(0, s) - floors[i] }))
    .sort((a, b) => b.rest - a.rest || a.i - b.i)
  for (let k = 0; left > 0 && k < order.length; k++, left--) floors[order[k].i]++
  return floors
}

/** Topic codes named in the reader's language, from the vocabulary the site uses (admins' additions included). */
function namer(vocab: Vocabulary, locale: Locale) {
  return (code: string) => {
    const t = vocab.byCode.get(code)
    return t && (locale === 'en' ? t.en || t.zh : t.zh || t.en)
  }
}

/**
 * Reasons and "why not" lines in the reader's language, with area ids and topic codes named: `vocab`, the topics
 * vocabulary, when the page has it already.
 */
export function presenter(db: Db, locale: Locale, vocab: Vocabulary = vocabulary(db)) {
  // Named when a reason first names an area: most pages' reasons name none, and reading the areas asks the memo (a
  // statement) and names every area of the district (150 at 1M listings).
  let names: Map<number, string> | undefined
  const ctx: FormatContext = {
    areaName: (id: number) =>
      (names ??= new Map(areas.all(db).map((a) => [a.id, areas.displayName(a, locale)]))).get(id),
    topicName: namer(vocab, locale),
    said: new Map(),
  }
  return {
    reasons: (reasons: Reason[]): ShownReason[] =>
      reasons
        .filter((r) => r.contribution > 0)
        .map((r) => ({ factor: r.factor as Factor, contribution: r.contribution, text: formatReason(r, locale, ctx) })),
    /** For the match cards: the top three in words, and the broker's table. */
    fit: (reasons: Reason[], score: number) => explain(reasons, score, locale, ctx),
    message: (m: Message) => format(m.key, m.params, locale, ctx),
  }
}
