import { asc, eq } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { categories } from '../db/schema.js'
import type { FieldErrors } from '../shared/errors.js'
import { ValidationError } from '../shared/errors.js'
import { isCalendarDate, isoDate } from '../shared/time.js'
import * as areas from '../areas/areas.js'

/** What needs and offers share: a category with its unit, a time window, a weekly schedule, an expiry. */
export type Category = typeof categories.$inferSelect
export const MAX_QUANTITY = 10_000_000
export const PAGE_SIZE = 20
export const DEFAULT_LIFETIME_DAYS = 60

export function allCategories(db: Db): Category[] {
  return db.select().from(categories).orderBy(asc(categories.position), asc(categories.code)).all()
}

export function category(db: Db, code: string): Category | undefined {
  return db.select().from(categories).where(eq(categories.code, code)).get()
}

export interface CommonInput {
  category: string
  unit?: string
  quantity: number
  fromDate?: string | null
  untilDate?: string | null
  schedule?: string | null
  expiresAt?: string | null
}


/**
 * The rules a schema cannot say: the unit is the category's, a window ends after it starts, an expiry
 * lies ahead, a schedule is a weekly rule, the area exists. Every problem is reported at once.
 */
export function checkCommon(db: Db, input: CommonInput, areaField: { name: string; id: number | undefined }, now: Date, opts: { checkExpiryAhead: boolean } = { checkExpiryAhead: true }): { unit: string; problems: FieldErrors } {
  const problems: FieldErrors = {}
  const cat = category(db, input.category)
  if (!cat) problems.category = { key: 'validation.choose' }
  else if (input.unit && input.unit !== cat.unit) problems.unit = { key: 'validation.unit', params: { unit: input.unit, category: cat.code, expected: cat.unit } }
  for (const field of ['fromDate', 'untilDate', 'expiresAt'] as const) {
    const v = input[field]
    if (v && !isCalendarDate(v)) problems[field] = { key: 'validation.date' }
  }
  if (input.fromDate && input.untilDate && !problems.fromDate && !problems.untilDate && input.untilDate < input.fromDate) {
    problems.untilDate = { key: 'validation.window' }
  }
  if (opts.checkExpiryAhead && input.expiresAt && !problems.expiresAt && input.expiresAt < isoDate(now)) problems.expiresAt = { key: 'validation.expiry_past' }
  if (input.schedule && !/^(RRULE:)?FREQ=(WEEKLY|DAILY)(;[A-Z]+=[A-Z0-9,+-]+)*$/i.test(input.schedule.trim())) problems.schedule = { key: 'validation.schedule' }
  if (!Number.isInteger(input.quantity) || input.quantity < 1 || input.quantity > MAX_QUANTITY) problems.quantity = { key: 'validation.too_large', params: { limit: MAX_QUANTITY } }
  if (areaField.id === undefined || !areas.get(db, areaField.id)) problems[areaField.name] = { key: 'validation.area_missing' }
  return { unit: cat?.unit ?? '', problems }
}

export function throwIfAny(problems: FieldErrors) {
  if (Object.keys(problems).length) throw new ValidationError(problems)
}

export const defaultExpiry = (now: Date) => isoDate(new Date(now.getTime() + DEFAULT_LIFETIME_DAYS * 86_400_000))

/** Listings past their expiry leave the open lists by themselves; this is the status a reader sees. */
export function effectiveStatus<S extends string>(status: S, expiresAt: string | null, today: string): S | 'expired' {
  if ((status === 'open' || status === 'partly_met') && expiresAt && expiresAt < today) return 'expired'
  return status
}

/** A need's status follows from how much of it is reserved. */
export function demandStatus(quantity: number, remaining: number): 'open' | 'partly_met' | 'met' {
  if (remaining <= 0) return 'met'
  return remaining < quantity ? 'partly_met' : 'open'
}
