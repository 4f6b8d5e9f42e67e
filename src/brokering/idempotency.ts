import { createHash } from 'node:crypto'
import { and, eq } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { idempotencyKeys, matches } from '../db/schema.js'
import { IdempotencyKeyReused } from '../shared/errors.js'
import type { CurrentUser } from '../accounts/accounts.js'

// A retried request (a double-clicked form, an API client's retry after a timeout) must not open or move a match
// twice: opening and moving a match remember the caller's key with the change and answer a retry with what it did.

type Match = typeof matches.$inferSelect

// Keys are chosen by clients (API callers pick their own), and the column is unique across users: stored
// under the user's id, one caller's key can never collide with another's (which failed the second one's write).
const scopedKey = (user: CurrentUser, key: string) => `${user.id}:${key}`

/** What a request asked for, as a hash: the same key may only ever replay the same request. */
export const fingerprint = (request: unknown[]) =>
  createHash('sha256').update(JSON.stringify(request)).digest('base64url')

/**
 * The earlier answer to a retried request. The row's result is `<match id> <fingerprint>` (rows from before the
 * fingerprint hold the id alone and are replayed as they were); a key reused for a different request is refused,
 * not answered with the first request's result.
 */
export function idempotent(db: Db, user: CurrentUser, key: string | undefined, request: string): Match | undefined {
  if (!key) return undefined
  const row = db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.key, scopedKey(user, key)), eq(idempotencyKeys.userId, user.id)))
    .get()
  if (!row) return undefined
  const [id, stored] = row.result.split(' ')
  if (stored !== undefined && stored !== request) throw new IdempotencyKeyReused()
  return db
    .select()
    .from(matches)
    .where(eq(matches.id, Number(id)))
    .get()
}

// The key is written in the same transaction as the change: a retried form finds it and does nothing more.
export function remember(db: Db, user: CurrentUser, key: string | undefined, match: Match, request: string, now: Date) {
  if (key)
    db.insert(idempotencyKeys)
      .values({
        key: scopedKey(user, key),
        userId: user.id,
        result: `${match.id} ${request}`,
        createdAt: now.toISOString(),
      })
      .run()
}
