/**
 * A signed figure — a balance, a change between two assessments: '+0.29', '−0.13' (a true minus sign, as the
 * typesetting of figures wants), '0.00' with no sign when it rounds to zero, '—' when there is none.
 */
export function signed(v: number | null, digits: number): string {
  if (v === null || Number.isNaN(v)) return '—'
  const text = Math.abs(v).toFixed(digits)
  if (Number(text) === 0) return text
  return `${v > 0 ? '+' : '−'}${text}`
}

const numberFormats = new Map<string, Intl.NumberFormat>()

/**
 * A number formatter for a locale, made once: building one costs ~80 µs and a page formats hundreds of figures.
 * `digits` fixes the decimals (none given: the locale's default, up to three); `grouping` is thousands separators.
 */
export function numberFormat(locale: string, digits?: number, grouping = true): Intl.NumberFormat {
  const key = `${locale}|${digits ?? ''}|${grouping}`
  let format = numberFormats.get(key)
  if (!format) {
    format = new Intl.NumberFormat(
      locale,
      digits === undefined
        ? { useGrouping: grouping }
        : { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: grouping },
    )
    numberFormats.set(key, format)
  }
  return format
}

/** Whole numbers below this are formatted once per locale and kept (a quantity, a count): a string each. */
const KEPT_WHOLE = 10_000
const wholeNumbers = new Map<string, string[]>()

/**
 * A figure as the locale writes it. Intl's format costs about a microsecond a call, and a match page formats a
 * quantity on each of its twenty cards, nearly always a small whole number that earlier pages formatted already.
 */
export function formatNumber(locale: string, value: number): string {
  if (!(Number.isInteger(value) && value >= 0 && value < KEPT_WHOLE) || Object.is(value, -0))
    return numberFormat(locale).format(value)
  let kept = wholeNumbers.get(locale)
  if (!kept) wholeNumbers.set(locale, (kept = []))
  return (kept[value] ??= numberFormat(locale).format(value))
}
