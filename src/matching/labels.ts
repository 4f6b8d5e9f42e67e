/** What the JSON API names ranked listings by, beyond the core's views: refs, topics, organizations. */
import { inArray } from 'drizzle-orm'
import { type Db } from '../db/client.js'
import { needs, offers, organizations } from '../db/schema.js'

/** Refs and topic codes of these needs or offers, by id. */
export function listingLabels(
  db: Db,
  kind: 'need' | 'offer',
  ids: number[],
): Map<number, { ref: string | null; topics: string[] | null }> {
  const t = kind === 'need' ? needs : offers
  if (!ids.length) return new Map()
  return new Map(
    db
      .select({ id: t.id, ref: t.ref, topics: t.topics })
      .from(t)
      .where(inArray(t.id, ids))
      .all()
      .map((r) => [r.id, r]),
  )
}

/** Refs and names of these organizations, by id. */
export function orgLabels(db: Db, ids: number[]): Map<number, { ref: string | null; name: string }> {
  if (!ids.length) return new Map()
  const rows = db
    .select({ id: organizations.id, ref: organizations.ref, name: organizations.name })
    .from(organizations)
    .where(inArray(organizations.id, ids))
    .all()
  return new Map(rows.map((o) => [o.id, { ref: o.ref, name: o.name }]))
}
