import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import * as resets from './resets.js'
import { fields, formSchema, secret, str } from '../shared/forms.js'
import { rateLimited, redirectAfterPost, submitForm } from '../shared/http.js'
import type { FieldErrors } from '../shared/errors.js'
import { PASSWORD_MAX, PASSWORD_MIN } from './passwords.js'
import { resetPageView } from './accounts.pages.js'

// A link's secret, taken exactly as sent.
const token = secret(100)
const ForgotBody = formSchema({ email: str(254, 1) }, ['email'])
const ResetQuery = fields({ token })
const ResetBody = formSchema({ token, newPassword: secret(PASSWORD_MAX, PASSWORD_MIN) }, ['token', 'newPassword'])

/** A forgotten password: a link mailed to the address, and the page the link opens to choose a new one. */
const passwordRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const showReset = (reply: FastifyReply, token: string | undefined, errors?: FieldErrors, status?: number) => {
    // The secret is in this page's address: it must not travel on to anywhere in a Referer.
    reply.header('Referrer-Policy', 'no-referrer')
    const { status: code, view } = resetPageView(!!token && resets.isValid(app.db, token), token, errors, status)
    return reply.render('accounts/reset', view, { status: code })
  }

  app.get('/password/forgot', { config: { access: 'anyone' } }, async (req, reply) =>
    reply.render('accounts/forgot', { form: true, values: {} }),
  )

  // The same answer whether or not the address has an account.
  app.post(
    '/password/forgot',
    {
      config: { access: 'anyone', ...rateLimited(app.config, 5) },
      schema: { body: ForgotBody },
      attachValidation: true,
    },
    async (req, reply) => {
      const body = req.body
      const showForm = (errors: FieldErrors, status: number) =>
        reply.render('accounts/forgot', { form: true, errors, values: body }, { status })
      return submitForm(req, reply, showForm, () => {
        resets.request(app.db, body.email)
        return reply.render('accounts/forgot', { sent: true })
      })
    },
  )

  app.get(
    '/password/reset',
    { config: { access: 'anyone' }, schema: { querystring: ResetQuery } },
    async (req, reply) => showReset(reply, req.query.token),
  )

  app.post(
    '/password/reset',
    {
      config: { access: 'anyone', ...rateLimited(app.config, 10) },
      schema: { body: ResetBody },
      attachValidation: true,
    },
    async (req, reply) => {
      const { token, newPassword } = req.body
      return submitForm(
        req,
        reply,
        (errors, status) => showReset(reply, token, errors, status),
        async () => {
          await resets.complete(app.db, token, newPassword)
          return redirectAfterPost(req, reply.flash('reset.done'), '/signin')
        },
      )
    },
  )
}

export default passwordRoutes
