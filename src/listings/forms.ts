import type { FastifyRequest } from 'fastify'
import type { Db } from '../db/client.js'
import { CLOSE_REASONS, FOCUS_GROUPS, TRUST_LEVELS, URGENCIES } from '../db/schema.js'
import { str, int, oneOf, listOf, date, text, codes, fields, id32 } from '../shared/forms.js'
import { signedIn } from '../plugins/auth.js'
import * as areas from '../areas/areas.js'
import * as orgs from '../orgs/orgs.js'
import { allCategories, MAX_QUANTITY, defaultExpiry, listingToday } from './listings.js'
import { DAYS, PERIODS, scheduleFromForm, formFromSchedule, describeSchedule } from './schedule-form.js'
import type { Locale } from '../i18n/i18n.js'
import * as topicsSvc from '../topics/topics.js'

/** The fields needs and offers share, as the web form sends them. */
export const commonFields = {
  orgId: id32,
  category: str(40, 1),
  title: str(120, 2),
  description: text(4000),
  quantity: int(1, MAX_QUANTITY),
  fromDate: date,
  untilDate: date,
  days: listOf(DAYS, 7),
  periods: listOf(PERIODS, 3),
  expiresAt: date,
  draft: oneOf(['1']),
  version: int(1, 1e9),
  topics: codes(20),
  topicsFor: str(40),
  topicsChosen: oneOf(['1']),
}
export const needFields = {
  ...commonFields,
  areaId: id32,
  place: str(200),
  urgency: oneOf(URGENCIES),
  beneficiaries: int(1, 1_000_000),
}
export const offerFields = {
  ...commonFields,
  servesAreaId: id32,
  minTrust: oneOf(TRUST_LEVELS),
  focus: listOf(FOCUS_GROUPS),
}
export const CloseFields = { reason: oneOf(CLOSE_REASONS) }
export const RenewFields = { expiresAt: date }

// A form posts strings and lists under names the schema checks; handlers read them by name.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FormBody = Record<string, any> & { days?: string[]; periods?: string[] }

/** Form → service input: checkboxes become the schedule rule. */
export function fromForm<T>(body: FormBody): T {
  const { days, periods, draft, _csrf, topics: _ticked, topicsFor, topicsChosen, ...rest } = body
  return {
    ...rest,
    schedule: scheduleFromForm(days, periods),
    draft: draft === '1',
    topics: topicsSvc.confirmedFromForm(body as topicsSvc.ChipState),
  } as T
}

/**
 * An edit form → service input. The checkboxes say only some rules (hours inside their three periods), so
 * when they come back exactly as they were drawn from the stored rule, that rule is kept: saving a new title
 * must not turn an imported 7–9 a.m. rota into 8 a.m.–noon.
 */
export function fromEditForm<T>(body: FormBody, stored: string | null): T {
  const input = fromForm<T & { schedule: string | null }>(body)
  const drawn = formFromSchedule(stored)
  const same = (sent: string[] = [], shown: string[]) =>
    sent.length === shown.length && shown.every((x) => sent.includes(x))
  return (
    stored && same(body.days, drawn.days) && same(body.periods, drawn.periods) ? { ...input, schedule: stored } : input
  ) as T
}

/** Stored row → form values: the rule becomes checkboxes again. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a need or an offer row, read field by field
export function toForm(row: Record<string, any>) {
  // The chips start as stored, drawn for its category; ticks the poster confirmed stay put while they type.
  return {
    ...row,
    ...formFromSchedule(row.schedule),
    topics: row.topics ?? [],
    topicsFor: row.category,
    topicsChosen: row.topicsConfirmed ? '1' : undefined,
  }
}

export function categoryNames(db: Db, locale: Locale): Record<string, string> {
  return Object.fromEntries(allCategories(db).map((c) => [c.code, locale === 'en' ? c.nameEn : c.nameZh]))
}

/** What every listing form needs to draw its selects and topic chips (`values`: what the form holds). */
export function formContext(db: Db, req: FastifyRequest, values: topicsSvc.ChipState = {}) {
  return {
    topicChips: topicsSvc.chips(db, req.locale, values),
    form: true,
    categories: allCategories(db).map((c) => ({ ...c, label: req.locale === 'en' ? c.nameEn : c.nameZh })),
    myOrgs: orgs.actingFor(db, signedIn(req), Number((values as { orgId?: unknown }).orgId) || undefined),
    areaOptions: areas.options(db, req.locale),
    days: DAYS,
    periods: PERIODS,
    urgencies: URGENCIES,
    trustLevels: TRUST_LEVELS,
    focusGroups: FOCUS_GROUPS,
    today: listingToday(new Date()),
  }
}

/** A new listing starts where its organization is: its area is the place of a need and the area an offer serves. */
export function newFormValues(db: Db, req: FastifyRequest, orgId?: number) {
  const acting = orgs.actingFor(db, signedIn(req))
  const org = acting.find((o) => o.id === orgId) ?? acting[0]
  return {
    orgId: org?.id,
    areaId: org?.areaId,
    servesAreaId: org?.areaId,
    expiresAt: defaultExpiry(new Date()),
    days: [],
    periods: [],
    focus: [],
    urgency: 'normal',
  }
}

/** Display fields for a listing row or page, in the reader's language. */
export function present<
  T extends { schedule: string | null; areaName: string; areaNameEn: string | null; topics?: string[] | null },
>(row: T, locale: Locale, names?: (codes: string[] | null | undefined) => topicsSvc.Named[]) {
  return {
    ...row,
    scheduleText: describeSchedule(row.schedule, locale),
    areaLabel: locale === 'en' && row.areaNameEn ? row.areaNameEn : row.areaName,
    topicList: names ? names(row.topics) : [],
  }
}

export const NewFormQuery = fields({ orgId: id32 })

export const browseQuery = <const E extends Record<string, object>>(extra: E) =>
  fields({ category: str(40), area: id32, q: str(100), topic: str(60), page: int(1, 100_000), ...extra })
