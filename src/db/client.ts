import path from 'node:path'
import fs from 'node:fs'
import Database from 'better-sqlite3'
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
 * A query built and prepared once per database handle (use `sql.placeholder` for its parameters). A query written
 * inline is turned into SQL by drizzle and prepared by SQLite on every call, ~20–40 µs each: for the few that run on
 * every request (the session, the signed-in user) that was a third of a signed-in page.
 */
export function preparedOn<T>(build: (db: Db) => T): (db: Db) => T {
  const made = new WeakMap<Db, T>()
  return (db) => {
    let query = made.get(db)
    if (query === undefined) made.set(db, (query = build(db)))
    return query
  }
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
 * a quantity and then both decrement it. The callback must be synchronous (better-sqlite3).
 */
export function writeTx<T>(db: Db, fn: (tx: Db) => T): T {
  return db.transaction((tx) => fn(tx as unknown as Db), { behavior: 'immediate' })
}

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
