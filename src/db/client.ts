import path from 'node:path'
import fs from 'node:fs'
import Database from 'better-sqlite3'
import { sql, type Placeholder } from 'drizzle-orm'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import * as schema from './schema.js'

export type Db = BetterSQLite3Database<typeof schema>
export type Sqlite = Database.Database

/** The raw connection behind a root db, for SQLite-only features (FTS5, backup). A transaction has none. */
export function sqliteOf(db: Db): Sqlite {
  const client = (db as { $client?: Sqlite }).$client
  if (!client) throw new Error('sqliteOf() needs the root db, not a transaction')
  return client
}

/**
 * A query built and prepared once per connection (use `sql.placeholder` for its parameters). A query written
 * inline is turned into SQL by drizzle and prepared by SQLite on every call, ~20–40 µs each (an INSERT into needs,
 * with its triggers, ~150): for the few that run on every request (the session, the signed-in user) that was a third
 * of a signed-in page. A write's transaction handle shares its db's connection, so it is handed the db's query: the
 * statement runs inside the open transaction and is prepared once, not once per write.
 */
export function preparedOn<T>(build: (db: Db) => T): (db: Db) => T {
  const made = new WeakMap<object, T>()
  return (db) => {
    const key = connectionOf(db) ?? db
    let query = made.get(key)
    if (query === undefined) made.set(key, (query = build(db)))
    return query
  }
}

/** The values of an INSERT prepared once (preparedOn): a placeholder named after each column, run with a row. */
export function placeholders<K extends string>(columns: readonly K[]): Record<K, Placeholder<K>> {
  return Object.fromEntries(columns.map((c) => [c, sql.placeholder(c)])) as Record<K, Placeholder<K>>
}

/** The connection behind a root db or a transaction on it (drizzle hands both the same session). */
export function connectionOf(db: Db): Sqlite | undefined {
  const d = db as unknown as { $client?: Sqlite; session?: { client?: Sqlite } }
  return d.$client ?? d.session?.client
}

/**
 * Table statistics for the query planner, refreshed when a table has grown or shrunk twofold since they
 * were taken. Without them SQLite walks 100k needs through the wrong index (/needs: ~50 ms instead of ~2).
 * A full ANALYZE costs ~160 ms at 100k listings; it runs at start-up and from the hourly sweep, never per request.
 */
export function refreshStatistics(sqlite: Sqlite): string[] {
  const hasStats = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").get()
  const stale: string[] = []
  for (const table of ['needs', 'offers', 'organizations', 'matches']) {
    const rows = (sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
    const stat = hasStats
      ? (sqlite.prepare('SELECT stat FROM sqlite_stat1 WHERE tbl = ? LIMIT 1').get(table) as
          { stat: string } | undefined)
      : undefined
    const known = stat ? Number(stat.stat.split(' ')[0]) : undefined
    // An index a migration added has no statistics until its table is analyzed: without them the planner may
    // pass it over for one it knows (a browse page sorting 45k rows instead of walking needs_deadline).
    const unknownIndex =
      hasStats &&
      rows >= 100 &&
      sqlite
        .prepare(
          `SELECT 1 FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL
      AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE tbl = ? AND idx IS NOT NULL) LIMIT 1`,
        )
        .get(table, table)
    if (known === undefined ? rows >= 100 : rows > 2 * known + 100 || rows * 2 + 100 < known || unknownIndex)
      stale.push(table)
  }
  for (const table of stale) sqlite.exec(`ANALYZE ${table}`)
  return stale
}

/**
 * Multi-step writes: BEGIN IMMEDIATE takes the write lock up front, so two writers never both read
 * a quantity and then both decrement it. The callback must be synchronous (better-sqlite3). Inside another
 * transaction it is a savepoint: it rolls back alone when it throws.
 *
 * The callback gets `db` itself: better-sqlite3 has one connection, so its statements join the open transaction.
 * Through better-sqlite3's own wrapper, made once per connection: drizzle's db.transaction builds a transaction
 * object with a query builder per table each time, 50-100 µs a call, once for every write and every scheduled job.
 */
export function writeTx<T>(db: Db, fn: (tx: Db) => T): T {
  return inTransaction(db).immediate(() => fn(db)) as T
}
const inTransaction = preparedOn((db) => connectionOf(db)!.transaction((body: () => unknown) => body()))

/** SQLite online backup, verified by opening the copy and running integrity_check. */
export async function backup(sqlite: Sqlite, file: string): Promise<string> {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  await sqlite.backup(file)
  const copy = new Database(file, { readonly: true })
  try {
    return String(copy.pragma('integrity_check', { simple: true }))
  } finally {
    copy.close()
  }
}
