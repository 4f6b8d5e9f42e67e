/**
 * Recurring schedules as sets of weekly slots (day of week × hour of day).
 *
 * We read the FREQ=WEEKLY/DAILY subset of iCalendar RRULEs that people actually post ("Tuesday and
 * Thursday evenings"). The slot set is always a superset of the rule's real occurrences: a part we do not
 * understand (INTERVAL=2, BYSETPOS, a garbled value) widens to "any time" instead of narrowing. A parse
 * gap may therefore let an awkward pair through to a person, but it can never hide a real overlap.
 *
 * A weekly RRULE's BYDAY × BYHOUR is a product set, so two masks describe it exactly and intersecting
 * two schedules is two ANDs, which keeps the allocator's feasibility test to a few instructions.
 */

export interface Slots {
  /** bit 0 = Monday … bit 6 = Sunday (Chinese calendars start the week on Monday) */
  days: number
  /** bit h = the hour starting at h:00 */
  hours: number
}

export const ALL_DAYS = 0x7f
export const ALL_HOURS = 0xffffff
export const ANY_TIME: Readonly<Slots> = Object.freeze({ days: ALL_DAYS, hours: ALL_HOURS })
export const WEEKDAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const
const WORKDAYS = 0x1f
const WEEKEND = 0x60

export type Period = 'morning' | 'afternoon' | 'evening' | 'night'
/** Hours each part of the day spans; night wraps past midnight. */
const PERIOD_HOURS: Record<Period, number> = {
  morning: hoursMask(5, 12),
  afternoon: hoursMask(12, 18),
  evening: hoursMask(18, 23),
  night: hoursMask(23, 24) | hoursMask(0, 5),
}
const PERIODS: Period[] = ['morning', 'afternoon', 'evening', 'night']

function hoursMask(from: number, to: number): number {
  let mask = 0
  for (let h = from; h < to; h++) mask |= 1 << h
  return mask
}

// Offers and needs repeat the same few rules thousands of times; parsing each once keeps ranking cheap.
const cache = new Map<string, Slots>()
const CACHE_LIMIT = 10_000

export function parseSchedule(rule: string | null | undefined): Slots {
  if (!rule) return ANY_TIME
  let slots = cache.get(rule)
  if (!slots) {
    if (cache.size >= CACHE_LIMIT) cache.clear()
    slots = Object.freeze(parseRule(rule))
    cache.set(rule, slots)
  }
  return slots
}

/**
 * An iCalendar RRULE's parts by name, names and values upper-cased, from a bare rule, "RRULE:…", or a block with
 * DTSTART on its own line (the line with FREQ; without one, the whole text is read). A part that is not name=value is
 * left out and said in `malformed`. The one reading of a rule's text: the matcher widens what it cannot read (it takes
 * the parts as they come), while the HSDS export wants a rule it can say exactly or none (hsds-schedules.ts refuses a
 * text without FREQ or with a malformed part).
 */
export function ruleParts(text: string): { parts: Map<string, string>; hasFreq: boolean; malformed: boolean } {
  const found = text.split(/\r?\n/).find((l) => /FREQ=/i.test(l))
  const parts = new Map<string, string>()
  let malformed = false
  for (const part of (found ?? text).replace(/^\s*RRULE:/i, '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0)
      parts.set(
        part.slice(0, eq).trim().toUpperCase(),
        part
          .slice(eq + 1)
          .trim()
          .toUpperCase(),
      )
    else malformed = true
  }
  return { parts, hasFreq: found !== undefined, malformed }
}

function parseRule(text: string): Slots {
  const { parts } = ruleParts(text)
  const freq = parts.get('FREQ')
  if (freq !== 'WEEKLY' && freq !== 'DAILY') return { ...ANY_TIME }
  return { days: parseDays(parts.get('BYDAY')), hours: parseHours(parts.get('BYHOUR')) }
}

function parseDays(value: string | undefined): number {
  if (!value) return ALL_DAYS
  let mask = 0
  for (const token of value.split(',')) {
    // "1SA" (first Saturday) still falls on a Saturday; the ordinal only matters to MONTHLY rules.
    const day = WEEKDAY_CODES.indexOf(token.trim().replace(/^[+-]?\d+/, '') as (typeof WEEKDAY_CODES)[number])
    if (day < 0) return ALL_DAYS
    mask |= 1 << day
  }
  return mask || ALL_DAYS
}

function parseHours(value: string | undefined): number {
  if (!value) return ALL_HOURS
  let mask = 0
  for (const token of value.split(',')) {
    const hour = /^\d{1,2}$/.test(token.trim()) ? Number(token) : -1
    if (hour < 0 || hour > 23) return ALL_HOURS
    mask |= 1 << hour
  }
  return mask || ALL_HOURS
}

export function intersect(a: Slots, b: Slots): Slots {
  return { days: a.days & b.days, hours: a.hours & b.hours }
}

export function meets(a: Slots, b: Slots): boolean {
  return (a.days & b.days) !== 0 && (a.hours & b.hours) !== 0
}

export function isAnyTime(s: Slots): boolean {
  return s.days === ALL_DAYS && s.hours === ALL_HOURS
}

export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24
}

/** The share of the need's slots in which the offer is also available (1 when the need can be met any time it asks). */
export function slotShare(need: Slots, offer: Slots): number {
  return maskShare(need.days, need.hours, offer.days, offer.hours)
}

/** slotShare on raw masks, for the allocator's typed arrays. */
export function maskShare(needDays: number, needHours: number, offerDays: number, offerHours: number): number {
  const wanted = popcount(needDays) * popcount(needHours)
  if (wanted === 0) return 0
  return (popcount(needDays & offerDays) * popcount(needHours & offerHours)) / wanted
}

export interface SlotDescription {
  /** Weekday codes Monday first, with MO–FR written 'WEEKDAYS' and SA+SU 'WEEKENDS'; empty when every day. */
  days: string[]
  /** Parts of the day touched by the hours; empty when every hour. */
  periods: Period[]
  hours: number[]
  everyDay: boolean
  allDay: boolean
}

/** Words, as codes for messages.ts, for "free on both Tuesday and Thursday evenings". */
export function describeSlots(s: Slots): SlotDescription {
  const everyDay = (s.days & ALL_DAYS) === ALL_DAYS
  const allDay = (s.hours & ALL_HOURS) === ALL_HOURS
  const days: string[] = []
  if (!everyDay) {
    let rest = s.days
    if ((rest & WORKDAYS) === WORKDAYS) {
      days.push('WEEKDAYS')
      rest &= ~WORKDAYS
    }
    if ((rest & WEEKEND) === WEEKEND) {
      days.push('WEEKENDS')
      rest &= ~WEEKEND
    }
    for (let d = 0; d < 7; d++) if (rest & (1 << d)) days.push(WEEKDAY_CODES[d])
  }
  const hours: number[] = []
  for (let h = 0; h < 24; h++) if (s.hours & (1 << h)) hours.push(h)
  const periods = allDay ? [] : PERIODS.filter((p) => (s.hours & PERIOD_HOURS[p]) !== 0)
  return { days, periods, hours, everyDay, allDay }
}
