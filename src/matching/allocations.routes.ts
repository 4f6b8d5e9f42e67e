import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import * as allocations from './allocations.js'
import { formSchema, id32, idParam, str } from '../shared/forms.js'
import { redirectAfterPost } from '../shared/http.js'
import { NotFound } from '../shared/errors.js'
import { signedIn } from '../plugins/auth.js'
import {
  allocationsView,
  appliedMessage,
  applyReviewedRun,
  loadAllocations,
  loadRun,
  runView,
} from './allocations.pages.js'

const RunBody = formSchema({ areaIds: Type.Array(id32, { maxItems: 50 }), category: str(40) })
const rowKeys = Type.Array(Type.String({ pattern: '^\\d+:\\d+$' }), { maxItems: 20_000 })
const ApplyBody = formSchema({ keep: rowKeys, notRelevant: rowKeys })

const allocationsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/allocations', { config: { access: 'broker' } }, async (req, reply) => {
    const broker = signedIn(req)
    return reply.render('matching/allocations', allocationsView(loadAllocations(app.db, broker, req.locale), broker))
  })

  app.post('/allocations', { config: { access: 'broker' }, schema: { body: RunBody } }, async (req, reply) => {
    const broker = signedIn(req)
    const run = await allocations.runAllocation(app.db, broker, {
      areaIds: allocations.pickedAreas(broker, req.body.areaIds),
      category: req.body.category ?? null,
    })
    return redirectAfterPost(req, reply, `/allocations/${run.id}`)
  })

  app.get('/allocations/:id', { config: { access: 'broker' }, schema: { params: idParam } }, async (req, reply) => {
    const data = loadRun(app.db, signedIn(req), req.params.id, req.locale)
    if (!data) throw new NotFound()
    return reply.render('matching/allocation', runView(data, req.t))
  })

  // Reviewed rows become proposed matches, each checked again against today's capacity and rules; rows that
  // cannot are kept on the run with why, and rows marked "not relevant" are recorded as the broker's judgement.
  app.post(
    '/allocations/:id/proposals',
    { config: { access: 'broker' }, schema: { params: idParam, body: ApplyBody } },
    async (req, reply) => {
      const done = applyReviewedRun(app.db, signedIn(req), req.params.id, req.body)
      if (!done) throw new NotFound()
      const { key, params } = appliedMessage(done)
      return redirectAfterPost(req, reply.flash(key, params), `/allocations/${req.params.id}`)
    },
  )
}

export default allocationsRoutes
