import { randomUUID } from 'node:crypto'
import { beforeEach, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { appForTest, Browser, count, signedIn } from '../../helpers/app.js'
import { brokerWorld, needRow, type BrokerWorld } from '../brokering/world.js'
import * as needs from '../../../src/needs/needs.js'

let app: FastifyInstance
let w: BrokerWorld
beforeEach(async () => {
  app = await appForTest()
  w = await brokerWorld(app)
})

const json = (b: Browser, method: string, url: string, body: unknown) =>
  b.request(method, url, {
    headers: { 'content-type': 'application/json', 'x-csrf-token': b.csrf! },
    payload: JSON.stringify(body),
  })

describe('dates are real calendar dates everywhere', () => {
  it('a renewal refuses 9999-99-99, 2027-13-45, 2026-02-30 and 2101-01-01, and keeps the expiry', async () => {
    const member = await signedIn(app, w.member.email)
    const before = needRow(app, w.need.id).expiresAt
    for (const expiresAt of ['9999-99-99', '2027-13-45', '2026-02-30', '2101-01-01']) {
      const res = await member.post(`/needs/${w.need.id}/renewal`, { expiresAt })
      expect(res.statusCode, expiresAt).toBe(400)
      expect(res.body, expiresAt).toContain('请输入日期（年-月-日）。')
      expect(needRow(app, w.need.id).expiresAt).toBe(before)
    }
    const other = await signedIn(app, w.other.email)
    expect((await other.post(`/offers/${w.offer.id}/renewal`, { expiresAt: '2027-13-45' })).statusCode).toBe(400)
  })

  it('the API names the date field it refuses', async () => {
    const member = await signedIn(app, w.member.email)
    const res = await json(member, 'POST', '/api/v1/needs', {
      org_id: w.orgA.id,
      category: 'venue',
      title: '场地',
      quantity: 1,
      area_id: w.communityA.id,
      expires_at: '2027-13-45',
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().errors).toEqual([{ field: 'expires_at', message: '请输入日期（年-月-日）。' }])
  })
})

describe('text fields', () => {
  it('store no control characters or bidi overrides; a one-line field loses its line breaks, a description keeps them', async () => {
    const member = await signedIn(app, w.member.email)
    const res = await json(member, 'POST', '/api/v1/needs', {
      org_id: w.orgA.id,
      category: 'venue',
      area_id: w.communityA.id,
      quantity: 1,
      title: '排练\u0000场地\r\n\u202e每周',
      description: '第一行\r\n第二行\u0007\u2066隔离\u2069',
    })
    expect(res.statusCode).toBe(201)
    const row = needRow(app, res.json().id)
    expect(row.title).toBe('排练场地 每周')
    expect(row.description).toBe('第一行\n第二行隔离')
  })

  it('a required field of nothing but control characters is refused as empty', async () => {
    const member = await signedIn(app, w.member.email)
    const res = await member.post('/account/settings', { name: '\u0000\u202e\u0007', notify: 'off' })
    expect(res.statusCode).toBe(422)
    expect((app.sqlite.prepare('SELECT name FROM users WHERE id = ?').get(w.member.id) as { name: string }).name).toBe(
      'Member',
    )
  })
})

describe('an idempotency key', () => {
  it('replays the same request, and refuses the key with 422 for a different one', async () => {
    // A need for what the offer is (a room), so the pair fits by subject as well as by every other rule.
    const need = needs.post(app.db, w.member, {
      orgId: w.orgA.id,
      category: 'venue',
      title: '社区活动室',
      description: '借用社区活动室排练',
      quantity: 4,
      areaId: w.communityA.id,
    })
    // Tagged with the offer's topic, so the pair fits by subject whatever the text matcher makes of the titles.
    app.sqlite.prepare(`UPDATE needs SET topics = '["room"]' WHERE id = ?`).run(need.id)
    app.sqlite.prepare(`UPDATE offers SET topics = '["room"]' WHERE id = ?`).run(w.offer.id)
    const broker = await signedIn(app, w.broker.email)
    const idem = randomUUID()
    const first = await broker.post('/matches', { needId: need.id, offerId: w.offer.id, quantity: 1, idem })
    expect(
      first.statusCode,
      first.body.match(/<p class="(?:flash|error)[^>]*>[^<]*/)?.[0] ?? first.body.slice(0, 3000),
    ).toBe(303)
    const again = await broker.post('/matches', { needId: need.id, offerId: w.offer.id, quantity: 1, idem })
    expect(again.headers.location).toBe(first.headers.location)
    const different = await broker.post('/matches', { needId: need.id, offerId: w.offer.id, quantity: 2, idem })
    expect(different.statusCode).toBe(422)
    expect(different.body).toContain('这个请求编号已用于另一项操作')
    expect(count(app, 'matches')).toBe(1)

    const matchId = Number(first.headers.location!.split('/').pop())
    const holder = await signedIn(app, w.other.email, undefined, { headers: { 'accept-language': 'en' } })
    const key = randomUUID()
    expect(
      (await json(holder, 'POST', `/api/v1/matches/${matchId}/transitions`, { event: 'pledge', idempotency_key: key }))
        .statusCode,
    ).toBe(200)
    expect(
      (await json(holder, 'POST', `/api/v1/matches/${matchId}/transitions`, { event: 'pledge', idempotency_key: key }))
        .statusCode,
    ).toBe(200)
    const reused = await json(holder, 'POST', `/api/v1/matches/${matchId}/transitions`, {
      event: 'decline',
      reason: 'no_longer_needed',
      idempotency_key: key,
    })
    expect(reused.statusCode).toBe(422)
    expect(reused.json().errors[0].message).toBe(
      'This request key was already used for a different request. Reload the page and try again.',
    )
    expect((app.sqlite.prepare('SELECT state FROM matches WHERE id = ?').get(matchId) as { state: string }).state).toBe(
      'pledged',
    )
  })
})

describe('a path Fastify cannot read', () => {
  it('gets the error page with the security headers, and the path is not echoed', async () => {
    const visitor = new Browser(app)
    for (const [url, status] of [
      ['/%', 400],
      ['/orgs/%E0%A4%A', 400],
      [`/orgs/${'x'.repeat(300)}`, 414],
    ] as const) {
      const res = await visitor.get(url)
      expect(res.statusCode, url).toBe(status)
      expect(res.headers['content-security-policy'], url).toContain("default-src 'self'")
      expect(res.headers['x-content-type-options'], url).toBe('nosniff')
      expect(res.headers['content-type'], url).toMatch(/^text\/html/)
      expect(res.body, url).toContain('请求格式不正确。')
      expect(res.body, url).not.toContain('valid url')
      expect(res.body, url).not.toContain('x'.repeat(20))
      expect(res.body, url).not.toContain('%E0%A4%A')
    }
    const api = await visitor.get('/api/v1/needs/%')
    expect(api.statusCode).toBe(400)
    expect(api.headers['content-security-policy']).toBeDefined()
    expect(api.json()).toEqual({ errors: [{ field: null, message: '请求格式不正确。' }] })
    expect((await visitor.get('/')).statusCode).toBe(200)
  })
})
