import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import * as matches from './matches.js'
import { matchJson } from './matches.api.js'
import { idParam, int } from '../shared/forms.js'
import { rateLimited } from '../shared/http.js'
import { ValidationError } from '../shared/errors.js'

const id32 = int(1, 2_147_483_647)
const quantity = int(1, 10_000_000)
const RequestBody = { type: 'object', additionalProperties: false, required: ['offer', 'quantity'], properties: { offer: id32, quantity } }
const PledgeBody = { type: 'object', additionalProperties: false, required: ['need', 'quantity'], properties: { need: id32, quantity } }
const ProposalBody = { type: 'object', additionalProperties: false, required: ['need', 'offer', 'quantity'], properties: { need: id32, offer: id32, quantity } }
const KEY = /^[A-Za-z0-9_.:-]{1,80}$/

/**
 * The Idempotency-Key header, as HTTP APIs spell it: a retried POST with the same key answers with the match it
 * made the first time (a key reused for another request is refused by the service). A key that is not a short
 * token is a 400 on the header, never silently ignored: the client believes it is protected.
 */
function idempotencyKey(req: FastifyRequest): string | undefined {
  const raw = req.headers['idempotency-key']
  if (raw === undefined) return undefined
  if (typeof raw !== 'string' || !KEY.test(raw)) throw new ValidationError({ 'Idempotency-Key': { key: 'validation.invalid' } })
  return raw
}

/**
 * Opening a match through the API: the same service as the web's forms (matches.open), so the same rules
 * (membership of the side that asks, a broker's areas, every hard constraint, capacity left, one active match a
 * pair) and the same errors: 404 for what the caller may not act on, 409 for a rule, 422 for a quantity.
 */
const requestsApi: FastifyPluginAsync = async (app) => {
  const limit = rateLimited(app.config, 30)
  app.post('/api/v1/needs/:id/requests', { config: { access: 'signed_in', ...limit }, schema: { params: idParam, body: RequestBody } }, async (req, reply) => {
    const { id } = req.params as { id: number }
    const b = req.body as { offer: number; quantity: number }
    const m = matches.open(app.db, req.user!, 'request', { needId: id, offerId: b.offer, quantity: b.quantity, idempotencyKey: idempotencyKey(req) })
    return reply.code(201).header('location', `/api/v1/matches/${m.id}`).send(matchJson(m))
  })

  app.post('/api/v1/offers/:id/pledges', { config: { access: 'signed_in', ...limit }, schema: { params: idParam, body: PledgeBody } }, async (req, reply) => {
    const { id } = req.params as { id: number }
    const b = req.body as { need: number; quantity: number }
    const m = matches.open(app.db, req.user!, 'pledge', { needId: b.need, offerId: id, quantity: b.quantity, idempotencyKey: idempotencyKey(req) })
    return reply.code(201).header('location', `/api/v1/matches/${m.id}`).send(matchJson(m))
  })

  app.post('/api/v1/matches', { config: { access: 'broker', ...limit }, schema: { body: ProposalBody } }, async (req, reply) => {
    const b = req.body as { need: number; offer: number; quantity: number }
    const m = matches.open(app.db, req.user!, 'propose', { needId: b.need, offerId: b.offer, quantity: b.quantity, idempotencyKey: idempotencyKey(req) })
    return reply.code(201).header('location', `/api/v1/matches/${m.id}`).send(matchJson(m))
  })
}

export default requestsApi
