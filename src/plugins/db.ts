import fp from 'fastify-plugin'
import { openDb } from '../database.js'
import { tagUntagged } from '../topics/topics.js'

export default fp(
  async (app) => {
    const { db, sqlite } = openDb(app.config.dbPath, app.config.root)
    // Listings written before topics existed, or by a raw insert, get them now: readers take the stored columns.
    tagUntagged(db)
    app.decorate('db', db)
    app.decorate('sqlite', sqlite)
    app.addHook('onClose', async () => {
      sqlite.close()
    })
  },
  { name: 'db' },
)
