import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import * as accounts from './accounts.js'
import * as resets from './resets.js'
import * as signups from './signups.js'
import * as orgs from '../orgs/orgs.js'
import { Type } from 'typebox'
import { fields, formSchema, secret, str, oneOf } from '../shared/forms.js'
import { rateLimited, redirectAfterPost, safeNext, submitForm } from '../shared/http.js'
import type { FieldErrors } from '../shared/errors.js'
import { PASSWORD_MAX, PASSWORD_MIN } from './passwords.js'
import { LOCALES } from '../i18n/i18n.js'
import { LOCALE_COOKIE } from '../plugins/i18n.js'
import { landingFor } from '../home/mine.js'
import * as lapse from './lapse.js'
import { signedIn } from '../plugins/auth.js'

const email = Type.String({ format: 'email', maxLength: 254 })
const password = secret(PASSWORD_MAX, PASSWORD_MIN)
const SignInBody = formSchema({ email: str(254, 1), password: secret(PASSWORD_MAX, 1), next: secret(500) }, [
  'email',
  'password',
])
const SignUpBody = formSchema({ email, name: str(60, 1), password, next: secret(500) }, ['email', 'name', 'password'])
const PasswordBody = formSchema(
  { currentPassword: secret(PASSWORD_MAX, 1), newPassword: password, endOthers: str(5) },
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

const NextQuery = fields({ next: secret(500) })
// A link's secret, taken exactly as sent.
const token = secret(100)

const accountsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const limits = (max: number) => rateLimited(app.config, max)

  app.get('/signin', { config: { access: 'anyone' }, schema: { querystring: NextQuery } }, async (req, reply) => {
    if (req.user) return reply.redirect(landingFor(req.user), 303)
    return reply.render('accounts/signin', { form: true, values: { next: req.query.next } })
  })

  app.post(
    '/signin',
    { config: { access: 'anyone', ...limits(20) }, schema: { body: SignInBody }, attachValidation: true },
    async (req, reply) => {
      const body = req.body
      const showForm = (errors: FieldErrors, status: number, failed = false) =>
        reply.render(
          'accounts/signin',
          { form: true, errors, failed, values: { email: body.email, next: body.next } },
          { status, partial: 'accounts/signin-form' },
        )
      return submitForm(req, reply, showForm, async () => {
        const result = await accounts.signIn(app.db, {
          email: body.email,
          password: body.password,
          ip: req.ip,
          locale: req.locale,
        })
        if (!result.ok && result.retryAfter) {
          reply.header('Retry-After', String(result.retryAfter))
          return showForm({ _: { key: 'auth.signin.throttled', params: { seconds: result.retryAfter } } }, 429)
        }
        // Unknown account and wrong password get exactly the same answer.
        if (!result.ok) return showForm({}, 401, true)
        await req.session.regenerate()
        req.session.userId = result.user.id
        reply.flash('auth.signed_in', { name: result.user.name })
        return redirectAfterPost(req, reply, safeNext(body.next, landingFor(result.user)))
      })
    },
  )

  // The lapse path (accounts/lapse.ts): signing in where a form was refused, its values kept in the page.
  const InlineSignInBody = formSchema({ email: str(254, 1), password: secret(PASSWORD_MAX, 1) }, ['email', 'password'])
  app.post(
    '/signin/inline',
    { config: { access: 'anyone', ...limits(20) }, schema: { body: InlineSignInBody }, attachValidation: true },
    async (req, reply) => {
      const body = req.body
      const again = (extra: Record<string, unknown>, status: number) =>
        reply.render(
          'accounts/lapsed',
          { form: true, lapsedInline: true, email: body.email, ...extra },
          { status, partial: 'accounts/lapsed-box' },
        )
      if (req.validationError) return again({ failed: true }, 422)
      const result = await accounts.signIn(app.db, {
        email: body.email,
        password: body.password,
        ip: req.ip,
        locale: req.locale,
      })
      if (!result.ok && result.retryAfter)
        return again({ throttled: { key: 'auth.signin.throttled', params: { seconds: result.retryAfter } } }, 429)
      if (!result.ok) return again({ failed: true }, 401)
      await req.session.regenerate()
      req.session.userId = result.user.id
      req.user = accounts.load(app.db, result.user.id) ?? null
      if (req.headers['hx-request'] !== 'true') return reply.redirect(landingFor(result.user), 303)
      return reply.render('accounts/lapsed', {}, { partial: 'accounts/lapse-done' })
    },
  )

  // A plain form (no script) refused after a lapse: sign in, then one press sends the kept values on.
  const ContinueBody = Type.Unsafe<{ email: string; password: string; to: string } & Record<string, string | string[]>>(
    {
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
    },
  )
  app.post(
    '/signin/continue',
    { config: { access: 'anyone', ...limits(20) }, schema: { body: ContinueBody } },
    async (req, reply) => {
      const body = req.body
      const kept = lapse.keptFields(body, lapse.KEPT_PREFIX)
      const to = lapse.resubmitTarget(body.to)
      if (!to) return reply.redirect('/', 303)
      const result = await accounts.signIn(app.db, {
        email: body.email,
        password: body.password,
        ip: req.ip,
        locale: req.locale,
      })
      if (!result.ok) {
        const throttled = result.retryAfter
          ? { key: 'auth.signin.throttled', params: { seconds: result.retryAfter } }
          : undefined
        return reply.render(
          'accounts/lapsed',
          { form: true, kept, to, email: body.email, failed: !throttled, throttled, title: req.t('lapse.title') },
          { status: throttled ? 429 : 401 },
        )
      }
      await req.session.regenerate()
      req.session.userId = result.user.id
      req.user = accounts.load(app.db, result.user.id) ?? null
      return reply.render('accounts/resubmit', { kept, to, title: req.t('lapse.continue.title') })
    },
  )

  // Who is signed in, for a page left open (public/app.js asks when the tab is shown again): the header, with a fresh token.
  app.get('/session/nav', { config: { access: 'anyone' } }, async (req, reply) => {
    reply.header('Cache-Control', 'no-store')
    return reply.render('session-nav', {}, { partial: 'shared/nav' })
  })

  // `next`: where the person was going (a listing's "I can help"); the confirmation link brings them back there.
  const nextOf = (value: unknown) =>
    typeof value === 'string' && safeNext(value, '') ? safeNext(value, '') : undefined
  app.get('/signup', { config: { access: 'anyone' }, schema: { querystring: NextQuery } }, async (req, reply) => {
    const next = nextOf(req.query.next)
    if (req.user) return reply.redirect(next ?? '/account', 303)
    return reply.render('accounts/signup', { form: true, values: { next } })
  })

  // The same answer whether or not the address has an account: the email that follows differs, not the page.
  app.post(
    '/signup',
    { config: { access: 'anyone', ...limits(10) }, schema: { body: SignUpBody }, attachValidation: true },
    async (req, reply) => {
      const body = req.body
      const showForm = (errors: FieldErrors, status: number) =>
        reply.render(
          'accounts/signup',
          { form: true, errors, values: { email: body.email, name: body.name, next: nextOf(body.next) } },
          { status, partial: 'accounts/signup-form' },
        )
      return submitForm(req, reply, showForm, async () => {
        await signups.begin(app.db, {
          email: body.email,
          name: body.name,
          password: body.password,
          locale: req.locale,
          next: nextOf(body.next),
        })
        return reply.render(
          'accounts/signup',
          { sent: true, values: { email: body.email } },
          { partial: 'accounts/signup-form' },
        )
      })
    },
  )

  const ConfirmQuery = fields({ token, next: secret(500) })
  const showConfirm = (
    req: FastifyRequest,
    reply: FastifyReply,
    token: string | undefined,
    errors: FieldErrors = {},
    status = 200,
    next?: string,
  ) => {
    // The secret is in this page's address: it must not travel on to anywhere in a Referer.
    reply.header('Referrer-Policy', 'no-referrer')
    const signup = token ? signups.pending(app.db, token) : undefined
    return reply.render(
      'accounts/confirm',
      { form: !!signup, token, signup, errors, next: nextOf(next) },
      { status: signup ? status : 400 },
    )
  }

  app.get(
    '/signup/confirm',
    { config: { access: 'anyone' }, schema: { querystring: ConfirmQuery } },
    async (req, reply) => showConfirm(req, reply, req.query.token, {}, 200, req.query.next),
  )

  app.post(
    '/signup/confirm',
    {
      config: { access: 'anyone', ...limits(10) },
      schema: { body: formSchema({ token, password: str(PASSWORD_MAX, 1), next: secret(500) }, ['token', 'password']) },
      attachValidation: true,
    },
    async (req, reply) => {
      const body = req.body
      return submitForm(
        req,
        reply,
        (errors, status) => showConfirm(req, reply, body.token, errors, status, body.next),
        async () => {
          const user = await signups.complete(app.db, body.token, body.password)
          if (!user) {
            reply.flash('auth.signup.taken')
            return redirectAfterPost(req, reply, '/signin')
          }
          await req.session.regenerate()
          req.session.userId = user.id
          reply.flash('auth.welcome')
          // Back where they were going, else on to registering their group.
          return redirectAfterPost(req, reply, nextOf(body.next) ?? '/orgs/new')
        },
      )
    },
  )

  app.post('/signout', { config: { access: 'signed_in' }, schema: { body: formSchema({}) } }, async (req, reply) => {
    await req.session.destroy()
    reply.flash('auth.signed_out')
    return redirectAfterPost(req, reply, '/')
  })

  const showAccount = (req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    const me = signedIn(req)
    const user = accounts.profile(app.db, me.id)
    return reply.render(
      'accounts/account',
      {
        orgs: orgs.mine(app.db, me),
        settings: { name: user?.name, notify: user?.notify, phone: user?.phone },
        ...extra,
      },
      { status },
    )
  }

  app.get('/account', { config: { access: 'signed_in' } }, async (req, reply) => showAccount(req, reply))

  app.post(
    '/account/password',
    { config: { access: 'signed_in', ...limits(10) }, schema: { body: PasswordBody }, attachValidation: true },
    async (req, reply) => {
      const body = req.body
      return submitForm(
        req,
        reply,
        (errors, status) =>
          showAccount(
            req,
            reply,
            { passwordErrors: errors },
            errors.currentPassword?.key === 'validation.password_mismatch' ? 403 : status,
          ),
        async () => {
          await accounts.changePassword(app.db, signedIn(req).id, {
            currentPassword: body.currentPassword,
            newPassword: body.newPassword,
            endOtherSessions: body.endOthers === 'yes',
            keepSid: req.session.sessionId,
          })
          reply.flash('auth.password.changed')
          return redirectAfterPost(req, reply, '/account')
        },
      )
    },
  )

  app.post(
    '/account/settings',
    { config: { access: 'signed_in' }, schema: { body: SettingsBody }, attachValidation: true },
    async (req, reply) => {
      const body = req.body
      return submitForm(
        req,
        reply,
        (errors, status) => showAccount(req, reply, { settingsErrors: errors, settings: body }, status),
        async () => {
          accounts.updateSettings(app.db, signedIn(req).id, { name: body.name, notify: body.notify, phone: body.phone })
          reply.flash('account.saved')
          return redirectAfterPost(req, reply, '/account')
        },
      )
    },
  )

  app.get('/password/forgot', { config: { access: 'anyone' } }, async (req, reply) =>
    reply.render('accounts/forgot', { form: true, values: {} }),
  )

  // The same answer whether or not the address has an account.
  app.post(
    '/password/forgot',
    {
      config: { access: 'anyone', ...limits(5) },
      schema: { body: formSchema({ email: str(254, 1) }, ['email']) },
      attachValidation: true,
    },
    async (req, reply) => {
      const body = req.body
      return submitForm(
        req,
        reply,
        (errors, status) => reply.render('accounts/forgot', { form: true, errors, values: body }, { status }),
        () => {
          resets.request(app.db, body.email)
          return reply.render('accounts/forgot', { sent: true })
        },
      )
    },
  )

  const ResetQuery = fields({ token })
  const showReset = (
    req: FastifyRequest,
    reply: FastifyReply,
    token: string | undefined,
    errors: FieldErrors = {},
    status = 200,
  ) => {
    // The secret is in this page's address: it must not travel on to anywhere in a Referer.
    reply.header('Referrer-Policy', 'no-referrer')
    const valid = !!token && resets.isValid(app.db, token)
    // No form, no CSRF token, no session row for a dead link.
    return reply.render('accounts/reset', { form: valid, token, valid, errors }, { status: valid ? status : 400 })
  }

  app.get(
    '/password/reset',
    { config: { access: 'anyone' }, schema: { querystring: ResetQuery } },
    async (req, reply) => showReset(req, reply, req.query.token),
  )

  app.post(
    '/password/reset',
    {
      config: { access: 'anyone', ...limits(10) },
      schema: { body: formSchema({ token, newPassword: password }, ['token', 'newPassword']) },
      attachValidation: true,
    },
    async (req, reply) => {
      const body = req.body
      return submitForm(
        req,
        reply,
        (errors, status) => showReset(req, reply, body.token, errors, status),
        async () => {
          await resets.complete(app.db, body.token, body.newPassword)
          reply.flash('reset.done')
          return redirectAfterPost(req, reply, '/signin')
        },
      )
    },
  )

  // A preference, not a record: remembered in a cookie so it holds before sign-in too.
  app.get(
    '/locale/:lang',
    {
      config: { access: 'anyone' },
      schema: { params: fields({ lang: oneOf(LOCALES) }, ['lang']), querystring: NextQuery },
    },
    async (req, reply) => {
      const { lang } = req.params
      reply.setCookie(LOCALE_COOKIE, lang, {
        path: '/',
        maxAge: 365 * 86_400,
        sameSite: 'lax',
        httpOnly: true,
        secure: app.config.secureCookies,
      })
      return reply.redirect(safeNext(req.query.next), 303)
    },
  )
}

export default accountsRoutes
