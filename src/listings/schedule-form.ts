import { describeSlots, parseSchedule, WEEKDAY_CODES } from '../matching/schedule.js'
import { list, word } from '../matching/words.js'
import type { Locale } from '../i18n/i18n.js'

/**
 * Forms ask "which days, which part of the day" with checkboxes; the database and the interchange
 * format keep an iCalendar RRULE. These two functions are the only translation between them.
 */
export const DAYS = WEEKDAY_CODES
export const PERIODS = ['morning', 'afternoon', 'evening'] as const
export type FormPeriod = (typeof PERIODS)[number]
const PERIOD_HOURS: Record<FormPeriod, number[]> = {
  morning: [8, 9, 10, 11],
  afternoon: [14, 15, 16, 17],
  evening: [18, 19, 20],
}

export function scheduleFromForm(days: readonly string[] = [], periods: readonly string[] = []): string | null {
  const d = DAYS.filter((code) => days.includes(code))
  const hours = PERIODS.filter((p) => periods.includes(p)).flatMap((p) => PERIOD_HOURS[p])
  if (d.length === 0 && hours.length === 0) return null
  return ['FREQ=WEEKLY', d.length ? `BYDAY=${d.join(',')}` : '', hours.length ? `BYHOUR=${hours.join(',')}` : '']
    .filter(Boolean)
    .join(';')
}

export function formFromSchedule(rule: string | null | undefined): { days: string[]; periods: string[] } {
  if (!rule) return { days: [], periods: [] }
  const slots = parseSchedule(rule)
  const desc = describeSlots(slots)
  return {
    days: desc.everyDay ? [] : DAYS.filter((_, i) => slots.days & (1 << i)),
    periods: desc.allDay ? [] : PERIODS.filter((p) => PERIOD_HOURS[p].some((h) => slots.hours & (1 << h))),
  }
}

/** "周二、周四 晚上" / "Tuesday and Thursday evenings"; empty when there is no schedule. */
export function describeSchedule(rule: string | null | undefined, locale: Locale): string {
  if (!rule) return ''
  const desc = describeSlots(parseSchedule(rule))
  const days = list(
    desc.days.map((c) => word(locale, `weekday.${c}`) ?? c),
    locale,
  )
  const periods = list(
    desc.periods.map((p) => word(locale, `period.${p}`) ?? p),
    locale,
  )
  return [days, periods].filter(Boolean).join(locale === 'en' ? ', ' : ' ')
}
