import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { signedIn } from '../plugins/auth.js'
import { idParam } from '../shared/forms.js'
import { refused } from '../shared/http.js'
import { NotFound } from '../shared/errors.js'
import { Refusal } from '../shared/json.js'
import * as calls from './calls.js'
import * as applications from './applications.js'
import * as reviews from './reviews.js'
import * as decision from './decision.js'
import {
  APPLICATION_FIELDS,
  ApplicationBody,
  applicationInput,
  groupMeant,
  publishedCall,
  CALL_FIELDS,
  CallBody,
  callInput,
  DecisionBody,
  refusingInvalid,
  ScoresBody,
  scoresInput,
} from './calls-input.api.js'
import {
  ApplicationJson,
  applicationJson,
  CallJson,
  CallsJson,
  callsJson,
  DecisionJson,
  decisionPreview,
  outcomeJson,
  ReviewJson,
  reviewJson,
  shownCall,
} from './calls-json.api.js'

/** Community fund calls: the web's rights and rules; money in integer fen. What it accepts is in calls-input.api.ts, what it answers in calls-json.api.ts. */
const callsApi: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/calls',
    { config: { access: 'anyone' }, schema: { response: { 200: CallsJson, '4xx': Refusal } } },
    async (req) => callsJson(app.db, req.user),
  )

  app.post(
    '/api/v1/calls',
    { config: { access: 'signed_in' }, schema: { body: CallBody, response: { 201: CallJson, '4xx': Refusal } } },
    async (req, reply) => {
      const user = signedIn(req)
      const input = callInput(app.db, user, req.body, new Date())
      if (!input) return refused(reply, 400, 'holder', req.t('funds.validation.holder_required'))
      return refusingInvalid(req, reply, CALL_FIELDS, () => {
        const c = calls.create(app.db, user, input, { publish: !req.body.draft })
        return reply
          .code(201)
          .header('location', `/api/v1/calls/${c.id}`)
          .send(shownCall(app.db, req.user, c.id))
      })
    },
  )

  app.get(
    '/api/v1/calls/:id',
    { config: { access: 'anyone' }, schema: { params: idParam, response: { 200: CallJson, '4xx': Refusal } } },
    async (req) => shownCall(app.db, req.user, req.params.id),
  )

  app.post(
    '/api/v1/calls/:id/applications',
    {
      config: { access: 'signed_in' },
      schema: { params: idParam, body: ApplicationBody, response: { 201: ApplicationJson, '4xx': Refusal } },
    },
    async (req, reply) => {
      const user = signedIn(req)
      const call = publishedCall(app.db, user, req.params.id)
      const org = groupMeant(app.db, user, call, req.body.org)
      if (typeof org !== 'number') return refused(reply, org.status, org.field, req.t(org.key))
      const input = applicationInput(req.body, org)
      return refusingInvalid(req, reply, APPLICATION_FIELDS, () => {
        const a = applications.create(app.db, user, call.id, input, { submit: req.body.submit })
        return reply.code(201).header('location', `/applications/${a.id}`).send(applicationJson(app.db, a))
      })
    },
  )

  app.post(
    '/api/v1/applications/:id/scores',
    {
      config: { access: 'signed_in' },
      schema: { params: idParam, body: ScoresBody, response: { 201: ReviewJson, '4xx': Refusal } },
    },
    async (req, reply) => {
      const found = applications.findVisible(app.db, req.user, req.params.id)
      if (!found) throw new NotFound()
      return refusingInvalid(req, reply, {}, () => {
        const scores = scoresInput(calls.criteriaOf(app.db, found.call.id), req.body.scores)
        const { note, recuse } = req.body
        const r = reviews.submit(app.db, signedIn(req), req.params.id, { scores, note, recuse })
        return reply.code(201).send(reviewJson(req.params.id, r))
      })
    },
  )

  // A bare POST (no body at all) confirms: callers need not invent an empty object. A body that is not an object is still refused.
  const noBodyIsEmpty = async (req: FastifyRequest) => {
    if (req.body === undefined) req.body = {}
  }
  app.post(
    '/api/v1/calls/:id/decision',
    {
      config: { access: 'signed_in' },
      schema: {
        params: idParam,
        body: DecisionBody,
        response: { 200: DecisionJson, 201: DecisionJson, '4xx': Refusal },
      },
      preValidation: noBodyIsEmpty,
    },
    async (req, reply) => {
      const call = calls.managed(app.db, signedIn(req), req.params.id)
      if (req.body.preview) return decisionPreview(app.db, call)
      const { decision: d, already } = decision.confirm(app.db, signedIn(req), call.id)
      return reply.code(already ? 200 : 201).send({ ...outcomeJson(d), decided: true, preview: false })
    },
  )
}

export default callsApi
