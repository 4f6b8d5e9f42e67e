import path from 'node:path'
import fs from 'node:fs'
import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import * as schema from './schema.js'
import { ensureSearchIndex } from './fts.js'

export type Db = BetterSQLite3Database<typeof schema>
export type Sqlite = Database.Database

/** The raw connection behind a root db, for SQLite-only features (FTS5, backup). A transaction has none. */
export function sqliteOf(db: Db): Sqlite {
  const client = (db as { $client?: Sqlite }).$client
  if (!client) throw new Error('sqliteOf() needs the root db, not a transaction')
  return client
}

export function openDb(dbPath: string, root: string): { db: Db; sqlite: Sqlite } {
  if (dbPath !== ':memory:') fs.mkdirSync(path.dirname(dbPath), { recursive: true })
  const sqlite = new Database(dbPath)
  // WAL for concurrent readers; FULL so every acknowledged commit survives power loss, not only a process crash.
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  const db = drizzle(sqlite, { schema })
  migrate(db, { migrationsFolder: path.join(root, 'db', 'migrations') })
  // A new or rebuilt index (first start, or a newer tokenization) is refilled from the active listings it holds.
  ensureSearchIndex(sqlite, (kind) => sqlite.prepare(kind === 'need'
    ? "SELECT id, title, description || char(10) || place AS body FROM needs WHERE status IN ('open', 'partly_met')"
    : "SELECT id, title, description AS body FROM offers WHERE status = 'open'").all() as { id: number; title: string; body: string }[])
  return { db, sqlite }
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
