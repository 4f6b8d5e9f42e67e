import { count, desc, eq } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { areas, organizations } from '../db/schema.js'
import * as needs from '../needs/needs.js'
import * as offers from '../offers/offers.js'

/** Figures for the front page: enough to show a visitor the district is alive. */
export function summary(db: Db) {
  return {
    stats: {
      orgs: db.select({ n: count() }).from(organizations).get()!.n,
      communities: db.select({ n: count() }).from(areas).where(eq(areas.level, 'community')).get()!.n,
      needs: needs.countActive(db),
      offers: offers.countActive(db),
    },
    recentOrgs: db.select({ id: organizations.id, name: organizations.name, kind: organizations.kind, trust: organizations.trust, registered: organizations.registered })
      .from(organizations).orderBy(desc(organizations.createdAt), desc(organizations.id)).limit(6).all(),
  }
}
