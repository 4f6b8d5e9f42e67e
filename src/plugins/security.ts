import fp from 'fastify-plugin'
import csrf from '@fastify/csrf-protection'
import type { FastifyReply, FastifyRequest } from 'fastify'

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS'])

/** The host of an Origin header; a malformed one is nobody's host (refused, not a 500). */
function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host
  } catch {
    return undefined
  }
}

/**
 * Two layers against cross-site writes: the browser's own Origin / Sec-Fetch-Site headers, then a
 * per-session token (hidden `_csrf` field in forms, `X-CSRF-Token` header from htmx).
 * A request authenticated by an API bearer token carries no ambient credential, so it needs neither.
 */
export default fp(async (app) => {
  await app.register(csrf, {
    sessionPlugin: '@fastify/session',
    getToken: (req: FastifyRequest) => (req.headers['x-csrf-token'] as string | undefined) ?? (req.body as Record<string, string> | undefined)?._csrf,
  })

  app.addHook('preValidation', async (req: FastifyRequest, reply: FastifyReply) => {
    // Nothing is written on a request that matches no route: let it reach the 404 page (TRACE / → 404, not a CSRF 403).
    if (SAFE.has(req.method) || req.viaToken || req.is404) return
    // An API call with no signed-in user carries no ambient credential to forge: the access policy answers
    // it (401), rather than a misleading "form expired".
    if (req.url.startsWith('/api/') && !req.user) return
    const site = req.headers['sec-fetch-site']
    const origin = req.headers.origin
    const host = req.headers.host
    if (site === 'cross-site' || (origin && origin !== 'null' && host && hostOf(origin) !== host)) {
      req.log.warn({ event: 'csrf.origin', origin, site }, 'cross-site write refused')
      return reply.code(403).render('error', { message: req.t('error.csrf') }, { status: 403, partial: 'shared/error' })
    }
    await new Promise<void>((resolve, reject) => {
      app.csrfProtection(req, reply, (err?: Error) => (err ? reject(err) : resolve()))
    })
  })

  // Authenticated pages and anything with private details must not linger in shared caches or history.
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.user && !reply.hasHeader('cache-control')) reply.header('Cache-Control', 'no-store')
    return payload
  })
}, { name: 'security', dependencies: ['session', 'auth', 'view'] })
