import { and, desc, eq, sql } from 'drizzle-orm'
import { preparedOn, type Db } from '../db/client.js'
import { events, users } from '../db/schema.js'

export interface EventInput {
  actorId: number | null
  action: string
  subjectType: string
  subjectId?: number | null
  data?: Record<string, unknown>
}

// Every write records itself: prepared once per connection, and run on the write's transaction (it shares it).
const insertEvent = preparedOn((db) =>
  db
    .insert(events)
    .values({
      actorId: sql.placeholder('actorId'),
      action: sql.placeholder('action'),
      subjectType: sql.placeholder('subjectType'),
      subjectId: sql.placeholder('subjectId'),
      // Raw, past the column's JSON encoder, which would store a null as the text 'null'.
      data: sql`${sql.placeholder('data')}`,
      at: sql.placeholder('at'),
    })
    .prepare(),
)

/** The append-only log: who did what to which record, when. Call it inside the write's transaction. */
export function record(db: Db, input: EventInput, now = new Date()) {
  insertEvent(db).run({
    actorId: input.actorId ?? null,
    action: input.action,
    subjectType: input.subjectType,
    subjectId: input.subjectId ?? null,
    data: input.data == null ? null : JSON.stringify(input.data),
    at: now.toISOString(),
  })
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
