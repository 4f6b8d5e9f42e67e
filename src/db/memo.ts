/**
 * Answers that hold until the database changes, remembered per connection. A browse page's total is the same
 * for every visitor until someone posts, edits or closes a listing, yet counting 50k active needs costs
 * ~3.5 ms a request at 100k listings.
 *
 * SQLite says cheaply (~3 µs) whether anything changed: `PRAGMA data_version` moves when another connection
 * commits (a CLI import, a second process), `total_changes()` when this one writes, whether the write is later
 * committed or rolled back (which only forgets early). Inside a transaction nothing is remembered or reused, since
 * what it reads may yet be rolled back. Keys must name everything else an answer depends on, the date included.
 * PostgreSQL would need another signal (a change counter bumped by triggers); callers would not change.
 */
import type Database from 'better-sqlite3'

type Sqlite = Database.Database
type Memo = { version: Database.Statement; changes: Database.Statement; stamp: string; values: Map<string, unknown> }

const memos = new WeakMap<Sqlite, Memo>()
const LIMIT = 500

export function remember<T>(sqlite: Sqlite, key: string, compute: () => T): T {
  if (sqlite.inTransaction) return compute()
  let memo = memos.get(sqlite)
  if (!memo) {
    memo = { version: sqlite.prepare('PRAGMA data_version').pluck(), changes: sqlite.prepare('SELECT total_changes()').pluck(), stamp: '', values: new Map() }
    memos.set(sqlite, memo)
  }
  const stamp = `${memo.version.get()}:${memo.changes.get()}`
  if (stamp !== memo.stamp) {
    memo.values.clear()
    memo.stamp = stamp
  }
  if (memo.values.has(key)) {
    // Least recently used goes first: a burst of one-off filters must not push out what everyone opens.
    const value = memo.values.get(key) as T
    memo.values.delete(key)
    memo.values.set(key, value)
    return value
  }
  const value = compute()
  if (memo.values.size >= LIMIT) memo.values.delete(memo.values.keys().next().value!)
  memo.values.set(key, value)
  return value
}
