import fp from 'fastify-plugin'
import type { IncomingMessage } from 'node:http'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { BUSY_RETRY_SECONDS, DomainError, isBusy, ValidationError } from '../shared/errors.js'
import { fieldErrors } from '../shared/forms.js'
import { translate } from '../i18n/i18n.js'
import { answerLapsed, keptFields, lapsable, resubmitTarget } from '../accounts/lapse.js'

const isApi = (req: FastifyRequest) => req.url.startsWith('/api/')

const REFUSED_URL = Symbol('refused url')
type RefusedUrl = IncomingMessage & { [REFUSED_URL]?: { status: number; api: boolean } }

/**
 * Fastify's `frameworkErrors`: a path it cannot decode (`/%`) or a parameter over its length limit is answered
 * before any hook runs — no security headers, the path echoed back in JSON. Instead the request goes round the
 * router again under a path no route has, so the not-found handler below answers it with every hook (headers,
 * locale, the error page), with the status kept and nothing of the path shown.
 */
export function refuseUrl(app: () => FastifyInstance) {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const raw = req.raw as RefusedUrl
    raw[REFUSED_URL] = {
      status: err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400,
      api: raw.url?.startsWith('/api/') ?? false,
    }
    req.log.info({ event: 'url.refused', code: err.code }, 'malformed url')
    raw.url = raw[REFUSED_URL].api ? '/api/-' : '/-'
    app().routing(raw, reply.raw)
  }
}

function page(req: FastifyRequest, reply: FastifyReply, status: number, message: string) {
  return reply
    .code(status)
    .render(status === 404 ? 'not-found' : 'error', { message, status }, { status, partial: 'shared/error' })
}

/** Requests that passed their origin, CSRF and access checks: only their values may be handed back in a form. */
const checked = new WeakSet<FastifyRequest>()

/**
 * The database was busy (another writer held its lock past busy_timeout), so this write saved nothing: 503 with
 * Retry-After. A route's own form round-trip re-shows its form (shared/http.ts submitForm); any other browser write
 * that passed its checks keeps what was typed as lapse.ts does — htmx: the message goes before the form, which stays
 * on screen for the same button; a plain form: a page holding the values (never a password) one press from being
 * sent again with a fresh token. Anything else gets the message alone.
 */
function answerBusy(req: FastifyRequest, reply: FastifyReply, message: string) {
  req.log.warn({ event: 'db.busy', url: req.url }, 'database busy: write refused, nothing saved')
  reply.header('Retry-After', String(BUSY_RETRY_SECONDS))
  if (isApi(req)) return reply.code(503).send({ errors: [{ field: null, code: 'busy', message }] })
  const to = resubmitTarget(req.url)
  const form =
    checked.has(req) &&
    to &&
    req.method === 'POST' &&
    !req.routeOptions.config.streamedBody &&
    req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')
  if (!form) return page(req, reply, 503, message)
  if (req.headers['hx-request'] === 'true' && !req.headers['hx-boosted']) {
    const trigger = req.headers['hx-trigger']
    if (typeof trigger === 'string' && /^[A-Za-z][\w-]*$/.test(trigger)) reply.header('HX-Retarget', `#${trigger}`)
    reply.header('HX-Reswap', 'beforebegin')
    return reply.render('busy', {}, { status: 503, partial: 'shared/busy-box' })
  }
  return reply.render(
    'busy',
    { kept: keptFields(req.body), to, form: true, title: req.t('busy.title') },
    { status: 503, partial: 'shared/busy-box' },
  )
}

/**
 * One mapping from failures to answers: schema errors 400, domain rules 409/422, CSRF 403, rate limit 429,
 * a busy database 503, anything else a generic 500 whose details go to the log only.
 */
export default fp(
  async (app) => {
    // Registered after the security and access plugins, so it runs once their checks have passed.
    app.addHook('preHandler', async (req) => {
      checked.add(req)
    })
    app.setErrorHandler(async (err: FastifyError, req, reply) => {
      const t = (key: string, params?: Record<string, unknown>) => translate(req.locale ?? 'zh-CN', key, params)
      if (isBusy(err)) return answerBusy(req, reply, t('error.busy'))
      if (err.validation) {
        const errors = fieldErrors(err.validation)
        if (isApi(req))
          return reply
            .code(400)
            .send({ errors: Object.entries(errors).map(([field, p]) => ({ field, message: t(p.key, p.params) })) })
        // Say what to fix, as a form does (a renewal's date, a filter's area), after the general refusal.
        return page(
          req,
          reply,
          400,
          [t('error.bad_request'), ...new Set(Object.values(errors).map((p) => t(p.key, p.params)))].join(' '),
        )
      }
      if (err instanceof ValidationError) {
        if (isApi(req))
          return reply
            .code(422)
            .send({ errors: Object.entries(err.fields).map(([field, p]) => ({ field, message: t(p.key, p.params) })) })
        return page(
          req,
          reply,
          422,
          Object.values(err.fields)
            .map((p) => t(p.key, p.params))
            .join(' '),
        )
      }
      if (err instanceof DomainError) {
        if (isApi(req))
          return reply
            .code(err.status)
            .send({ errors: [{ field: null, message: t(err.problem.key, err.problem.params) }] })
        return page(req, reply, err.status, t(err.problem.key, err.problem.params))
      }
      if (err.code?.startsWith('FST_CSRF')) {
        req.log.warn({ event: 'csrf.token', url: req.url }, 'csrf token refused')
        if (isApi(req)) return reply.code(403).send({ errors: [{ field: null, message: t('error.csrf') }] })
        // A token refused because the session lapsed (or was renewed in another tab): keep what was typed, sign in in place.
        // (A write from another site never gets here: security.ts refuses it on its Origin first.)
        if (err.code !== 'FST_CSRF_ORIGIN' && lapsable(req)) return answerLapsed(req, reply)
        return page(req, reply, 403, t('error.csrf'))
      }
      if (err.statusCode === 429) {
        if (isApi(req)) return reply.code(429).send({ errors: [{ field: null, message: t('error.rate_limited') }] })
        return page(req, reply, 429, t('error.rate_limited'))
      }
      if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
        if (isApi(req))
          return reply.code(err.statusCode).send({ errors: [{ field: null, message: t('error.bad_request') }] })
        return page(req, reply, err.statusCode, t(err.statusCode === 404 ? 'error.not_found' : 'error.bad_request'))
      }
      req.log.error({ err }, 'unhandled error')
      if (isApi(req)) return reply.code(500).send({ errors: [{ field: null, message: t('error.server') }] })
      return page(req, reply, 500, t('error.server'))
    })

    app.setNotFoundHandler(async (req, reply) => {
      const refused = (req.raw as RefusedUrl)[REFUSED_URL]
      if (refused) {
        const message = translate(req.locale ?? 'zh-CN', 'error.bad_request')
        if (refused.api) return reply.code(refused.status).send({ errors: [{ field: null, message }] })
        return page(req, reply, refused.status, message)
      }
      if (isApi(req))
        return reply
          .code(404)
          .send({ errors: [{ field: null, message: translate(req.locale ?? 'zh-CN', 'error.not_found') }] })
      return page(req, reply, 404, translate(req.locale ?? 'zh-CN', 'error.not_found'))
    })
  },
  { name: 'errors', dependencies: ['view'] },
)
