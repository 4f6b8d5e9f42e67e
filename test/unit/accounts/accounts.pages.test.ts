import { describe, expect, it } from 'vitest'
import {
  accountPageView,
  confirmPageView,
  continueRefusedView,
  inlineSignInView,
  resetPageView,
  signInFormView,
  signInRefusal,
  signupFormView,
  signupNext,
  type AccountPage,
} from '../../../src/accounts/accounts.pages.js'

const t = (key: string) => `[${key}]`

describe('signInRefusal and the sign-in forms: a refused sign-in', () => {
  it('answers an unknown account and a wrong password alike: 401, failed, nothing said about which', () => {
    const refusal = signInRefusal({})
    expect(refusal).toEqual({ status: 401 })
    const view = signInFormView({ email: 'a@example.org', next: '/needs/3' }, {}, refusal)
    expect(view).toEqual({ form: true, errors: {}, failed: true, values: { email: 'a@example.org', next: '/needs/3' } })
  })

  it('tells a throttle apart: 429 with the seconds to wait, shown as the form’s own problem and not as a failure', () => {
    const refusal = signInRefusal({ retryAfter: 37 })
    expect(refusal).toMatchObject({ status: 429, retryAfter: 37 })
    const view = signInFormView({ email: 'a@example.org' }, {}, refusal)
    expect(view.errors).toEqual({ _: { key: 'auth.signin.throttled', params: { seconds: 37 } } })
    expect(view.failed).toBe(false)
  })

  it('keeps the address typed and the field problems of an invalid form, never the password', () => {
    const typed = { email: 'x', password: 'secret-typed', next: '/offers/1' }
    const view = signInFormView(typed, { email: { key: 'validation.email' } })
    expect(view).toMatchObject({ errors: { email: { key: 'validation.email' } }, failed: false })
    expect(view.values).toEqual({ email: 'x', next: '/offers/1' })
    expect(JSON.stringify(view)).not.toContain('secret-typed')
  })

  it('in the lapse box: an invalid form and a refusal are both "failed", a throttle says how long', () => {
    expect(inlineSignInView('a@example.org', 'invalid')).toEqual({
      form: true,
      lapsedInline: true,
      email: 'a@example.org',
      failed: true,
    })
    expect(inlineSignInView('a@example.org', signInRefusal({}))).toMatchObject({ failed: true })
    const throttled = inlineSignInView('a@example.org', signInRefusal({ retryAfter: 5 }))
    expect(throttled).toMatchObject({ throttled: { params: { seconds: 5 } } })
    expect(throttled).not.toHaveProperty('failed')
  })

  it('on the lapse page: the kept values and their destination still there to send on', () => {
    const kept = [{ name: 'title', value: '周末义诊' }]
    const view = continueRefusedView(t, signInRefusal({}), { kept, to: '/needs', email: 'a@example.org' })
    expect(view).toMatchObject({ form: true, kept, to: '/needs', email: 'a@example.org', failed: true })
    expect(view.throttled).toBeUndefined()
    expect(view.title).toBe('[lapse.title]')
    const throttled = continueRefusedView(t, signInRefusal({ retryAfter: 9 }), { kept, to: '/needs', email: 'a' })
    expect(throttled).toMatchObject({ failed: false, throttled: { key: 'auth.signin.throttled' } })
  })
})

describe('signupNext and the sign-up form: where the person was going', () => {
  it('keeps a same-site path and drops anything that could send them away', () => {
    expect(signupNext('/needs/4')).toBe('/needs/4')
    expect(signupNext('//evil.example')).toBeUndefined()
    expect(signupNext('https://evil.example/')).toBeUndefined()
    expect(signupNext('')).toBeUndefined()
    expect(signupNext(undefined)).toBeUndefined()
  })

  it('shows the form again with the address and name typed, the destination checked, and no password', () => {
    const view = signupFormView({ email: 'a@example.org', name: '王', next: '//evil.example' }, { name: { key: 'x' } })
    expect(view).toEqual({
      form: true,
      errors: { name: { key: 'x' } },
      values: { email: 'a@example.org', name: '王', next: undefined },
    })
  })
})

describe('confirmPageView and resetPageView: pages opened from a mailed link', () => {
  const signup = { email: 'a@example.org', name: '王' }

  it('offers the confirmation form only while the link is alive; a dead link is 400 with no form', () => {
    expect(confirmPageView(signup, 'tok', '/needs/1')).toEqual({
      status: 200,
      view: { form: true, token: 'tok', signup, errors: {}, next: '/needs/1' },
    })
    const dead = confirmPageView(undefined, 'tok', '/needs/1', { password: { key: 'x' } }, 422)
    expect(dead.status).toBe(400)
    expect(dead.view.form).toBe(false)
  })

  it('keeps a refused confirmation’s status and problems, and drops a foreign destination', () => {
    const refused = confirmPageView(signup, 'tok', 'https://evil.example', { password: { key: 'x' } }, 422)
    expect(refused).toMatchObject({ status: 422, view: { form: true, errors: { password: { key: 'x' } } } })
    expect(refused.view.next).toBeUndefined()
  })

  it('offers the reset form only for a live link; a dead one is 400 whatever was refused', () => {
    expect(resetPageView(true, 'tok')).toEqual({
      status: 200,
      view: { form: true, token: 'tok', valid: true, errors: {} },
    })
    expect(resetPageView(true, 'tok', { newPassword: { key: 'x' } }, 422).status).toBe(422)
    expect(resetPageView(false, 'tok', { newPassword: { key: 'x' } }, 422)).toMatchObject({
      status: 400,
      view: { form: false, valid: false },
    })
  })
})

describe('accountPageView: the account page', () => {
  const data = {
    orgs: [{ id: 1, name: '桃园社区志愿队' }],
    profile: { name: '王阿姨', notify: 'digest', phone: '13800000000' },
  } as unknown as AccountPage

  it('shows the stored settings and the viewer’s groups', () => {
    expect(accountPageView(data)).toEqual({
      status: 200,
      view: { orgs: data.orgs, settings: { name: '王阿姨', notify: 'digest', phone: '13800000000' } },
    })
  })

  it('answers a wrong current password 403, other refused passwords with their own status, settings untouched', () => {
    const mismatch = { currentPassword: { key: 'validation.password_mismatch' } }
    const wrong = accountPageView(data, { form: 'password', errors: mismatch, status: 422 })
    expect(wrong.status).toBe(403)
    expect(wrong.view).toMatchObject({ passwordErrors: mismatch, settings: { name: '王阿姨' } })
    const short = accountPageView(data, { form: 'password', errors: { newPassword: { key: 'x' } }, status: 422 })
    expect(short.status).toBe(422)
    expect(short.view).not.toHaveProperty('settingsErrors')
  })

  it('shows refused settings as typed, with their problems, and no password problems', () => {
    const typed = { name: '', notify: 'instant', phone: 'abc' }
    const r = accountPageView(data, { form: 'settings', errors: { phone: { key: 'x' } }, status: 422, values: typed })
    expect(r).toMatchObject({ status: 422, view: { settings: typed, settingsErrors: { phone: { key: 'x' } } } })
    expect(r.view).not.toHaveProperty('passwordErrors')
  })
})
