import type { Db } from '../db/client.js'
import type { CurrentUser } from '../accounts/accounts.js'
import { numberFormat, signed as signedFigure } from '../shared/format.js'
import { translate, type Locale } from '../i18n/i18n.js'
import { colourStep, IDLE_AFTER_DAYS, shown, sortRows, STEPS } from './gaps.js'
import { agendaData, localName, mapModel, type AreaRow, type MapModel, type MapQuery } from './map.js'

/** Everything /map shows for this query today (map.ts counts; mapPageView words and links it). */
export function page(db: Db, query: MapQuery, locale: Locale, now = new Date()) {
  return mapPageView(mapModel(db, now), query, locale)
}

/** The broker's agenda today, in the reader's language. */
export function agenda(db: Db, user: CurrentUser | null, locale: Locale, now = new Date()) {
  return agendaView(agendaData(db, user, now), locale)
}

const fmt = (locale: Locale, n: number) => numberFormat(locale).format(n)
const signed = (b: number | null) => signedFigure(b, 2)

/** Everything /map shows, in the reader's language, from the day's model. */
export function mapPageView(m: MapModel, query: MapQuery, locale: Locale) {
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
      name: localName(area, locale),
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
    name: localName(byId.get(s.id)!, locale),
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
              ? localName(byId.get(selected.parentId)!, locale)
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

/** The broker's agenda: idle offers and unmet demand, the reader's own communities first when they are a broker. */
export function agendaView(data: ReturnType<typeof agendaData>, locale: Locale) {
  const t = (key: string, params?: Record<string, unknown>) => translate(locale, key, params)
  const { areas, mine } = data
  const byId = new Map(areas.map((a) => [a.id, a]))
  const cats = new Map(data.categories.map((c) => [c.code, c]))
  const catName = (code: string) => {
    const c = cats.get(code)
    return c ? (locale === 'en' ? c.nameEn : c.nameZh) : code
  }
  const own = <T extends { areaId: number }>(list: readonly T[]) => [
    ...list.filter((x) => mine.has(x.areaId)),
    ...list.filter((x) => !mine.has(x.areaId)),
  ]
  const placeName = (id: number) => {
    const a = byId.get(id)
    return a ? localName(a, locale) : ''
  }

  const idleFound = data.idle
  const groups = own(data.unmet).map((g) => {
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
