/**
 * Money in the funds domain is integer fen (1 yuan = 100 fen) from the form to the database and back: a yuan
 * amount typed as "1234.5" is read exactly (no floating point on the way), and shown as ¥1,234.50.
 */

/** Largest amount a call or a budget line may hold: ¥100,000,000.00, far above any street's fund, inside a safe integer. */
export const MAX_FEN = 10_000_000_000

/** "1234", "1,234.5", "¥1234.50" → 123450 fen; undefined for anything that is not a yuan amount with at most two decimals. */
export function parseYuan(text: unknown): number | undefined {
  if (typeof text === 'number') text = String(text)
  if (typeof text !== 'string') return undefined
  const m = text
    .trim()
    .replace(/^[¥￥]\s*/, '')
    .replace(/,/g, '')
    .match(/^(\d{1,9})(?:\.(\d{0,2}))?$/)
  if (!m) return undefined
  const fen = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'))
  return fen <= MAX_FEN ? fen : undefined
}

/** 123450 → "¥1,234.50"; a negative amount keeps its sign before the symbol. */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '−' : ''
  const abs = Math.abs(Math.round(fen))
  const whole = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${sign}¥${whole}.${String(abs % 100).padStart(2, '0')}`
}

/** 123450 → "1234.50": the value a form field shows back. */
export const yuanInput = (fen: number | null | undefined): string =>
  fen === null || fen === undefined ? '' : `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`
