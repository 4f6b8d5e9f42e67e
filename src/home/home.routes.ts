import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import * as home from './home.js'
import * as mine from './mine.js'
import { signedIn } from '../plugins/auth.js'
import { count } from '../shared/json.js'

// The response schema of GET /api/v1/me, field for field (src/shared/json.ts says why).
const MeJson = Type.Object({
  id: count,
  name: Type.String(),
  email: Type.String(),
  role: Type.String(),
  groups: Type.Array(Type.Object({ id: count, name: Type.String(), role: Type.String() })),
  waiting: Type.Object({ waiting: count, overdue: count, open_asks: count, drafts: count }),
})

const homeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/', { config: { access: 'anyone' } }, async (req, reply) => {
    return reply.render('home', home.summary(app.db))
  })

  // "我的": a member's home after sign-in (brokers land on the desk, admins on admin; they may still open it).
  app.get('/me', { config: { access: 'signed_in' } }, async (req, reply) => {
    return reply.render('home/mine', { ...mine.overview(app.db, signedIn(req)), title: req.t('mine.title') })
  })

  app.get('/api/v1/me', { config: { access: 'signed_in' }, schema: { response: { 200: MeJson } } }, async (req) => {
    const user = signedIn(req)
    return {
      id: user.id,
      name: user.name,
      email: user.email,
      role: user.role,
      groups: mine.groupsOf(app.db, user).map((g) => ({ id: g.id, name: g.name, role: g.role })),
      waiting: mine.counts(app.db, user),
    }
  })
}

export default homeRoutes
