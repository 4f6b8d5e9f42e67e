import type { FastifyPluginAsync } from 'fastify'
import * as home from './home.js'

const homeRoutes: FastifyPluginAsync = async (app) => {
  app.get('/', { config: { access: 'anyone' } }, async (req, reply) => {
    return reply.render('home', home.summary(app.db))
  })
}

export default homeRoutes
