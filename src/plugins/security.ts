import fp from 'fastify-plugin'
import csrf from '@fastify/csrf-protection'
import CsrfTokens from '@fastify/csrf'
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

/** The browser says the write comes from another site (Sec-Fetch-Site, or an Origin that is not this host). */
function crossSite(req: FastifyRequest): boolean {
  const site = req.headers['sec-fetch-site']
  const origin = req.headers.origin
  const host = req.headers.host
  if (site === 'cross-site' || (origin && origin !== 'null' && host && hostOf(origin) !== host)) {
    req.log.warn({ event: 'csrf.origin', origin, site }, 'cross-site write refused')
    return true
  }
  return false
}

const csrfError = (code: string) => Object.assign(new Error('csrf refused'), { code, statusCode: 403 })

// The same verification @fastify/csrf-protection does (default options), for a token read from a streamed body.
const tokens = CsrfTokens()

/**
 * Two layers against cross-site writes: the browser's own Origin / Sec-Fetch-Site headers, then a
 * per-session token (hidden `_csrf` field in forms, `X-CSRF-Token` header from htmx).
 * A request authenticated by an API bearer token carries no ambient credential, so it needs neither.
 */
export default fp(
  async (app) => {
    await app.register(csrf, {
      sessionPlugin: '@fastify/session',
      getToken: (req: FastifyRequest) =>
        (req.headers['x-csrf-token'] as string | undefined) ?? (req.body as Record<string, string> | undefined)?._csrf,
    })

    /** For an upload's parser: is this the session's token? (The app-wide check below runs again after parsing.) */
    app.decorate('csrfTokenValid', (req: FastifyRequest, token: string) => {
      const secret = (req.session as { _csrf?: string } | undefined)?._csrf
      return secret !== undefined && tokens.verify(secret, token)
    })

    // An upload is refused before its body is read when it comes from another site or its session never had a
    // token to send (auth.ts has checked sign-in and role the same way).
    app.addHook('preParsing', async (req: FastifyRequest, _reply: FastifyReply, payload) => {
      if (!req.routeOptions.config.streamedBody || SAFE.has(req.method)) return payload
      if (crossSite(req)) throw csrfError('FST_CSRF_ORIGIN')
      if (!(req.session as { _csrf?: string } | undefined)?._csrf) throw csrfError('FST_CSRF_MISSING_SECRET')
      return payload
    })

    // Every route reads its body as named fields: a JSON `null`, array, string, number or a text/plain body is refused
    // here as one schema problem (400, or the API's JSON error), before CSRF and before any handler sees it.
    app.addHook('preValidation', async (req: FastifyRequest) => {
      const body: unknown = req.body
      if (req.is404 || body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body))) return
      throw Object.assign(new Error('body must be an object'), {
        statusCode: 400,
        validationContext: 'body',
        validation: [
          {
            keyword: 'type',
            instancePath: '',
            schemaPath: '#/type',
            params: { type: 'object' },
            message: 'must be object',
          },
        ],
      })
    })

    app.addHook('preValidation', async (req: FastifyRequest, reply: FastifyReply) => {
      // Nothing is written on a request that matches no route: let it reach the 404 page (TRACE / → 404, not a CSRF 403).
      if (SAFE.has(req.method) || req.viaToken || req.is404) return
      // An API call with no signed-in user carries no ambient credential to forge: the access policy answers
      // it (401), rather than a misleading "form expired".
      if (req.url.startsWith('/api/') && !req.user) return
      if (crossSite(req))
        return reply
          .code(403)
          .render('error', { message: req.t('error.csrf') }, { status: 403, partial: 'shared/error' })
      await new Promise<void>((resolve, reject) => {
        app.csrfProtection(req, reply, (err?: Error) => (err ? reject(err) : resolve()))
      })
    })

    // Authenticated pages and anything with private details must not linger in shared caches or history.
    app.addHook('onSend', async (req, reply, payload) => {
      if (req.user && !reply.hasHeader('cache-control')) reply.header('Cache-Control', 'no-store')
      return payload
    })
  },
  { name: 'security', dependencies: ['session', 'auth', 'view'] },
)
