export const iso = (d: Date) => d.toISOString()
export const isoDate = (d: Date) => d.toISOString().slice(0, 10)
export const addDays = (d: Date, days: number) => new Date(d.getTime() + days * 86_400_000)
/** Whole days from an ISO instant to now, never negative: how long something has waited. */
export const daysSince = (iso: string, now: Date) =>
  Math.max(0, Math.floor((now.getTime() - Date.parse(iso)) / 86_400_000))

/** Where the district is. China keeps one offset all year, so a local day is a fixed UTC interval. */
export const TIME_ZONE = 'Asia/Shanghai'
const UTC_OFFSET = '+08:00'

const OFFSET_MS = 8 * 3_600_000

/**
 * Today's date where the district is (the views show dates in China time), as YYYY-MM-DD: the UTC date eight hours
 * on, since the offset never changes (Intl's formatter cost ~15 µs a call, and a match page asks a few times).
 */
export const localToday = (now: Date): string => new Date(now.getTime() + OFFSET_MS).toISOString().slice(0, 10)

/** The instant a local calendar day begins, as an ISO timestamp comparable with the stored ones. */
export const localDayStart = (date: string): string => new Date(`${date}T00:00:00${UTC_OFFSET}`).toISOString()

/** The years a date may name: a listing expiring in 9999 would never expire, nobody assessed a group in 1850. */
export const FIRST_DATE = '1900-01-01'
export const LAST_DATE = '2100-12-31'

/**
 * A real calendar date written YYYY-MM-DD (not 2026-02-30, 2027-13-45 or 9999-99-99), between FIRST_DATE and
 * LAST_DATE. The one check for every date a person or a file gives: schemas use it as the `calendar-date` format
 * (shared/forms.ts), services and the ledger call it.
 */
export function isCalendarDate(s: unknown): s is string {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s) || s < FIRST_DATE || s > LAST_DATE) return false
  const d = new Date(`${s}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && isoDate(d) === s
}
