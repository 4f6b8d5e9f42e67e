import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, ROOT, testConfig } from '../../../src/config.js'

describe('loadConfig', () => {
  it('has working defaults for a developer machine', () => {
    const c = loadConfig({})
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      demoData: true,
      secureCookies: false,
      trustProxy: false,
      sessionIdleMinutes: 30,
      sessionMaxHours: 12,
      scheduler: true,
      rateLimits: true,
      logLevel: 'warn',
      baseUrl: 'http://127.0.0.1:3000',
      requestReminderDays: 3,
    })
    expect(c.dbPath).toBe(path.join(ROOT, 'db', 'assetbridge.sqlite'))
    expect(c.sessionSecret).toBeUndefined()
    expect(c.smtpUrl).toBeUndefined()
  })

  it('turns on Secure cookies, a local proxy and info logs in production', () => {
    expect(loadConfig({ NODE_ENV: 'production' })).toMatchObject({
      secureCookies: true,
      trustProxy: 'loopback',
      logLevel: 'info',
    })
    expect(loadConfig({ NODE_ENV: 'production', SECURE_COOKIES: '0', TRUST_PROXY: '10.0.0.5' })).toMatchObject({
      secureCookies: false,
      trustProxy: '10.0.0.5',
    })
  })

  it.each([
    ['sqlite:///var/lib/ab/data.sqlite', '/var/lib/ab/data.sqlite'],
    ['file:/tmp/x.sqlite', '/tmp/x.sqlite'],
    ['/srv/ab.sqlite', '/srv/ab.sqlite'],
    [':memory:', ':memory:'],
  ])('reads DATABASE_URL %s as %s', (url, file) => {
    expect(loadConfig({ DATABASE_URL: url }).dbPath).toBe(file)
  })

  it.each([
    ['0', false],
    ['false', false],
    ['off', false],
    ['1', true],
    ['yes', true],
    ['', true],
  ])('DEMO_DATA=%s → %s', (raw, on) => {
    expect(loadConfig({ DEMO_DATA: raw }).demoData).toBe(on)
  })

  it.each(['abc', '-1', '65536', '3.5', '80x'])('throws on PORT=%s', (port) => {
    expect(() => loadConfig({ PORT: port })).toThrow(ConfigError)
    expect(() => loadConfig({ PORT: port })).toThrow(/PORT/)
  })

  it('accepts a valid PORT and derives the base URL from it', () => {
    expect(loadConfig({ PORT: '8080', HOST: '0.0.0.0' })).toMatchObject({ port: 8080, baseUrl: 'http://0.0.0.0:8080' })
    expect(loadConfig({ PORT: '8080', BASE_URL: 'https://ab.example.cn' }).baseUrl).toBe('https://ab.example.cn')
  })

  it('refuses a short session secret and a flag that is neither on nor off', () => {
    expect(() => loadConfig({ SESSION_SECRET: 'too-short' })).toThrow(/SESSION_SECRET/)
    expect(loadConfig({ SESSION_SECRET: 's'.repeat(32) }).sessionSecret).toBe('s'.repeat(32))
    expect(() => loadConfig({ DEMO_DATA: 'maybe' })).toThrow(ConfigError)
    expect(() => loadConfig({ SESSION_IDLE_MINUTES: '0' })).toThrow(/SESSION_IDLE_MINUTES/)
  })

  it('is pure: it reads only the object it is given', () => {
    // The files after this one share its process (vitest.config.ts): PORT goes back as it was, and process.env stays
    // Node's own object (a copy assigned back would no longer turn what is set on it into strings).
    const before = process.env.PORT
    process.env.PORT = 'not-a-port'
    try {
      expect(loadConfig({}).port).toBe(3000)
    } finally {
      if (before === undefined) delete process.env.PORT
      else process.env.PORT = before
    }
  })

  it('testConfig: in memory, no demo data, no scheduler, silent, overridable', () => {
    expect(testConfig()).toMatchObject({ dbPath: ':memory:', demoData: false, scheduler: false, logLevel: 'silent' })
    expect(testConfig({ secureCookies: true }).secureCookies).toBe(true)
  })
})
