import { asc, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { areas, categories, offers, organizations } from '../db/schema.js'
import { translate, type Locale } from '../i18n/i18n.js'
import { describeSchedule } from '../listings/schedule-form.js'
import { activeOffer, listingToday } from '../listings/listings.js'
import {
  deploymentNamespace,
  page,
  toService,
  type HsdsContext,
  type HsdsOffer,
  type HsdsPage,
  type HsdsService,
} from './hsds.js'

export interface HsdsOptions {
  baseUrl: string
  locale?: Locale
  now?: Date
}

/** One page of active offers as nested HSDS 3.0 services, oldest first (so pages stay put while offers are added). */
export function hsdsServices(db: Db, opts: HsdsOptions & { page?: number; perPage?: number }): HsdsPage<HsdsService> {
  const { ctx, today, locale } = context(opts)
  const pageNumber = opts.page ?? 1
  const perPage = opts.perPage ?? 50
  const total = db
    .select({ n: sql<number>`count(*)` })
    .from(offers)
    .where(activeOffer(today))
    .get()!.n
  const rows = load(db, today, locale, perPage, (pageNumber - 1) * perPage)
  return page(
    rows.map((o) => toService(o, ctx)),
    total,
    pageNumber,
    perPage,
  )
}

/** Every active offer, for a file. */
export function hsdsAllServices(db: Db, opts: HsdsOptions): HsdsService[] {
  const { ctx, today, locale } = context(opts)
  return load(db, today, locale).map((o) => toService(o, ctx))
}

function context(opts: HsdsOptions): { ctx: HsdsContext; today: string; locale: Locale } {
  const locale = opts.locale ?? 'zh-CN'
  const today = listingToday(opts.now ?? new Date())
  return {
    today,
    locale,
    ctx: {
      namespace: deploymentNamespace(opts.baseUrl),
      baseUrl: opts.baseUrl,
      today,
      t: (key, params) => translate(locale, key, params),
      describeRule: (rule) => describeSchedule(rule, locale),
    },
  }
}

function load(db: Db, today: string, locale: Locale, limit?: number, offset = 0): HsdsOffer[] {
  // Explicit columns: an organization's contact_phone and contact_email are never read here.
  const base = db
    .select({
      id: offers.id,
      ref: offers.ref,
      title: offers.title,
      description: offers.description,
      category: offers.category,
      categoryZh: categories.nameZh,
      categoryEn: categories.nameEn,
      quantity: offers.quantity,
      remaining: offers.remaining,
      unit: offers.unit,
      fromDate: offers.fromDate,
      untilDate: offers.untilDate,
      schedule: offers.schedule,
      minTrust: offers.minTrust,
      focus: offers.focus,
      status: offers.status,
      expiresAt: offers.expiresAt,
      updatedAt: offers.updatedAt,
      orgId: organizations.id,
      orgRef: organizations.ref,
      orgName: organizations.name,
      orgDescription: organizations.description,
      orgKind: organizations.kind,
      orgAreaId: organizations.areaId,
      areaId: areas.id,
      areaRef: areas.ref,
      areaName: areas.name,
      areaNameEn: areas.nameEn,
      areaLevel: areas.level,
    })
    .from(offers)
    .innerJoin(organizations, eq(organizations.id, offers.orgId))
    .innerJoin(areas, eq(areas.id, offers.servesAreaId))
    .innerJoin(categories, eq(categories.code, offers.category))
    .where(activeOffer(today))
    .orderBy(asc(offers.id))
  // Areas and categories in the export's language; an area without an English name keeps its Chinese one.
  const named = (a: { name: string; nameEn: string | null }) => (locale === 'en' && a.nameEn ? a.nameEn : a.name)
  const rows = limit === undefined ? base.all() : base.limit(limit).offset(offset).all()
  const orgAreaIds = [...new Set(rows.map((r) => r.orgAreaId))]
  const areaNames = new Map(
    orgAreaIds.length
      ? db
          .select({ id: areas.id, name: areas.name, nameEn: areas.nameEn })
          .from(areas)
          .where(inArray(areas.id, orgAreaIds))
          .all()
          .map((a) => [a.id, named(a)])
      : [],
  )
  return rows.map((r) => ({
    id: r.id,
    ref: r.ref,
    title: r.title,
    description: r.description,
    category: r.category,
    categoryName: locale === 'en' ? r.categoryEn : r.categoryZh,
    quantity: r.quantity,
    remaining: r.remaining,
    unit: r.unit,
    fromDate: r.fromDate,
    untilDate: r.untilDate,
    schedule: r.schedule,
    minTrust: r.minTrust,
    focus: r.focus,
    status: r.status,
    expiresAt: r.expiresAt,
    updatedAt: r.updatedAt,
    org: {
      id: r.orgId,
      ref: r.orgRef,
      name: r.orgName,
      description: r.orgDescription,
      kind: r.orgKind,
      areaName: areaNames.get(r.orgAreaId) ?? '',
    },
    area: { id: r.areaId, ref: r.areaRef, name: named({ name: r.areaName, nameEn: r.areaNameEn }), level: r.areaLevel },
  }))
}
