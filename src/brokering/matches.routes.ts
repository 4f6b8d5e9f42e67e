import { randomUUID } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import * as matches from './matches.js'
import * as checkins from './checkins.js'
import { EVENTS, REASONS } from './lifecycle.js'
import { Type } from 'typebox'
import { presenter } from '../matching/present.js'
import { formSchema, id32, idParam, int, oneOf, text } from '../shared/forms.js'
import { rateLimited, redirectAfterPost, submitForm } from '../shared/http.js'
import { NotFound, type FieldErrors } from '../shared/errors.js'
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
  /**
   * The match page: both sides and the broker see the same page; contacts only once accepted. A refused form
   * comes back to htmx as the card it targets (`fragment`): the actions, or the thread for a message.
   */
  const showMatch = (
    req: FastifyRequest,
    reply: FastifyReply,
    id: number,
    errors: FieldErrors = {},
    status = 200,
    fragment = 'matches/actions',
  ) => {
    const match = matches.findVisible(app.db, signedIn(req), id)
    if (!match) throw new NotFound()
    const say = presenter(app.db, req.locale)
    return reply.render(
      'matches/show',
      {
        // An empty object would still count as "there are errors" in the template: pass them only when there are some.
        match,
        errors: Object.keys(errors).length ? errors : undefined,
        reasons: say.fit((match.reasons ?? []) as Parameters<typeof say.fit>[0], match.score ?? 0),
        contacts: matches.contacts(app.db, match),
        canRepeat: (match.state === 'delivered' || match.state === 'reviewed') && match.sides.includes('need'),
        checkin: checkins.panel(app.db, match),
        history: matches.history(app.db, id),
        reviews: matches.reviews(app.db, id),
        thread: matches.thread(app.db, id),
        reasonCodes: REASONS,
        idem: randomUUID(),
        title: req.t('match.title', { id }),
      },
      { status, partial: status === 200 ? undefined : fragment },
    )
  }

  app.get('/matches', { config: { access: 'signed_in' } }, async (req, reply) => {
    return reply.render('matches/index', { items: matches.listFor(app.db, signedIn(req)) })
  })

  app.get('/matches/:id', { config: { access: 'signed_in' }, schema: { params: idParam } }, async (req, reply) =>
    showMatch(req, reply, req.params.id),
  )

  const opened = (req: FastifyRequest, reply: FastifyReply, back: string, open: () => matches.Match) =>
    submitForm(
      req,
      reply,
      (errors, status) =>
        reply.code(status).render(
          'error',
          {
            message: Object.values(errors)
              .map((p) => req.t(p.key, p.params))
              .join(' '),
            back,
          },
          { status, partial: 'shared/error' },
        ),
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
      const b = req.body
      return submitForm(
        req,
        reply,
        (errors, status) => showMatch(req, reply, id, errors, status),
        () => {
          matches.fire(app.db, signedIn(req), id, b.event, {
            reason: b.reason,
            quantity: b.quantity,
            rating: b.rating,
            comment: b.comment,
            idempotencyKey: b.idem,
          })
          reply.flash('match.done')
          return redirectAfterPost(req, reply, `/matches/${id}`)
        },
      )
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
      return submitForm(
        req,
        reply,
        (errors, status) => showMatch(req, reply, id, errors, status),
        () => {
          const next = matches.repeat(app.db, signedIn(req), id)
          reply.flash(next.match ? 'match.repeated' : 'match.repeated_need_only')
          return redirectAfterPost(req, reply, next.match ? `/matches/${next.match.id}` : `/needs/${next.needId}`)
        },
      )
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
      return submitForm(
        req,
        reply,
        (errors, status) => showMatch(req, reply, id, errors, status, 'matches/thread'),
        () => {
          matches.say(app.db, signedIn(req), id, req.body.body)
          if (req.headers['hx-request'] === 'true')
            return reply.render(
              'matches/show',
              { thread: matches.thread(app.db, id), match: { id } },
              { partial: 'matches/thread' },
            )
          return redirectAfterPost(req, reply, `/matches/${id}#thread`)
        },
      )
    },
  )
}

export default matchesRoutes
