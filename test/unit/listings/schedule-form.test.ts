import { describe, expect, it } from 'vitest'
import {
  DAYS,
  PERIODS,
  describeSchedule,
  formFromSchedule,
  scheduleFromForm,
} from '../../../src/listings/schedule-form.js'
import { parseSchedule } from '../../../src/matching/schedule.js'

/** Every subset of a list, in the list's order. */
function subsets<T>(items: readonly T[]): T[][] {
  return Array.from({ length: 1 << items.length }, (_, mask) => items.filter((_, i) => mask & (1 << i)))
}

describe('schedule form ↔ RRULE', () => {
  it('turns weekday and evening checkboxes into a weekly rule', () => {
    expect(scheduleFromForm(['TU', 'TH'], ['evening'])).toBe('FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=18,19,20')
  })

  it('writes days Monday first and hours ascending whatever order the form sent them in', () => {
    expect(scheduleFromForm(['SU', 'MO', 'WE'], ['evening', 'morning'])).toBe(
      'FREQ=WEEKLY;BYDAY=MO,WE,SU;BYHOUR=8,9,10,11,18,19,20',
    )
  })

  it('stores no rule when nothing is ticked ("any time")', () => {
    expect(scheduleFromForm([], [])).toBeNull()
    expect(scheduleFromForm()).toBeNull()
    expect(formFromSchedule(null)).toEqual({ days: [], periods: [] })
    expect(formFromSchedule('')).toEqual({ days: [], periods: [] })
  })

  it('ignores codes the form does not offer instead of writing them into the rule', () => {
    expect(scheduleFromForm(['XX', 'TU'], ['night', 'afternoon'])).toBe('FREQ=WEEKLY;BYDAY=TU;BYHOUR=14,15,16,17')
    expect(scheduleFromForm(['XX'], ['midnight'])).toBeNull()
  })

  it('keeps days alone and periods alone', () => {
    expect(scheduleFromForm(['SA'], [])).toBe('FREQ=WEEKLY;BYDAY=SA')
    expect(formFromSchedule('FREQ=WEEKLY;BYDAY=SA')).toEqual({ days: ['SA'], periods: [] })
    expect(scheduleFromForm([], ['afternoon'])).toBe('FREQ=WEEKLY;BYHOUR=14,15,16,17')
    expect(formFromSchedule('FREQ=WEEKLY;BYHOUR=14,15,16,17')).toEqual({ days: [], periods: ['afternoon'] })
  })

  it('round-trips every combination of ticked days and periods (all seven days reads back as "any day")', () => {
    for (const days of subsets(DAYS)) {
      for (const periods of subsets(PERIODS)) {
        const rule = scheduleFromForm(days, periods)
        const back = formFromSchedule(rule)
        expect(back, `${days}/${periods} → ${rule}`).toEqual({ days: days.length === DAYS.length ? [] : days, periods })
        // And saving the form again describes the same weekly slots.
        expect(parseSchedule(scheduleFromForm(back.days, back.periods)), `${rule} saved twice`).toEqual(
          parseSchedule(rule),
        )
      }
    }
  })

  it('reads rules written elsewhere (imports, API) onto the checkboxes', () => {
    expect(formFromSchedule('RRULE:FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=19')).toEqual({
      days: ['TU', 'TH'],
      periods: ['evening'],
    })
    expect(formFromSchedule('FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=11,12')).toEqual({
      days: ['MO', 'TU', 'WE', 'TH', 'FR'],
      periods: ['morning'],
    })
    expect(formFromSchedule('FREQ=DAILY;BYHOUR=9,15')).toEqual({ days: [], periods: ['morning', 'afternoon'] })
    expect(formFromSchedule('freq=weekly;byday=sa,su')).toEqual({ days: ['SA', 'SU'], periods: [] })
  })

  it('says the schedule in both languages', () => {
    const rule = scheduleFromForm(['TU', 'TH'], ['evening'])
    expect(describeSchedule(rule, 'zh-CN')).toMatch(/周二.*周四.*晚上/)
    expect(describeSchedule(rule, 'en')).toMatch(/Tuesday.*Thursday.*evening/i)
    expect(describeSchedule(null, 'en')).toBe('')
  })
})
