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
