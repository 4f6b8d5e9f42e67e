import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { chips, loadPrecision, precisionView, type ChipState } from './topics.pages.js'
import { codes, fields, str, oneOf } from '../shared/forms.js'

const SuggestQuery = fields({
  category: str(40),
  title: str(120),
  description: str(4000),
  topicsFor: str(40),
  topicsChosen: oneOf(['1']),
  topics: codes(20),
})

const topicsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // The listing form's chips, redrawn as the poster types (htmx); nothing is stored.
  app.get(
    '/topics/suggest',
    { config: { access: 'signed_in' }, schema: { querystring: SuggestQuery }, attachValidation: true },
    async (req, reply) => {
      const state: ChipState = req.validationError ? {} : req.query
      return reply.render(
        'topics/suggest',
        { topicChips: chips(app.db, req.locale, state), errors: {} },
        { partial: 'topics/chips' },
      )
    },
  )

  // How often people said the matcher's pairs were about other things, per category and topic.
  app.get('/desk/precision', { config: { access: 'staff' } }, async (req, reply) => {
    return reply.render('topics/precision', precisionView(loadPrecision(app.db, req.locale), req.t))
  })
}

export default topicsRoutes
