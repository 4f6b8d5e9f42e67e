import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { MapQuery } from './map.js'
import { agenda, page } from './map.pages.js'
import { SORTS } from './gaps.js'
import { servingCounted } from '../matching/serving-facts.js'
import { fields, id32, oneOf, str } from '../shared/forms.js'

const MapQuery = fields({ category: str(40), area: id32, sort: oneOf(SORTS) })

const mapRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Public: it aggregates only the open listings anyone may browse, and names no person.
  app.get(
    '/map',
    { config: { access: 'anyone' }, schema: { querystring: MapQuery }, attachValidation: true },
    async (req, reply) => {
      const query: MapQuery = req.validationError ? {} : req.query
      await servingCounted(app.db)
      const data = page(app.db, query, req.locale)
      return reply.render(
        'impact/map',
        { ...data, ignored: !!req.validationError || data.ignored, title: req.t('map.title') },
        { partial: 'impact/map-view' },
      )
    },
  )

  app.get('/map/agenda', { config: { access: 'anyone' } }, async (req, reply) => {
    await servingCounted(app.db)
    return reply.render('impact/map-agenda', {
      ...agenda(app.db, req.user, req.locale),
      title: req.t('agenda.title'),
    })
  })
}

export default mapRoutes
