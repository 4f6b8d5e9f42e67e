import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { inboxView } from './notifications.pages.js'
import { formSchema } from '../shared/forms.js'
import * as notifications from './notifications.js'
import { signedIn } from '../plugins/auth.js'

const notificationsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const showInbox = (req: FastifyRequest, reply: FastifyReply, marked = false) => {
    const view = inboxView(notifications.inbox(app.db, signedIn(req).id), req.locale, req.t, { marked })
    return reply.render('notifications/inbox', view, { partial: 'notifications/list' })
  }

  app.get('/inbox', { config: { access: 'signed_in' } }, async (req, reply) => showInbox(req, reply))

  app.post('/inbox/read', { config: { access: 'signed_in' }, schema: { body: formSchema({}) } }, async (req, reply) => {
    notifications.markAllRead(app.db, signedIn(req).id)
    // htmx swaps the list in place and the header badge out of band; a plain form goes back to the inbox.
    if (req.headers['hx-request'] === 'true') return showInbox(req, reply, true)
    return reply.flash('inbox.marked_read').redirect('/inbox', 303)
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
