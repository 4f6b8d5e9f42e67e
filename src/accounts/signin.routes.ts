import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import * as accounts from './accounts.js'
import * as lapse from './lapse.js'
import { fields, formSchema, secret, str } from '../shared/forms.js'
import { rateLimited, redirectAfterPost, safeNext, submitForm } from '../shared/http.js'
import type { FieldErrors } from '../shared/errors.js'
import { PASSWORD_MAX } from './passwords.js'
import { landingFor } from '../home/mine.js'
import {
  continueRefusedView,
  inlineSignInView,
  signInFormView,
  signInRefusal,
  type SignInRefusal,
} from './accounts.pages.js'

const SignInBody = formSchema({ email: str(254, 1), password: secret(PASSWORD_MAX, 1), next: secret(500) }, [
  'email',
  'password',
])
// The lapse path (accounts/lapse.ts): signing in where a form was refused, its values kept in the page.
const InlineSignInBody = formSchema({ email: str(254, 1), password: secret(PASSWORD_MAX, 1) }, ['email', 'password'])
// A plain form (no script) refused after a lapse: sign in, then one press sends the kept values on.
const ContinueBody = Type.Unsafe<{ email: string; password: string; to: string } & Record<string, string | string[]>>({
  type: 'object',
  required: ['email', 'password', 'to'],
  maxProperties: 300,
  properties: { _csrf: str(200), email: str(254, 1), password: secret(PASSWORD_MAX, 1), to: str(500, 1) },
  additionalProperties: {
    anyOf: [
      { type: 'string', maxLength: 20_000 },
      { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 20_000 } },
    ],
  },
})
const NextQuery = fields({ next: secret(500) })

/** Signing in (the page, the lapse box and the lapse page), who is signed in, and signing out. */
const signinRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const limits = rateLimited(app.config, 20)

  /** The person signed in, on a fresh session; or why not. */
  const signIn = async (
    req: FastifyRequest,
    credentials: { email: string; password: string },
  ): Promise<{ user: accounts.CurrentUser; refusal?: undefined } | { user?: undefined; refusal: SignInRefusal }> => {
    const result = await accounts.signIn(app.db, { ...credentials, ip: req.ip, locale: req.locale })
    if (!result.ok) return { refusal: signInRefusal(result) }
    await req.session.regenerate()
    req.session.userId = result.user.id
    return { user: result.user }
  }

  const signInForm = (
    reply: FastifyReply,
    values: { email?: string; next?: string },
    errors: FieldErrors,
    status: number,
    refusal?: SignInRefusal,
  ) => {
    if (refusal?.retryAfter) reply.header('Retry-After', String(refusal.retryAfter))
    const view = signInFormView(values, errors, refusal)
    return reply.render('accounts/signin', view, { status, partial: 'accounts/signin-form' })
  }

  /** The lapse box again, the address kept. */
  const lapseBox = (
    reply: FastifyReply,
    email: string | undefined,
    refusal: SignInRefusal | 'invalid',
    status: number,
  ) => reply.render('accounts/lapsed', inlineSignInView(email, refusal), { status, partial: 'accounts/lapsed-box' })

  app.get('/signin', { config: { access: 'anyone' }, schema: { querystring: NextQuery } }, async (req, reply) => {
    if (req.user) return reply.redirect(landingFor(req.user), 303)
    return reply.render('accounts/signin', { form: true, values: { next: req.query.next } })
  })

  app.post(
    '/signin',
    { config: { access: 'anyone', ...limits }, schema: { body: SignInBody }, attachValidation: true },
    async (req, reply) => {
      const showForm = (errors: FieldErrors, status: number, refusal?: SignInRefusal) =>
        signInForm(reply, req.body, errors, status, refusal)
      return submitForm(req, reply, showForm, async () => {
        const { user, refusal } = await signIn(req, req.body)
        if (refusal) return showForm({}, refusal.status, refusal)
        reply.flash('auth.signed_in', { name: user.name })
        return redirectAfterPost(req, reply, safeNext(req.body.next, landingFor(user)))
      })
    },
  )

  app.post(
    '/signin/inline',
    { config: { access: 'anyone', ...limits }, schema: { body: InlineSignInBody }, attachValidation: true },
    async (req, reply) => {
      if (req.validationError) return lapseBox(reply, req.body.email, 'invalid', 422)
      const { user, refusal } = await signIn(req, req.body)
      if (refusal) return lapseBox(reply, req.body.email, refusal, refusal.status)
      req.user = accounts.load(app.db, user.id) ?? null
      if (req.headers['hx-request'] !== 'true') return reply.redirect(landingFor(user), 303)
      return reply.render('accounts/lapsed', {}, { partial: 'accounts/lapse-done' })
    },
  )

  app.post(
    '/signin/continue',
    { config: { access: 'anyone', ...limits }, schema: { body: ContinueBody } },
    async (req, reply) => {
      const kept = lapse.keptFields(req.body, lapse.KEPT_PREFIX)
      const to = lapse.resubmitTarget(req.body.to)
      if (!to) return reply.redirect('/', 303)
      const { user, refusal } = await signIn(req, req.body)
      if (refusal) {
        const view = continueRefusedView(req.t, refusal, { kept, to, email: req.body.email })
        return reply.render('accounts/lapsed', view, { status: refusal.status })
      }
      req.user = accounts.load(app.db, user.id) ?? null
      return reply.render('accounts/resubmit', { kept, to, title: req.t('lapse.continue.title') })
    },
  )

  // Who is signed in, for a page left open (public/app.js asks when the tab is shown again): the header, with a fresh token.
  app.get('/session/nav', { config: { access: 'anyone' } }, async (req, reply) => {
    reply.header('Cache-Control', 'no-store')
    return reply.render('session-nav', {}, { partial: 'shared/nav' })
  })

  app.post('/signout', { config: { access: 'signed_in' }, schema: { body: formSchema({}) } }, async (req, reply) => {
    await req.session.destroy()
    reply.flash('auth.signed_out')
    return redirectAfterPost(req, reply, '/')
  })
}

export default signinRoutes
