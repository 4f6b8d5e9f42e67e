import { sqliteOf, type Db } from '../../src/db/client.js'
import { prng } from './database.js'

const DAY = 86_400_000

/**
 * The history a report reads: every generated match was requested by the need side; those that got further
 * were answered (most within three days), accepted, and the rest declined. Raw SQL in one transaction.
 */
export function addHistory(db: Db) {
  const sqlite = sqliteOf(db)
  const rand = prng(11)
  const rows = sqlite.prepare('SELECT id, state, created_at FROM matches').all() as {
    id: number
    state: string
    created_at: string
  }[]
  const event = sqlite.prepare(
    'INSERT INTO match_events (match_id, at, event, from_state, to_state) VALUES (?, ?, ?, ?, ?)',
  )
  const accepted = sqlite.prepare('UPDATE matches SET accepted_at = ? WHERE id = ?')
  sqlite.transaction(() => {
    for (const m of rows) {
      const at = Date.parse(m.created_at)
      event.run(m.id, m.created_at, 'request', null, 'requested')
      if (m.state === 'proposed') continue
      const answeredAt = new Date(at + (rand() < 0.8 ? rand() * 3 : 3 + rand() * 10) * DAY).toISOString()
      const answer = m.state === 'declined' ? 'declined' : 'accepted'
      event.run(m.id, answeredAt, answer === 'declined' ? 'decline' : 'accept', 'requested', answer)
      if (answer === 'accepted') accepted.run(answeredAt, m.id)
    }
  })()
}
