/**
 * Answers that hold until the rows they were computed from change, remembered per connection. A browse page's
 * total is the same for every visitor until someone posts, edits or closes a listing, yet counting 50k active
 * needs costs ~3.5 ms a request at 100k listings.
 *
 * What changed is told by triggers (installed by `ensureChangeCounters` at start-up): every insert, update or
 * delete on a counted table bumps that table's row in `memo_versions`, in the writer's transaction, whichever
 * connection or process writes (the server, a CLI import). An answer is stamped with the versions of the tables
 * it names (`sources`; all counted tables when it names none) and recomputed when one of them moved. Writes that
 * no remembered answer reads — the once-a-minute session touch, jobs, notifications, the audit log, mail — are
 * not counted, so they empty nothing. Reading the versions costs a few µs a call.
 *
 * Inside a transaction an answer is reused while the tables it names are as they were when it was computed (the
 * transaction's own writes move their versions too), and nothing is remembered, since what it read may yet be rolled
 * back: a background job runs in a transaction, and every fit alert recomputed the matcher's track records. Keys must
 * name everything else an answer depends on, the date included. A table a remembered answer reads must be
 * counted: a test holds every table in the schema to COUNTED or UNCOUNTED.
 */
import type Database from 'better-sqlite3'

type Sqlite = Database.Database

/** Tables whose writes move the memo: everything a remembered answer may read. */
export const COUNTED = [
  'areas',
  'users',
  'broker_areas',
  'organizations',
  'memberships',
  'categories',
  'needs',
  'offers',
  'matches',
  'match_events',
  'messages',
  'feedback',
  'allocation_runs',
  'capacity_assessments',
  'capacity_scores',
  'topic_terms',
  'fit_feedback',
  'invitations',
  'join_requests',
  'projects',
  'project_groups',
  'capacity_evidence',
  'partnerships',
  'match_checkins',
  'fund_calls',
  'fund_criteria',
  'fund_reviewers',
  'fund_applications',
  'fund_budget_lines',
  'fund_application_offers',
  'fund_milestones',
  'fund_reviews',
  'fund_scores',
  'fund_decisions',
  'fund_awards',
  'fund_objections',
  'fund_reports',
  'fund_report_files',
  'fund_releases',
] as const
/**
 * Tables no remembered answer reads, written on every sign-in, page view or background run: counting them would
 * empty the memo all day long. A remembered answer that starts reading one must move it to COUNTED.
 */
export const UNCOUNTED = [
  'sessions',
  'api_tokens',
  'events',
  'settings',
  'notifications',
  'outbox',
  'jobs',
  'idempotency_keys',
  'login_throttle',
  'password_resets',
  'signups',
  'fit_alerts',
  'tasks',
  'task_notes',
  'prospects',
  'give_invitations',
] as const
export type Source = (typeof COUNTED)[number]

/** Creates the version table and its triggers where missing (idempotent; a new counted table gets its own). */
export function ensureChangeCounters(sqlite: Sqlite, tables: readonly string[] = COUNTED): void {
  const exists = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").pluck()
  const installed = new Set(
    sqlite
      .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'memo\\_%' ESCAPE '\\'")
      .pluck()
      .all() as string[],
  )
  if (
    tables.every(
      (t) => !exists.get(t) || ['insert', 'update', 'delete'].every((op) => installed.has(`memo_${t}_${op}`)),
    )
  )
    return
  // Immediate: several processes may open a new file at once (workers, a CLI beside the server); each waits its
  // turn on the busy timeout instead of failing when its read turns into a write.
  sqlite
    .transaction(() => {
      sqlite.exec(
        'CREATE TABLE IF NOT EXISTS memo_versions (source TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID',
      )
      const row = sqlite.prepare('INSERT OR IGNORE INTO memo_versions (source, version) VALUES (?, 0)')
      for (const table of tables) {
        if (!exists.get(table)) continue
        row.run(table)
        for (const op of ['INSERT', 'UPDATE', 'DELETE']) {
          sqlite.exec(`CREATE TRIGGER IF NOT EXISTS memo_${table}_${op.toLowerCase()} AFTER ${op} ON "${table}" FOR EACH ROW
          BEGIN UPDATE memo_versions SET version = version + 1 WHERE source = '${table}'; END`)
        }
      }
    })
    .immediate()
}

interface Memo {
  /** Per list of sources (`*` for all), the statement that reads their versions as one string; versions()' as "versions …". */
  stamps: Map<string, Database.Statement>
  values: Map<string, { stamp: string; value: unknown }>
}

const memos = new WeakMap<Sqlite, Memo>()
const LIMIT = 500

function memoOf(sqlite: Sqlite): Memo {
  let memo = memos.get(sqlite)
  if (!memo) {
    memo = { stamps: new Map(), values: new Map() }
    memos.set(sqlite, memo)
  }
  return memo
}

// One string from SQLite per call: a page asks a handful of times, and reading every table's row into arrays to
// pick a few cost ~2% of a page's CPU. Sources are COUNTED's names, so they are written into the statement. Each
// named source is its own primary-key lookup, not `source IN (...)`: SQLite answers an IN list through a temporary
// b-tree, and on a need page the first such stamp cost 60-120 µs, the stamps together ~170 µs a page (~40 µs so).
function stampOf(sqlite: Sqlite, memo: Memo, sources: readonly Source[] | undefined, seen?: Versions): string {
  const known = seen && sources ? stampFrom(seen, sources) : undefined
  if (known !== undefined) return known
  const key = sources ? sources.join(',') : '*'
  let st = memo.stamps.get(key)
  if (!st) {
    const named = sources?.filter((s) => (COUNTED as readonly string[]).includes(s))
    const one = (s: string) => `ifnull((SELECT version FROM memo_versions WHERE source = '${s}'), '')`
    st = sqlite
      .prepare(
        named
          ? `SELECT ${named.map(one).join(" || ':' || ") || "''"}`
          : "SELECT group_concat(version, ':') FROM memo_versions",
      )
      .pluck()
    memo.stamps.set(key, st)
  }
  // A single source's version comes back as a number: as text, it is the stamp versions() forms.
  return String((st.get() as string | number | null) ?? '')
}

/**
 * The versions of `sources`, read in one statement, for work that asks several remembered answers and writes nothing
 * in between: a match page asks four, a statement each (5-15 µs a page each). remember() given them asks SQLite
 * nothing for sources among them. Another connection's commit after they were read is seen by the next read; an
 * answer computed meanwhile is stamped with the older versions, so it is computed again, never taken for newer.
 */
export type Versions = ReadonlyMap<string, number | null>

export function versions(sqlite: Sqlite, sources: readonly Source[]): Versions {
  const memo = memoOf(sqlite)
  const named = [...new Set(sources)].filter((s) => (COUNTED as readonly string[]).includes(s))
  const key = `versions ${named.join(',')}`
  let st = memo.stamps.get(key)
  if (!st) {
    const one = (s: string) => `(SELECT version FROM memo_versions WHERE source = '${s}')`
    st = sqlite.prepare(`SELECT ${named.map(one).join(', ') || 'NULL'}`).raw()
    memo.stamps.set(key, st)
  }
  const row = st.get() as (number | null)[]
  return new Map(named.map((s, i) => [s, row[i]!]))
}

/**
 * One string that moves whenever a counted table is written, by this connection or another: for work that only asks
 * whether anything it may have read changed (the alerts job, between its read and its transaction). One statement
 * reading the version table through: versions() of every table looks each up, ~4× the time.
 */
export function stamp(sqlite: Sqlite): string {
  return stampOf(sqlite, memoOf(sqlite), undefined)
}

/** The stamp stampOf's statement reads, from versions read before; undefined when they lack one of `sources`. */
function stampFrom(seen: Versions, sources: readonly Source[]): string | undefined {
  let stamp = ''
  let first = true
  for (const s of sources) {
    if (!(COUNTED as readonly string[]).includes(s)) continue
    const v = seen.get(s)
    if (v === undefined) return undefined
    stamp += (first ? '' : ':') + (v ?? '')
    first = false
  }
  return stamp
}

/** `seen`: versions(sqlite) read since this connection last wrote, to stamp with instead of reading them again. */
export function remember<T>(
  sqlite: Sqlite,
  key: string,
  compute: () => T,
  sources?: readonly Source[],
  seen?: Versions,
): T {
  const memo = memoOf(sqlite)
  const stamp = stampOf(sqlite, memo, sources, seen)
  const known = memo.values.get(key)
  if (known && known.stamp === stamp) {
    // Least recently used goes first: a burst of one-off filters must not push out what everyone opens.
    memo.values.delete(key)
    memo.values.set(key, known)
    return known.value as T
  }
  const value = compute()
  // A transaction's own writes move the versions it reads, so an answer reused above holds for it; one computed in it
  // may yet be rolled back, and is not kept.
  if (sqlite.inTransaction) return value
  memo.values.delete(key)
  if (memo.values.size >= LIMIT) memo.values.delete(memo.values.keys().next().value!)
  memo.values.set(key, { stamp, value })
  return value
}

/**
 * remember() on a drizzle handle's own connection, for lookups every page makes (categories, areas); a handle without
 * one (a drizzle transaction's) computes.
 */
export function rememberOn<T>(
  db: object,
  key: string,
  compute: () => T,
  sources: readonly Source[],
  seen?: Versions,
): T {
  const client = (db as { $client?: Sqlite }).$client
  return client ? remember(client, key, compute, sources, seen) : compute()
}
