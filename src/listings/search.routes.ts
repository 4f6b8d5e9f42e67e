import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { fields, str } from '../shared/forms.js'
import { loadSearch, searchView } from './listings.pages.js'

/** One box for both sides of the marketplace; each side links on to its full, filterable list. */
const searchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/search',
    { config: { access: 'anyone' }, schema: { querystring: fields({ q: str(100) }) } },
    async (req, reply) => {
      const view = searchView(loadSearch(app.db, req.query.q ?? ''), req.t, req.locale)
      return reply.render('search', view, { partial: 'listings/search-results' })
    },
  )
}

export default searchRoutes
