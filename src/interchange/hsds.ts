import { createHash } from 'node:crypto'
import { isAvailableOffer } from '../listings/listings.js'
import { UTC_OFFSET_HOURS, hourRuns, parseRule, structured, timeOfDay, type HsdsSchedule } from './hsds-schedules.js'

/**
 * Offers in the shape of Open Referral's Human Services Data Specification (HSDS) 3.0, so that a city's resource
 * directory can take them: one fully nested `service` per offer, with its `organization`, `schedules`,
 * `service_areas` and `attributes`. Pure: no database, no clock (`today` comes in), words through `t`.
 *
 * Only public data goes in. An organization's contact phone and e-mail are shown to the parties of an accepted
 * match and to no one else, so the rows this module takes do not even have those fields.
 */

/** RFC 4122's namespace for URLs: a deployment's namespace is the v5 UUID of its base URL within it. */
export const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8'

/** RFC 4122 version 5 (SHA-1) UUID: the same name in the same namespace always gives the same id. */
export function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex')
  if (ns.length !== 16) throw new Error(`not a UUID: ${namespace}`)
  const bytes = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16)
  bytes[6] = (bytes[6] & 0x0f) | 0x50
  bytes[8] = (bytes[8] & 0x3f) | 0x80
  const h = bytes.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** Two AssetBridge districts both have an offer `o-1`: their services must still differ in a city's directory. */
export function deploymentNamespace(baseUrl: string): string {
  return uuidV5(baseUrl.trim().replace(/\/+$/, '').toLowerCase(), URL_NAMESPACE)
}

export interface HsdsArea {
  id: number
  ref: string | null
  name: string
  level: string
}
/** Public columns only: the loader never selects contact_phone or contact_email. */
export interface HsdsOrg {
  id: number
  ref: string | null
  name: string
  description: string
  kind: string
  areaName: string
}
export interface HsdsOffer {
  id: number
  ref: string | null
  title: string
  description: string
  category: string
  categoryName: string
  quantity: number
  remaining: number
  unit: string
  fromDate: string | null
  untilDate: string | null
  schedule: string | null
  minTrust: string
  focus: string[]
  status: string
  expiresAt: string | null
  updatedAt: string
  org: HsdsOrg
  area: HsdsArea
}

export type Words = (key: string, params?: Record<string, unknown>) => string
export interface HsdsContext {
  /** deploymentNamespace(baseUrl) */
  namespace: string
  /** The site's public address, for the service's and the area's `url`/`uri`. */
  baseUrl: string
  t: Words
  /** ISO date: an open offer whose expiry is before it is no longer active. */
  today: string
  /** "周二、周四 晚上" for a rule: src/listings/schedule-form.ts describeSchedule, in the same language as t. */
  describeRule: (rule: string) => string
}

export interface HsdsTaxonomyTerm {
  id: string
  code: string
  name: string
  description: string
  taxonomy: string
  language: string
}
export interface HsdsAttribute {
  id: string
  link_id: string
  link_type: string
  link_entity: 'service'
  taxonomy_term_id: string
  value?: string
  taxonomy_term: HsdsTaxonomyTerm
}
export interface HsdsServiceArea {
  id: string
  service_id: string
  name: string
  description: string
  uri: string
}
export interface HsdsOrganization {
  id: string
  name: string
  description: string
}
export interface HsdsService {
  id: string
  organization_id: string
  name: string
  description: string
  url: string
  status: 'active' | 'inactive'
  eligibility_description: string
  last_modified: string
  organization: HsdsOrganization
  schedules: HsdsSchedule[]
  service_areas: HsdsServiceArea[]
  attributes: HsdsAttribute[]
}

/** A record's identity across exports: its ref when it has one (stable across systems too), else its row id. */
const key = (r: { id: number; ref: string | null }) => r.ref ?? `#${r.id}`
export const serviceId = (ns: string, offer: Pick<HsdsOffer, 'id' | 'ref'>) => uuidV5(`offer:${key(offer)}`, ns)
export const organizationId = (ns: string, org: Pick<HsdsOrg, 'id' | 'ref'>) => uuidV5(`org:${key(org)}`, ns)

/**
 * 'active' when it can be asked for today: an available offer (listings.ts) — active, with capacity left. The export
 * lists every active offer, as the offers list does; one whose capacity is all reserved is 'inactive' (HSDS: not
 * currently provided), its description saying "0 still available"; a withdrawn match makes it active again.
 */
export const serviceStatus = (
  o: Pick<HsdsOffer, 'status' | 'expiresAt' | 'untilDate' | 'remaining'>,
  today: string,
): 'active' | 'inactive' => (isAvailableOffer(o, today) ? 'active' : 'inactive')

export function toService(offer: HsdsOffer, ctx: HsdsContext): HsdsService {
  const { t, namespace: ns } = ctx
  const id = serviceId(ns, offer)
  const unit = t(`unit.${offer.unit}`)
  const capacity = t('hsds.capacity', { quantity: offer.quantity, remaining: offer.remaining, unit })
  const base = ctx.baseUrl.replace(/\/+$/, '')
  return {
    id,
    organization_id: organizationId(ns, offer.org),
    name: offer.title,
    description: [offer.description.trim(), capacity].filter(Boolean).join('\n\n'),
    url: `${base}/offers/${offer.id}`,
    status: serviceStatus(offer, ctx.today),
    eligibility_description: eligibilityWords(offer, t),
    last_modified: new Date(offer.updatedAt).toISOString(),
    organization: toOrganization(offer.org, ctx),
    schedules: toSchedules(offer, id, ctx),
    service_areas: [toServiceArea(offer.area, id, ctx)],
    attributes: toAttributes(offer, id, ctx),
  }
}

/** HSDS requires an organization's description; a group that wrote none is described by its kind and place. */
export function toOrganization(org: HsdsOrg, ctx: HsdsContext): HsdsOrganization {
  const description =
    org.description.trim() || ctx.t('hsds.org.about', { kind: ctx.t(`kind.${org.kind}`), area: org.areaName })
  return { id: organizationId(ctx.namespace, org), name: org.name, description }
}

/**
 * Our conditions are about the organization that asks (its trust level, the groups it works with), not about a
 * person's age: HSDS 3.0 dropped its `eligibility` table, so they go into `eligibility_description` in words,
 * and each one also into an `eligibility` attribute a directory can filter on.
 */
export function eligibilityWords(offer: Pick<HsdsOffer, 'minTrust' | 'focus'>, t: Words): string {
  const parts: string[] = []
  if (offer.minTrust !== 'self_declared')
    parts.push(t('hsds.eligibility.min_trust', { trust: t(`trust.${offer.minTrust}`) }))
  if (offer.focus.length)
    parts.push(
      t('hsds.eligibility.focus', { focus: offer.focus.map((f) => t(`focus.${f}`)).join(t('list.separator')) }),
    )
  return parts.length ? parts.join(' ') : t('hsds.eligibility.any')
}

export function toServiceArea(area: HsdsArea, serviceId: string, ctx: HsdsContext): HsdsServiceArea {
  const { t } = ctx
  return {
    id: uuidV5(`service_area:${serviceId}:${key(area)}`, ctx.namespace),
    service_id: serviceId,
    name: t('hsds.area.name', { area: area.name }),
    description: t('hsds.area.description', { area: area.name, level: t(`level.${area.level}`), ref: key(area) }),
    uri: `${ctx.baseUrl.replace(/\/+$/, '')}/areas/${area.id}`,
  }
}

const TAXONOMY = 'AssetBridge'
function term(ctx: HsdsContext, code: string, name: string, description: string): HsdsTaxonomyTerm {
  return {
    id: uuidV5(`taxonomy_term:${code}`, ctx.namespace),
    code,
    name,
    description,
    taxonomy: TAXONOMY,
    language: ctx.t('hsds.language_code'),
  }
}

/** The category as a `service_category` attribute; the trust level and each focus group as `eligibility` ones. */
export function toAttributes(offer: HsdsOffer, serviceId: string, ctx: HsdsContext): HsdsAttribute[] {
  const { t } = ctx
  const attribute = (linkType: string, tt: HsdsTaxonomyTerm, value?: string): HsdsAttribute => ({
    id: uuidV5(`attribute:${serviceId}:${tt.code}`, ctx.namespace),
    link_id: serviceId,
    link_type: linkType,
    link_entity: 'service',
    taxonomy_term_id: tt.id,
    ...(value === undefined ? {} : { value }),
    taxonomy_term: tt,
  })
  const unit = t(`unit.${offer.unit}`)
  const out = [
    attribute(
      'service_category',
      term(
        ctx,
        `category:${offer.category}`,
        offer.categoryName,
        t('hsds.term.category', { category: offer.categoryName, unit }),
      ),
      t('hsds.term.capacity_value', { quantity: offer.quantity, remaining: offer.remaining, unit }),
    ),
  ]
  if (offer.minTrust !== 'self_declared') {
    const trust = t(`trust.${offer.minTrust}`)
    out.push(
      attribute('eligibility', term(ctx, `min_trust:${offer.minTrust}`, trust, t('hsds.term.min_trust', { trust }))),
    )
  }
  for (const f of offer.focus) {
    const focus = t(`focus.${f}`)
    out.push(attribute('eligibility', term(ctx, `focus:${f}`, focus, t('hsds.term.focus', { focus }))))
  }
  return out
}

// ---- schedules: one HSDS entry per run of opening hours (hsds-schedules.ts reads the RRULE) -----------------

/**
 * One HSDS schedule per run of opening hours (HSDS has one opens_at/closes_at per entry): "Tuesday and Thursday,
 * 19:00–21:00" is one entry, mornings and afternoons are two. The offer's from/until become valid_from/valid_to.
 * A rule HSDS cannot carry exactly still gives one entry, with the words and the rule itself in `notes`; an offer
 * with neither rule nor dates has no schedule at all.
 */
export function toSchedules(
  offer: Pick<HsdsOffer, 'schedule' | 'fromDate' | 'untilDate'>,
  serviceId: string,
  ctx: HsdsContext,
): HsdsSchedule[] {
  const { t } = ctx
  const rule = offer.schedule?.trim() || null
  if (!rule && !offer.fromDate && !offer.untilDate) return []
  const dates =
    offer.fromDate && offer.untilDate
      ? t('hsds.schedule.between', { from: offer.fromDate, until: offer.untilDate })
      : offer.fromDate
        ? t('hsds.schedule.from', { from: offer.fromDate })
        : offer.untilDate
          ? t('hsds.schedule.until', { until: offer.untilDate })
          : ''
  const words = rule ? ctx.describeRule(rule) || t('hsds.schedule.any_time') : t('hsds.schedule.any_time')
  const common = (n: number): HsdsSchedule => ({
    id: uuidV5(`schedule:${serviceId}:${n}`, ctx.namespace),
    service_id: serviceId,
    ...(offer.fromDate ? { valid_from: offer.fromDate } : {}),
    ...(offer.untilDate ? { valid_to: offer.untilDate } : {}),
    description: [words, dates].filter(Boolean).join(t('hsds.schedule.separator')),
  })
  if (!rule) return [common(0)]
  const parts = parseRule(rule)
  const s = parts && structured(parts, offer.fromDate)
  if (!s) return [{ ...common(0), notes: `RRULE:${rule.replace(/^\s*RRULE:/i, '')}` }]
  const runs = hourRuns(s.hours)
  if (runs.length === 0) return [{ ...common(0), ...s.fields, timezone: UTC_OFFSET_HOURS }]
  return runs.map(([first, last], n) => ({
    ...common(n),
    ...s.fields,
    timezone: UTC_OFFSET_HOURS,
    opens_at: timeOfDay(first),
    closes_at: timeOfDay(last + 1),
  }))
}

// ---- the list the API answers with: HSDS's own page shape ---------------------------------------------------

export interface HsdsPage<T> {
  total_items: number
  total_pages: number
  page_number: number
  size: number
  first_page: boolean
  last_page: boolean
  empty: boolean
  contents: T[]
}

export function page<T>(contents: T[], total: number, pageNumber: number, perPage: number): HsdsPage<T> {
  const totalPages = Math.max(1, Math.ceil(total / perPage))
  return {
    total_items: total,
    total_pages: totalPages,
    page_number: pageNumber,
    size: contents.length,
    first_page: pageNumber === 1,
    last_page: pageNumber >= totalPages,
    empty: contents.length === 0,
    contents,
  }
}
