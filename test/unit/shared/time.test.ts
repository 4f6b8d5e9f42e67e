import { describe, expect, it } from 'vitest'
import { prng } from '../../../bench/lib/generate.js'
import { localToday, TIME_ZONE } from '../../../src/shared/time.js'

describe('localToday', () => {
  it("is the date in the district's time zone, as Intl says, at any instant since 2000", () => {
    const intl = new Intl.DateTimeFormat('en-CA', {
      timeZone: TIME_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    })
    const rand = prng(11)
    const from = Date.UTC(2000, 0, 1),
      span = Date.UTC(2100, 0, 1) - from
    const instants = Array.from({ length: 2000 }, () => new Date(from + Math.floor(rand() * span)))
    // Around midnight in China, where the two dates part.
    for (let h = 15; h <= 16; h++)
      instants.push(new Date(Date.UTC(2026, 5, 15, h, 59, 59)), new Date(Date.UTC(2026, 5, 15, h)))
    for (const t of instants) expect(localToday(t), t.toISOString()).toBe(intl.format(t))
  })
})
