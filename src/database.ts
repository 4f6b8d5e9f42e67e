import path from 'node:path'
import fs from 'node:fs'
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import * as schema from './db/schema.js'
import { refreshStatistics, type Db, type Sqlite } from './db/client.js'
import { ensureChangeCounters } from './db/memo.js'
import { ensureChangeLog } from './db/changes.js'
import { ensureSearchIndex } from './search/fts.js'
import { indexedListings } from './listings/search-text.js'

/**
 * The database as the app, the CLI and the benches open it: migrated, with its change counters and log, and the
 * search index of the listings. It lives above src/db (which knows tables, not listings or their text) because
 * it puts those together; services never open a database, they are handed one.
 */
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
  ensureChangeCounters(sqlite)
  ensureChangeLog(sqlite)
  // A new or rebuilt index (first start, or a newer tokenization) is refilled from the active listings it holds.
  ensureSearchIndex(sqlite, (kind) => indexedListings(sqlite, kind))
  refreshStatistics(sqlite)
  return { db, sqlite }
}
