import fp from 'fastify-plugin'
import { openDb } from '../database.js'
import { checkpointInBackground } from '../db/checkpoints.js'
import { tagUntagged } from '../topics/topics.js'

export default fp(
  async (app) => {
    const { db, sqlite } = openDb(app.config.dbPath, app.config.root)
    // Listings written before topics existed, or by a raw insert, get them now: readers take the stored columns.
    tagUntagged(db)
    // A web process's commits leave copying the WAL back to a thread of its own (db/checkpoints.ts says why).
    const checkpoints = app.config.dbPath === ':memory:' ? undefined : checkpointInBackground(sqlite, app.config.dbPath)
    app.decorate('db', db)
    app.decorate('sqlite', sqlite)
    app.addHook('onClose', async () => {
      await checkpoints?.stop()
      sqlite.close()
    })
  },
  { name: 'db' },
)
