import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import * as matches from './matches.js'
import { matchJson, MatchJson } from './matches.api.js'
import { fields, id32, idParam, int } from '../shared/forms.js'
import { signedIn } from '../plugins/auth.js'
import { rateLimited } from '../shared/http.js'
import { ValidationError } from '../shared/errors.js'

const quantity = int(1, 10_000_000)
const closed = { additionalProperties: false }
const RequestBody = fields({ offer: id32, quantity }, ['offer', 'quantity'], closed)
const PledgeBody = fields({ need: id32, quantity }, ['need', 'quantity'], closed)
const ProposalBody = fields({ need: id32, offer: id32, quantity }, ['need', 'offer', 'quantity'], closed)
const Opened = { 201: MatchJson }
const KEY = /^[A-Za-z0-9_.:-]{1,80}$/

/**
 * The Idempotency-Key header, as HTTP APIs spell it: a retried POST with the same key answers with the match it
 * made the first time (a key reused for another request is refused by the service). A key that is not a short
 * token is a 400 on the header, never silently ignored: the client believes it is protected.
 */
function idempotencyKey(req: FastifyRequest): string | undefined {
  const raw = req.headers['idempotency-key']
  if (raw === undefined) return undefined
  if (typeof raw !== 'string' || !KEY.test(raw))
    throw new ValidationError({ 'Idempotency-Key': { key: 'validation.invalid' } })
  return raw
}

/**
 * Opening a match through the API: the same service as the web's forms (matches.open), so the same rules
 * (membership of the side that asks, a broker's areas, every hard constraint, capacity left, one active match a
 * pair) and the same errors: 404 for what the caller may not act on, 409 for a rule, 422 for a quantity.
 */
const requestsApi: FastifyPluginAsyncTypebox = async (app) => {
  const limit = rateLimited(app.config, 30)
  app.post(
    '/api/v1/needs/:id/requests',
    { config: { access: 'signed_in', ...limit }, schema: { params: idParam, body: RequestBody, response: Opened } },
    async (req, reply) => {
      const b = req.body
      const m = matches.open(app.db, signedIn(req), 'request', {
        needId: req.params.id,
        offerId: b.offer,
        quantity: b.quantity,
        idempotencyKey: idempotencyKey(req),
      })
      return reply.code(201).header('location', `/api/v1/matches/${m.id}`).send(matchJson(m))
    },
  )

  app.post(
    '/api/v1/offers/:id/pledges',
    { config: { access: 'signed_in', ...limit }, schema: { params: idParam, body: PledgeBody, response: Opened } },
    async (req, reply) => {
      const b = req.body
      const m = matches.open(app.db, signedIn(req), 'pledge', {
        needId: b.need,
        offerId: req.params.id,
        quantity: b.quantity,
        idempotencyKey: idempotencyKey(req),
      })
      return reply.code(201).header('location', `/api/v1/matches/${m.id}`).send(matchJson(m))
    },
  )

  app.post(
    '/api/v1/matches',
    { config: { access: 'broker', ...limit }, schema: { body: ProposalBody, response: Opened } },
    async (req, reply) => {
      const b = req.body
      const m = matches.open(app.db, signedIn(req), 'propose', {
        needId: b.need,
        offerId: b.offer,
        quantity: b.quantity,
        idempotencyKey: idempotencyKey(req),
      })
      return reply.code(201).header('location', `/api/v1/matches/${m.id}`).send(matchJson(m))
    },
  )
}

export default requestsApi
