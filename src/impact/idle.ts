/**
 * Idle offers: the agenda's and the broker's desk's one definition, read from the database (the pure `idle` in
 * gaps.ts decides the days). Here rather than in map.ts so the desk reads no page's module.
 */
import { sqliteOf, type Db } from '../db/client.js'
import { remember } from '../db/memo.js'
import { availableOfferText, listingToday } from '../listings/listings.js'
import { idle, IDLE_AFTER_DAYS } from './gaps.js'

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
