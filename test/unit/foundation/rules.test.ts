import { describe, expect, it } from 'vitest'
import {
  ARGON2_OPTIONS,
  commonPasswords,
  hashPassword,
  isCommonPassword,
  PASSWORD_MAX,
  PASSWORD_MIN,
  variants,
  verifyPassword,
} from '../../../src/accounts/passwords.js'
import { normalizeEmail, retryAfterSeconds } from '../../../src/accounts/accounts.js'
import { ACCESS_LEVELS, allows } from '../../../src/plugins/auth.js'
import { safeNext } from '../../../src/shared/http.js'
import { fieldErrors, formSchema } from '../../../src/shared/forms.js'
import { sessionCookieName } from '../../../src/plugins/session.js'

describe('passwords', () => {
  it('bounds length at 12..128', () => {
    expect([PASSWORD_MIN, PASSWORD_MAX]).toEqual([12, 128])
  })

  it('uses Argon2id at or above the OWASP floor (m=19 MiB, t=2, p=1)', () => {
    expect(ARGON2_OPTIONS.algorithm).toBe(2)
    expect(ARGON2_OPTIONS.memoryCost).toBeGreaterThanOrEqual(19_456)
    expect(ARGON2_OPTIONS.timeCost).toBeGreaterThanOrEqual(2)
    expect(ARGON2_OPTIONS.parallelism).toBe(1)
  })

  it('embeds its parameters in a salted PHC string and verifies only the right password', async () => {
    const [a, b] = await Promise.all([hashPassword('same passphrase here'), hashPassword('same passphrase here')])
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    expect(a).not.toBe(b)
    expect(await verifyPassword(a, 'same passphrase here')).toBe(true)
    expect(await verifyPassword(a, 'same passphrase Here')).toBe(false)
    // An unknown account, or a corrupt hash, is simply "no".
    expect(await verifyPassword(undefined, 'anything at all')).toBe(false)
    expect(await verifyPassword('not-a-hash', 'anything at all')).toBe(false)
  })

  it.each([
    'password1234',
    'qwertyuiop123',
    'Password2024!',
    'PASSWORD1234',
    'iloveyou1234',
    'aaaaaaaaaaaa',
    '123456789012',
    '111111222222',
    'qweasdzxc123',
    'woaini520520',
    'assetbridge2024',
    '1q2w3e4r5t6y',
    'abc123abc123',
    '987654321098',
    '098765432109',
    '901234567890',
    '0123456789'.repeat(3),
  ])('%s is too common', (p) => {
    expect(isCommonPassword(p)).toBe(true)
  })

  it.each([
    'correct horse battery staple',
    '我爱我家 但这是一句很长的话',
    'tr0ub4dor&3x!',
    'dance at lizhiwan park',
    'g7#kQ2!mZp9@',
  ])('%s is fine', (p) => {
    expect(isCommonPassword(p)).toBe(false)
  })
})

describe('the breached-password list', () => {
  it('holds over 100,000 passwords from a real breach compilation, most common first', () => {
    const list = commonPasswords()
    expect(list.size).toBeGreaterThan(100_000)
    for (const p of [
      'password',
      'qwerty',
      'iloveyou',
      'sunshine',
      'monkey',
      'woaini',
      'passwordpassword',
      '123456789012',
    ])
      expect(list.has(p), p).toBe(true)
    // Read once: the same Set every time.
    expect(commonPasswords()).toBe(list)
  })

  it('reduces a password by padding, leet and repetition, in any combination', () => {
    expect(variants('P@ssw0rd2026')).toContain('password')
    expect(variants('Qwerty123456!')).toContain('qwerty')
    expect(variants('passwordpassword')).toContain('password')
    expect(variants('He11oWorld!!')).toContain('helloworld')
    expect(variants('2026!Dragon')).toContain('dragon')
    expect(variants('Ｐａｓｓｗｏｒｄ１２３４')).toContain('password')
  })

  it.each([
    'P@ssw0rd2026',
    'Qwerty123456!',
    'passwordpassword',
    'He11oWorld2026',
    'sunshine2025!',
    'dragondragon',
    '@dmin1234567',
    '!!Monkey2026!!',
    'Beijing2026!!',
    'iloveyou12345',
    'footballfootball',
    'L3tm31n!2026',
  ])('%s is refused', (p) => {
    expect(isCommonPassword(p)).toBe(true)
  })

  it.each([
    'lychee bay dance at seven',
    'Chess-by-the-river-2718',
    'mK8#vQ2!pLx9',
    'our choir sings on tuesdays',
    'Nan-an bridge 42 steps',
    '荔枝湾广场舞队每周二排练',
  ])('%s is accepted', (p) => {
    expect(isCommonPassword(p)).toBe(false)
  })
})

describe('sign-in back-off', () => {
  const t = 1_000_000_000
  it('lets the first five failures through without waiting', () => {
    for (let n = 0; n < 5; n++) expect(retryAfterSeconds(n, t, t)).toBe(0)
  })

  it('then doubles the wait: 1, 2, 4, 8 s…', () => {
    expect([5, 6, 7, 8].map((n) => retryAfterSeconds(n, t, t))).toEqual([1, 2, 4, 8])
  })

  it('counts the wait from the last failure', () => {
    expect(retryAfterSeconds(8, t, t + 3_000)).toBe(5)
    expect(retryAfterSeconds(8, t, t + 8_000)).toBe(0)
  })

  it('caps the wait at 15 minutes and forgets after the window', () => {
    expect(retryAfterSeconds(40, t, t)).toBe(900)
    expect(retryAfterSeconds(40, t, t + 15 * 60_000 + 1)).toBe(0)
  })

  it('normalizes addresses so case and spaces do not make a new bucket', () => {
    expect(normalizeEmail('  Leader@Example.CN ')).toBe('leader@example.cn')
  })
})

describe('access levels', () => {
  const as = (role: 'member' | 'broker' | 'admin') => ({ role }) as never
  it('denies by default what a level does not name', () => {
    expect(ACCESS_LEVELS).toEqual(['anyone', 'signed_in', 'broker', 'admin', 'staff'])
    expect(allows('anyone', null)).toBe(true)
    expect(allows('signed_in', null)).toBe(false)
    expect(allows('signed_in', as('member'))).toBe(true)
    expect(allows('broker', as('admin'))).toBe(false)
    expect(allows('admin', as('broker'))).toBe(false)
    expect(allows('staff', as('member'))).toBe(false)
    expect(allows('staff', as('admin'))).toBe(true)
    expect(allows('bogus' as never, as('admin'))).toBeFalsy()
  })
})

describe('safeNext', () => {
  it.each([
    ['/orgs', '/orgs'],
    ['/orgs?kind=school#top', '/orgs?kind=school#top'],
    ['//evil.example', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example', '/'],
    ['/\t/evil.example', '/'],
    ['/\u0000', '/'],
    ['/a\u007f', '/'],
    ['/orgs?q=舞', '/orgs?q=%E8%88%9E'],
    [undefined, '/'],
    [['/orgs'], '/'],
    ['', '/'],
  ])('%j → %s', (next, expected) => {
    expect(safeNext(next)).toBe(expected)
  })

  it('uses the given fallback', () => {
    expect(safeNext('//x', '/account')).toBe('/account')
  })
})

describe('fieldErrors', () => {
  it('names the field and the problem, first problem per field', () => {
    const errors = fieldErrors([
      { keyword: 'required', instancePath: '', schemaPath: '', params: { missingProperty: 'name' } },
      { keyword: 'minLength', instancePath: '/password', schemaPath: '', params: { limit: 12 } },
      { keyword: 'maxLength', instancePath: '/password', schemaPath: '', params: { limit: 128 } },
      { keyword: 'minLength', instancePath: '/email', schemaPath: '', params: { limit: 1 } },
      { keyword: 'format', instancePath: '/contactEmail', schemaPath: '', params: { format: 'email' } },
      { keyword: 'type', instancePath: '/members', schemaPath: '', params: { type: 'integer' } },
      { keyword: 'enum', instancePath: '/focus/1', schemaPath: '', params: {} },
      { keyword: 'pattern', instancePath: '/phone', schemaPath: '', params: {} },
      { keyword: 'additionalProperties', instancePath: '', schemaPath: '', params: {} },
    ] as never)
    expect(errors).toEqual({
      name: { key: 'validation.required' },
      password: { key: 'validation.too_short', params: { limit: 12 } },
      email: { key: 'validation.required', params: { limit: 1 } },
      contactEmail: { key: 'validation.email' },
      members: { key: 'validation.not_integer' },
      focus: { key: 'validation.choose' },
      phone: { key: 'validation.invalid' },
      _: { key: 'validation.invalid' },
    })
  })

  it('is empty for no errors', () => {
    expect(fieldErrors(undefined)).toEqual({})
  })

  it('builds form schemas that refuse unknown fields and accept the CSRF field', () => {
    const s = formSchema({ name: { type: 'string' } }, ['name'])
    expect(s).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: { _csrf: { type: 'string' }, name: { type: 'string' } },
    })
  })
})

describe('session cookie name', () => {
  it('uses the __Host- prefix exactly when cookies are Secure', () => {
    expect(sessionCookieName(true)).toBe('__Host-sid')
    expect(sessionCookieName(false)).toBe('sid')
  })
})
