import type { FastifyPluginAsync } from 'fastify'
import * as home from './home.js'
import * as mine from './mine.js'

const homeRoutes: FastifyPluginAsync = async (app) => {
  app.get('/', { config: { access: 'anyone' } }, async (req, reply) => {
    return reply.render('home', home.summary(app.db))
  })

  // "我的": a member's home after sign-in (brokers land on the desk, admins on admin; they may still open it).
  app.get('/me', { config: { access: 'signed_in' } }, async (req, reply) => {
    return reply.render('home/mine', { ...mine.overview(app.db, req.user!), title: req.t('mine.title') })
  })

  app.get('/api/v1/me', { config: { access: 'signed_in' } }, async (req) => {
    const user = req.user!
    return {
      id: user.id, name: user.name, email: user.email, role: user.role,
      groups: mine.groupsOf(app.db, user).map((g) => ({ id: g.id, name: g.name, role: g.role })),
      waiting: mine.counts(app.db, user),
    }
  })
}

export default homeRoutes
