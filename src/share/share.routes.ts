import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import * as share from './share.js'
import { idParam } from '../shared/forms.js'
import { NotFound } from '../shared/errors.js'
import { closedView, loadPoster, posterView } from './share.pages.js'

/**
 * Short links, QR codes and posters of needs and offers. Public like the listings they show; a draft (or no
 * such listing) is not found, a closed one answers 410 with a page that says it is no longer shared.
 */
const shareRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ROUTES = [
    { kind: 'need', short: '/n/:id', long: '/needs/:id' },
    { kind: 'offer', short: '/o/:id', long: '/offers/:id' },
  ] as const
  for (const { kind, short, long } of ROUTES) {
    app.get(short, { config: { access: 'anyone' }, schema: { params: idParam } }, async (req, reply) => {
      const found = share.resolve(app.db, kind, req.params.id)
      if (!found) throw new NotFound()
      if (found.shared) return reply.redirect(share.listingPath(kind, found.listing.id), 302)
      const { status, page, view } = closedView(kind, found.listing, req.t)
      return reply.code(status).render(page, view, { status })
    })

    app.get(`${long}/qr.svg`, { config: { access: 'anyone' }, schema: { params: idParam } }, async (req, reply) => {
      const found = share.resolve(app.db, kind, req.params.id)
      if (!found?.shared) throw new NotFound()
      return reply
        .type('image/svg+xml; charset=utf-8')
        .header('Cache-Control', 'public, max-age=86400')
        .send(await share.qrSvg(share.shortUrl(app.config.baseUrl, kind, found.listing.id)))
    })

    app.get(`${long}/poster`, { config: { access: 'anyone' }, schema: { params: idParam } }, async (req, reply) => {
      const data = loadPoster(app.db, kind, req.params.id, req.locale)
      if (!data) throw new NotFound()
      const { status, page, view } = posterView(data, app.config.baseUrl, req.t, req.locale)
      return reply.code(status).render(page, view, { status })
    })
  }
}

export default shareRoutes
