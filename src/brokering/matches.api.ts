import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import * as matches from './matches.js'
import * as record from './match-record.js'
import { EVENTS, REASONS } from './lifecycle.js'
import { fields, idParam, int, oneOf, secret, text } from '../shared/forms.js'
import { count, nullable } from '../shared/json.js'
import { NotFound } from '../shared/errors.js'
import { signedIn } from '../plugins/auth.js'

const TransitionBody = fields(
  {
    event: oneOf(EVENTS),
    reason: oneOf(REASONS),
    quantity: int(0, 10_000_000),
    rating: int(1, 5),
    comment: text(1000),
    idempotency_key: secret(80),
  },
  ['event'],
  { additionalProperties: false },
)

/** A match as the API shows it (any row carrying a match's columns: a list item, or a match just opened). */
type MatchFields = Pick<
  matches.Match,
  | 'id'
  | 'needId'
  | 'offerId'
  | 'quantity'
  | 'deliveredQuantity'
  | 'state'
  | 'origin'
  | 'score'
  | 'reason'
  | 'createdAt'
  | 'updatedAt'
  | 'acceptedAt'
  | 'deliveredAt'
>
export const matchJson = (m: MatchFields) => ({
  id: m.id,
  need: m.needId,
  offer: m.offerId,
  quantity: m.quantity,
  delivered_quantity: m.deliveredQuantity,
  state: m.state,
  origin: m.origin,
  score: m.score,
  reason: m.reason,
  created_at: m.createdAt,
  updated_at: m.updatedAt,
  accepted_at: m.acceptedAt,
  delivered_at: m.deliveredAt,
})

// Response schemas, field for field (src/shared/json.ts says why).
const orNull = nullable(Type.String())
const matchFields = {
  id: count,
  need: count,
  offer: count,
  quantity: count,
  delivered_quantity: nullable(count),
  state: Type.String(),
  origin: Type.String(),
  score: nullable(Type.Number()),
  reason: orNull,
  created_at: Type.String(),
  updated_at: Type.String(),
  accepted_at: orNull,
  delivered_at: orNull,
}
export const MatchJson = Type.Object(matchFields)
const Contact = Type.Optional(
  Type.Object({ name: Type.String(), phone: orNull, email: orNull, person: Type.Optional(Type.String()) }),
)
const MatchDetailJson = Type.Object({
  ...matchFields,
  actions: Type.Array(Type.String()),
  history: Type.Array(
    Type.Object({
      at: Type.String(),
      event: Type.String(),
      fromState: orNull,
      toState: Type.String(),
      reason: orNull,
      quantity: nullable(count),
      actor: orNull,
      onBehalfOf: orNull,
    }),
  ),
  contacts: Type.Optional(Type.Object({ need: Contact, offer: Contact })),
})
const TransitionJson = Type.Object({
  id: count,
  state: Type.String(),
  quantity: count,
  delivered_quantity: nullable(count),
})

/** The caller's matches, through the same scoped lookups as the web: others' matches are simply not found. */
const matchesApi: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/matches',
    { config: { access: 'signed_in' }, schema: { response: { 200: Type.Object({ items: Type.Array(MatchJson) }) } } },
    async (req) => ({
      items: record.listFor(app.db, signedIn(req)).map(matchJson),
    }),
  )

  app.get(
    '/api/v1/matches/:id',
    { config: { access: 'signed_in' }, schema: { params: idParam, response: { 200: MatchDetailJson } } },
    async (req) => {
      const match = record.findVisible(app.db, signedIn(req), req.params.id)
      if (!match) throw new NotFound()
      const contacts = record.contacts(app.db, match)
      return {
        ...matchJson(match),
        actions: match.actions,
        history: record.history(app.db, match.id),
        ...(contacts ? { contacts } : {}),
      }
    },
  )

  app.post(
    '/api/v1/matches/:id/transitions',
    {
      config: { access: 'signed_in' },
      schema: { params: idParam, body: TransitionBody, response: { 200: TransitionJson } },
    },
    async (req) => {
      const { event, reason, quantity, rating, comment, idempotency_key: idempotencyKey } = req.body
      const m = matches.fire(app.db, signedIn(req), req.params.id, event, {
        reason,
        quantity,
        rating,
        comment,
        idempotencyKey,
      })
      return { id: m.id, state: m.state, quantity: m.quantity, delivered_quantity: m.deliveredQuantity }
    },
  )
}

export default matchesApi
