/**
 * The asset map's shell: reads the area tree and the active listings (counted by place and category) and
 * hands them to the pure figures (gaps.ts) and layout (map-layout.ts); then words and links for the page.
 * Only open listings anyone can browse go in, and nothing private comes out: no contact, no person.
 *
 * Everything is remembered until the database changes (db/memo.ts): the map is the same for every visitor,
 * and at 100k listings the counts cost ~20 ms, the agenda's "can any offer serve it" ~150 ms.
 */
import { sqliteOf, type Db } from '../db/client.js'
import * as areaService from '../areas/areas.js'
import { remember } from '../db/memo.js'
import { numberFormat, signed as signedFigure } from '../shared/format.js'
import { translate, type Locale } from '../i18n/i18n.js'
import { activeNeedText, activeOfferText, allCategories, availableOfferText, listingToday } from '../listings/listings.js'
import { isFeasible } from '../matching/feasibility.js'
import { subjectList } from '../matching/subject.js'
import type { NeedView, OfferView, Trust } from '../matching/types.js'
import type { CurrentUser } from '../accounts/accounts.js'
import { areaFigures, colourStep, idle, IDLE_AFTER_DAYS, pathIds, shown, sortRows, STEPS, unmetGroups, type AreaNode, type Sort, type Tally } from './gaps.js'
import { layout } from './map-layout.js'

interface AreaRow extends AreaNode { name: string; nameEn: string | null; lat: number | null; lng: number | null }


function areaRows(db: Db): AreaRow[] {
  return sqliteOf(db).prepare(`SELECT id, parent_id AS parentId, level, path, name, name_en AS nameEn, lat, lng FROM areas ORDER BY path`).all() as AreaRow[]
}

/**
 * Active needs by place and category, active offers by area served and category: the figures' only input. Offers
 * are counted as the offers list shows them (a fully reserved one too, so the panel's count and its link agree);
 * supply is their Σ remaining, to which a fully reserved offer adds nothing.
 */
function tallies(db: Db, today: string): { needs: Tally[]; offers: Tally[] } {
  const sqlite = sqliteOf(db)
  return remember(sqlite, `impact.tallies ${today}`, () => ({
    needs: sqlite.prepare(`SELECT area_id AS areaId, category, count(*) AS count, sum(remaining > 0) AS available, sum(remaining) AS remaining FROM needs WHERE ${activeNeedText()} GROUP BY area_id, category`).all(today) as Tally[],
    offers: sqlite.prepare(`SELECT serves_area_id AS areaId, category, count(*) AS count, sum(remaining > 0) AS available, sum(remaining) AS remaining FROM offers WHERE ${activeOfferText()} GROUP BY serves_area_id, category`).all(today) as Tally[],
  }))
}

const name = (a: Pick<AreaRow, 'name' | 'nameEn'>, locale: Locale) => (locale === 'en' && a.nameEn ? a.nameEn : a.name)

/** The district as the map and table read it: streets in order, their communities, every area's figures. */
function model(db: Db, today: string) {
  return remember(sqliteOf(db), `impact.model ${today}`, () => {
    const areas = areaRows(db)
    const categories = allCategories(db)
    const { needs, offers } = tallies(db, today)
    const figures = areaFigures(areas, needs, offers, categories.map((c) => c.code))
    const streets = areas.filter((a) => a.level === 'street')
    const communities = areas.filter((a) => a.level === 'community' && streets.some((s) => s.id === a.parentId))
    const shapes = layout(streets, communities.map((c) => ({ id: c.id, streetId: c.parentId!, lat: c.lat, lng: c.lng })))
    return { areas, categories, figures, streets, communities, shapes }
  })
}

export interface MapQuery { category?: string; area?: number; sort?: Sort }

const fmt = (locale: Locale, n: number) => numberFormat(locale).format(n)
const signed = (b: number | null) => signedFigure(b, 2)

/** Everything /map shows, in the reader's language. */
export function page(db: Db, query: MapQuery, locale: Locale, now = new Date()) {
  const today = listingToday(now)
  const m = model(db, today)
  const t = (key: string, params?: Record<string, unknown>) => translate(locale, key, params)
  const category = m.categories.find((c) => c.code === query.category)
  const catName = (c: { nameZh: string; nameEn: string }) => (locale === 'en' ? c.nameEn : c.nameZh)
  const unit = category ? t(`unit.${category.unit}`) : ''
  const byId = new Map(m.areas.map((a) => [a.id, a]))
  const catParam = category ? `&category=${encodeURIComponent(category.code)}` : ''

  const rowOf = (area: AreaRow) => {
    const f = shown(m.figures.get(area.id)!, category?.code)
    const step = colourStep(f.balance)
    const shortNames = category ? [] : m.figures.get(area.id)!.all.short.map((code) => catName(m.categories.find((c) => c.code === code)!))
    return {
      id: area.id, name: name(area, locale), level: area.level, ...f, balanceText: signed(f.balance), step, cls: `map-fill-${step}`,
      demandText: f.demand === undefined ? '' : fmt(locale, f.demand), supplyText: f.supply === undefined ? '' : fmt(locale, f.supply),
      gapText: f.gap === undefined ? '' : fmt(locale, f.gap),
      shortNames, shortText: shortNames.join(t('list.separator')),
      href: `/map?area=${area.id}${catParam}`,
      needsHref: `/needs?area=${area.id}${catParam}`, offersHref: `/offers?area=${area.id}${catParam}`,
    }
  }
  // The tooltip: the figures in one sentence (a <title>, so every screen reader and browser shows it).
  const titleOf = (r: ReturnType<typeof rowOf>) => category
    ? t('map.tip.category', { name: r.name, category: catName(category), demand: r.demandText, supply: r.supplyText, unit, needs: r.needs, offers: r.offers, balance: r.balanceText })
    : t('map.tip.all', { name: r.name, needs: r.needs, offers: r.offers, balance: r.balanceText, short: r.shortNames.length ? r.shortText : t('map.tip.none_short') })

  const selected = query.area ? byId.get(query.area) : undefined
  const cells = m.shapes.cells.map((c) => {
    const r = rowOf(byId.get(c.id)!)
    return { id: c.id, d: c.d, cls: r.cls, title: titleOf(r), href: r.href, selected: selected?.id === c.id || selected?.id === c.streetId }
  })
  const streetShapes = m.shapes.streets.map((s) => ({ id: s.id, d: s.d, x: s.label[0], y: s.label[1], name: name(byId.get(s.id)!, locale) }))

  // The table: streets with their communities, both in the chosen order; a street's row is its subtotal.
  const sort = query.sort ?? 'name'
  const streetRows = sortRows(m.streets.map((s) => ({
    ...rowOf(s),
    communities: sortRows(m.communities.filter((c) => c.parentId === s.id).map(rowOf), sort),
  })), sort)
  const district = m.areas.filter((a) => a.level === 'district').map(rowOf)

  const panel = selected && selected.level !== 'district' ? {
    ...rowOf(selected),
    street: selected.level === 'community' && selected.parentId ? name(byId.get(selected.parentId)!, locale) : undefined,
    categories: m.categories.map((c) => {
      const f = m.figures.get(selected.id)!.byCategory[c.code]!
      return {
        code: c.code, name: catName(c), unit: t(`unit.${c.unit}`), ...f, balanceText: signed(f.balance), cls: `map-fill-${colourStep(f.balance)}`,
        demandText: fmt(locale, f.demand), supplyText: fmt(locale, f.supply), gapText: fmt(locale, f.gap),
        needsHref: `/needs?area=${selected.id}&category=${encodeURIComponent(c.code)}`, offersHref: `/offers?area=${selected.id}&category=${encodeURIComponent(c.code)}`,
      }
    }).filter((c) => c.needs + c.offers > 0),
  } : undefined

  const legend = [...Array.from({ length: STEPS }, (_, i) => ({ cls: `map-fill-${i}`, label: t(`map.legend.${i}`) })), { cls: 'map-fill-none', label: t('map.legend.none') }]
  const sortLink = (key: string) => {
    const next = sort === key ? `-${key}` : key
    const params = new URLSearchParams()
    if (category) params.set('category', category.code)
    if (selected) params.set('area', String(selected.id))
    params.set('sort', next)
    return { href: `/map?${params}`, active: sort === key || sort === `-${key}`, desc: sort === `-${key}`, aria: sort === key ? 'ascending' : sort === `-${key}` ? 'descending' : 'none' }
  }
  const columns = (category ? ['demand', 'supply', 'gap', 'needs', 'offers', 'balance'] : ['needs', 'offers', 'balance', 'short'])
  return {
    // A category or area named that does not exist is dropped, and the page says so (as for unreadable filters).
    ignored: (query.category !== undefined && !category) || (query.area !== undefined && !selected),
    categories: m.categories.map((c) => ({ code: c.code, name: catName(c) })),
    category: category?.code, categoryName: category && catName(category), unit,
    svg: { width: m.shapes.width, height: m.shapes.height, viewBox: `0 0 ${m.shapes.width} ${m.shapes.height}`, method: m.shapes.method, cells, streets: streetShapes },
    summary: t(category ? 'map.summary.category' : 'map.summary.all', {
      communities: m.communities.length, category: category ? catName(category) : '',
      short: m.communities.filter((c) => shown(m.figures.get(c.id)!, category?.code).short > 0).length,
      none: m.communities.filter((c) => shown(m.figures.get(c.id)!, category?.code).balance === null).length,
    }),
    legend, streets: streetRows, district, panel, sort,
    sortLinks: Object.fromEntries(['name', ...columns].map((k) => [k, sortLink(k)])), columns,
  }
}

// ---- the agenda ----------------------------------------------------------------------------------------

const splitPath = (p: string) => p.split('/').filter(Boolean).map(Number)
const focusOf = (json: string) => JSON.parse(json) as string[]

/**
 * Active needs that no available offer (listings.ts) can serve at all, with the matcher's own hard constraints (feasibility.ts):
 * the same answer as `matching.needsWithoutOffers` for the whole district (a test holds them together), but it
 * stops at the first offer that fits instead of scoring every pair, which at 100k listings is ~8 s against ~0.2 s.
 */
function unserved(db: Db, today: string) {
  const sqlite = sqliteOf(db)
  return remember(sqlite, `impact.unserved ${today}`, () => {
    // Only columns the covering indexes needs_candidates and offers_candidates hold; areas and organizations
    // (a few thousand rows) are read once into maps rather than joined to every listing.
    type NeedRow = [number, number, string, string, number, string | null, string | null, string | null, number, string, string | null, string | null]
    const needRows = sqlite.prepare(`SELECT id, org_id, category, unit, remaining, from_date, until_date, schedule, area_id, created_at, topics, keywords
      FROM needs WHERE ${activeNeedText()}`).raw().all(today) as NeedRow[]
    type OfferRow = [number, number, string, string, number, number, string | null, string | null, string | null, number, string, string, string, string | null, string | null]
    const offerRows = sqlite.prepare(`SELECT id, org_id, category, unit, remaining, quantity, from_date, until_date, schedule, serves_area_id, min_trust, focus, created_at, topics, keywords
      FROM offers WHERE ${availableOfferText()}`).raw().all(today) as OfferRow[]
    const paths = new Map((sqlite.prepare('SELECT id, path FROM areas').raw().all() as [number, string][]).map(([id, p]) => [id, splitPath(p)]))
    const focusLists = new Map<string, string[]>()
    const focus = (json: string) => focusLists.get(json) ?? focusLists.set(json, focusOf(json)).get(json)!
    const orgs = new Map((sqlite.prepare('SELECT id, trust, focus FROM organizations').raw().all() as [number, Trust, string][])
      .map(([id, trust, f]) => [id, { id, name: '', trust, focus: focus(f), matchesReceived: 0, members: null }]))
    // Offers by category and area served: a need looks only on its own path, as the matcher does.
    const at = new Map<string, OfferView[]>()
    for (const [id, orgId, category, unit, remaining, quantity, from, until, schedule, servesAreaId, minTrust, f, createdAt, topics, keywords] of offerRows) {
      const view: OfferView = { id, orgId, orgName: '', category, unit, remaining, quantity, from, until, schedule, servesPath: paths.get(servesAreaId) ?? [],
        minTrust: minTrust as Trust, focus: focus(f), createdAt, track: { delivered: 0, rating: null }, topics: subjectList(topics), keywords: subjectList(keywords) }
      const k = `${category} ${servesAreaId}`
      ;(at.get(k) ?? at.set(k, []).get(k)!).push(view)
    }
    const found: { id: number; areaId: number; category: string; orgId: number; createdAt: string }[] = []
    const covering = new Map<string, number>()
    for (const [id, orgId, category, unit, remaining, from, until, schedule, areaId, createdAt, topics, keywords] of needRows) {
      const areaPath = paths.get(areaId) ?? []
      const org = orgs.get(orgId)
      if (!org) continue
      const need: NeedView = { id, orgId, org, category, unit, quantity: remaining, from, until, schedule, areaPath, urgency: 'normal', beneficiaries: null, createdAt,
        topics: subjectList(topics), keywords: subjectList(keywords) }
      if (areaPath.some((a) => at.get(`${category} ${a}`)?.some((o) => isFeasible(need, o)))) continue
      found.push({ id, areaId, category, orgId, createdAt })
      covering.set(`${areaId} ${category}`, areaPath.reduce((n, a) => n + (at.get(`${category} ${a}`)?.length ?? 0), 0))
    }
    return { found, ids: found.map((n) => n.id).sort((a, b) => a - b), groups: unmetGroups(found, (areaId, category) => covering.get(`${areaId} ${category}`) ?? 0) }
  })
}

/** For tests: the ids `unserved` finds, to hold it to the matcher's own answer. */
export const unservedIds = (db: Db, now = new Date()) => unserved(db, listingToday(now)).ids

/** The broker's desk: needs placed in `areaIds` (and below) that no offer can serve, oldest first. */
export function unservedWithin(db: Db, areaIds: number[], limit: number, now = new Date()): number[] {
  const inside = new Set(areaIds.flatMap((id) => areaService.subtreeIds(db, id)))
  return unserved(db, listingToday(now)).found.filter((n) => inside.has(n.areaId))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id).slice(0, limit).map((n) => n.id)
}

/**
 * Idle offers, the one definition the agenda and the broker's desk share: available offers (listings.ts) that
 * nothing has used for IDLE_AFTER_DAYS — idle since the later of posting and the last accepted or delivered
 * match's moment, so an offer used once long ago is idle again. The longest idle `limit` of them (those serving
 * `within` first, when given; only those serving `only`, when given) and how many there are. The pure `idle`
 * decides the days, the query only narrows and orders.
 */
export function idleOffers(db: Db, now: Date, within: number[], limit: number, only?: number[]) {
  const today = listingToday(now)
  const sqlite = sqliteOf(db)
  if (only && only.length === 0) return { total: 0, list: [] }
  return remember(sqlite, `impact.idle ${today} ${now.getTime() - (now.getTime() % 3_600_000)} ${within.join(',')} ${only?.join(',') ?? '*'} ${limit}`, () => {
    const since = `max(offers.created_at, coalesce((SELECT max(coalesce(matches.delivered_at, matches.accepted_at, matches.updated_at)) FROM matches
        WHERE matches.offer_id = offers.id AND matches.state IN ('accepted', 'delivered', 'reviewed')), offers.created_at))`
    const cutoff = new Date(now.getTime() - IDLE_AFTER_DAYS * 86_400_000).toISOString()
    const scope = only ? ` AND offers.serves_area_id IN (${only.map(() => '?').join(', ')})` : ''
    const base = `FROM offers WHERE ${availableOfferText()} AND offers.created_at <= ? AND ${since} <= ?${scope}`
    const total = sqlite.prepare(`SELECT count(*) ${base}`).pluck().get(today, cutoff, cutoff, ...(only ?? [])) as number
    const mine = within.length ? `offers.serves_area_id IN (${within.map(() => '?').join(', ')}) DESC, ` : ''
    const rows = sqlite.prepare(`SELECT offers.id, offers.title, offers.remaining, offers.quantity, offers.unit, offers.category, offers.created_at AS createdAt,
      offers.serves_area_id AS areaId, (SELECT name FROM organizations WHERE organizations.id = offers.org_id) AS org, ${since} AS lastUsedAt
      ${base} ORDER BY ${mine}${since} ASC, offers.id ASC LIMIT ?`).all(today, cutoff, cutoff, ...(only ?? []), ...within, limit) as {
        id: number; title: string; remaining: number; quantity: number; unit: string; category: string; createdAt: string; areaId: number; org: string; lastUsedAt: string }[]
    const mineSet = new Set(within)
    const list = idle(rows, now)
    return { total, list: [...list.filter((o) => mineSet.has(o.areaId)), ...list.filter((o) => !mineSet.has(o.areaId))] }
  })
}

const SHOWN = 50

/** The broker's agenda: idle offers and unmet demand, the reader's own communities first when they are a broker. */
export function agenda(db: Db, user: CurrentUser | null, locale: Locale, now = new Date()) {
  const today = listingToday(now)
  const t = (key: string, params?: Record<string, unknown>) => translate(locale, key, params)
  const areas = areaRows(db)
  const byId = new Map(areas.map((a) => [a.id, a]))
  const cats = new Map(allCategories(db).map((c) => [c.code, c]))
  const catName = (code: string) => { const c = cats.get(code); return c ? (locale === 'en' ? c.nameEn : c.nameZh) : code }
  const mine = new Set(user?.role === 'broker' ? areas.filter((a) => user.brokerAreaIds.some((id) => pathIds(a.path).includes(id))).map((a) => a.id) : [])
  const own = <T extends { areaId: number }>(list: readonly T[]) => [...list.filter((x) => mine.has(x.areaId)), ...list.filter((x) => !mine.has(x.areaId))]
  const placeName = (id: number) => { const a = byId.get(id); return a ? name(a, locale) : '' }

  const idleFound = idleOffers(db, now, [...mine], SHOWN)
  const groups = own(unserved(db, today).groups).map((g) => {
    // Inside an English sentence a category reads in lower case ("no one offers training in …").
    const community = placeName(g.areaId), category = locale === 'en' ? catName(g.category).toLowerCase() : catName(g.category)
    return {
      ...g, place: community, categoryName: category, mine: mine.has(g.areaId),
      sentence: g.offersCovering === 0
        ? t('agenda.nobody', { category, place: community, count: g.organizations, needs: g.needs })
        : t('agenda.none_fits', { category, place: community, offers: g.offersCovering, needs: g.needs, count: g.organizations }),
      needsHref: `/needs?area=${g.areaId}&category=${encodeURIComponent(g.category)}`, exampleHref: `/needs/${g.exampleNeedId}#why-not`,
    }
  })
  return {
    broker: mine.size > 0,
    idleAfter: IDLE_AFTER_DAYS,
    idle: idleFound.list.map((o) => ({ ...o, place: placeName(o.areaId), categoryName: catName(o.category), unitName: t(`unit.${o.unit}`), mine: mine.has(o.areaId) })),
    idleTotal: idleFound.total,
    unmet: groups,
  }
}
