import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { translate, type Locale } from '../../../src/i18n/i18n.js'
import {
  Browser,
  fieldError,
  makeApp,
  PASSWORD,
  seedWorld,
  signedIn,
  tableCounts,
  type Form,
  type World,
} from '../../helpers/app.js'

// Every case here is refused, so one app (and one sign-in per role) serves the whole file;
// each case checks that no table changed.
let app: FastifyInstance
let world: World
let member: Browser
let admin: Browser

beforeAll(async () => {
  app = await makeApp()
  world = await seedWorld(app)
  member = await signedIn(app, world.member.email)
  admin = await signedIn(app, world.admin.email)
})
afterAll(() => app.close())

type Expected = Record<string, [key: string, params?: Record<string, number>]>
interface Case {
  name: string
  as: () => Browser | Promise<Browser>
  url: () => string
  form: () => Form
  formId: string
  errors: Expected
  kept?: string[]
  /** The sign-in form has no "fix the problems below" summary: two fields need none. */
  summary?: false
}

async function anonymous(path: string) {
  const b = new Browser(app)
  await b.get(path)
  return b
}

const CASES: Case[] = [
  {
    name: 'sign in',
    as: () => anonymous('/signin'),
    url: () => '/signin',
    form: () => ({ email: '', password: ' ' }),
    formId: 'signin-form',
    summary: false,
    errors: { email: ['validation.required'], password: ['validation.required'] },
  },
  {
    name: 'sign up',
    as: () => anonymous('/signup'),
    url: () => '/signup',
    form: () => ({ name: '', email: 'not-an-email', password: 'short' }),
    formId: 'signup-form',
    errors: {
      name: ['validation.required'],
      email: ['validation.email'],
      password: ['validation.too_short', { limit: 12 }],
    },
    kept: ['value="not-an-email"'],
  },
  {
    name: 'sign up with a common password',
    as: () => anonymous('/signup'),
    url: () => '/signup',
    form: () => ({ name: 'Someone', email: 'someone@example.cn', password: 'P@ssw0rd2026' }),
    formId: 'signup-form',
    errors: { password: ['validation.password_common'] },
    kept: ['value="Someone"'],
  },
  {
    name: 'password change',
    as: () => member,
    url: () => '/account/password',
    form: () => ({ currentPassword: PASSWORD, newPassword: 'short' }),
    formId: 'password-form',
    errors: { newPassword: ['validation.too_short', { limit: 12 }] },
  },
  {
    name: 'password change to a common password',
    as: () => member,
    url: () => '/account/password',
    form: () => ({ currentPassword: PASSWORD, newPassword: 'password1234' }),
    formId: 'password-form',
    errors: { newPassword: ['validation.password_common'] },
  },
  {
    name: 'account settings',
    as: () => member,
    url: () => '/account/settings',
    form: () => ({ name: '', notify: 'sometimes', phone: 'call me maybe' }),
    formId: 'settings-form',
    errors: { name: ['validation.required'], notify: ['validation.choose'], phone: ['validation.invalid'] },
    kept: ['value="call me maybe"'],
  },
  {
    name: 'new organization',
    as: () => member,
    url: () => '/orgs',
    form: () => ({
      name: 'x',
      kind: 'club',
      areaId: 'abc',
      members: '0',
      contactEmail: 'nope',
      description: 'd'.repeat(2001),
    }),
    formId: 'org-form',
    errors: {
      name: ['validation.too_short', { limit: 2 }],
      kind: ['validation.choose'],
      areaId: ['validation.not_integer'],
      members: ['validation.too_small', { limit: 1 }],
      contactEmail: ['validation.email'],
      description: ['validation.too_long', { limit: 2000 }],
    },
  },
  {
    name: 'new organization in a missing area',
    as: () => member,
    url: () => '/orgs',
    form: () => ({ name: '新的队伍', kind: 'community_group', areaId: '99999', contactPhone: '020-1234 5678' }),
    formId: 'org-form',
    errors: { areaId: ['validation.area_missing'] },
    kept: ['value="新的队伍"'],
  },
  {
    name: 'organization edit',
    as: () => member,
    url: () => `/orgs/${world.orgA.id}`,
    form: () => ({
      name: '',
      kind: 'community_group',
      areaId: String(world.communityA.id),
      members: '-3',
      version: '1',
    }),
    formId: 'org-form',
    errors: { name: ['validation.required'], members: ['validation.too_small', { limit: 1 }] },
  },
  {
    name: 'new area',
    as: () => admin,
    url: () => '/admin/areas',
    form: () => ({ name: '', ref: 'not a ref!', nameEn: 'n'.repeat(81) }),
    formId: 'area-form',
    errors: {
      name: ['validation.required'],
      ref: ['validation.invalid'],
      nameEn: ['validation.too_long', { limit: 80 }],
    },
  },
  {
    name: 'new area under a community',
    as: () => admin,
    url: () => '/admin/areas',
    form: () => ({ name: '第九小区', parentId: String(world.communityA.id) }),
    formId: 'area-form',
    errors: { parentId: ['validation.area_missing'] },
  },
]

type Mode = { label: string; locale: Locale; headers: (b: Browser) => Record<string, string> }
const MODES: Mode[] = [
  { label: 'Chinese by default', locale: 'zh-CN', headers: () => ({}) },
  { label: 'English by Accept-Language', locale: 'en', headers: () => ({ 'accept-language': 'en-GB,en;q=0.9' }) },
  // The remembered choice wins over what the browser asks for.
  {
    label: 'English by the lang cookie',
    locale: 'en',
    headers: (b) => ({
      'accept-language': 'zh-CN,zh;q=0.9',
      cookie: [b.cookieHeader, 'lang=en'].filter(Boolean).join('; '),
    }),
  },
]

const withoutSessions = (counts: Record<string, number>) => {
  const { sessions: _s, ...rest } = counts
  return rest
}

describe('every form: bad input → 422, the form again, each problem next to its field, nothing written', () => {
  for (const c of CASES) {
    for (const mode of MODES) {
      it(`${c.name} — ${mode.label}`, async () => {
        const b = await c.as()
        const before = withoutSessions(tableCounts(app))
        const res = await b.post(c.url(), c.form(), { headers: mode.headers(b) })
        expect(res.statusCode).toBe(422)
        expect(res.headers['content-type']).toMatch(/^text\/html/)
        expect(res.body).toContain(`id="${c.formId}"`)
        expect(res.body).toContain(`<html lang="${mode.locale}">`)
        if (c.summary !== false) expect(res.body).toContain(translate(mode.locale, 'form.fix'))
        for (const [field, [key, params]] of Object.entries(c.errors)) {
          const message = translate(mode.locale, key, params)
          expect(message, `${key} in ${mode.locale}`).not.toBe(key)
          expect(fieldError(res.body, field), `error next to ${field}`).toBe(message)
        }
        expect(res.body.match(/class="field-error"/g)?.length ?? 0).toBe(Object.keys(c.errors).length)
        for (const kept of c.kept ?? []) expect(res.body).toContain(kept)
        // A fresh token in the re-rendered form, so the user can simply correct and resubmit.
        expect(res.body).toMatch(/name="_csrf" value="[^"]+"/)
        expect(withoutSessions(tableCounts(app))).toEqual(before)
      })
    }
  }

  it('the Chinese and English messages differ (the test above really switches language)', () => {
    expect(translate('zh-CN', 'validation.required')).toBe('请填写此项。')
    expect(translate('en', 'validation.required')).toBe('Please fill this in.')
  })
})

describe('select-only admin forms refuse tampered values', () => {
  it.each([
    ['role', { role: 'superuser' }],
    ['disabled', { disabled: 'maybe' }],
    ['areas', { areaIds: 'x' }],
  ])('/admin/users/:id/%s → 400, nothing written', async (action, form) => {
    const before = withoutSessions(tableCounts(app))
    const res = await admin.post(`/admin/users/${world.member.id}/${action}`, form)
    expect(res.statusCode).toBe(400)
    expect(res.body).toContain('请求格式不正确。')
    expect(withoutSessions(tableCounts(app))).toEqual(before)
  })

  it('broker areas that do not exist → 422, the broker keeps their areas', async () => {
    const before = withoutSessions(tableCounts(app))
    const res = await admin.post(`/admin/users/${world.broker.id}/areas`, {
      areaIds: [String(world.streetB.id), '424242'],
    })
    expect(res.statusCode).toBe(422)
    expect(withoutSessions(tableCounts(app))).toEqual(before)
    expect(app.sqlite.prepare('SELECT area_id FROM broker_areas WHERE user_id = ?').all(world.broker.id)).toEqual([
      { area_id: world.streetA.id },
    ])
  })
})

describe('a fresh form', () => {
  it.each(['/needs/new', '/offers/new', () => `/orgs/${world.orgA.id}/edit`, '/orgs/new'])(
    '%s opens without a problem notice',
    async (url) => {
      const res = await member.get(typeof url === 'string' ? url : url())
      expect(res.statusCode).toBe(200)
      expect(res.body).toMatch(/<form/)
      expect(res.body).not.toContain(translate('zh-CN', 'form.fix'))
      expect(res.body).not.toContain('class="notice error"')
    },
  )
})
