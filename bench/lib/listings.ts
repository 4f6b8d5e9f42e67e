import { sqliteOf, type Db } from '../../src/db/client.js'
import * as fts from '../../src/search/fts.js'
import { generateListings } from './listing-text.js'
import { pick, prng } from './database.js'
import { DEMO_PLACES, generateOrgs, insertOrgs, type Place } from './orgs.js'

/**
 * A district's worth of needs and offers on top of the demo district, deterministic for a seed:
 * the seven categories with their own units and quantity ranges, needs placed in communities (some at a
 * street), offers serving a community, their street or the whole district, about 40% with a weekly
 * RRULE, windows and expiries ahead of `now`, created over the past year in id order (as a real site's
 * rows are), and titles and descriptions from `generateListings` (Chinese, English and mixed).
 *
 * Rows go in through raw prepared statements in one transaction (drizzle's per-row insert costs minutes
 * at 100k), and the search index is rebuilt once at the end, as `ensureSearchIndex` does on a new file.
 */
export interface ListingsOptions {
  /** Needs and offers together; alternate rows are needs and offers, as generateListings makes them. */
  listings: number
  /** Generated organizations beside the demo district's own (default 1,000 a district). */
  orgs?: number
  /**
   * Districts alike, side by side (default 1, the demo district alone): copies of its streets and communities, with
   * organizations and listings spread over all of them. 1M listings in one district are 90k a community, ten times
   * as many as 100k; as ten districts they are as many a community as 100k in one, so what grows with the size of
   * the database shows apart from what grows with how many listings one need can meet.
   */
  districts?: number
  /** Past matches between them (some delivered and rated): the history the matcher's fairness and track record read (default 5,000 a district). */
  matches?: number
  seed?: number
  now?: Date
}

export interface ListingsBuild {
  needs: number
  offers: number
  orgs: number
  matches: number
  rows_ms: number
  index_ms: number
}

// Quantity ranges per unit: one need's or offer's typical size.
const QUANTITY: Record<string, [number, number]> = {
  hours: [2, 40],
  yuan: [500, 20_000],
  person_hours: [4, 120],
  seats: [5, 40],
  items: [1, 60],
}
// Share of posts per category, most common first (venues and volunteers are what groups lack most).
const CATEGORY_SHARE: Record<string, number> = {
  venue: 0.22,
  volunteers: 0.2,
  materials: 0.15,
  training: 0.13,
  funds: 0.12,
  expertise: 0.1,
  publicity: 0.08,
}
const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU']
const STARTS = [8, 9, 10, 14, 15, 16, 18, 19, 20]
const FOCUS = [
  'elderly',
  'children',
  'youth',
  'women',
  'disability',
  'culture',
  'sports',
  'environment',
  'migrants',
  'health',
  'education',
  'community',
]
const PLACES = ['活动室', '党群服务中心二楼', '社区广场', '小区会所', '居委会会议室', '公园凉亭', '']
const DAY_MS = 86_400_000

export function populateListings(db: Db, opts: ListingsOptions): ListingsBuild {
  const sqlite = sqliteOf(db)
  const rand = prng(opts.seed ?? 11)
  const now = opts.now ?? new Date()
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10)
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1))
  const chance = (p: number) => rand() < p

  const started = performance.now()
  const districts = opts.districts ?? 1
  const matches = opts.matches ?? 5000 * districts
  insertOrgs(db, generateOrgs(opts.orgs ?? 1000 * districts, 7, copyDistrict(sqlite, districts)))
  const categories = sqlite.prepare('SELECT code, unit FROM categories ORDER BY position').all() as {
    code: string
    unit: string
  }[]
  const category = () => {
    let r = rand()
    for (const c of categories) if ((r -= CATEGORY_SHARE[c.code] ?? 0.1) < 0) return c
    return categories[0]!
  }
  const areas = sqlite.prepare('SELECT id, level, path FROM areas').all() as {
    id: number
    level: string
    path: string
  }[]
  const parentOf = new Map(areas.map((a) => [a.id, Number(a.path.split('/').filter(Boolean).at(-2) ?? a.id)]))
  const districtOf = new Map(areas.map((a) => [a.id, Number(a.path.split('/').filter(Boolean)[0])]))
  const orgs = sqlite.prepare('SELECT id, area_id AS areaId FROM organizations').all() as {
    id: number
    areaId: number
  }[]

  const schedule = (p: number) => {
    if (!chance(p)) return null
    const days = [...new Set(Array.from({ length: int(1, 3) }, () => pick(rand, DAYS)))].sort(
      (a, b) => DAYS.indexOf(a) - DAYS.indexOf(b),
    )
    const start = pick(rand, STARTS)
    const hours = Array.from({ length: int(1, 3) }, (_, k) => start + k)
    return `FREQ=WEEKLY;BYDAY=${days.join(',')};BYHOUR=${hours.join(',')}`
  }
  const window = () =>
    chance(0.5) ? [iso(now.getTime() - int(0, 30) * DAY_MS), iso(now.getTime() + int(30, 180) * DAY_MS)] : [null, null]

  const insertNeed =
    sqlite.prepare(`INSERT INTO needs (org_id, category, title, description, quantity, unit, remaining, from_date, until_date,
    schedule, area_id, place, urgency, beneficiaries, expires_at, status, created_at, updated_at)
    VALUES (@orgId, @category, @title, @description, @quantity, @unit, @remaining, @fromDate, @untilDate, @schedule, @areaId, @place,
    @urgency, @beneficiaries, @expiresAt, @status, @createdAt, @createdAt)`)
  const insertOffer =
    sqlite.prepare(`INSERT INTO offers (org_id, category, title, description, quantity, unit, remaining, from_date, until_date,
    schedule, serves_area_id, min_trust, focus, expires_at, status, created_at, updated_at)
    VALUES (@orgId, @category, @title, @description, @quantity, @unit, @remaining, @fromDate, @untilDate, @schedule, @servesAreaId,
    @minTrust, @focus, @expiresAt, @status, @createdAt, @createdAt)`)

  let needCount = 0
  let offerCount = 0
  const span = 365 * DAY_MS
  sqlite.transaction(() => {
    for (const l of generateListings(opts.listings, opts.seed ?? 42)) {
      const org = pick(rand, orgs)
      const c = category()
      const [lo, hi] = QUANTITY[c.unit] ?? [1, 50]
      const quantity = int(lo, hi)
      const [fromDate, untilDate] = window()
      const createdAt = new Date(now.getTime() - span + (l.id / opts.listings) * span).toISOString()
      const common = {
        orgId: org.id,
        category: c.code,
        title: l.title,
        description: l.body,
        quantity,
        unit: c.unit,
        fromDate,
        untilDate,
        expiresAt: iso(now.getTime() + int(14, 180) * DAY_MS),
        createdAt,
      }
      if (l.kind === 'need') {
        const r = rand()
        const status = r < 0.9 ? 'open' : r < 0.95 ? 'partly_met' : r < 0.97 ? 'met' : 'closed'
        const remaining =
          status === 'met' ? 0 : status === 'partly_met' ? Math.max(1, Math.floor(quantity / 2)) : quantity
        const areaId = chance(0.88) ? org.areaId : parentOf.get(org.areaId)!
        const u = rand()
        insertNeed.run({
          ...common,
          remaining,
          status,
          schedule: schedule(0.45),
          areaId,
          place: pick(rand, PLACES),
          urgency: u < 0.2 ? 'low' : u < 0.8 ? 'normal' : 'high',
          beneficiaries: chance(0.5) ? int(5, 200) : null,
        })
        needCount++
      } else {
        const r = rand()
        const servesAreaId = r < 0.5 ? org.areaId : r < 0.85 ? parentOf.get(org.areaId)! : districtOf.get(org.areaId)!
        const t = rand()
        const focus = chance(0.7) ? [] : [...new Set([pick(rand, FOCUS), pick(rand, FOCUS)])]
        insertOffer.run({
          ...common,
          remaining: chance(0.1) ? Math.max(1, Math.floor(quantity / 3)) : quantity,
          status: chance(0.95) ? 'open' : 'closed',
          schedule: schedule(0.35),
          servesAreaId,
          minTrust: t < 0.75 ? 'self_declared' : t < 0.95 ? 'vouched' : 'endorsed',
          focus: JSON.stringify(focus),
        })
        offerCount++
      }
    }
    // History: matches between a need and an offer of the same category, in every state a match passes
    // through, a rating from the need's side on the reviewed ones.
    const byCategory = (table: string) => {
      const rows = sqlite.prepare(`SELECT id, category FROM ${table}`).raw().all() as [number, string][]
      const map = new Map<string, number[]>()
      for (const [id, cat] of rows) (map.get(cat) ?? map.set(cat, []).get(cat)!).push(id)
      return map
    }
    const needsOf = byCategory('needs'),
      offersOf = byCategory('offers')
    const author = sqlite.prepare('SELECT min(id) FROM users').pluck().get() as number
    const insertMatch =
      sqlite.prepare(`INSERT INTO matches (need_id, offer_id, quantity, state, origin, created_at, updated_at)
      VALUES (?, ?, ?, ?, 'need_side', ?, ?)`)
    const insertFeedback = sqlite.prepare(
      "INSERT INTO feedback (match_id, side, author_id, rating, created_at) VALUES (?, 'need', ?, ?, ?)",
    )
    const STATES = [
      'accepted',
      'accepted',
      'delivered',
      'delivered',
      'delivered',
      'reviewed',
      'reviewed',
      'proposed',
      'declined',
      'cancelled',
    ]
    for (let i = 0; i < matches; i++) {
      const c = category().code
      const state = pick(rand, STATES)
      const at = new Date(now.getTime() - int(1, 300) * DAY_MS).toISOString()
      const id = Number(
        insertMatch.run(pick(rand, needsOf.get(c)!), pick(rand, offersOf.get(c)!), int(1, 10), state, at, at)
          .lastInsertRowid,
      )
      if (state === 'reviewed') insertFeedback.run(id, author, int(2, 5), at)
    }
  })()
  const rowsMs = performance.now() - started

  // The index holds active listings only, with the same text the services index.
  const indexStarted = performance.now()
  fts.reindex(
    sqlite,
    'need',
    sqlite
      .prepare(
        "SELECT id, title, description || char(10) || place AS body FROM needs WHERE status IN ('open', 'partly_met')",
      )
      .all() as fts.SearchDoc[],
  )
  fts.reindex(
    sqlite,
    'offer',
    sqlite.prepare("SELECT id, title, description AS body FROM offers WHERE status = 'open'").all() as fts.SearchDoc[],
  )
  return {
    needs: needCount,
    offers: offerCount,
    orgs: orgs.length,
    matches,
    rows_ms: Math.round(rowsMs),
    index_ms: Math.round(performance.now() - indexStarted),
  }
}

/**
 * The demo district's communities, and with `districts` > 1 those of copies of it inserted beside it (refs and names
 * numbered: HB2-DH-LZW, 荔枝湾2社区), each copy's areas under its own district as the demo's are.
 */
function copyDistrict(sqlite: ReturnType<typeof sqliteOf>, districts: number): Place[] {
  const places = [...DEMO_PLACES]
  const demo = sqlite
    .prepare('SELECT ref, name, name_en AS nameEn, level, lat, lng FROM areas WHERE ref IS NOT NULL ORDER BY path')
    .all() as {
    ref: string
    name: string
    nameEn: string | null
    level: string
    lat: number | null
    lng: number | null
  }[]
  const insert = sqlite.prepare(
    'INSERT INTO areas (ref, name, name_en, level, parent_id, path, lat, lng) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  )
  const setPath = sqlite.prepare('UPDATE areas SET path = ? WHERE id = ?')
  for (let d = 2; d <= districts; d++) {
    const made = new Map<string, { id: number; path: string }>()
    for (const a of demo) {
      const ref = a.ref.replace(/^([^-]+)/, `$1${d}`)
      const parent = made.get(a.ref.split('-').slice(0, -1).join('-'))
      const name = a.name.replace(/(区|街道|社区)$/, `${d}$1`)
      const id = Number(
        insert.run(ref, name, a.nameEn && `${a.nameEn} ${d}`, a.level, parent?.id ?? null, '', a.lat, a.lng)
          .lastInsertRowid,
      )
      const path = `${parent?.path ?? '/'}${id}/`
      setPath.run(path, id)
      made.set(a.ref, { id, path })
      if (a.level === 'community') places.push({ ref, name: name.replace(/社区$/, '') })
    }
  }
  return places
}
