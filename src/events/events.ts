import { and, desc, eq } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { events, users } from '../db/schema.js'

export interface EventInput {
  actorId: number | null
  action: string
  subjectType: string
  subjectId?: number | null
  data?: Record<string, unknown>
}

/** The append-only log: who did what to which record, when. Call it inside the write's transaction. */
export function record(db: Db, input: EventInput, now = new Date()) {
  db.insert(events)
    .values({ ...input, subjectId: input.subjectId ?? null, data: input.data ?? null, at: now.toISOString() })
    .run()
}

export function recent(
  db: Db,
  { limit = 100, subjectType, subjectId }: { limit?: number; subjectType?: string; subjectId?: number } = {},
) {
  const where = subjectType
    ? and(eq(events.subjectType, subjectType), subjectId ? eq(events.subjectId, subjectId) : undefined)
    : undefined
  return db
    .select({
      id: events.id,
      at: events.at,
      action: events.action,
      subjectType: events.subjectType,
      subjectId: events.subjectId,
      actor: users.name,
      data: events.data,
    })
    .from(events)
    .leftJoin(users, eq(users.id, events.actorId))
    .where(where)
    .orderBy(desc(events.at), desc(events.id))
    .limit(limit)
    .all()
}
