import { rememberOn, type Versions } from '../db/memo.js'
import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm'
import { preparedOn, type Db } from '../db/client.js'
import { categories, needs, offers } from '../db/schema.js'
import type { FieldErrors } from '../shared/errors.js'
import { ValidationError } from '../shared/errors.js'
import { isCalendarDate, localToday } from '../shared/time.js'
import * as areas from '../areas/areas.js'
import type { Locale } from '../i18n/i18n.js'

/** What needs and offers share: a category with its unit, a time window, a weekly schedule, an expiry. */
export type Category = typeof categories.$inferSelect
export const MAX_QUANTITY = 10_000_000
export const PAGE_SIZE = 20
export const DEFAULT_LIFETIME_DAYS = 60

/**
 * Read once per change of the table (every list page shows them), handed out as a fresh list. `seen`: the versions a
 * page read already (memo.ts versions), which spare asking the table's own.
 */
export function allCategories(db: Db, seen?: Versions): Category[] {
  return rememberOn(
    db,
    'categories.all',
    () => db.select().from(categories).orderBy(asc(categories.position), asc(categories.code)).all(),
    ['categories'],
    seen,
  ).slice()
}

/** Each category's name in the reader's language, by code; `seen` as for allCategories. */
export function categoryNames(db: Db, locale: Locale, seen?: Versions): Record<string, string> {
  return namedCategories(allCategories(db, seen), locale)
}

export function namedCategories(list: readonly Category[], locale: Locale): Record<string, string> {
  return Object.fromEntries(list.map((c) => [c.code, locale === 'en' ? c.nameEn : c.nameZh]))
}

// Every listing write checks its category.
const categoryQuery = preparedOn((db) =>
  db
    .select()
    .from(categories)
    .where(eq(categories.code, sql.placeholder('code')))
    .prepare(),
)

export function category(db: Db, code: string): Category | undefined {
  return categoryQuery(db).get({ code })
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
export function checkCommon(
  db: Db,
  input: CommonInput,
  areaField: { name: string; id: number | undefined },
  now: Date,
  opts: { checkExpiryAhead: boolean } = { checkExpiryAhead: true },
): { unit: string; problems: FieldErrors } {
  const problems: FieldErrors = {}
  const cat = category(db, input.category)
  if (!cat) problems.category = { key: 'validation.choose' }
  else if (input.unit && input.unit !== cat.unit)
    problems.unit = { key: 'validation.unit', params: { unit: input.unit, category: cat.code, expected: cat.unit } }
  for (const field of ['fromDate', 'untilDate', 'expiresAt'] as const) {
    const v = input[field]
    if (v && !isCalendarDate(v)) problems[field] = { key: 'validation.date' }
  }
  if (
    input.fromDate &&
    input.untilDate &&
    !problems.fromDate &&
    !problems.untilDate &&
    input.untilDate < input.fromDate
  ) {
    problems.untilDate = { key: 'validation.window' }
  }
  if (opts.checkExpiryAhead && input.expiresAt && !problems.expiresAt && input.expiresAt < listingToday(now))
    problems.expiresAt = { key: 'validation.expiry_past' }
  if (input.schedule && !/^(RRULE:)?FREQ=(WEEKLY|DAILY)(;[A-Z]+=[A-Z0-9,+-]+)*$/i.test(input.schedule.trim()))
    problems.schedule = { key: 'validation.schedule' }
  if (!Number.isInteger(input.quantity) || input.quantity < 1 || input.quantity > MAX_QUANTITY)
    problems.quantity = { key: 'validation.too_large', params: { limit: MAX_QUANTITY } }
  if (areaField.id === undefined || !areas.get(db, areaField.id))
    problems[areaField.name] = { key: 'validation.area_missing' }
  return { unit: cat?.unit ?? '', problems }
}

export function throwIfAny(problems: FieldErrors) {
  if (Object.keys(problems).length) throw new ValidationError(problems)
}

export const defaultExpiry = (now: Date) => localToday(new Date(now.getTime() + DEFAULT_LIFETIME_DAYS * 86_400_000))

/**
 * Listings past their expiry, or whose availability window is over, leave the open lists by themselves; this is
 * the status a reader sees: 'expired' (the listing's own deadline passed) before 'ended' (its `until` passed).
 */
export function effectiveStatus<S extends string>(
  status: S,
  expiresAt: string | null,
  today: string,
  untilDate: string | null = null,
): S | 'expired' | 'ended' {
  if (status !== 'open' && status !== 'partly_met') return status
  if (expiresAt && expiresAt < today) return 'expired'
  if (untilDate && untilDate < today) return 'ended'
  return status
}

// ---- what "active" means: the one definition every list, figure, export and match uses ----------------
//
//  - an active need: status open or partly_met, something left (remaining > 0: a need with nothing left is
//    'met' by demandStatus, and the rule says so rather than trusting every writer), not past its expiry, and
//    its window not over (`until` not before today: a need for 'until 31 October' is not open in November);
//  - an active offer: status open, not past its expiry, its availability window not over — what /offers lists,
//    what the map counts, what HSDS exports. An offer whose capacity is all reserved stays open (a withdrawn
//    match gives it back);
//  - an available offer: an active offer with remaining > 0 — what can still be asked for: the matcher's
//    candidates, the agenda's "can any offer serve it", idle offers. A fully reserved offer has nothing to give.
// `today` is `listingToday(now)`, the date effectiveStatus compares with. Each rule comes in three forms that
// must agree (test/integration/listings/active.test.ts holds them to the same rows): a pure predicate for rows
// already read, a drizzle condition, and SQL text for hand-prepared statements (`?` is today).

export const ACTIVE_NEED_STATUSES = ['open', 'partly_met'] as const
export const ACTIVE_OFFER_STATUSES = ['open'] as const
/** The date a listing's expiry is compared with (as effectiveStatus does): today where the district is, so a listing
 * that expires on the 30th is gone at midnight in China, not eight hours later. */
export const listingToday = (now: Date) => localToday(now)

const current = (l: Listed, today: string) =>
  (l.expiresAt === null || l.expiresAt >= today) && (l.untilDate === null || l.untilDate >= today)
type Listed = { status: string; expiresAt: string | null; untilDate: string | null }
export const isActiveNeed = (n: Listed & { remaining: number }, today: string) =>
  (ACTIVE_NEED_STATUSES as readonly string[]).includes(n.status) && n.remaining > 0 && current(n, today)
export const isActiveOffer = (o: Listed, today: string) =>
  (ACTIVE_OFFER_STATUSES as readonly string[]).includes(o.status) && current(o, today)
export const isAvailableOffer = (o: Listed & { remaining: number }, today: string) =>
  isActiveOffer(o, today) && o.remaining > 0

export const activeNeed = (today: string): SQL =>
  and(
    inArray(needs.status, [...ACTIVE_NEED_STATUSES]),
    sql`${needs.remaining} > 0`,
    sql`(${needs.expiresAt} IS NULL OR ${needs.expiresAt} >= ${today})`,
    sql`(${needs.untilDate} IS NULL OR ${needs.untilDate} >= ${today})`,
  )!
export const activeOffer = (today: string): SQL =>
  and(
    inArray(offers.status, [...ACTIVE_OFFER_STATUSES]),
    sql`(${offers.expiresAt} IS NULL OR ${offers.expiresAt} >= ${today})`,
    sql`(${offers.untilDate} IS NULL OR ${offers.untilDate} >= ${today})`,
  )!
export const availableOffer = (today: string): SQL => and(activeOffer(today), sql`${offers.remaining} > 0`)!

const quoted = (list: readonly string[]) => list.map((s) => `'${s}'`).join(', ')
// Expiry and window end in one comparison, so the text forms still bind today once; a missing date never ends.
const currentText = (t: string) =>
  `min(coalesce(${t}.expires_at, '9999-12-31'), coalesce(${t}.until_date, '9999-12-31')) >= ?`
/** SQL text for `activeNeed`, on table (or alias) `t`; binds one parameter, today. */
export const activeNeedText = (t = 'needs') =>
  `${t}.status IN (${quoted(ACTIVE_NEED_STATUSES)}) AND ${t}.remaining > 0 AND ${currentText(t)}`
/** SQL text for `activeOffer`; binds one parameter, today. */
export const activeOfferText = (t = 'offers') =>
  `${t}.status IN (${quoted(ACTIVE_OFFER_STATUSES)}) AND ${currentText(t)}`
/** SQL text for `availableOffer`; binds one parameter, today. */
export const availableOfferText = (t = 'offers') => `${activeOfferText(t)} AND ${t}.remaining > 0`

/** A need's status follows from how much of it is reserved. */
export function demandStatus(quantity: number, remaining: number): 'open' | 'partly_met' | 'met' {
  if (remaining <= 0) return 'met'
  return remaining < quantity ? 'partly_met' : 'open'
}
