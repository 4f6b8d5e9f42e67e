import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import * as areas from './areas.js'
import * as orgs from '../orgs/orgs.js'
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
      const { id } = req.params
      const area = areas.get(app.db, id)
      if (!area) throw new NotFound()
      const { page } = req.query
      return reply.render(
        'areas/show',
        {
          area: { ...area, label: areas.displayName(area, req.locale) },
          ancestors: areas.ancestors(app.db, area).map((a) => ({ ...a, label: areas.displayName(a, req.locale) })),
          children: areas.children(app.db, id).map((a) => ({ ...a, label: areas.displayName(a, req.locale) })),
          ...orgs.list(app.db, { area: id, page }),
          query: { page },
        },
        { partial: 'orgs/list' },
      )
    },
  )
}

export default areasRoutes
