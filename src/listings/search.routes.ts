import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import * as needs from '../needs/needs.js'
import * as offers from '../offers/offers.js'
import { fields, str } from '../shared/forms.js'
import { categoryNames, present } from './forms.js'

const PER_KIND = 10

/** One box for both sides of the marketplace; each side links on to its full, filterable list. */
const searchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/search',
    { config: { access: 'anyone' }, schema: { querystring: fields({ q: str(100) }) } },
    async (req, reply) => {
      const q = req.query.q?.trim() ?? ''
      const data = q
        ? {
            needs: needs.list(app.db, { q, pageSize: PER_KIND }),
            offers: offers.list(app.db, { q, pageSize: PER_KIND }),
          }
        : undefined
      return reply.render(
        'search',
        {
          q,
          categoryNames: categoryNames(app.db, req.locale),
          title: q || req.t('page.search'),
          needs: data && { ...data.needs, items: data.needs.items.map((n) => present(n, req.locale)) },
          offers: data && { ...data.offers, items: data.offers.items.map((o) => present(o, req.locale)) },
        },
        { partial: 'listings/search-results' },
      )
    },
  )
}

export default searchRoutes
