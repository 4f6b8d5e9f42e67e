import { randomUUID } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import * as matches from './matches.js'
import * as messages from './messages.js'
import { repeat } from './repeat.js'
import * as record from './match-record.js'
import { EVENTS, REASONS } from './lifecycle.js'
import { Type } from 'typebox'
import { loadMatch, matchPageView, refusedOpening, repeatedAnswer } from './matches.pages.js'
import { formSchema, id32, idParam, int, oneOf, text } from '../shared/forms.js'
import { rateLimited, redirectAfterPost, submitForm } from '../shared/http.js'
import type { FieldErrors } from '../shared/errors.js'
import { signedIn } from '../plugins/auth.js'

const idem = Type.String({ maxLength: 80, pattern: '^[A-Za-z0-9-]+$' })
const RequestBody = formSchema({ offerId: id32, quantity: int(1, 10_000_000), idem }, ['offerId', 'quantity'])
const PledgeBody = formSchema({ needId: id32, quantity: int(1, 10_000_000), idem }, ['needId', 'quantity'])
const ProposeBody = formSchema({ needId: id32, offerId: id32, quantity: int(1, 10_000_000), idem }, [
  'needId',
  'offerId',
  'quantity',
])
const TransitionBody = formSchema(
  {
    event: oneOf(EVENTS),
    reason: oneOf(REASONS),
    quantity: int(0, 10_000_000),
    rating: int(1, 5),
    comment: text(1000),
    idem,
  },
  ['event'],
)
const MessageBody = formSchema({ body: text(2000, 1) }, ['body'])

const matchesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  /** The match page. A refused form comes back to htmx as the card it targets (`fragment`): the actions, or the thread. */
  const showMatch = (
    req: FastifyRequest,
    reply: FastifyReply,
    id: number,
    errors: FieldErrors = {},
    status = 200,
    fragment = 'matches/actions',
  ) => {
    const view = matchPageView(loadMatch(app.db, signedIn(req), id, req.locale), req.t, randomUUID(), errors)
    return reply.render('matches/show', view, { status, partial: status === 200 ? undefined : fragment })
  }

  /** A form on the match page: `act` does it and says where to go next; refused, the card again with what to fix. */
  const onMatch = (req: FastifyRequest, reply: FastifyReply, id: number, act: () => string, fragment?: string) =>
    submitForm(
      req,
      reply,
      (errors, status) => showMatch(req, reply, id, errors, status, fragment),
      () => redirectAfterPost(req, reply, act()),
    )

  app.get('/matches', { config: { access: 'signed_in' } }, async (req, reply) => {
    return reply.render('matches/index', { items: record.listFor(app.db, signedIn(req)) })
  })

  app.get('/matches/:id', { config: { access: 'signed_in' }, schema: { params: idParam } }, async (req, reply) =>
    showMatch(req, reply, req.params.id),
  )

  const opened = (req: FastifyRequest, reply: FastifyReply, back: string, open: () => matches.Match) =>
    submitForm(
      req,
      reply,
      (errors, status) =>
        reply.code(status).render('error', refusedOpening(errors, req.t, back), { status, partial: 'shared/error' }),
      () => {
        const match = open()
        reply.flash('match.created')
        return redirectAfterPost(req, reply, `/matches/${match.id}`)
      },
    )

  app.post(
    '/needs/:id/requests',
    {
      config: { access: 'signed_in', ...rateLimited(app.config, 30) },
      schema: { params: idParam, body: RequestBody },
      attachValidation: true,
    },
    async (req, reply) => {
      const { id } = req.params
      const b = req.body
      return opened(req, reply, `/needs/${id}`, () =>
        matches.open(app.db, signedIn(req), 'request', {
          needId: id,
          offerId: b.offerId,
          quantity: b.quantity,
          idempotencyKey: b.idem,
        }),
      )
    },
  )

  app.post(
    '/offers/:id/pledges',
    {
      config: { access: 'signed_in', ...rateLimited(app.config, 30) },
      schema: { params: idParam, body: PledgeBody },
      attachValidation: true,
    },
    async (req, reply) => {
      const { id } = req.params
      const b = req.body
      return opened(req, reply, `/offers/${id}`, () =>
        matches.open(app.db, signedIn(req), 'pledge', {
          needId: b.needId,
          offerId: id,
          quantity: b.quantity,
          idempotencyKey: b.idem,
        }),
      )
    },
  )

  app.post(
    '/matches',
    { config: { access: 'broker' }, schema: { body: ProposeBody }, attachValidation: true },
    async (req, reply) => {
      const b = req.body
      return opened(req, reply, `/needs/${b.needId}`, () =>
        matches.open(app.db, signedIn(req), 'propose', {
          needId: b.needId,
          offerId: b.offerId,
          quantity: b.quantity,
          idempotencyKey: b.idem,
        }),
      )
    },
  )

  app.post(
    '/matches/:id/transitions',
    { config: { access: 'signed_in' }, schema: { params: idParam, body: TransitionBody }, attachValidation: true },
    async (req, reply) => {
      const { id } = req.params
      return onMatch(req, reply, id, () => {
        const { event, reason, quantity, rating, comment, idem } = req.body
        matches.fire(app.db, signedIn(req), id, event, { reason, quantity, rating, comment, idempotencyKey: idem })
        reply.flash('match.done')
        return `/matches/${id}`
      })
    },
  )

  // Yes to the follow-up's "does the arrangement continue?": the next period's need, asking the same offer again.
  app.post(
    '/matches/:id/repetition',
    {
      config: { access: 'signed_in', ...rateLimited(app.config, 30) },
      schema: { params: idParam, body: formSchema({}) },
    },
    async (req, reply) => {
      const { id } = req.params
      return onMatch(req, reply, id, () => {
        const { flash, to } = repeatedAnswer(repeat(app.db, signedIn(req), id))
        reply.flash(flash)
        return to
      })
    },
  )

  app.post(
    '/matches/:id/messages',
    {
      config: { access: 'signed_in', ...rateLimited(app.config, 30) },
      schema: { params: idParam, body: MessageBody },
      attachValidation: true,
    },
    async (req, reply) => {
      const { id } = req.params
      const showForm = (errors: FieldErrors, status: number) =>
        showMatch(req, reply, id, errors, status, 'matches/thread')
      return submitForm(req, reply, showForm, () => {
        messages.say(app.db, signedIn(req), id, req.body.body)
        if (req.headers['hx-request'] !== 'true') return redirectAfterPost(req, reply, `/matches/${id}#thread`)
        const thread = { thread: record.thread(app.db, id), match: { id } }
        return reply.render('matches/show', thread, { partial: 'matches/thread' })
      })
    },
  )
}

export default matchesRoutes
