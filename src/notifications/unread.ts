import fp from 'fastify-plugin'
import { unreadCount } from './notifications.js'

declare module 'fastify' {
  interface FastifyReply {
    /** Decorated by plugins/view.ts: merged into the data of every render. */
    locals: Record<string, unknown> | null
  }
}

/**
 * The header's unread badge on every page a signed-in user sees. reply.render merges reply.locals into
 * each render, so no route has to remember it. Runs after auth (preValidation) has found the user.
 */
export default fp(
  async (app) => {
    app.addHook('preHandler', async (req, reply) => {
      if (!req.user || req.url.startsWith('/api/')) return
      reply.locals = { ...reply.locals, unread: unreadCount(app.db, req.user.id) }
    })
  },
  { name: 'unread-badge', dependencies: ['auth', 'view'] },
)
