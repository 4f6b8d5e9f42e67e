import fp from 'fastify-plugin'
import { mayReport } from './reports.js'

/**
 * The header's Reports link for members of an endorsed street office or residents' committee (staff always
 * have it): worked out once per page, merged into the render like the unread badge.
 */
export default fp(
  async (app) => {
    app.addHook('preHandler', async (req, reply) => {
      const user = req.user
      if (!user || user.role !== 'member' || !user.orgIds.length || req.url.startsWith('/api/')) return
      reply.locals = { ...reply.locals, mayReport: mayReport(app.db, user) }
    })
  },
  { name: 'reports-nav', dependencies: ['auth', 'view'] },
)
