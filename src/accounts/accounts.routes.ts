import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import * as accounts from './accounts.js'
import { fields, formSchema, secret, str, oneOf } from '../shared/forms.js'
import { rateLimited, redirectAfterPost, safeNext, submitForm } from '../shared/http.js'
import { PASSWORD_MAX, PASSWORD_MIN } from './passwords.js'
import { LOCALES } from '../i18n/i18n.js'
import { LOCALE_COOKIE } from '../plugins/i18n.js'
import { signedIn } from '../plugins/auth.js'
import { accountPageView, loadAccountPage, type AccountRefusal } from './accounts.pages.js'
import signinRoutes from './signin.routes.js'
import signupRoutes from './signup.routes.js'
import passwordRoutes from './password.routes.js'

const PasswordBody = formSchema(
  { currentPassword: secret(PASSWORD_MAX, 1), newPassword: secret(PASSWORD_MAX, PASSWORD_MIN), endOthers: str(5) },
  ['currentPassword', 'newPassword'],
)
const SettingsBody = formSchema(
  {
    name: str(60, 1),
    notify: oneOf(['instant', 'digest', 'off']),
    phone: Type.String({ maxLength: 30, pattern: '^[0-9+()\\- ]*$' }),
  },
  ['name', 'notify'],
)
const LocaleParams = fields({ lang: oneOf(LOCALES) }, ['lang'])
const NextQuery = fields({ next: secret(500) })

/** The signed-in person's own account (password, settings) and the language preference; the rest of accounts below. */
const accountsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(signinRoutes)
  await app.register(signupRoutes)
  await app.register(passwordRoutes)

  const showAccount = (req: FastifyRequest, reply: FastifyReply, refused?: AccountRefusal) => {
    const { status, view } = accountPageView(loadAccountPage(app.db, signedIn(req)), refused)
    return reply.render('accounts/account', view, { status })
  }

  app.get('/account', { config: { access: 'signed_in' } }, async (req, reply) => showAccount(req, reply))

  app.post(
    '/account/password',
    {
      config: { access: 'signed_in', ...rateLimited(app.config, 10) },
      schema: { body: PasswordBody },
      attachValidation: true,
    },
    async (req, reply) => {
      const refused = (errors: AccountRefusal['errors'], status: number) =>
        showAccount(req, reply, { form: 'password', errors, status })
      return submitForm(req, reply, refused, async () => {
        const { currentPassword, newPassword, endOthers } = req.body
        const change = { currentPassword, newPassword, endOtherSessions: endOthers === 'yes' }
        await accounts.changePassword(app.db, signedIn(req).id, { ...change, keepSid: req.session.sessionId })
        return redirectAfterPost(req, reply.flash('auth.password.changed'), '/account')
      })
    },
  )

  app.post(
    '/account/settings',
    { config: { access: 'signed_in' }, schema: { body: SettingsBody }, attachValidation: true },
    async (req, reply) => {
      const refused = (errors: AccountRefusal['errors'], status: number) =>
        showAccount(req, reply, { form: 'settings', errors, status, values: req.body })
      return submitForm(req, reply, refused, () => {
        const { name, notify, phone } = req.body
        accounts.updateSettings(app.db, signedIn(req).id, { name, notify, phone })
        return redirectAfterPost(req, reply.flash('account.saved'), '/account')
      })
    },
  )

  // A preference, not a record: remembered in a cookie so it holds before sign-in too.
  app.get(
    '/locale/:lang',
    { config: { access: 'anyone' }, schema: { params: LocaleParams, querystring: NextQuery } },
    async (req, reply) => {
      const secure = app.config.secureCookies
      reply.setCookie(LOCALE_COOKIE, req.params.lang, {
        path: '/',
        maxAge: 365 * 86_400,
        sameSite: 'lax',
        httpOnly: true,
        secure,
      })
      return reply.redirect(safeNext(req.query.next), 303)
    },
  )
}

export default accountsRoutes
