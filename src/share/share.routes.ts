import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import * as share from './share.js'
import * as topics from '../topics/topics.js'
import { idParam } from '../shared/forms.js'
import { NotFound } from '../shared/errors.js'
import { categoryNames, present } from '../listings/forms.js'

/**
 * Short links, QR codes and posters of needs and offers. Public like the listings they show; a draft (or no
 * such listing) is not found, a closed one answers 410 with a page that says it is no longer shared.
 */
const shareRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const closed = (
    req: FastifyRequest,
    reply: FastifyReply,
    kind: share.Kind,
    listing: { id: number; title: string; status: string },
  ) =>
    reply
      .code(410)
      .render(
        'share/closed',
        { kind, listing, path: share.listingPath(kind, listing.id), title: req.t(`share.closed.${kind}_title`) },
        { status: 410 },
      )

  const ROUTES = [
    { kind: 'need', short: '/n/:id', long: '/needs/:id' },
    { kind: 'offer', short: '/o/:id', long: '/offers/:id' },
  ] as const
  for (const { kind, short, long } of ROUTES) {
    app.get(short, { config: { access: 'anyone' }, schema: { params: idParam } }, async (req, reply) => {
      const found = share.resolve(app.db, kind, req.params.id)
      if (!found) throw new NotFound()
      if (!found.shared) return closed(req, reply, kind, found.listing)
      return reply.redirect(share.listingPath(kind, found.listing.id), 302)
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
      const found = share.resolve(app.db, kind, req.params.id)
      if (!found) throw new NotFound()
      if (!found.shared) return closed(req, reply, kind, found.listing)
      const listing = present(found.listing, req.locale, topics.namer(app.db, req.locale))
      return reply.render('share/poster', {
        kind,
        listing,
        category: categoryNames(app.db, req.locale)[listing.category],
        url: share.shortUrl(app.config.baseUrl, kind, listing.id),
        qr: `${share.listingPath(kind, listing.id)}/qr.svg`,
        back: share.listingPath(kind, listing.id),
        title: listing.title,
        poster: true,
      })
    })
  }
}

export default shareRoutes
