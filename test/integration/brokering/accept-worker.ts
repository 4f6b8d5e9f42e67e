/**
 * One of several processes accepting matches on the same SQLite file at the same moment (concurrency.test.ts).
 * argv: dbPath userId startAtMs matchId… ; prints one JSON line: [{ id, ok, key? }].
 */
import { openDb } from '../../../src/database.js'
import { ROOT } from '../../../src/config.js'
import * as accounts from '../../../src/accounts/accounts.js'
import * as matches from '../../../src/brokering/matches.js'
import { DomainError } from '../../../src/shared/errors.js'

const [dbPath, userId, startAt, ...ids] = process.argv.slice(2)
const { db, sqlite } = openDb(dbPath, ROOT)
const user = accounts.load(db, Number(userId))!
// Everyone starts together: busy-wait to the agreed instant so the writes really overlap.
while (Date.now() < Number(startAt)) {
  /* spin */
}
const results = ids.map((id) => {
  try {
    matches.fire(db, user, Number(id), 'accept')
    return { id: Number(id), ok: true }
  } catch (err) {
    if (!(err instanceof DomainError)) throw err
    return { id: Number(id), ok: false, key: err.problem.key }
  }
})
sqlite.close()
process.stdout.write(JSON.stringify(results) + '\n')
