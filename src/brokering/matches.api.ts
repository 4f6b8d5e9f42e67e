import type { FastifyPluginAsync } from 'fastify'
import * as matches from './matches.js'
import { EVENTS, REASONS, type Event } from './lifecycle.js'
import { idParam, int, oneOf, str, text } from '../shared/forms.js'
import { NotFound } from '../shared/errors.js'

const TransitionBody = {
  type: 'object', additionalProperties: false, required: ['event'],
  properties: { event: oneOf(EVENTS), reason: oneOf(REASONS), quantity: int(0, 10_000_000), rating: int(1, 5), comment: text(1000), idempotency_key: { type: 'string', maxLength: 80 } },
}

/** A match as the API shows it (any row carrying a match's columns: a list item, or a match just opened). */
type MatchFields = Pick<matches.Match, 'id' | 'needId' | 'offerId' | 'quantity' | 'deliveredQuantity' | 'state' | 'origin' | 'score' | 'reason' | 'createdAt' | 'updatedAt' | 'acceptedAt' | 'deliveredAt'>
export const matchJson = (m: MatchFields) => ({
  id: m.id, need: m.needId, offer: m.offerId, quantity: m.quantity, delivered_quantity: m.deliveredQuantity, state: m.state, origin: m.origin,
  score: m.score, reason: m.reason, created_at: m.createdAt, updated_at: m.updatedAt, accepted_at: m.acceptedAt, delivered_at: m.deliveredAt,
})

/** The caller's matches, through the same scoped lookups as the web: others' matches are simply not found. */
const matchesApi: FastifyPluginAsync = async (app) => {
  app.get('/api/v1/matches', { config: { access: 'signed_in' } }, async (req) => ({ items: matches.listFor(app.db, req.user!).map(matchJson) }))

  app.get('/api/v1/matches/:id', { config: { access: 'signed_in' }, schema: { params: idParam } }, async (req) => {
    const match = matches.findVisible(app.db, req.user!, (req.params as { id: number }).id)
    if (!match) throw new NotFound()
    const contacts = matches.contacts(app.db, match)
    return { ...matchJson(match), actions: match.actions, history: matches.history(app.db, match.id), ...(contacts ? { contacts } : {}) }
  })

  app.post('/api/v1/matches/:id/transitions', { config: { access: 'signed_in' }, schema: { params: idParam, body: TransitionBody } }, async (req) => {
    const { id } = req.params as { id: number }
    const b = req.body as Record<string, any>
    const m = matches.fire(app.db, req.user!, id, b.event as Event, { reason: b.reason, quantity: b.quantity, rating: b.rating, comment: b.comment, idempotencyKey: b.idempotency_key })
    return { id: m.id, state: m.state, quantity: m.quantity, delivered_quantity: m.deliveredQuantity }
  })
}

export default matchesApi
