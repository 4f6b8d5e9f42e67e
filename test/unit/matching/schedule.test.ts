import { describe, expect, it } from 'vitest'
import { ANY_TIME, describeSlots, meets, parseSchedule, ruleParts, slotShare } from '../../../src/matching/schedule.js'

describe('schedules', () => {
  it('reads weekly rules with days and hours', () => {
    const s = parseSchedule('FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=19')
    expect(s.days).toBe(0b1010)
    expect(s.hours).toBe(1 << 19)
  })

  it('reads daily rules as every day at the given hours', () => {
    expect(parseSchedule('RRULE:FREQ=DAILY;BYHOUR=9,10')).toEqual({ days: 0x7f, hours: (1 << 9) | (1 << 10) })
  })

  it('treats a missing schedule as any time', () => {
    expect(parseSchedule(null)).toEqual(ANY_TIME)
  })

  it('widens what it does not understand to any time rather than guessing', () => {
    expect(parseSchedule('FREQ=YEARLY;BYMONTH=3')).toEqual(ANY_TIME)
    expect(parseSchedule('not a rule at all')).toEqual(ANY_TIME)
    expect(parseSchedule('FREQ=WEEKLY;BYDAY=XX;BYHOUR=19').days).toBe(0x7f)
    expect(parseSchedule('FREQ=WEEKLY;BYDAY=MO;BYHOUR=25').hours).toBe(0xffffff)
  })

  it('keeps the weekday of an ordinal day such as the first Saturday', () => {
    expect(parseSchedule('FREQ=WEEKLY;BYDAY=1SA').days).toBe(1 << 5)
  })

  it('finds the rule among DTSTART lines', () => {
    expect(parseSchedule('DTSTART:20250301T190000\nRRULE:FREQ=WEEKLY;BYDAY=FR').days).toBe(1 << 4)
  })

  it('reads the parts it understands around one that is not name=value', () => {
    expect(parseSchedule('FREQ=WEEKLY;BYDAY=TU;garbled;BYHOUR=19')).toEqual({ days: 1 << 1, hours: 1 << 19 })
    expect(parseSchedule('FREQ=WEEKLY;BYDAY=TU;')).toEqual({ days: 1 << 1, hours: 0xffffff })
  })

  it("reads a rule's parts, saying whether a line had FREQ and whether a part was not name=value", () => {
    expect(ruleParts('DTSTART:20250301T190000\nRRULE:freq=weekly; byday = fr')).toEqual({
      parts: new Map([
        ['FREQ', 'WEEKLY'],
        ['BYDAY', 'FR'],
      ]),
      hasFreq: true,
      malformed: false,
    })
    expect(ruleParts('FREQ=WEEKLY;BYDAY=TU;')).toMatchObject({ hasFreq: true, malformed: true })
    expect(ruleParts('FREQ=WEEKLY;=TU')).toMatchObject({ parts: new Map([['FREQ', 'WEEKLY']]), malformed: true })
    expect(ruleParts('BYDAY=TU')).toEqual({ parts: new Map([['BYDAY', 'TU']]), hasFreq: false, malformed: false })
  })

  it('says two schedules meet only when they share a day and an hour', () => {
    const tueEvening = parseSchedule('FREQ=WEEKLY;BYDAY=TU;BYHOUR=19')
    expect(meets(tueEvening, parseSchedule('FREQ=WEEKLY;BYDAY=TU,WE;BYHOUR=18,19,20'))).toBe(true)
    expect(meets(tueEvening, parseSchedule('FREQ=WEEKLY;BYDAY=WE;BYHOUR=19'))).toBe(false)
    expect(meets(tueEvening, parseSchedule('FREQ=WEEKLY;BYDAY=TU;BYHOUR=9'))).toBe(false)
  })

  it('measures how much of the need an offer is free for', () => {
    const need = parseSchedule('FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=19')
    expect(slotShare(need, parseSchedule('FREQ=WEEKLY;BYDAY=TU;BYHOUR=18,19'))).toBe(0.5)
    expect(slotShare(need, ANY_TIME)).toBe(1)
  })

  it('describes slots in words for reasons', () => {
    expect(describeSlots(parseSchedule('FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=19'))).toMatchObject({
      days: ['TU', 'TH'],
      periods: ['evening'],
    })
    expect(describeSlots(parseSchedule('FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9,19')).days).toEqual(['WEEKDAYS'])
    expect(describeSlots(parseSchedule('FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9,19')).periods).toEqual([
      'morning',
      'evening',
    ])
    expect(describeSlots(parseSchedule('FREQ=WEEKLY;BYDAY=SA,SU')).days).toEqual(['WEEKENDS'])
    expect(describeSlots(ANY_TIME)).toMatchObject({ everyDay: true, allDay: true, days: [], periods: [] })
  })
})
