import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { CLOSE_REASONS } from '../db/schema.js'
import { formSchema } from '../shared/forms.js'
import * as notifications from './notifications.js'
import { signedIn } from '../plugins/auth.js'

type Row = ReturnType<typeof notifications.inbox>[number]

// Links come from our own services, but an href is still only ever a same-site path.
const sameSite = (link: string | null) => (link && /^\/(?![/\\])/.test(link) ? link : undefined)

/** A notice as the inbox shows it: in the reader's language, with its link and, for "still needed?", its forms. */
function present(req: FastifyRequest, n: Row) {
  const id = Number(n.params.id)
  const listing =
    n.kind === 'listing.expiring' && Number.isInteger(id) && id > 0
      ? { path: n.params.kind === 'offer' ? 'offers' : 'needs', id }
      : undefined
  return {
    id: n.id,
    text: notifications.describe(req.locale, n),
    link: sameSite(n.link),
    createdAt: n.createdAt,
    isUnread: !n.readAt,
    listing,
  }
}

const notificationsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const inboxData = (req: FastifyRequest) => ({
    items: notifications.inbox(app.db, signedIn(req).id).map((n) => present(req, n)),
    closeReasons: CLOSE_REASONS,
    title: req.t('inbox.title'),
  })

  app.get('/inbox', { config: { access: 'signed_in' } }, async (req, reply) => {
    return reply.render('notifications/inbox', inboxData(req), { partial: 'notifications/list' })
  })

  app.post('/inbox/read', { config: { access: 'signed_in' }, schema: { body: formSchema({}) } }, async (req, reply) => {
    notifications.markAllRead(app.db, signedIn(req).id)
    // htmx swaps the list in place and the header badge out of band; a plain form goes back to the inbox.
    if (req.headers['hx-request'] === 'true') {
      return reply.render(
        'notifications/inbox',
        { ...inboxData(req), unread: 0, oob: true },
        { partial: 'notifications/list' },
      )
    }
    reply.flash('inbox.marked_read')
    return reply.redirect('/inbox', 303)
  })

  app.get('/admin/outbox', { config: { access: 'admin' } }, async (req, reply) => {
    return reply.render('admin/outbox', {
      messages: notifications.outboxMessages(app.db),
      smtp: Boolean(app.config.smtpUrl),
      title: req.t('outbox.title'),
    })
  })
}

export default notificationsRoutes
