/**
 * An offer's schedule — an iCalendar RRULE, as the listing form writes it — read into HSDS 3.0's RRULE-shaped schedule
 * fields, exactly or not at all: a rule HSDS cannot say exactly gives nothing here, and hsds.ts sends its words and
 * the rule itself instead. Pure.
 */
import { ruleParts } from '../matching/schedule.js'

/** China Standard Time, as HSDS wants it: a UTC offset in hours, and a suffix on every time of day. */
export const UTC_OFFSET_HOURS = 8
const TIME_SUFFIX = '+08:00'

export interface HsdsSchedule {
  id: string
  service_id: string
  valid_from?: string
  valid_to?: string
  dtstart?: string
  timezone?: number
  until?: string
  count?: number
  wkst?: string
  freq?: 'WEEKLY' | 'MONTHLY'
  interval?: number
  byday?: string
  byweekno?: string
  bymonthday?: string
  byyearday?: string
  description: string
  opens_at?: string
  closes_at?: string
  notes?: string
}

const DAY = /^[+-]?\d{0,2}(MO|TU|WE|TH|FR|SA|SU)$/
const NUMBERS = /^[+-]?\d{1,3}(,[+-]?\d{1,3})*$/
/** The parts HSDS 3.0 has a field for. Any other part (BYSETPOS, BYMONTH, BYMINUTE…) cannot be said there exactly. */
const KNOWN = new Set([
  'FREQ',
  'INTERVAL',
  'BYDAY',
  'BYHOUR',
  'BYMONTHDAY',
  'BYWEEKNO',
  'BYYEARDAY',
  'COUNT',
  'UNTIL',
  'WKST',
])

/**
 * The rule's parts (matching/schedule.ts reads them), or undefined for a text without FREQ or with a part that is not
 * name=value: HSDS gets a rule exactly or not at all.
 */
export function parseRule(text: string): Map<string, string> | undefined {
  const { parts, hasFreq, malformed } = ruleParts(text)
  return hasFreq && !malformed ? parts : undefined
}

/** Runs of consecutive hours: BYHOUR=8,9,10,11,14,15 → [[8,11],[14,15]]; each run opens at its first hour and closes an hour after its last. */
export function hourRuns(hours: number[]): [number, number][] {
  const sorted = [...new Set(hours)].sort((a, b) => a - b)
  const runs: [number, number][] = []
  for (const h of sorted) {
    const last = runs[runs.length - 1]
    if (last && h === last[1] + 1) last[1] = h
    else runs.push([h, h])
  }
  return runs
}
/** An hour as HSDS's time of day, in China Standard Time. */
export const timeOfDay = (hour: number) => `${String(hour % 24).padStart(2, '0')}:00${TIME_SUFFIX}`

/** The RRULE's structured fields, or undefined when HSDS cannot say it exactly (the words and the rule itself still go out). */
export function structured(
  parts: Map<string, string>,
  from: string | null,
): { fields: Partial<HsdsSchedule>; hours: number[] } | undefined {
  for (const name of parts.keys()) if (!KNOWN.has(name)) return undefined
  const fields: Partial<HsdsSchedule> = {}
  const interval = parts.has('INTERVAL') ? Number(parts.get('INTERVAL')) : 1
  if (!Number.isInteger(interval) || interval < 1) return undefined
  const freq = parts.get('FREQ')
  const byday = parts.get('BYDAY')
  if (byday !== undefined && !byday.split(',').every((d) => DAY.test(d))) return undefined
  if (freq === 'WEEKLY' || freq === 'MONTHLY') {
    fields.freq = freq
    if (byday) fields.byday = byday
  } else if (
    freq === 'DAILY' &&
    interval === 1 &&
    !parts.has('BYMONTHDAY') &&
    !parts.has('BYYEARDAY') &&
    !parts.has('BYWEEKNO')
  ) {
    // HSDS 3.0's freq is WEEKLY or MONTHLY; every day is every week on every day (or on the days BYDAY keeps).
    fields.freq = 'WEEKLY'
    fields.byday = byday ?? 'MO,TU,WE,TH,FR,SA,SU'
  } else {
    return undefined
  }
  if (interval > 1) {
    // A fortnightly rule means nothing without the week it counts from.
    if (!from) return undefined
    fields.interval = interval
    fields.dtstart = from
  } else if (from) {
    fields.dtstart = from
  }
  for (const [part, field] of [
    ['BYMONTHDAY', 'bymonthday'],
    ['BYWEEKNO', 'byweekno'],
    ['BYYEARDAY', 'byyearday'],
  ] as const) {
    const v = parts.get(part)
    if (v === undefined) continue
    if (!NUMBERS.test(v)) return undefined
    fields[field] = v
  }
  const count = parts.get('COUNT')
  if (count !== undefined) {
    if (!/^\d{1,6}$/.test(count) || Number(count) < 1) return undefined
    fields.count = Number(count)
  }
  const until = parts.get('UNTIL')
  if (until !== undefined) {
    const m = /^(\d{4})(\d{2})(\d{2})(T\d{6}Z?)?$/.exec(until)
    if (!m) return undefined
    fields.until = `${m[1]}-${m[2]}-${m[3]}`
  }
  const wkst = parts.get('WKST')
  if (wkst !== undefined) {
    if (!/^(MO|TU|WE|TH|FR|SA|SU)$/.test(wkst)) return undefined
    fields.wkst = wkst
  }
  const byhour = parts.get('BYHOUR')
  let hours: number[] = []
  if (byhour !== undefined) {
    hours = byhour.split(',').map((h) => (/^\d{1,2}$/.test(h) ? Number(h) : -1))
    if (hours.some((h) => h < 0 || h > 23)) return undefined
  }
  return { fields, hours }
}
