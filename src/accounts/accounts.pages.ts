import type { Db } from '../db/client.js'
import type { Translate } from '../i18n/i18n.js'
import type { FieldErrors, Problem } from '../shared/errors.js'
import { safeNext } from '../shared/http.js'
import * as accounts from './accounts.js'
import * as orgs from '../orgs/orgs.js'
import type { KeptField } from './lapse.js'

/** A refused sign-in: throttled (429, with how long to wait) or simply refused (401). */
export interface SignInRefusal {
  status: 401 | 429
  retryAfter?: number
  throttled?: Problem
}

/**
 * Why a sign-in was refused, as every sign-in form says it. An unknown account and a wrong password get exactly the
 * same answer; only a throttle is told apart, with the seconds to wait.
 */
export function signInRefusal(result: { retryAfter?: number }): SignInRefusal {
  if (!result.retryAfter) return { status: 401 }
  const seconds = result.retryAfter
  return { status: 429, retryAfter: seconds, throttled: { key: 'auth.signin.throttled', params: { seconds } } }
}

/** What accounts/signin shows again: the address and destination as typed (never the password), and why. */
export function signInFormView(
  values: { email?: string; next?: string },
  errors: FieldErrors,
  refusal?: SignInRefusal,
) {
  return {
    form: true,
    errors: refusal?.throttled ? { _: refusal.throttled } : errors,
    failed: refusal?.status === 401,
    values: { email: values.email, next: values.next },
  }
}

/** The lapse box (accounts/lapsed, inline) after a refused sign-in: the address kept, throttled or failed. */
export function inlineSignInView(email: string | undefined, refusal: SignInRefusal | 'invalid') {
  const said = refusal === 'invalid' || !refusal.throttled ? { failed: true } : { throttled: refusal.throttled }
  return { form: true, lapsedInline: true, email, ...said }
}

/** The plain lapse page after a refused sign-in: the kept values still waiting to be sent on to `to`. */
export function continueRefusedView(
  t: Translate,
  refusal: SignInRefusal,
  values: { kept: KeptField[]; to: string; email: string },
) {
  return {
    form: true,
    ...values,
    failed: !refusal.throttled,
    throttled: refusal.throttled,
    title: t('lapse.title'),
  }
}

/** Where a sign-up or its confirmation goes on to: a same-site path, or nothing (never the fallback `/`). */
export function signupNext(value: unknown): string | undefined {
  return typeof value === 'string' && safeNext(value, '') ? safeNext(value, '') : undefined
}

/** The sign-up form again: what was typed (never the password), and where the person was going. */
export function signupFormView(body: { email?: string; name?: string; next?: string }, errors: FieldErrors) {
  return { form: true, errors, values: { email: body.email, name: body.name, next: signupNext(body.next) } }
}

/** The confirmation page: the form only while the link is alive, else 400 and no form (no session row for it). */
export function confirmPageView(
  signup: { email: string; name: string } | undefined,
  token: string | undefined,
  next: unknown,
  errors: FieldErrors = {},
  status = 200,
) {
  return {
    status: signup ? status : 400,
    view: { form: !!signup, token, signup, errors, next: signupNext(next) },
  }
}

/** The reset page: the form only for a live link, else 400 with no form, no CSRF token, no session row. */
export function resetPageView(valid: boolean, token: string | undefined, errors: FieldErrors = {}, status = 200) {
  return { status: valid ? status : 400, view: { form: valid, token, valid, errors } }
}

export function loadAccountPage(db: Db, me: accounts.CurrentUser) {
  return { orgs: orgs.mine(db, me), profile: accounts.profile(db, me.id) }
}

export type AccountPage = ReturnType<typeof loadAccountPage>

/** A form on the account page refused: which form, its problems, and for the settings the values as typed. */
export type AccountRefusal =
  | { form: 'password'; errors: FieldErrors; status: number }
  | { form: 'settings'; errors: FieldErrors; status: number; values: Record<string, unknown> }

/**
 * The account page: the viewer's groups and settings. A refused form keeps its problems next to it; a wrong current
 * password is 403 (the person is not who the form says), the settings are shown as typed, never the password.
 */
export function accountPageView(data: AccountPage, refused?: AccountRefusal) {
  const stored = { name: data.profile?.name, notify: data.profile?.notify, phone: data.profile?.phone }
  const view = { orgs: data.orgs, settings: stored as Record<string, unknown> }
  if (!refused) return { status: 200, view }
  if (refused.form === 'password') {
    const mismatch = refused.errors.currentPassword?.key === 'validation.password_mismatch'
    return { status: mismatch ? 403 : refused.status, view: { ...view, passwordErrors: refused.errors } }
  }
  return {
    status: refused.status,
    view: { ...view, settingsErrors: refused.errors, settings: refused.values },
  }
}
