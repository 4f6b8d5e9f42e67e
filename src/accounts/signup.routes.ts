import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import * as signups from './signups.js'
import { fields, formSchema, secret, str } from '../shared/forms.js'
import { rateLimited, redirectAfterPost, submitForm } from '../shared/http.js'
import type { FieldErrors } from '../shared/errors.js'
import { PASSWORD_MAX, PASSWORD_MIN } from './passwords.js'
import { confirmPageView, signupFormView, signupNext } from './accounts.pages.js'

const email = Type.String({ format: 'email', maxLength: 254 })
const SignUpBody = formSchema(
  { email, name: str(60, 1), password: secret(PASSWORD_MAX, PASSWORD_MIN), next: secret(500) },
  ['email', 'name', 'password'],
)
// A link's secret, taken exactly as sent.
const token = secret(100)
const ConfirmQuery = fields({ token, next: secret(500) })
const ConfirmBody = formSchema({ token, password: str(PASSWORD_MAX, 1), next: secret(500) }, ['token', 'password'])
const NextQuery = fields({ next: secret(500) })

/** Signing up: the form, then the link mailed to confirm the address, which creates the account. */
const signupRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const limits = rateLimited(app.config, 10)

  const showConfirm = (
    reply: FastifyReply,
    token: string | undefined,
    next: unknown,
    errors?: FieldErrors,
    status?: number,
  ) => {
    // The secret is in this page's address: it must not travel on to anywhere in a Referer.
    reply.header('Referrer-Policy', 'no-referrer')
    const signup = token ? signups.pending(app.db, token) : undefined
    const { status: code, view } = confirmPageView(signup, token, next, errors, status)
    return reply.render('accounts/confirm', view, { status: code })
  }

  // `next`: where the person was going (a listing's "I can help"); the confirmation link brings them back there.
  app.get('/signup', { config: { access: 'anyone' }, schema: { querystring: NextQuery } }, async (req, reply) => {
    const next = signupNext(req.query.next)
    if (req.user) return reply.redirect(next ?? '/account', 303)
    return reply.render('accounts/signup', { form: true, values: { next } })
  })

  // The same answer whether or not the address has an account: the email that follows differs, not the page.
  app.post(
    '/signup',
    { config: { access: 'anyone', ...limits }, schema: { body: SignUpBody }, attachValidation: true },
    async (req, reply) => {
      const { email, name, password, next } = req.body
      const showForm = (errors: FieldErrors, status: number) =>
        reply.render('accounts/signup', signupFormView(req.body, errors), { status, partial: 'accounts/signup-form' })
      return submitForm(req, reply, showForm, async () => {
        await signups.begin(app.db, { email, name, password, locale: req.locale, next: signupNext(next) })
        return reply.render('accounts/signup', { sent: true, values: { email } }, { partial: 'accounts/signup-form' })
      })
    },
  )

  app.get(
    '/signup/confirm',
    { config: { access: 'anyone' }, schema: { querystring: ConfirmQuery } },
    async (req, reply) => showConfirm(reply, req.query.token, req.query.next),
  )

  app.post(
    '/signup/confirm',
    { config: { access: 'anyone', ...limits }, schema: { body: ConfirmBody }, attachValidation: true },
    async (req, reply) => {
      const showForm = (errors: FieldErrors, status: number) =>
        showConfirm(reply, req.body.token, req.body.next, errors, status)
      return submitForm(req, reply, showForm, async () => {
        const { token, password, next } = req.body
        const user = await signups.complete(app.db, token, password)
        if (!user) return redirectAfterPost(req, reply.flash('auth.signup.taken'), '/signin')
        await startSession(req, user.id)
        // Back where they were going, else on to registering their group.
        return redirectAfterPost(req, reply.flash('auth.welcome'), signupNext(next) ?? '/orgs/new')
      })
    },
  )
}

async function startSession(req: FastifyRequest, userId: number) {
  await req.session.regenerate()
  req.session.userId = userId
}

export default signupRoutes
