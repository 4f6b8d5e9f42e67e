import fp from 'fastify-plugin'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { DomainError, ValidationError } from '../shared/errors.js'
import { fieldErrors } from '../shared/forms.js'
import { translate } from '../i18n/i18n.js'

const isApi = (req: FastifyRequest) => req.url.startsWith('/api/')

function page(req: FastifyRequest, reply: FastifyReply, status: number, message: string) {
  return reply.code(status).render(status === 404 ? 'not-found' : 'error', { message, status }, { status, partial: 'shared/error' })
}

/**
 * One mapping from failures to answers: schema errors 400, domain rules 409/422, CSRF 403, rate limit 429,
 * anything else a generic 500 whose details go to the log only.
 */
export default fp(async (app) => {
  app.setErrorHandler(async (err: FastifyError, req, reply) => {
    const t = (key: string, params?: Record<string, unknown>) => translate(req.locale ?? 'zh-CN', key, params)
    if (err.validation) {
      const errors = fieldErrors(err.validation)
      if (isApi(req)) return reply.code(400).send({ errors: Object.entries(errors).map(([field, p]) => ({ field, message: t(p.key, p.params) })) })
      return page(req, reply, 400, t('error.bad_request'))
    }
    if (err instanceof ValidationError) {
      if (isApi(req)) return reply.code(422).send({ errors: Object.entries(err.fields).map(([field, p]) => ({ field, message: t(p.key, p.params) })) })
      return page(req, reply, 422, Object.values(err.fields).map((p) => t(p.key, p.params)).join(' '))
    }
    if (err instanceof DomainError) {
      if (isApi(req)) return reply.code(err.status).send({ errors: [{ field: null, message: t(err.problem.key, err.problem.params) }] })
      return page(req, reply, err.status, t(err.problem.key, err.problem.params))
    }
    if (err.code?.startsWith('FST_CSRF')) {
      req.log.warn({ event: 'csrf.token', url: req.url }, 'csrf token refused')
      if (isApi(req)) return reply.code(403).send({ errors: [{ field: null, message: t('error.csrf') }] })
      return page(req, reply, 403, t('error.csrf'))
    }
    if (err.statusCode === 429) {
      if (isApi(req)) return reply.code(429).send({ errors: [{ field: null, message: t('error.rate_limited') }] })
      return page(req, reply, 429, t('error.rate_limited'))
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      if (isApi(req)) return reply.code(err.statusCode).send({ errors: [{ field: null, message: t('error.bad_request') }] })
      return page(req, reply, err.statusCode, t(err.statusCode === 404 ? 'error.not_found' : 'error.bad_request'))
    }
    req.log.error({ err }, 'unhandled error')
    if (isApi(req)) return reply.code(500).send({ errors: [{ field: null, message: t('error.server') }] })
    return page(req, reply, 500, t('error.server'))
  })

  app.setNotFoundHandler(async (req, reply) => {
    if (isApi(req)) return reply.code(404).send({ errors: [{ field: null, message: translate(req.locale ?? 'zh-CN', 'error.not_found') }] })
    return page(req, reply, 404, translate(req.locale ?? 'zh-CN', 'error.not_found'))
  })
}, { name: 'errors', dependencies: ['view'] })
