/**
 * The asset map's shell: reads the area tree and the active listings (counted by place and category) and
 * hands them to the pure figures (gaps.ts) and layout (map-layout.ts); then words and links for the page.
 * Only open listings anyone can browse go in, and nothing private comes out: no contact, no person.
 *
 * Everything is remembered until a listing, an organization, an area or a category changes (db/memo.ts): the map
 * is the same for every visitor. Who can serve whom comes from counts kept beside the match pages' views and
 * patched per changed listing (matching.servingFacts), so a page just after a write costs ~0.2 s of CPU at 100k
 * listings (the counts by place, the figures and the page) instead of ~37 s.
 */
import { sqliteOf, type Db } from '../db/client.js'
import { remember } from '../db/memo.js'
import { numberFormat, signed as signedFigure } from '../shared/format.js'
import { translate, type Locale } from '../i18n/i18n.js'
import { activeNeedText, activeOfferText, allCategories, listingToday } from '../listings/listings.js'
import { servingFacts, type ServingFacts } from '../matching/serving-facts.js'
import { idleOffers } from './idle.js'
import type { CurrentUser } from '../accounts/accounts.js'
import {
  areaFigures,
  colourStep,
  IDLE_AFTER_DAYS,
  shown,
  sortRows,
  STEPS,
  unmetGroups,
  type AreaNode,
  type Sort,
  type Tally,
} from './gaps.js'
import { layout } from './map-layout.js'
import { pathIds } from '../areas/paths.js'
import { brokerCoversPath } from '../areas/coverage.js'

/** What the map's figures are read from: a match, a message or a sign-in leaves them as they were. */
const SOURCES = ['areas', 'categories', 'needs', 'offers', 'organizations'] as const

interface AreaRow extends AreaNode {
  name: string
  nameEn: string | null
  lat: number | null
  lng: number | null
}

function areaRows(db: Db): AreaRow[] {
  return sqliteOf(db)
    .prepare(
      `SELECT id, parent_id AS parentId, level, path, name, name_en AS nameEn, lat, lng FROM areas ORDER BY path`,
    )
    .all() as AreaRow[]
}

/**
 * Active needs by place and category, active offers by area served and category: the figures' only input. Offers
 * are counted as the offers list shows them (a fully reserved one too, so the panel's count and its link agree);
 * supply is their Σ remaining, to which a fully reserved offer adds nothing.
 */
function tallies(db: Db, today: string): { needs: Tally[]; offers: Tally[] } {
  const sqlite = sqliteOf(db)
  return remember(
    sqlite,
    `impact.tallies ${today}`,
    () => ({
      needs: sqlite
        .prepare(
          `SELECT area_id AS areaId, category, count(*) AS count, sum(remaining > 0) AS available, sum(remaining) AS remaining FROM needs WHERE ${activeNeedText()} GROUP BY area_id, category`,
        )
        .all(today) as Tally[],
      offers: sqlite
        .prepare(
          `SELECT serves_area_id AS areaId, category, count(*) AS count, sum(remaining > 0) AS available, sum(remaining) AS remaining FROM offers WHERE ${activeOfferText()} GROUP BY serves_area_id, category`,
        )
        .all(today) as Tally[],
    }),
    SOURCES,
  )
}

const name = (a: Pick<AreaRow, 'name' | 'nameEn'>, locale: Locale) => (locale === 'en' && a.nameEn ? a.nameEn : a.name)

/** The district as the map and table read it: streets in order, their communities, every area's figures. */
function model(db: Db, today: string) {
  return remember(
    sqliteOf(db),
    `impact.model ${today}`,
    () => {
      const areas = areaRows(db)
      const categories = allCategories(db)
      const { needs, offers } = tallies(db, today)
      const facts = servingFacts(db, today)
      const figures = areaFigures(
        areas,
        needs,
        offers,
        categories.map((c) => c.code),
        { offers: facts.offers, unserved: unservedTallies(facts) },
      )
      const streets = areas.filter((a) => a.level === 'street')
      const communities = areas.filter((a) => a.level === 'community' && streets.some((s) => s.id === a.parentId))
      const shapes = layout(
        streets,
        communities.map((c) => ({ id: c.id, streetId: c.parentId!, lat: c.lat, lng: c.lng })),
      )
      return { areas, categories, figures, streets, communities, shapes }
    },
    SOURCES,
  )
}

export interface MapQuery {
  category?: string
  area?: number
  sort?: Sort
}

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
    const shortNames = category
      ? []
      : m.figures.get(area.id)!.all.short.map((code) => catName(m.categories.find((c) => c.code === code)!))
    return {
      id: area.id,
      name: name(area, locale),
      level: area.level,
      ...f,
      balanceText: signed(f.balance),
      step,
      cls: `map-fill-${step}`,
      demandText: f.demand === undefined ? '' : fmt(locale, f.demand),
      supplyText: f.supply === undefined ? '' : fmt(locale, f.supply),
      gapText: f.gap === undefined ? '' : fmt(locale, f.gap),
      shortNames,
      shortText: shortNames.join(t('list.separator')),
      href: `/map?area=${area.id}${catParam}`,
      needsHref: `/needs?area=${area.id}${catParam}`,
      offersHref: `/offers?area=${area.id}${catParam}`,
    }
  }
  // The tooltip: the figures in one sentence (a <title>, so every screen reader and browser shows it).
  const titleOf = (r: ReturnType<typeof rowOf>) =>
    category
      ? t('map.tip.category', {
          name: r.name,
          category: catName(category),
          demand: r.demandText,
          supply: r.supplyText,
          unit,
          needs: r.needs,
          unserved: r.unserved,
          offers: r.offers,
          balance: r.balanceText,
        })
      : t('map.tip.all', {
          name: r.name,
          needs: r.needs,
          offers: r.offers,
          balance: r.balanceText,
          short: r.shortNames.length ? r.shortText : t('map.tip.none_short'),
        })

  const selected = query.area ? byId.get(query.area) : undefined
  const cells = m.shapes.cells.map((c) => {
    const r = rowOf(byId.get(c.id)!)
    return {
      id: c.id,
      d: c.d,
      cls: r.cls,
      title: titleOf(r),
      href: r.href,
      selected: selected?.id === c.id || selected?.id === c.streetId,
      x: c.centre[0],
      y: c.centre[1],
      name: r.name,
    }
  })
  const streetShapes = m.shapes.streets.map((s) => ({
    id: s.id,
    d: s.d,
    x: s.label[0],
    y: s.label[1],
    name: name(byId.get(s.id)!, locale),
  }))

  // The table: streets with their communities, both in the chosen order; a street's row is its subtotal.
  const sort = query.sort ?? 'name'
  const streetRows = sortRows(
    m.streets.map((s) => ({
      ...rowOf(s),
      communities: sortRows(m.communities.filter((c) => c.parentId === s.id).map(rowOf), sort),
    })),
    sort,
  )
  const district = m.areas.filter((a) => a.level === 'district').map(rowOf)

  const panel =
    selected && selected.level !== 'district'
      ? {
          ...rowOf(selected),
          street:
            selected.level === 'community' && selected.parentId
              ? name(byId.get(selected.parentId)!, locale)
              : undefined,
          categories: m.categories
            .map((c) => {
              const f = m.figures.get(selected.id)!.byCategory[c.code]!
              return {
                code: c.code,
                name: catName(c),
                unit: t(`unit.${c.unit}`),
                ...f,
                balanceText: signed(f.balance),
                cls: `map-fill-${colourStep(f.balance)}`,
                demandText: fmt(locale, f.demand),
                supplyText: fmt(locale, f.supply),
                gapText: fmt(locale, f.gap),
                needsHref: `/needs?area=${selected.id}&category=${encodeURIComponent(c.code)}`,
                offersHref: `/offers?area=${selected.id}&category=${encodeURIComponent(c.code)}`,
              }
            })
            .filter((c) => c.needs + c.offers > 0),
        }
      : undefined

  const legend = [
    ...Array.from({ length: STEPS }, (_, i) => ({ cls: `map-fill-${i}`, label: t(`map.legend.${i}`) })),
    { cls: 'map-fill-none', label: t('map.legend.none') },
  ]
  const sortLink = (key: string) => {
    const next = sort === key ? `-${key}` : key
    const params = new URLSearchParams()
    if (category) params.set('category', category.code)
    if (selected) params.set('area', String(selected.id))
    params.set('sort', next)
    return {
      href: `/map?${params}`,
      active: sort === key || sort === `-${key}`,
      desc: sort === `-${key}`,
      aria: sort === key ? 'ascending' : sort === `-${key}` ? 'descending' : 'none',
    }
  }
  const columns = category
    ? ['demand', 'supply', 'gap', 'needs', 'unserved', 'offers', 'balance']
    : ['needs', 'unserved', 'offers', 'balance', 'short']
  return {
    // A category or area named that does not exist is dropped, and the page says so (as for unreadable filters).
    ignored: (query.category !== undefined && !category) || (query.area !== undefined && !selected),
    categories: m.categories.map((c) => ({ code: c.code, name: catName(c) })),
    category: category?.code,
    categoryName: category && catName(category),
    unit,
    svg: {
      width: m.shapes.width,
      height: m.shapes.height,
      viewBox: `0 0 ${m.shapes.width} ${m.shapes.height}`,
      method: m.shapes.method,
      cells,
      streets: streetShapes,
    },
    summary: t(category ? 'map.summary.category' : 'map.summary.all', {
      communities: m.communities.length,
      category: category ? catName(category) : '',
      short: m.communities.filter((c) => shown(m.figures.get(c.id)!, category?.code).short > 0).length,
      none: m.communities.filter((c) => shown(m.figures.get(c.id)!, category?.code).balance === null).length,
    }),
    legend,
    streets: streetRows,
    district,
    panel,
    sort,
    sortLinks: Object.fromEntries(['name', ...columns].map((k) => [k, sortLink(k)])),
    columns,
  }
}

// ---- the agenda ----------------------------------------------------------------------------------------

/** Needs no offer fits, counted by place and category, for the map's figures. */
function unservedTallies(facts: ServingFacts): Tally[] {
  const by = new Map<string, Tally>()
  for (const n of facts.needs) {
    if (n.served) continue
    const key = `${n.areaId} ${n.category}`
    const t = by.get(key)
    if (t) {
      t.count++
      t.available++
      t.remaining += n.remaining
    } else by.set(key, { areaId: n.areaId, category: n.category, count: 1, available: 1, remaining: n.remaining })
  }
  return [...by.values()]
}

/**
 * Active needs that no available offer can serve at all (matching.servingFacts: the fit the map's figures and
 * the desk use too), grouped for the agenda with how many offers of the category cover each place at all.
 */
function unserved(db: Db, today: string) {
  const sqlite = sqliteOf(db)
  return remember(
    sqlite,
    `impact.unserved ${today}`,
    () => {
      const facts = servingFacts(db, today)
      const paths = new Map(
        (sqlite.prepare('SELECT id, path FROM areas').raw().all() as [number, string][]).map(([id, p]) => [
          id,
          pathIds(p),
        ]),
      )
      const at = new Map<string, number>()
      for (const o of facts.offers)
        at.set(`${o.category} ${o.servesAreaId}`, (at.get(`${o.category} ${o.servesAreaId}`) ?? 0) + 1)
      const found = facts.needs.filter((n) => !n.served)
      const covering = (areaId: number, category: string) =>
        (paths.get(areaId) ?? []).reduce((n, a) => n + (at.get(`${category} ${a}`) ?? 0), 0)
      return { found, ids: found.map((n) => n.id).sort((a, b) => a - b), groups: unmetGroups(found, covering) }
    },
    SOURCES,
  )
}

/** For tests: the ids `unserved` finds, to hold it to the matcher's own answer. */
export const unservedIds = (db: Db, now = new Date()) => unserved(db, listingToday(now)).ids

const SHOWN = 50

/** The broker's agenda: idle offers and unmet demand, the reader's own communities first when they are a broker. */
export function agenda(db: Db, user: CurrentUser | null, locale: Locale, now = new Date()) {
  const today = listingToday(now)
  const t = (key: string, params?: Record<string, unknown>) => translate(locale, key, params)
  const areas = areaRows(db)
  const byId = new Map(areas.map((a) => [a.id, a]))
  const cats = new Map(allCategories(db).map((c) => [c.code, c]))
  const catName = (code: string) => {
    const c = cats.get(code)
    return c ? (locale === 'en' ? c.nameEn : c.nameZh) : code
  }
  const mine = new Set(
    user?.role === 'broker' ? areas.filter((a) => brokerCoversPath(user, a.path)).map((a) => a.id) : [],
  )
  const own = <T extends { areaId: number }>(list: readonly T[]) => [
    ...list.filter((x) => mine.has(x.areaId)),
    ...list.filter((x) => !mine.has(x.areaId)),
  ]
  const placeName = (id: number) => {
    const a = byId.get(id)
    return a ? name(a, locale) : ''
  }

  const idleFound = idleOffers(db, now, [...mine], SHOWN)
  const groups = own(unserved(db, today).groups).map((g) => {
    // Inside an English sentence a category reads in lower case ("no one offers training in …").
    const community = placeName(g.areaId),
      category = locale === 'en' ? catName(g.category).toLowerCase() : catName(g.category)
    return {
      ...g,
      place: community,
      categoryName: category,
      mine: mine.has(g.areaId),
      sentence:
        g.offersCovering === 0
          ? t('agenda.nobody', { category, place: community, count: g.organizations, needs: g.needs })
          : t('agenda.none_fits', {
              category,
              place: community,
              offers: g.offersCovering,
              needs: g.needs,
              count: g.organizations,
            }),
      needsHref: `/needs?area=${g.areaId}&category=${encodeURIComponent(g.category)}`,
      exampleHref: `/needs/${g.exampleNeedId}#why-not`,
    }
  })
  return {
    broker: mine.size > 0,
    idleAfter: IDLE_AFTER_DAYS,
    idle: idleFound.list.map((o) => ({
      ...o,
      place: placeName(o.areaId),
      categoryName: catName(o.category),
      unitName: t(`unit.${o.unit}`),
      mine: mine.has(o.areaId),
    })),
    idleTotal: idleFound.total,
    unmet: groups,
  }
}
