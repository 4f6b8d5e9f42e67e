import crypto from 'node:crypto'
import { and, eq, isNull, sql } from 'drizzle-orm'
import { preparedOn, writeTx, type Db } from '../db/client.js'
import { apiTokens } from '../db/schema.js'
import * as events from '../events/events.js'

// Only a hash is stored: a copy of the database does not hand out working tokens.
const digest = (token: string) => crypto.createHash('sha256').update(token).digest('hex')

export function issue(db: Db, userId: number, label = '', now = new Date()): string {
  const token = `ab_${crypto.randomBytes(32).toString('base64url')}`
  // The token and its log line together: a token nobody sees issued would be a hole in the record.
  writeTx(db, (tx) => {
    tx.insert(apiTokens)
      .values({ userId, tokenHash: digest(token), label, createdAt: now.toISOString() })
      .run()
    events.record(
      tx,
      { actorId: null, action: 'token.issued', subjectType: 'user', subjectId: userId, data: { label } },
      now,
    )
  })
  return token
}

// Every API request asks it.
const userIdQuery = preparedOn((db) =>
  db
    .select({ userId: apiTokens.userId })
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, sql.placeholder('hash')), isNull(apiTokens.revokedAt)))
    .prepare(),
)

export function userIdFor(db: Db, token: string): number | undefined {
  return userIdQuery(db).get({ hash: digest(token) })?.userId
}
