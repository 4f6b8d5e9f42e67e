import { eq } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { fundCalls, organizations } from '../db/schema.js'
import * as coverage from '../areas/coverage.js'
import type { CurrentUser } from '../accounts/accounts.js'

export type Call = typeof fundCalls.$inferSelect

/**
 * Who runs a call for its holder — publishes its notice, answers objections, approves reports and releases money:
 * a leader of the holding organization, a broker covering the holder's area, or an admin.
 */
export function runsCall(db: Db, user: CurrentUser | null | undefined, call: Pick<Call, 'holderOrgId'>): boolean {
  if (!user) return false
  if (user.role === 'admin' || user.orgIds.includes(call.holderOrgId)) return true
  const holder = db
    .select({ areaId: organizations.areaId })
    .from(organizations)
    .where(eq(organizations.id, call.holderOrgId))
    .get()
  return !!holder && coverage.brokerCovers(db, user, holder.areaId)
}

export function getCall(db: Db, id: number): Call | undefined {
  return db.select().from(fundCalls).where(eq(fundCalls.id, id)).get()
}
