import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Db, type Sqlite } from '../../../src/db/client.js'
import { openDb } from '../../../src/database.js'
import * as areas from '../../../src/areas/areas.js'
import {
  checkCommon,
  demandStatus,
  effectiveStatus,
  MAX_QUANTITY,
  type CommonInput,
} from '../../../src/listings/listings.js'

// checkCommon asks the database two questions (is this a category, does this area exist), so these rule
// tests open an empty in-memory database once; everything else here is pure.
const ROOT = path.resolve(import.meta.dirname, '../../..')
let db: Db
let sqlite: Sqlite
let communityId: number
beforeAll(() => {
  ;({ db, sqlite } = openDb(':memory:', ROOT))
  const district = areas.create(db, null, { name: '河滨区' })
  communityId = areas.create(db, null, {
    name: '荔枝湾社区',
    parentId: areas.create(db, null, { name: '东湖街道', parentId: district.id }).id,
  }).id
})
afterAll(() => sqlite.close())

const NOW = new Date('2026-03-10T08:00:00Z')
const ok: CommonInput = {
  category: 'venue',
  quantity: 16,
  fromDate: '2026-03-01',
  untilDate: '2026-06-30',
  schedule: 'FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=19',
  expiresAt: '2026-04-30',
}
const check = (
  over: Partial<CommonInput>,
  area: { id: number | undefined } = { id: communityId },
  opts?: { checkExpiryAhead: boolean },
) => checkCommon(db, { ...ok, ...over }, { name: 'areaId', ...area }, NOW, opts)
const keys = (over: Partial<CommonInput>, area?: { id: number | undefined }) =>
  Object.fromEntries(Object.entries(check(over, area).problems).map(([f, p]) => [f, p.key]))

describe('checkCommon', () => {
  it('accepts a complete listing and takes the unit from its category', () => {
    expect(check({})).toEqual({ unit: 'hours', problems: {} })
    expect(check({ category: 'funds', quantity: 3000 }).unit).toBe('yuan')
    expect(check({ category: 'volunteers' }).unit).toBe('person_hours')
  })

  it("accepts the category's own unit and refuses any other, naming the expected one", () => {
    expect(check({ unit: 'hours' }).problems).toEqual({})
    expect(check({ unit: 'yuan' }).problems).toEqual({
      unit: { key: 'validation.unit', params: { unit: 'yuan', category: 'venue', expected: 'hours' } },
    })
    expect(check({ category: 'training', unit: 'hours' }).problems.unit?.params?.expected).toBe('seats')
  })

  it('refuses an unknown category', () => {
    expect(keys({ category: 'spaceships' })).toEqual({ category: 'validation.choose' })
  })

  it('lets a window end on the day it starts, never before', () => {
    expect(keys({ fromDate: '2026-05-01', untilDate: '2026-05-01' })).toEqual({})
    expect(keys({ fromDate: '2026-05-02', untilDate: '2026-05-01' })).toEqual({ untilDate: 'validation.window' })
    expect(keys({ fromDate: '2026-05-01', untilDate: null })).toEqual({})
    expect(keys({ fromDate: null, untilDate: '2026-05-01' })).toEqual({})
  })

  it('refuses an expiry in the past, but not today, and not when asked to skip it (imports of old ledgers)', () => {
    expect(keys({ expiresAt: '2026-03-09' })).toEqual({ expiresAt: 'validation.expiry_past' })
    expect(keys({ expiresAt: '2026-03-10' })).toEqual({})
    expect(check({ expiresAt: '2020-01-01' }, undefined, { checkExpiryAhead: false }).problems).toEqual({})
  })

  it.each([
    ['2026-02-30', 'no 30 February'],
    ['2026-02-29', '2026 is not a leap year'],
    ['2026-13-01', 'no month 13'],
    ['2026-04-31', 'April has 30 days'],
    ['2026-00-10', 'no month 0'],
    ['2026-1-5', 'not zero-padded'],
    ['26-01-05', 'two-digit year'],
    ['2026-01-05T00:00', 'a time is not a date'],
    ['2026/01/05', 'wrong separator'],
    ['next tuesday', 'words'],
  ])('refuses the malformed date %s (%s) in every date field', (bad) => {
    expect(keys({ fromDate: bad })).toEqual({ fromDate: 'validation.date' })
    expect(keys({ untilDate: bad })).toEqual({ untilDate: 'validation.date' })
    expect(keys({ expiresAt: bad })).toEqual({ expiresAt: 'validation.date' })
  })

  it('accepts 29 February in a leap year', () => {
    expect(keys({ fromDate: '2028-02-29', untilDate: '2028-03-01', expiresAt: '2028-02-29' })).toEqual({})
  })

  it('does not also complain about the window when one of its dates is malformed', () => {
    expect(keys({ fromDate: '2026-02-30', untilDate: '2026-01-01' })).toEqual({ fromDate: 'validation.date' })
  })

  it.each([
    'FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=19',
    'RRULE:FREQ=WEEKLY;BYDAY=MO',
    'FREQ=DAILY',
    'FREQ=DAILY;BYHOUR=7,8',
    'freq=weekly;byday=sa,su',
    'FREQ=WEEKLY;BYDAY=1SA;INTERVAL=2',
  ])('accepts the weekly schedule %s', (schedule) => {
    expect(keys({ schedule })).toEqual({})
  })

  it.each([
    'FREQ=MONTHLY;BYMONTHDAY=1',
    'FREQ=YEARLY',
    'every tuesday evening',
    'BYDAY=TU',
    'FREQ=WEEKLY;BYDAY=TU;',
    'FREQ=WEEKLY;BYDAY=TU<script>',
    'FREQ=WEEKLY;BYDAY=TU\nDROP TABLE needs',
  ])('refuses the schedule %j', (schedule) => {
    expect(keys({ schedule })).toEqual({ schedule: 'validation.schedule' })
  })

  it.each([0, -1, 1.5, MAX_QUANTITY + 1, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses the quantity %s',
    (quantity) => {
      expect(keys({ quantity })).toEqual({ quantity: 'validation.too_large' })
      expect(check({ quantity }).problems.quantity?.params).toEqual({ limit: MAX_QUANTITY })
    },
  )

  it.each([1, 16, MAX_QUANTITY])('accepts the quantity %s', (quantity) => {
    expect(keys({ quantity })).toEqual({})
  })

  it('refuses an unknown or missing area under the field name it is given', () => {
    expect(keys({}, { id: 99_999 })).toEqual({ areaId: 'validation.area_missing' })
    expect(keys({}, { id: undefined })).toEqual({ areaId: 'validation.area_missing' })
    expect(checkCommon(db, ok, { name: 'servesAreaId', id: 99_999 }, NOW).problems).toEqual({
      servesAreaId: { key: 'validation.area_missing' },
    })
  })

  it('reports every problem at once', () => {
    expect(
      keys(
        {
          category: 'nope',
          fromDate: '2026-02-30',
          untilDate: '2026-13-01',
          expiresAt: '2026-01-01',
          schedule: 'FREQ=HOURLY',
          quantity: 0,
        },
        { id: 424_242 },
      ),
    ).toEqual({
      category: 'validation.choose',
      fromDate: 'validation.date',
      untilDate: 'validation.date',
      expiresAt: 'validation.expiry_past',
      schedule: 'validation.schedule',
      quantity: 'validation.too_large',
      areaId: 'validation.area_missing',
    })
  })
})

describe('effectiveStatus: what a reader sees', () => {
  const today = '2026-03-10'
  it('shows an open or partly met listing past its expiry as expired', () => {
    expect(effectiveStatus('open', '2026-03-09', today)).toBe('expired')
    expect(effectiveStatus('partly_met', '2025-12-31', today)).toBe('expired')
  })
  it('keeps a listing expiring today open until the day is over', () => {
    expect(effectiveStatus('open', today, today)).toBe('open')
    expect(effectiveStatus('open', '2026-03-11', today)).toBe('open')
  })
  it('leaves listings without an expiry alone', () => {
    expect(effectiveStatus('open', null, today)).toBe('open')
  })
  it('never turns a settled status into expired', () => {
    for (const status of ['met', 'closed', 'draft', 'expired'] as const)
      expect(effectiveStatus(status, '2020-01-01', today)).toBe(status)
  })
})

describe('demandStatus: a need follows how much of it is reserved', () => {
  it.each([
    [10, 10, 'open'],
    [10, 9, 'partly_met'],
    [10, 1, 'partly_met'],
    [10, 0, 'met'],
    [1, 1, 'open'],
    [1, 0, 'met'],
    [10, -1, 'met'],
  ] as const)('quantity %i with %i remaining is %s', (quantity, remaining, status) => {
    expect(demandStatus(quantity, remaining)).toBe(status)
  })
})
