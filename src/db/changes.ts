/**
 * Which listings changed, row by row: the match pages keep every active need and available offer in memory
 * (matching/kept-views.ts) and patch the ones that changed instead of reading a whole category again after any
 * write. The memo's counters (memo.ts) say only that a table moved; this log says which row.
 *
 * Triggers (installed by `ensureChangeLog` when the database opens) append (kind, id) for every insert, update
 * or delete of a need, an offer, an organization (a need's view carries its organization's trust and focus) or
 * an area (paths: everything is read again), in the writer's transaction, whichever connection or process writes.
 * The log keeps its last KEPT entries; a reader that fell further behind reads everything again.
 */
import type Database from 'better-sqlite3'

type Sqlite = Database.Database

export const KEPT = 20_000

const WATCHED = [
  ['needs', 'need'],
  ['offers', 'offer'],
  ['organizations', 'org'],
  ['areas', 'area'],
] as const
export type ChangeKind = (typeof WATCHED)[number][1]

/** Columns that say nothing about a listing: an export giving rows their refs, or a bare touch, invalidates nothing. */
const BOOKKEEPING = new Set(['ref', 'version', 'updated_at'])

/**
 * Creates the log and its triggers where missing (idempotent). An update is logged only when a column other than
 * BOOKKEEPING actually changed: a no-op upsert (a ledger imported again unchanged) invalidates nothing. The update trigger's name carries
 * the table's columns, so a migration that adds one replaces it.
 */
export function ensureChangeLog(sqlite: Sqlite): void {
  const installed = new Set(
    sqlite
      .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'changes\\_%' ESCAPE '\\'")
      .pluck()
      .all() as string[],
  )
  const columnsOf = (table: string) =>
    (sqlite.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[]).filter(
      (c) => !BOOKKEEPING.has(c),
    )
  const wanted = WATCHED.map(([table, kind]) => {
    const columns = columnsOf(table)
    return {
      table,
      kind,
      columns,
      names: ['insert', `update_${signature(columns)}`, 'delete'].map((op) => `changes_${table}_${op}`),
    }
  }).filter((w) => w.columns.length > 0)
  if (wanted.every((w) => w.names.every((n) => installed.has(n)))) return
  sqlite
    .transaction(() => {
      // AUTOINCREMENT: a sequence number is never reused, so a reader's "last seen" stays meaningful after pruning.
      sqlite.exec(
        'CREATE TABLE IF NOT EXISTS listing_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, id INTEGER NOT NULL)',
      )
      for (const name of installed)
        if (!wanted.some((w) => w.names.includes(name))) sqlite.exec(`DROP TRIGGER IF EXISTS "${name}"`)
      for (const { table, kind, columns, names } of wanted) {
        const changed = columns.map((c) => `OLD."${c}" IS NOT NEW."${c}"`).join(' OR ')
        for (const [name, op, row] of [
          [names[0], 'INSERT', 'NEW'],
          [names[1], 'UPDATE', 'NEW'],
          [names[2], 'DELETE', 'OLD'],
        ] as const) {
          // Inside a trigger last_insert_rowid() is the log row just written; the caller's own value is restored after.
          sqlite.exec(`CREATE TRIGGER IF NOT EXISTS "${name}" AFTER ${op} ON "${table}" FOR EACH ROW ${op === 'UPDATE' ? `WHEN ${changed}` : ''} BEGIN
          INSERT INTO listing_changes (kind, id) VALUES ('${kind}', ${row}.id);
          ${op === 'UPDATE' ? `INSERT INTO listing_changes (kind, id) SELECT '${kind}', OLD.id WHERE OLD.id <> NEW.id;` : ''}
          DELETE FROM listing_changes WHERE seq <= last_insert_rowid() - ${KEPT};
        END`)
        }
      }
    })
    .immediate()
}

/** A short, stable name for a list of columns. */
function signature(columns: readonly string[]): string {
  let h = 2166136261
  for (const ch of columns.join(',')) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0
  return h.toString(36)
}

/** The last entry's sequence number (0 when none was ever written). */
export function lastChange(sqlite: Sqlite): number {
  return (lastSeq(sqlite).get() as number | undefined) ?? 0
}

/** Entries after `seq`, oldest first, at most `limit`: [seq, kind, id]. */
export function changesSince(sqlite: Sqlite, seq: number, limit: number): [number, ChangeKind, number][] {
  return statement(sqlite).all(seq, limit) as [number, ChangeKind, number][]
}

/** A statement prepared once per connection: pages ask these several times a request. */
function preparedOnce(make: (sqlite: Sqlite) => Database.Statement): (sqlite: Sqlite) => Database.Statement {
  const kept = new WeakMap<Sqlite, Database.Statement>()
  return (sqlite) => {
    let st = kept.get(sqlite)
    if (!st) kept.set(sqlite, (st = make(sqlite)))
    return st
  }
}
const statement = preparedOnce((sqlite) =>
  sqlite.prepare('SELECT seq, kind, id FROM listing_changes WHERE seq > ? ORDER BY seq LIMIT ?').raw(),
)
const lastSeq = preparedOnce((sqlite) =>
  sqlite.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'listing_changes'").pluck(),
)
