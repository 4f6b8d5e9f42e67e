import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import * as areas from './areas.js'
import { areaView, loadArea } from './areas.pages.js'
import { fields, idParam, int } from '../shared/forms.js'
import { NotFound } from '../shared/errors.js'

const areasRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/areas', { config: { access: 'anyone' } }, async (req, reply) => {
    return reply.render('areas/index', { tree: areas.tree(app.db, req.locale) })
  })

  app.get(
    '/areas/:id',
    { config: { access: 'anyone' }, schema: { params: idParam, querystring: fields({ page: int(1, 100_000) }) } },
    async (req, reply) => {
      const data = loadArea(app.db, req.params.id, req.query.page)
      if (!data) throw new NotFound()
      return reply.render('areas/show', areaView(data, req.locale), { partial: 'orgs/list' })
    },
  )
}

export default areasRoutes
