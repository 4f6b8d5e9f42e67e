import fs from 'node:fs'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { needs, offers } from '../../../src/db/schema.js'
import * as accounts from '../../../src/accounts/accounts.js'
import * as tokens from '../../../src/accounts/tokens.js'
import * as areas from '../../../src/areas/areas.js'
import { importLedger } from '../../../src/interchange/interchange.js'
import { addUser, makeApp } from '../../helpers/app.js'

/**
 * Our own held-out district (test/fixtures/held-out-topics.json): every need–offer pair of a category is
 * feasible by area, schedule, trust, capacity and dates, and differs only in what it is about. Offers are
 * worded with synonyms (扩音器 for 音响, 手机课 for 智能手机培训), some needs are in English against Chinese
 * offers. Which offers are about the same thing as each need, as a person reads them:
 */
const ON_TOPIC: Record<string, string[]> = {
  'hn-m1': ['ho-m1'],
  'hn-m2': ['ho-m3'],
  'hn-m3': ['ho-m4'],
  'hn-t1': ['ho-t1'],
  'hn-t2': ['ho-t3'],
  'hn-t3': ['ho-t2'],
  'hn-v1': ['ho-v2'],
  'hn-v2': ['ho-v1'],
  'hn-v3': ['ho-v3'],
  'hn-p1': ['ho-p1'],
  'hn-p2': ['ho-p2'],
  'hn-p3': ['ho-p3'],
  'hn-e1': ['ho-e1'],
  'hn-e2': ['ho-e2'],
  'hn-u1': ['ho-u2'],
  'hn-u2': ['ho-u1'],
  'hn-f1': ['ho-f1'],
  'hn-f2': ['ho-f2'],
}
const LEDGER = path.resolve(import.meta.dirname, '../../fixtures/held-out-topics.json')

let app: FastifyInstance
let needId: Map<string, number>
let offerRef: Map<number, string>
let needRef: Map<number, string>
let token: string

beforeAll(async () => {
  app = await makeApp()
  const admin = await addUser(app, { email: 'admin@held-out.cn', role: 'admin' })
  const broker = await addUser(app, { email: 'broker@held-out.cn', role: 'broker' })
  importLedger(app.db, JSON.parse(fs.readFileSync(LEDGER, 'utf8')), { by: 'operator' }) // as `npm run cli -- import` does
  accounts.setBrokerAreas(app.db, admin.id, broker.id, [areas.byRef(app.db, 'HO')!.id])
  token = tokens.issue(app.db, broker.id, 'held-out')
  const needRows = app.db.select({ id: needs.id, ref: needs.ref }).from(needs).all()
  needId = new Map(needRows.map((n) => [n.ref!, n.id]))
  needRef = new Map(needRows.map((n) => [n.id, n.ref!]))
  offerRef = new Map(
    app.db
      .select({ id: offers.id, ref: offers.ref })
      .from(offers)
      .all()
      .map((o) => [o.id, o.ref!]),
  )
}, 60_000)
afterAll(async () => {
  await app?.close()
})

const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
  app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, 'accept-language': 'en' },
    ...(payload ? { payload } : {}),
  })

describe('the held-out district: fits decided by what listings are about', () => {
  it('imported every listing of the ledger', () => {
    expect([...needId.keys()].sort()).toEqual(Object.keys(ON_TOPIC).sort())
    expect(offerRef.size).toBe(25)
  })

  it.each(Object.entries(ON_TOPIC))(
    '%s: the first match is on topic and nothing off topic is offered',
    async (ref, onTopic) => {
      const res = await api('GET', `/api/v1/needs/${needId.get(ref)}/matches`)
      expect(res.statusCode).toBe(200)
      const matched = (res.json().matches as { offer: { ref: string } }[]).map((m) => m.offer.ref)
      expect(onTopic, `first match of ${ref}: ${matched.join(', ')}`).toContain(matched[0])
      expect(
        matched.filter((r) => !onTopic.includes(r)),
        `off-topic offers for ${ref}`,
      ).toEqual([])
    },
  )

  it('allocates on-topic pairs only, and every need that has an on-topic offer gets one', async () => {
    const res = await api('POST', '/api/v1/allocations', { area: 'HO' })
    expect(res.statusCode).toBe(201)
    const pairs = (res.json().assignments as { need: number; offer: number }[]).map((a) => [
      needRef.get(a.need)!,
      offerRef.get(a.offer)!,
    ])
    expect(
      pairs.filter(([n, o]) => !ON_TOPIC[n]?.includes(o)),
      'off-topic pairs',
    ).toEqual([])
    expect(new Set(pairs.map(([n]) => n))).toEqual(new Set(Object.keys(ON_TOPIC)))
  })
})
