import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { onTestFinished } from 'vitest'
import { buildApp } from '../../src/app.js'
import { testConfig, type Config } from '../../src/config.js'
import * as accounts from '../../src/accounts/accounts.js'
import { hash } from '@node-rs/argon2'
import { ARGON2_OPTIONS } from '../../src/accounts/passwords.js'
import type { Db } from '../../src/db/client.js'
import * as areas from '../../src/areas/areas.js'
import * as orgs from '../../src/orgs/orgs.js'

export type Res = LightMyRequestResponse
export type Form = Record<string, string | number | string[] | undefined>

/** A fresh app on an empty in-memory database. Closed when the test (or the caller) is done. */
export async function makeApp(overrides: Partial<Config> = {}): Promise<FastifyInstance> {
  const app = await buildApp(testConfig({ dbPath: ':memory:', ...overrides }))
  await app.ready()
  return app
}

/** makeApp for one test: closed by the test's end. */
export async function appForTest(overrides: Partial<Config> = {}): Promise<FastifyInstance> {
  const app = await makeApp(overrides)
  onTestFinished(() => app.close())
  return app
}

export const PASSWORD = 'correct horse battery staple'

// ---- seeding through the services -------------------------------------------------------------

/**
 * Argon2id as production stores it, at a cost for accounts a test only acts as. At the production cost every account
 * made here took ≈90 ms and every sign-in as it as long again, a minute of the suite's CPU. Production's parameters
 * are held where its own code hashes: rules.test.ts (hashPassword) and signin-defences.test.ts (a signed-up account).
 */
export const SEEDED_ARGON2 = { ...ARGON2_OPTIONS, memoryCost: 256, timeCost: 1 } as const

/** An account of any role on any database handle, its password hashed as signing in verifies it. */
export async function addAccount(
  db: Db,
  input: { email: string; name?: string; role: accounts.Role; password: string },
) {
  return accounts.create(db, { ...input, passwordHash: await hash(input.password, SEEDED_ARGON2) })
}

export async function addUser(
  app: FastifyInstance,
  input: { email: string; role?: accounts.Role; password?: string; name?: string },
) {
  const row = await addAccount(app.db, {
    email: input.email,
    role: input.role ?? 'member',
    password: input.password ?? PASSWORD,
    name: input.name,
  })
  return accounts.load(app.db, row.id)!
}

export function addArea(app: FastifyInstance, name: string, parentId?: number, nameEn?: string) {
  return areas.create(app.db, null, { name, parentId, nameEn })
}

/** An organization led by `leaderId` (reloaded so the user's orgIds are current). */
export function addOrg(app: FastifyInstance, leaderId: number, input: Partial<orgs.OrgInput> & { areaId: number }) {
  const leader = accounts.load(app.db, leaderId)!
  return orgs.create(app.db, leader, { name: 'Org', kind: 'community_group', ...input })
}

export interface World {
  district: areas.Area
  streetA: areas.Area
  streetB: areas.Area
  communityA: areas.Area
  communityB: areas.Area
  member: accounts.CurrentUser
  other: accounts.CurrentUser
  broker: accounts.CurrentUser
  admin: accounts.CurrentUser
  orgA: orgs.Organization
  orgB: orgs.Organization
}

/**
 * A small district: two streets with one community each, a member leading org A (street A), another
 * member leading org B (street B), a broker covering street A only, and an admin.
 */
export async function seedWorld(app: FastifyInstance): Promise<World> {
  const district = addArea(app, '河滨区', undefined, 'Hebin District')
  const streetA = addArea(app, '东湖街道', district.id, 'Donghu Street')
  const streetB = addArea(app, '南岸街道', district.id, "Nan'an Street")
  const communityA = addArea(app, '荔枝湾社区', streetA.id, 'Lizhiwan Community')
  const communityB = addArea(app, '南岸社区', streetB.id, "Nan'an Community")
  const [member, other, broker, admin] = await Promise.all([
    addUser(app, { email: 'member@example.cn', name: 'Member' }),
    addUser(app, { email: 'other@example.cn', name: 'Other' }),
    addUser(app, { email: 'broker@example.cn', role: 'broker', name: 'Broker' }),
    addUser(app, { email: 'admin@example.cn', role: 'admin', name: 'Admin' }),
  ])
  accounts.setBrokerAreas(app.db, admin.id, broker.id, [streetA.id])
  const orgA = addOrg(app, member.id, { name: '荔枝湾广场舞队', areaId: communityA.id, description: 'dance' })
  const orgB = addOrg(app, other.id, { name: '南岸互助小组', areaId: communityB.id, description: 'help' })
  return {
    district,
    streetA,
    streetB,
    communityA,
    communityB,
    orgA,
    orgB,
    member: accounts.load(app.db, member.id)!,
    other: accounts.load(app.db, other.id)!,
    broker: accounts.load(app.db, broker.id)!,
    admin: accounts.load(app.db, admin.id)!,
  }
}

export function count(app: FastifyInstance, table: string): number {
  return (app.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
}

/** Row counts of every table: "nothing half-written" is these being equal before and after. */
export function tableCounts(app: FastifyInstance): Record<string, number> {
  const tables = app.sqlite
    .prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%' AND name <> '__drizzle_migrations'`,
    )
    .all() as { name: string }[]
  return Object.fromEntries(tables.map((t) => [t.name, count(app, t.name)]))
}

// ---- a small browser: cookie jar + CSRF token ------------------------------------------------

export function csrfFrom(html: string): string | undefined {
  return html.match(/name="_csrf" value="([^"]+)"/)?.[1]
}

function setCookies(res: Res): string[] {
  const raw = res.headers['set-cookie']
  return raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]
}

export function encodeForm(form: Form): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(form)) {
    if (v === undefined) continue
    for (const item of Array.isArray(v) ? v : [v]) params.append(k, String(item))
  }
  return params.toString()
}

/**
 * Keeps cookies the way a browser does, from the raw Set-Cookie headers (app.inject's parsed cookies
 * are URL-decoded, which breaks signed values), and remembers the last CSRF token it saw.
 */
export class Browser {
  readonly jar = new Map<string, string>()
  csrf: string | undefined

  constructor(
    readonly app: FastifyInstance,
    readonly opts: { remoteAddress?: string; headers?: Record<string, string> } = {},
  ) {}

  get cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  cookie(name: string): string | undefined {
    return this.jar.get(name)
  }

  private remember(res: Res) {
    for (const line of setCookies(res)) {
      const [pair, ...attrs] = line.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      const expired = attrs.some(
        (a) =>
          /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && new Date(a.split('=')[1]).getTime() < Date.now()),
      )
      if (expired || value === '') this.jar.delete(name)
      else this.jar.set(name, value)
    }
    const token = typeof res.body === 'string' ? csrfFrom(res.body) : undefined
    if (token) this.csrf = token
  }

  async request(
    method: string,
    url: string,
    init: { headers?: Record<string, string>; payload?: string } = {},
  ): Promise<Res> {
    const headers: Record<string, string> = { ...this.opts.headers, ...init.headers }
    if (this.jar.size && !('cookie' in headers)) headers.cookie = this.cookieHeader
    const res = await this.app.inject({
      method: method as 'GET',
      url,
      headers,
      payload: init.payload,
      remoteAddress: this.opts.remoteAddress,
    })
    this.remember(res)
    return res
  }

  get(url: string, headers: Record<string, string> = {}) {
    return this.request('GET', url, { headers })
  }

  /** A form POST carrying the last CSRF token seen (pass `_csrf` in the form to override, `null` to omit). */
  post(url: string, form: Form = {}, opts: { headers?: Record<string, string>; csrf?: string | null } = {}) {
    return this.send('POST', url, form, opts)
  }

  /** A form sent with any method (PUT, PATCH, DELETE…), token included as for post(). */
  send(
    method: string,
    url: string,
    form: Form = {},
    opts: { headers?: Record<string, string>; csrf?: string | null } = {},
  ) {
    const token = opts.csrf === undefined ? this.csrf : opts.csrf
    const body: Form = token === null || token === undefined ? form : { _csrf: token, ...form }
    return this.request(method, url, {
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...opts.headers },
      payload: encodeForm(body),
    })
  }

  /** Fetches a fresh token for this session (the token changes when sign-in regenerates the session). */
  async refreshCsrf(url = '/account') {
    const res = await this.get(url)
    const token = csrfFrom(res.body)
    if (!token) throw new Error(`no CSRF token on ${url} (status ${res.statusCode})`)
    this.csrf = token
    return token
  }

  async signIn(email: string, password = PASSWORD): Promise<Res> {
    await this.get('/signin')
    return this.post('/signin', { email, password })
  }
}

/** A browser signed in as `email`, holding a CSRF token valid for its new session. */
export async function signedIn(
  app: FastifyInstance,
  email: string,
  password = PASSWORD,
  opts: ConstructorParameters<typeof Browser>[1] = {},
): Promise<Browser> {
  const browser = new Browser(app, opts)
  const res = await browser.signIn(email, password)
  if (res.statusCode !== 303)
    throw new Error(`sign-in as ${email} answered ${res.statusCode}: ${res.body.slice(0, 300)}`)
  await browser.refreshCsrf()
  return browser
}

/** The token in the newest mail to `to` that links to `path` (a sign-up or reset link), if any. */
export function linkToken(app: FastifyInstance, to: string, path: string): string | undefined {
  const bodies = app.sqlite
    .prepare('SELECT body FROM outbox WHERE to_addr = ? ORDER BY id DESC')
    .pluck()
    .all(to) as string[]
  for (const body of bodies) {
    const m = body.match(new RegExp(`${path.replace(/[/?]/g, '\\$&')}\\?token=([A-Za-z0-9_-]+)`))
    if (m) return m[1]
  }
  return undefined
}

/**
 * Signs up through the site as a visitor does: the form, then the link mailed to the address, then the password
 * again. Returns the browser (signed in when it all worked) and each answer.
 */
export async function signUpThroughEmail(
  app: FastifyInstance,
  form: { name: string; email: string; password: string },
  b = new Browser(app),
) {
  await b.get('/signup')
  const started = await b.post('/signup', form)
  const token =
    started.statusCode === 200 ? linkToken(app, form.email.trim().toLowerCase(), '/signup/confirm') : undefined
  if (!token) return { browser: b, started }
  await b.get(`/signup/confirm?token=${token}`)
  const confirmed = await b.post('/signup/confirm', { token, password: form.password })
  return { browser: b, started, confirmed }
}

/** The session cookie's name in the plain-http test config. */
export const SID = 'sid'

/** The text of the field-error shown with `field` (between its control and the next field), if any. */
export function fieldError(html: string, field: string): string | undefined {
  const at = html.search(new RegExp(`(id="f-${field}"|name="${field}")`))
  if (at < 0) return undefined
  const rest = html.slice(at)
  // A group of radios or checkboxes: its error belongs to the fieldset.
  const before = html.slice(0, at)
  if (before.lastIndexOf('<fieldset') > before.lastIndexOf('</fieldset>')) {
    return rest.slice(0, rest.indexOf('</fieldset>')).match(/<p class="field-error"[^>]*>([^<]*)<\/p>/)?.[1]
  }
  const end = rest.slice(1).search(/<div class="field|<fieldset|<label class="check|<button/)
  const scope = end < 0 ? rest : rest.slice(0, end + 1)
  return scope.match(/<p class="field-error"[^>]*>([^<]*)<\/p>/)?.[1]
}
