import { and, count, desc, eq } from 'drizzle-orm'
import { sqliteOf, type Db } from '../db/client.js'
import { remember } from '../db/memo.js'
import { frozen } from '../shared/frozen.js'
import { activeNeed, listingToday } from '../listings/listings.js'
import { areas, needs as needsTable, organizations } from '../db/schema.js'
import * as needQueries from '../needs/need-queries.js'
import * as offerQueries from '../offers/offer-queries.js'

/** Figures for the front page: enough to show a visitor the district is alive. */
export function summary(db: Db, now = new Date()) {
  const today = listingToday(now)
  // The same for every visitor until the database changes (db/memo.ts).
  return remember(sqliteOf(db), `home ${today}`, () => frozen(summaryOn(db, today, now)))
}

// `now` (not the clock) for every figure: the result is remembered under `today`, the day of `now`.
function summaryOn(db: Db, today: string, now: Date) {
  return {
    // The newest urgent needs: what a visitor, a business or a social worker could help with today.
    urgent: db
      .select({
        id: needsTable.id,
        title: needsTable.title,
        remaining: needsTable.remaining,
        unit: needsTable.unit,
        org: organizations.name,
      })
      .from(needsTable)
      .innerJoin(organizations, eq(organizations.id, needsTable.orgId))
      .where(and(activeNeed(today), eq(needsTable.urgency, 'high')))
      .orderBy(desc(needsTable.createdAt), desc(needsTable.id))
      .limit(5)
      .all(),
    stats: {
      orgs: db.select({ n: count() }).from(organizations).get()!.n,
      communities: db.select({ n: count() }).from(areas).where(eq(areas.level, 'community')).get()!.n,
      needs: needQueries.countActive(db, now),
      offers: offerQueries.countActive(db, now),
    },
    recentOrgs: db
      .select({
        id: organizations.id,
        name: organizations.name,
        kind: organizations.kind,
        trust: organizations.trust,
        registered: organizations.registered,
      })
      .from(organizations)
      .orderBy(desc(organizations.createdAt), desc(organizations.id))
      .limit(6)
      .all(),
  }
}
