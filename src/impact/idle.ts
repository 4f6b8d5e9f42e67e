/**
 * Idle offers: the agenda's and the broker's desk's one definition (the pure `idle` in gaps.ts decides the days).
 * Here rather than in map.ts so the desk reads no page's module.
 */
import { sqliteOf, type Db } from '../db/client.js'
import { remember } from '../db/memo.js'
import { listingToday } from '../listings/listings.js'
import { servingFacts } from '../matching/serving-facts.js'
import { idle, IDLE_AFTER_DAYS } from './gaps.js'

/** Each offer's last use: the latest moment an accepted or delivered match used it. */
function lastUses(db: Db): ReadonlyMap<number, string> {
  const sqlite = sqliteOf(db)
  return remember(
    sqlite,
    'impact.last-uses',
    () =>
      new Map(
        sqlite
          .prepare(
            `SELECT offer_id, max(coalesce(delivered_at, accepted_at, updated_at)) FROM matches
    WHERE state IN ('accepted', 'delivered', 'reviewed') GROUP BY offer_id`,
          )
          .raw()
          .all() as [number, string][],
      ),
    ['matches'],
  )
}

/**
 * Idle offers, the one definition the agenda and the broker's desk share: available offers (listings.ts) that
 * nothing has used for IDLE_AFTER_DAYS — idle since the later of posting and the last accepted or delivered
 * match's moment, so an offer used once long ago is idle again. The longest idle `limit` of them (those serving
 * `within` first, when given; only those serving `only`, when given) and how many there are. The pure `idle`
 * decides the days; the available offers come from the kept views (matching/serving-facts.ts) and the last uses
 * from one pass over matches, so a write costs no scan of every offer with a subquery each (~0.2 s at 100k listings).
 */
export function idleOffers(db: Db, now: Date, within: number[], limit: number, only?: number[]) {
  const today = listingToday(now)
  const sqlite = sqliteOf(db)
  if (only && only.length === 0) return { total: 0, list: [] }
  return remember(
    sqlite,
    `impact.idle ${today} ${now.getTime() - (now.getTime() % 3_600_000)} ${within.join(',')} ${only?.join(',') ?? '*'} ${limit}`,
    () => {
      const cutoff = new Date(now.getTime() - IDLE_AFTER_DAYS * 86_400_000).toISOString()
      const used = lastUses(db)
      const scope = only && new Set(only),
        mineSet = new Set(within)
      const found: { id: number; mine: boolean; since: string }[] = []
      for (const o of servingFacts(db, today).offers) {
        if (scope && !scope.has(o.servesAreaId)) continue
        const last = used.get(o.id)
        const since = last !== undefined && last > o.createdAt ? last : o.createdAt
        if (since <= cutoff) found.push({ id: o.id, mine: mineSet.has(o.servesAreaId), since })
      }
      found.sort(
        (a, b) =>
          Number(b.mine) - Number(a.mine) || (a.since < b.since ? -1 : a.since > b.since ? 1 : 0) || a.id - b.id,
      )
      const shown = found.slice(0, limit)
      const sinceOf = new Map(shown.map((f) => [f.id, f.since]))
      const rows =
        shown.length === 0
          ? []
          : (
              sqlite
                .prepare(
                  `SELECT offers.id, offers.title, offers.remaining, offers.quantity, offers.unit, offers.category,
      offers.created_at AS createdAt, offers.serves_area_id AS areaId, organizations.name AS org FROM offers JOIN organizations ON organizations.id = offers.org_id
      WHERE offers.id IN (${shown.map(() => '?').join(', ')})`,
                )
                .all(...shown.map((f) => f.id)) as {
                id: number
                title: string
                remaining: number
                quantity: number
                unit: string
                category: string
                createdAt: string
                areaId: number
                org: string
              }[]
            ).map((r) => ({ ...r, lastUsedAt: sinceOf.get(r.id)! }))
      const list = idle(rows, now)
      return {
        total: found.length,
        list: [...list.filter((o) => mineSet.has(o.areaId)), ...list.filter((o) => !mineSet.has(o.areaId))],
      }
    },
    ['offers', 'matches', 'organizations', 'areas'],
  )
}
