/**
 * The asset map's shell: reads the area tree and the active listings (counted by place and category) and
 * hands them to the pure figures (gaps.ts) and layout (map-layout.ts); map.pages.ts words and links them for the page.
 * Only open listings anyone can browse go in, and nothing private comes out: no contact, no person.
 *
 * Everything is remembered until a listing, an organization, an area or a category changes (db/memo.ts): the map
 * is the same for every visitor. Who can serve whom comes from counts kept beside the match pages' views and
 * patched per changed listing (matching/serving-facts.ts), so a page just after a write costs ~0.2 s of CPU at
 * 100k listings (the counts by place, the figures and the page) instead of ~37 s.
 */
import { sqliteOf, type Db } from '../db/client.js'
import { remember } from '../db/memo.js'
import type { Locale } from '../i18n/i18n.js'
import { activeNeedText, activeOfferText, allCategories, listingToday } from '../listings/listings.js'
import { servingFacts, type ServingFacts } from '../matching/serving-facts.js'
import { idleOffers } from './idle.js'
import type { CurrentUser } from '../accounts/accounts.js'
import { areaFigures, unmetGroups, type AreaNode, type Sort, type Tally } from './gaps.js'
import { layout } from './map-layout.js'
import { pathIds } from '../areas/paths.js'
import { brokerCoversPath } from '../areas/coverage.js'

/** What the map's figures are read from: a match, a message or a sign-in leaves them as they were. */
const SOURCES = ['areas', 'categories', 'needs', 'offers', 'organizations'] as const

export interface AreaRow extends AreaNode {
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

/** An area's name in the reader's language, its Chinese name when it has no other. */
export const localName = (a: Pick<AreaRow, 'name' | 'nameEn'>, locale: Locale) =>
  locale === 'en' && a.nameEn ? a.nameEn : a.name

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

/** The map's model for today: the areas, categories, every area's figures and the drawn shapes (remembered). */
export const mapModel = (db: Db, now = new Date()) => model(db, listingToday(now))

export type MapModel = ReturnType<typeof model>

export interface MapQuery {
  category?: string
  area?: number
  sort?: Sort
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
 * Active needs that no available offer can serve at all (matching/serving-facts.ts: the fit the map's figures and
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

/** What the agenda reads: the areas, categories, idle offers (the broker's own first) and unmet demand by place. */
export function agendaData(db: Db, user: CurrentUser | null, now = new Date()) {
  const areas = areaRows(db)
  const mine = new Set(
    user?.role === 'broker' ? areas.filter((a) => brokerCoversPath(user, a.path)).map((a) => a.id) : [],
  )
  return {
    areas,
    categories: allCategories(db),
    mine,
    idle: idleOffers(db, now, [...mine], SHOWN),
    unmet: unserved(db, listingToday(now)).groups,
  }
}

/** How many idle offers the agenda lists. */
const SHOWN = 50
