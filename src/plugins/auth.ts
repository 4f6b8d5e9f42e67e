import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import * as accounts from '../accounts/accounts.js'
import * as tokens from '../accounts/tokens.js'
import type { Access } from '../types.js'
import { NotPermitted, SignInRequired } from '../shared/errors.js'
import { answerLapsed, lapsable } from '../accounts/lapse.js'
import { existingSession } from './session.js'

export const ACCESS_LEVELS: Access[] = ['anyone', 'signed_in', 'broker', 'admin', 'staff']

export function allows(access: Access, user: accounts.CurrentUser | null): boolean {
  switch (access) {
    case 'anyone':
      return true
    case 'signed_in':
      return user !== null
    case 'broker':
      return user?.role === 'broker'
    case 'admin':
      return user?.role === 'admin'
    case 'staff':
      return user?.role === 'broker' || user?.role === 'admin'
  }
}

/**
 * The signed-in caller of a route whose `config.access` already demands one (the preHandler above refused everyone
 * else): typed as present, so handlers need no `req.user!`. Throws SignInRequired should a route's access say less.
 */
export function signedIn(req: { user: accounts.CurrentUser | null }): accounts.CurrentUser {
  if (!req.user) throw new SignInRequired()
  return req.user
}

const isApi = (req: FastifyRequest) => req.url.startsWith('/api/')

/**
 * Function-level authorization, deny by default: every route must say who may call it, or the app
 * refuses to start. Object-level rights are the services' scoped lookups.
 */
export default fp(
  async (app) => {
    app.decorateRequest('user', null)
    app.decorateRequest('viaToken', false)

    app.addHook('onRoute', (route) => {
      const access = route.config?.access
      if (!access || !ACCESS_LEVELS.includes(access)) {
        throw new Error(`route ${route.method} ${route.url} has no access policy (config.access)`)
      }
    })

    /** Who is calling: an API bearer token, else the session's user. */
    async function identify(req: FastifyRequest) {
      const bearer = req.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1]
      if (bearer && isApi(req)) {
        const userId = tokens.userIdFor(app.db, bearer)
        req.user = userId ? (accounts.load(app.db, userId) ?? null) : null
        req.viaToken = req.user !== null
        return
      }
      // Only a session the request came with can hold a user: asking `req.session` would make one for every visitor.
      const userId = existingSession(req)?.userId
      if (userId) {
        req.user = accounts.load(app.db, userId) ?? null
        // A disabled or deleted account's session is ended, not just ignored.
        if (!req.user) await req.session.destroy()
      }
    }

    // A route that reads its body as a stream (an upload) is refused before a byte of it is read: a visitor or a
    // member cannot make the server parse a file. Everything else is parsed first and refused in preHandler below.
    app.addHook('preParsing', async (req: FastifyRequest, _reply: FastifyReply, payload) => {
      if (!req.routeOptions.config.streamedBody) return payload
      await identify(req)
      if (allows(req.routeOptions.config.access ?? 'anyone', req.user)) return payload
      if (!req.user) throw new SignInRequired()
      req.log.warn({ event: 'authz.deny', userId: req.user.id, url: req.url }, 'access denied')
      throw new NotPermitted({ key: 'error.forbidden' })
    })

    app.addHook('preValidation', identify)

    app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
      const access = req.routeOptions.config.access ?? 'anyone'
      if (allows(access, req.user)) return
      if (!req.user) {
        if (isApi(req)) return reply.code(401).send({ errors: [{ field: null, message: req.t('auth.required') }] })
        // A fragment htmx fetches for a page whose session lapsed (the need form's topic chips, say) must not swap a
        // sign-in page into it: nothing is swapped, only the header learns nobody is signed in (the next write asks).
        if (
          req.method === 'GET' &&
          req.headers['hx-request'] === 'true' &&
          !req.headers['hx-boosted'] &&
          !req.headers['hx-history-restore-request']
        ) {
          return reply
            .header('HX-Reswap', 'none')
            .render('session-nav', { navOob: true }, { status: 401, partial: 'shared/nav' })
        }
        if (req.method === 'GET') return reply.redirect(`/signin?next=${encodeURIComponent(req.url)}`, 303)
        if (lapsable(req)) return answerLapsed(req, reply)
        return reply
          .code(401)
          .render('error', { message: req.t('auth.required') }, { status: 401, partial: 'shared/error' })
      }
      req.log.warn({ event: 'authz.deny', userId: req.user.id, url: req.url }, 'access denied')
      if (isApi(req)) return reply.code(403).send({ errors: [{ field: null, message: req.t('error.forbidden') }] })
      return reply.render('error', { message: req.t('error.forbidden') }, { status: 403, partial: 'shared/error' })
    })
  },
  { name: 'auth', dependencies: ['db', 'session'] },
)
