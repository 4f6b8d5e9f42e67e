import fp from 'fastify-plugin'
import { openDb } from '../db/client.js'

export default fp(async (app) => {
  const { db, sqlite } = openDb(app.config.dbPath, app.config.root)
  app.decorate('db', db)
  app.decorate('sqlite', sqlite)
  app.addHook('onClose', async () => {
    sqlite.close()
  })
}, { name: 'db' })
