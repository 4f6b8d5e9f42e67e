import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { Browser, csrfFrom, encodeForm, makeApp, PASSWORD, signedIn, tableCounts, type Res } from '../../helpers/app.js'
import { idFromLocation, listingWorld, needForm, needRow } from '../listings/world.js'

let app: FastifyInstance
let w: Awaited<ReturnType<typeof listingWorld>>
beforeAll(async () => {
  app = await makeApp()
  w = await listingWorld(app)
})
afterAll(async () => {
  await app?.close()
})

const LAPSED = '登录已过期，请重新登录后再提交'
/** The session ends as the idle sweep ends it: its row is gone. */
const lapse = (userId: number) => app.sqlite.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId)
/** Does any table hold this text? The typed values may live in the page only. */
function stored(text: string): string[] {
  const tables = app.sqlite
    .prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%'`,
    )
    .pluck()
    .all() as string[]
  return tables.filter((t) =>
    (app.sqlite.prepare(`SELECT * FROM "${t}"`).all() as Record<string, unknown>[]).some((row) =>
      JSON.stringify(row).includes(text),
    ),
  )
}
const htmxPost = (
  b: Browser,
  url: string,
  form: Record<string, unknown>,
  token: string,
  extra: Record<string, string> = {},
): Promise<Res> =>
  b.request('POST', url, {
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'hx-request': 'true',
      'x-csrf-token': token,
      ...extra,
    },
    payload: encodeForm(form as never),
  })
const navToken = (html: string) => html.match(/id="site-nav"[^>]*data-csrf="([^"]+)"/)?.[1]

describe('a need form sent after the session lapsed (htmx, as the browser sends it)', () => {
  it('keeps the form on screen, signs in in place, and the same submit then posts the need', async () => {
    const b = await signedIn(app, w.member.email)
    const staleToken = (await b.get('/needs/new')).body.match(/name="_csrf" value="([^"]+)"/)![1]
    lapse(w.member.id)
    const form = needForm(w, { title: '过期后仍保留的排练场地' })
    // Nothing written but the anonymous session the sign-in box needs for its token.
    const withoutSessions = () => {
      const { sessions: _s, ...rest } = tableCounts(app)
      return rest
    }
    const before = withoutSessions()

    const refused = await htmxPost(b, '/needs', form, staleToken, { 'hx-trigger': 'need-form' })
    expect(refused.statusCode).toBe(401)
    expect(refused.body).toContain(LAPSED)
    // Put before the form, not instead of it: what was typed stays where it is.
    expect(refused.headers['hx-reswap']).toBe('beforebegin')
    expect(refused.headers['hx-retarget']).toBe('#need-form')
    // The header says who is signed in now: nobody.
    expect(refused.body).toMatch(/id="site-nav" hx-swap-oob="true"[^>]*data-signed-in="0"/)
    expect(refused.body).not.toContain('/signout')
    expect(withoutSessions()).toEqual(before)
    expect(stored('过期后仍保留的排练场地')).toEqual([])

    const boxToken = refused.body.match(/hx-headers='\{"X-CSRF-Token":"([^"]+)"\}'/)![1]
    const wrong = await htmxPost(b, '/signin/inline', { email: w.member.email, password: 'not the password' }, boxToken)
    expect(wrong.statusCode).toBe(401)
    expect(wrong.body).toContain('id="lapse-box"')
    const signed = await htmxPost(b, '/signin/inline', { email: w.member.email, password: PASSWORD }, boxToken)
    expect(signed.statusCode).toBe(200)
    expect(signed.body).toContain('已重新登录')
    expect(signed.body).toMatch(/data-signed-in="1"/)
    const fresh = navToken(signed.body)!
    expect(fresh).toBeTruthy()

    const sent = await htmxPost(b, '/needs', form, fresh, { 'hx-trigger': 'need-form' })
    expect(sent.statusCode).toBe(204)
    const id = idFromLocation(String(sent.headers['hx-redirect']), 'needs')
    expect(needRow(app, id)).toMatchObject({
      title: '过期后仍保留的排练场地',
      orgId: w.orgA.id,
      quantity: 16,
      place: '荔枝湾公园附近',
    })
  })

  it('after signing in in another tab, answers the stale token with a fresh one and the same submit goes through', async () => {
    const b = await signedIn(app, w.member.email)
    const staleToken = b.csrf!
    lapse(w.member.id)
    // The other tab shares the cookie jar: signing in there gives this page's session a new id and secret.
    await b.signIn(w.member.email)
    const form = needForm(w, { title: '另一个标签页登录后的需求' })
    const refused = await htmxPost(b, '/needs', form, staleToken)
    expect(refused.statusCode).toBe(401)
    expect(refused.body).toContain('您已在其他页面重新登录')
    expect(refused.body).not.toContain('name="password"')
    const sent = await htmxPost(b, '/needs', form, navToken(refused.body)!)
    expect(sent.statusCode).toBe(204)
    expect(needRow(app, idFromLocation(String(sent.headers['hx-redirect']), 'needs'))!.title).toBe(
      '另一个标签页登录后的需求',
    )
  })

  it('shows the page open in a tab who is really signed in, with a token for the current session', async () => {
    const b = await signedIn(app, w.member.email)
    const live = await b.get('/session/nav', { 'hx-request': 'true' })
    expect(live.headers['cache-control']).toBe('no-store')
    expect(live.body).toMatch(/data-signed-in="1"/)
    expect(live.body).toContain('/signout')
    expect(live.body).not.toMatch(/<html/)
    lapse(w.member.id)
    const gone = await b.get('/session/nav', { 'hx-request': 'true' })
    expect(gone.body).toMatch(/data-signed-in="0"/)
    expect(gone.body).toContain('href="/signin"')
    expect(gone.body).not.toContain('/signout')
    expect(gone.body).not.toContain('data-csrf')
  })
})

describe('a plain form (no script) sent after the session lapsed', () => {
  it('keeps every field in the page, and after signing in one press sends them on', async () => {
    const b = await signedIn(app, w.member.email)
    await b.get('/needs/new')
    lapse(w.member.id)
    const form = needForm(w, { title: '没有脚本也不丢的需求', days: ['TU', 'TH'] })
    const refused = await b.post('/needs', form)
    expect(refused.statusCode).toBe(401)
    expect(refused.body).toContain(LAPSED)
    expect(refused.body).toContain('action="/signin/continue"')
    expect(refused.body).toContain('name="k:title" value="没有脚本也不丢的需求"')
    expect(refused.body).toContain('name="k:days" value="TU"')
    expect(refused.body).toContain('name="k:days" value="TH"')
    expect(refused.body).not.toContain('name="k:_csrf"')
    expect(stored('没有脚本也不丢的需求')).toEqual([])

    const kept = Object.fromEntries(
      [...refused.body.matchAll(/name="(k:[^"]+)" value="([^"]*)"/g)].reduce(
        (m, [, k, v]) => m.set(k, [...(m.get(k) ?? []), v]),
        new Map<string, string[]>(),
      ),
    )
    const wrong = await b.post(
      '/signin/continue',
      { ...kept, to: '/needs', email: w.member.email, password: 'wrong wrong wrong' },
      { csrf: csrfFrom(refused.body) },
    )
    expect(wrong.statusCode).toBe(401)
    expect(wrong.body).toContain('name="k:title" value="没有脚本也不丢的需求"')
    const resumed = await b.post(
      '/signin/continue',
      { ...kept, to: '/needs', email: w.member.email, password: PASSWORD },
      { csrf: csrfFrom(wrong.body) },
    )
    expect(resumed.statusCode).toBe(200)
    expect(resumed.body).toContain('action="/needs"')
    expect(resumed.body).toContain('name="title" value="没有脚本也不丢的需求"')
    expect(resumed.body).not.toContain('name="password"')
    const hidden = Object.fromEntries(
      [...resumed.body.matchAll(/<input type="hidden" name="([^"_][^"]*)" value="([^"]*)">/g)].reduce(
        (m, [, k, v]) => m.set(k, [...(m.get(k) ?? []), v]),
        new Map<string, string[]>(),
      ),
    )
    const sent = await b.post('/needs', hidden, { csrf: csrfFrom(resumed.body) })
    expect(sent.statusCode).toBe(303)
    const need = needRow(app, idFromLocation(sent.headers.location, 'needs'))!
    expect(need).toMatchObject({ title: '没有脚本也不丢的需求', quantity: 16, urgency: 'high' })
    expect(need.schedule).toContain('TU')
  })

  it('never echoes a password back, and sends the continued form nowhere but a same-site path', async () => {
    const b = await signedIn(app, w.other.email)
    await b.get('/account')
    lapse(w.other.id)
    const refused = await b.post('/account/password', {
      currentPassword: PASSWORD,
      newPassword: 'another long passphrase 42',
    })
    expect(refused.statusCode).toBe(401)
    expect(refused.body).not.toContain(PASSWORD)
    expect(refused.body).not.toContain('another long passphrase 42')
    const token = csrfFrom(refused.body)
    const away = await b.post(
      '/signin/continue',
      { to: '//evil.example/x', email: w.other.email, password: PASSWORD },
      { csrf: token },
    )
    expect(away.statusCode).toBe(303)
    expect(away.headers.location).toBe('/')
  })

  it('still refuses a bad token from a live session outright (a forged plain form is not echoed back)', async () => {
    const b = await signedIn(app, w.member.email)
    const res = await b.post('/needs', needForm(w, { title: '伪造的需求' }), { csrf: 'forged' })
    expect(res.statusCode).toBe(403)
    expect(res.body).toContain('页面已过期')
    expect(res.body).not.toContain('伪造的需求')
  })
})

describe('a fragment htmx fetches after the session lapsed', () => {
  it('swaps nothing into the form (no sign-in page inside it) and tells the header nobody is signed in', async () => {
    const b = await signedIn(app, w.member.email)
    expect((await b.get('/topics/suggest?category=venue&title=x', { 'hx-request': 'true' })).statusCode).toBe(200)
    lapse(w.member.id)
    const res = await b.get('/topics/suggest?category=venue&title=x', { 'hx-request': 'true' })
    expect(res.statusCode).toBe(401)
    expect(res.headers['hx-reswap']).toBe('none')
    expect(res.body).toMatch(/id="site-nav" hx-swap-oob="true"[^>]*data-signed-in="0"/)
    expect(res.body).not.toContain('name="password"')
    // A plain page load still goes to the sign-in page and back.
    const page = await b.get('/needs/new')
    expect(page.statusCode).toBe(303)
    expect(page.headers.location).toBe('/signin?next=%2Fneeds%2Fnew')
  })
})
