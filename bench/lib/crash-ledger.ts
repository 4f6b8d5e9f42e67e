/**
 * What the crash bench was told (the ledger of acknowledged writes, and the one transition in flight per match), and
 * the check a restart must pass against it: the file is intact, nothing acknowledged is lost, and every listing
 * reserves exactly what its matches hold.
 */
import Database from 'better-sqlite3'

export type State = 'requested' | 'accepted' | 'delivered' | 'cancelled'

/** What the server told us, and what was in flight when it died. */
export class Ledger {
  needs = new Set<number>()
  offers = new Set<number>()
  matches = new Map<number, { acked: State; inFlight?: State }>()
  count = 0
  unexpected = 0
  unanswered = 0

  ack(kind: 'need' | 'offer', id: number) {
    ;(kind === 'need' ? this.needs : this.offers).add(id)
    this.count++
  }

  ackMatch(id: number, state: State) {
    this.matches.set(id, { acked: state })
    this.count++
  }
}

interface Check {
  integrity: string
  lost: number
  violations: number
}

const RESERVED_SQL = (table: 'offers' | 'needs', column: 'offer_id' | 'need_id') => `
  SELECT l.id, l.quantity - l.remaining AS reserved,
         COALESCE(SUM(CASE WHEN m.state = 'accepted' THEN m.quantity
                           WHEN m.state IN ('delivered', 'reviewed') THEN m.delivered_quantity
                           ELSE 0 END), 0) AS held
  FROM ${table} l LEFT JOIN matches m ON m.${column} = l.id
  GROUP BY l.id HAVING reserved <> held`

export function check(dbFile: string, ledger: Ledger, log: (m: string) => void): Check {
  // Opening the file after a SIGKILL is what a restart does first: SQLite replays the WAL.
  const db = new Database(dbFile)
  try {
    const integrity = String(db.pragma('integrity_check', { simple: true }))
    let lost = 0
    const exists = (table: string) => db.prepare(`SELECT 1 FROM ${table} WHERE id = ?`)
    for (const [table, ids] of [
      ['needs', ledger.needs],
      ['offers', ledger.offers],
    ] as const) {
      const stmt = exists(table)
      for (const id of ids)
        if (!stmt.get(id)) {
          lost++
          log(`lost: ${table} #${id}`)
        }
    }
    const stateOf = db.prepare('SELECT state FROM matches WHERE id = ?')
    for (const [id, m] of ledger.matches) {
      const row = stateOf.get(id) as { state: string } | undefined
      if (!row) {
        lost++
        log(`lost: match #${id}`)
        continue
      }
      if (row.state !== m.acked && row.state !== m.inFlight) {
        lost++
        log(`lost: match #${id} acknowledged ${m.acked}, found ${row.state}`)
      }
      // Whatever was in flight is settled now: it happened or it did not.
      ledger.matches.set(id, { acked: row.state as State })
    }
    let violations = 0
    for (const [table, column] of [
      ['offers', 'offer_id'],
      ['needs', 'need_id'],
    ] as const) {
      for (const v of db.prepare(RESERVED_SQL(table, column)).all() as {
        id: number
        reserved: number
        held: number
      }[]) {
        violations++
        log(`invariant: ${table} #${v.id} reserves ${v.reserved}, its matches hold ${v.held}`)
      }
    }
    return { integrity, lost, violations }
  } finally {
    db.close()
  }
}
