import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import type { Locale } from '../i18n/i18n.js'
import type { FieldErrors } from '../shared/errors.js'
import * as areas from '../areas/areas.js'
import * as orgs from '../orgs/orgs.js'
import * as topics from '../topics/topics.js'
import { chips, type ChipState } from '../topics/topics.pages.js'
import * as needQueries from '../needs/need-queries.js'
import * as offerQueries from '../offers/offer-queries.js'
import { FOCUS_GROUPS, TRUST_LEVELS, URGENCIES } from '../db/schema.js'
import { allCategories, defaultExpiry, listingToday, namedCategories, type Category } from './listings.js'
import type { Page } from './browse.js'
import { DAYS, PERIODS, describeSchedule, formFromSchedule } from './schedule-form.js'

// The pages every listing shares: the need and offer lists, their new and edit forms, and a listing's display fields.

type Namer = (codes: string[] | null | undefined) => topics.Named[]

/** Display fields for a listing row or page, in the reader's language. */
export function present<
  T extends { schedule: string | null; areaName: string; areaNameEn: string | null; topics?: string[] | null },
>(row: T, locale: Locale, names?: Namer) {
  return {
    ...row,
    scheduleText: describeSchedule(row.schedule, locale),
    areaLabel: locale === 'en' && row.areaNameEn ? row.areaNameEn : row.areaName,
    topicList: names ? names(row.topics) : [],
  }
}

type Listed = Parameters<typeof present>[0]

/** One page of a list, and what its filters choose from. */
export function loadListPage<Q extends object, T extends Listed>(
  db: Db,
  locale: Locale,
  query: Q,
  list: (db: Db, query: Q) => Page<T>,
) {
  return {
    page: list(db, query),
    query,
    names: topics.namer(db, locale),
    topicOptions: topics.options(db, locale),
    categories: allCategories(db),
    areaOptions: areas.options(db, locale),
  }
}

export type ListPage<T extends Listed> = ReturnType<typeof loadListPage<object, T>>

/** The filters only one side has: needs are filtered by urgency too; each side has its own statuses and orders. */
const LIST_CHOICES = {
  need: { urgencies: URGENCIES, statuses: needQueries.STATUS_FILTERS, sorts: needQueries.SORTS },
  offer: { statuses: offerQueries.STATUS_FILTERS, sorts: offerQueries.SORTS },
}

/**
 * What needs/index and offers/index are given: the page of rows in the reader's language (area, schedule, topics),
 * the filters as the visitor set them, and what each filter chooses from.
 */
export function listPageView<T extends Listed>(kind: 'need' | 'offer', data: ListPage<T>, locale: Locale) {
  return {
    ...data.page,
    items: data.page.items.map((row) => present(row, locale, data.names)),
    query: data.query,
    topicOptions: data.topicOptions,
    categoryNames: namedCategories(data.categories, locale),
    categories: data.categories,
    areaOptions: data.areaOptions,
    ...LIST_CHOICES[kind],
  }
}

/** What a listing form holds (an edit form, the listing's id): the chips are drawn for its category and text. */
export type FormValues = ChipState & { orgId?: number | string; id?: number }

/** What a listing form draws its selects and chips from; the groups include one a broker is assisting. */
export function loadListingForm(db: Db, viewer: CurrentUser, locale: Locale, values: FormValues) {
  return {
    topicChips: chips(db, locale, values),
    categories: allCategories(db),
    myOrgs: orgs.actingFor(db, viewer, Number(values.orgId) || undefined),
    areaOptions: areas.options(db, locale),
  }
}

/** What needs/new, needs/edit, offers/new and offers/edit are given: the form as typed, with what to fix. */
export function listingFormView<V extends FormValues>(
  data: ReturnType<typeof loadListingForm>,
  locale: Locale,
  values: V,
  errors: FieldErrors = {},
  now = new Date(),
) {
  return {
    topicChips: data.topicChips,
    form: true,
    categories: data.categories.map((c: Category) => ({ ...c, label: locale === 'en' ? c.nameEn : c.nameZh })),
    myOrgs: data.myOrgs,
    areaOptions: data.areaOptions,
    days: DAYS,
    periods: PERIODS,
    urgencies: URGENCIES,
    trustLevels: TRUST_LEVELS,
    focusGroups: FOCUS_GROUPS,
    today: listingToday(now),
    values,
    errors,
  }
}

/**
 * A new listing starts where its organization is (the one asked for if the poster acts for it, else their first):
 * its area is the place of a need and the area an offer serves.
 */
export function newListingValues(acting: { id: number; areaId: number }[], orgId?: number, now = new Date()) {
  const org = acting.find((o) => o.id === orgId) ?? acting[0]
  return {
    orgId: org?.id,
    areaId: org?.areaId,
    servesAreaId: org?.areaId,
    expiresAt: defaultExpiry(now),
    days: [] as string[],
    periods: [] as string[],
    focus: [] as string[],
    urgency: 'normal',
  }
}

export const loadNewListingValues = (db: Db, viewer: CurrentUser, orgId?: number) =>
  newListingValues(orgs.actingFor(db, viewer), orgId)

/** Stored row → form values: the rule becomes checkboxes again, the chips start as stored. */
export function toForm<
  R extends { schedule: string | null; category: string; topics?: string[] | null; topicsConfirmed?: boolean | null },
>(
  row: R,
): Omit<R, 'topics'> & { days: string[]; periods: string[]; topics: string[]; topicsFor: string; topicsChosen?: '1' } {
  // Ticks the poster confirmed stay put while they type.
  return {
    ...row,
    ...formFromSchedule(row.schedule),
    topics: row.topics ?? [],
    topicsFor: row.category,
    topicsChosen: row.topicsConfirmed ? ('1' as const) : undefined,
  }
}

const PER_KIND = 10

/** /search: the first needs and offers the words find, none for a blank box. */
export function loadSearch(db: Db, q: string) {
  const words = q.trim()
  return {
    q: words,
    categories: allCategories(db),
    found: words
      ? {
          needs: needQueries.list(db, { q: words, pageSize: PER_KIND }),
          offers: offerQueries.list(db, { q: words, pageSize: PER_KIND }),
        }
      : undefined,
  }
}

/** What the search page is given: a blank box shows no results and the page's own title, else the words. */
export function searchView(data: ReturnType<typeof loadSearch>, t: (key: string) => string, locale: Locale) {
  const { q, found } = data
  return {
    q,
    categoryNames: namedCategories(data.categories, locale),
    title: q || t('page.search'),
    needs: found && { ...found.needs, items: found.needs.items.map((n) => present(n, locale)) },
    offers: found && { ...found.offers, items: found.offers.items.map((o) => present(o, locale)) },
  }
}
