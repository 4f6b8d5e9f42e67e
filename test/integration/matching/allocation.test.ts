import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allocationRuns, areas, matches as matchesTable } from '../../../src/db/schema.js'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import * as tokens from '../../../src/accounts/tokens.js'
import { addArea, addOrg, count, makeApp, signedIn, type Browser } from '../../helpers/app.js'
import { brokerWorld, reload, type BrokerWorld } from '../brokering/world.js'

/**
 * Street A (the broker's): N1 (org A, community A, 10 hours) and N2 (org C, community A2, 10 hours) want venues;
 * O1 serves the whole district with 10 hours and was posted first, O2 serves community A only with 10 hours.
 * First come, first served gives O1 to N1 and leaves N2 with nothing; the allocation gives O2 to N1 and O1 to N2.
 * N4 (org D) wants publicity that nobody offers. Street B holds N3, which O1 could serve but is not the broker's.
 */
async function allocationWorld(app: FastifyInstance) {
  const t0 = new Date(Date.now() - 3_600_000)
  const later = new Date(t0.getTime() + 60_000)
  const w = await brokerWorld(app, { needQuantity: 10, offerQuantity: 10, now: t0 })
  const communityA2 = addArea(app, '东湖社区', w.streetA.id, 'Donghu Community')
  app.db.update(areas).set({ ref: 'T-A' }).where(eq(areas.id, w.streetA.id)).run()
  app.db.update(areas).set({ ref: 'T-B' }).where(eq(areas.id, w.streetB.id)).run()
  const orgD = addOrg(app, w.stranger.id, { name: '东湖环保小队', areaId: communityA2.id })
  const stranger = reload(app, w.stranger)
  const n2 = needs.post(app.db, stranger, { orgId: w.orgC.id, category: 'venue', title: '书法课教室', quantity: 10, areaId: communityA2.id }, later)
  const n4 = needs.post(app.db, stranger, { orgId: orgD.id, category: 'publicity', title: '环保海报', quantity: 3, areaId: communityA2.id }, later)
  const o2 = offers.post(app.db, w.other, { orgId: w.orgB.id, category: 'venue', title: '荔枝湾小会议室', quantity: 10, servesAreaId: w.communityA.id }, later)
  const n3 = needs.post(app.db, w.other, { orgId: w.orgB.id, category: 'venue', title: '南岸的活动室', quantity: 5, areaId: w.communityB.id }, later)
  return { ...w, n1: w.need, o1: w.offer, n2, n3, n4, o2, orgD, communityA2 }
}

let app: FastifyInstance
let w: BrokerWorld & Awaited<ReturnType<typeof allocationWorld>>
let broker: Browser
beforeAll(async () => {
  app = await makeApp()
  w = await allocationWorld(app)
  broker = await signedIn(app, w.broker.email)
})
afterAll(async () => { await app?.close() })

const runIdFrom = (location: string | undefined) => Number(location?.match(/^\/allocations\/(\d+)$/)?.[1])

describe('the Allocate page', () => {
  it('is for brokers: the form with a progress indicator and only their own areas; a member is refused with 403', async () => {
    const page = await broker.get('/allocations')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('hx-indicator="#alloc-progress"')
    expect(page.body).toMatch(/id="alloc-progress"[^>]*role="status"/)
    expect(page.body).toContain(`name="areaIds" value="${w.streetA.id}"`)
    expect(page.body).not.toContain(`name="areaIds" value="${w.streetB.id}"`)

    const member = await signedIn(app, w.member.email)
    expect((await member.get('/allocations')).statusCode).toBe(403)
    const before = count(app, 'allocation_runs')
    expect((await member.post('/allocations', { category: 'venue' })).statusCode).toBe(403)
    expect(count(app, 'allocation_runs')).toBe(before)
  })

  it("allocates within the broker's streets, compares with first come first served, and names who gets nothing and why", async () => {
    const res = await broker.post('/allocations', { areaIds: [String(w.streetA.id), String(w.streetB.id)] })
    expect(res.statusCode).toBe(303)
    const id = runIdFrom(res.headers.location as string)
    expect(id).toBeGreaterThan(0)
    // An area outside the broker's own was dropped from the scope.
    const stored = app.db.select().from(allocationRuns).where(eq(allocationRuns.id, id)).get()!
    expect(stored.params).toEqual({ areaIds: [w.streetA.id], category: null })

    const page = await broker.get(`/allocations/${id}`)
    expect(page.statusCode).toBe(200)
    const rows = [...page.body.matchAll(/name="keep" value="(\d+):(\d+)"/g)].map((m) => [Number(m[1]), Number(m[2])])
    expect(rows.sort()).toEqual([[w.n1.id, w.o2.id], [w.n2.id, w.o1.id]].sort())
    // Street B's need is not the broker's to allocate.
    expect(page.body).not.toContain(`/needs/${w.n3.id}"`)
    const compare = page.body.slice(page.body.indexOf('id="alloc-compare"'), page.body.indexOf('</table>', page.body.indexOf('id="alloc-compare"')))
    expect(compare).toContain('<th>本方案</th><th>先到先得</th>')
    expect(compare).toContain('<td>20 / 23（87%）</td><td>10 / 23（43.5%）</td>')
    expect(compare).toMatch(/<tr><th>[^<]+<\/th><td>3<\/td><td>3<\/td><\/tr>/)
    expect(compare).toMatch(/<tr><th>[^<]+<\/th><td>1<\/td><td>2<\/td><\/tr>/)
    expect(page.body).toContain('<strong>东湖环保小队</strong>: 没有任何开放资源符合其需求')
    expect(page.body).toContain(`action="/allocations/${id}/proposals"`)
  })

  it("is the running broker's alone: another broker gets 404 for the run and for applying it", async () => {
    const res = await broker.post('/allocations', {})
    const id = runIdFrom(res.headers.location as string)
    const other = await signedIn(app, w.broker2.email)
    expect((await other.get(`/allocations/${id}`)).statusCode).toBe(404)
    const before = count(app, 'matches')
    expect((await other.post(`/allocations/${id}/proposals`, { keep: [`${w.n1.id}:${w.o2.id}`] })).statusCode).toBe(404)
    expect(count(app, 'matches')).toBe(before)
    expect((await other.get('/allocations')).body).not.toContain(`href="/allocations/${id}"`)
    // Their own run covers their own street: street B's need, served by the district-wide offer.
    const theirs = await other.post('/allocations', {})
    const page = await other.get(theirs.headers.location as string)
    expect([...page.body.matchAll(/name="keep" value="(\d+:\d+)"/g)].map((m) => m[1])).toEqual([`${w.n3.id}:${w.o1.id}`])
  })
})

describe('applying a reviewed proposal', () => {
  it('turns only the ticked rows into proposed matches with their score and reasons, and applying twice creates nothing new', async () => {
    const res = await broker.post('/allocations', { category: 'venue' })
    const id = runIdFrom(res.headers.location as string)
    const before = count(app, 'matches')
    // The broker unticks N2 ← O1: only N1 ← O2 is kept.
    const applied = await broker.post(`/allocations/${id}/proposals`, { keep: [`${w.n1.id}:${w.o2.id}`] })
    expect(applied.statusCode).toBe(303)
    expect(applied.headers.location).toBe(`/allocations/${id}`)
    const made = app.db.select().from(matchesTable).where(eq(matchesTable.origin, 'allocation')).all()
    expect(count(app, 'matches')).toBe(before + 1)
    expect(made).toHaveLength(1)
    expect(made[0]).toMatchObject({ needId: w.n1.id, offerId: w.o2.id, quantity: 10, state: 'proposed', origin: 'allocation', brokerId: w.broker.id, proposedBy: w.broker.id })
    expect(made[0].score).toBeGreaterThan(0)
    expect(made[0].reasons).toEqual(expect.arrayContaining([expect.objectContaining({ factor: 'area', key: 'reason.area.same_community' })]))
    // Nothing is reserved by a proposal, and nobody has been asked anything for the unticked row.
    expect(app.db.select().from(matchesTable).where(eq(matchesTable.needId, w.n2.id)).all()).toEqual([])
    const shown = await broker.get(`/allocations/${id}`)
    expect(shown.body).toContain('已创建 1 个对接提议。')
    // Applied: the button is gone.
    expect(shown.body).not.toContain('把勾选的行变成对接提议')

    const again = await broker.post(`/allocations/${id}/proposals`, { keep: [`${w.n1.id}:${w.o2.id}`] })
    expect(again.statusCode).toBe(303)
    expect(count(app, 'matches')).toBe(before + 1)
    const flash = (await broker.get(`/allocations/${id}`)).body
    expect(flash).toContain('已创建 0 个对接提议。')
  })

  it('refuses a row that is not in the run', async () => {
    const res = await broker.post('/allocations', { category: 'venue' })
    const id = runIdFrom(res.headers.location as string)
    const before = count(app, 'matches')
    await broker.post(`/allocations/${id}/proposals`, { keep: [`${w.n3.id}:${w.o1.id}`] })
    expect(count(app, 'matches')).toBe(before)
  })
})

describe('POST /api/v1/allocations', () => {
  it("answers coverage, fairness, the first-come-first-served baseline and the assignments to a broker's token", async () => {
    const token = tokens.issue(app.db, w.broker.id, 'test')
    const res = await app.inject({ method: 'POST', url: '/api/v1/allocations', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: {} })
    expect(res.statusCode).toBe(201)
    const body = res.json()
    expect(body.coverage).toMatchObject({ demand: 23, allocated: 20 })
    expect(body.fairness).toMatchObject({ organizations: 3, organizations_with_nothing: 1 })
    expect(typeof body.fairness.gini).toBe('number')
    expect(body.baseline).toMatchObject({ allocated: 10, organizations_with_nothing: 2 })
    expect(body.baseline.gini).toBeGreaterThan(body.fairness.gini)
    expect(body.assignments.sort((a: any, b: any) => a.need - b.need)).toEqual([
      { need: w.n1.id, offer: w.o2.id, quantity: 10 },
      { need: w.n2.id, offer: w.o1.id, quantity: 10 },
    ].sort((a, b) => a.need - b.need))

    // Narrowed to one of the broker's areas by ref, and to a category.
    const narrowed = await app.inject({ method: 'POST', url: '/api/v1/allocations', headers: { authorization: `Bearer ${token}` }, payload: { area: 'T-A', category: 'publicity' } })
    expect(narrowed.statusCode).toBe(201)
    expect(narrowed.json()).toMatchObject({ coverage: { demand: 3, allocated: 0 }, assignments: [] })
    // Another street's area is not theirs to allocate.
    const foreign = await app.inject({ method: 'POST', url: '/api/v1/allocations', headers: { authorization: `Bearer ${token}` }, payload: { area: 'T-B' } })
    expect(foreign.statusCode).toBe(422)
  })

  it('is the same every time on the same data', async () => {
    const token = tokens.issue(app.db, w.broker.id, 'again')
    const call = async () => {
      const { id: _id, ms: _ms, ...rest } = (await app.inject({ method: 'POST', url: '/api/v1/allocations', headers: { authorization: `Bearer ${token}` }, payload: {} })).json()
      return rest
    }
    const [a, b] = [await call(), await call()]
    expect(b).toEqual(a)
  })

  it("refuses a member's token (403) and no token (401)", async () => {
    const runs = count(app, 'allocation_runs')
    const memberToken = tokens.issue(app.db, w.member.id, 'member')
    const member = await app.inject({ method: 'POST', url: '/api/v1/allocations', headers: { authorization: `Bearer ${memberToken}` }, payload: {} })
    expect(member.statusCode).toBe(403)
    const nobody = await app.inject({ method: 'POST', url: '/api/v1/allocations', payload: {} })
    expect(nobody.statusCode).toBe(401)
    expect(count(app, 'allocation_runs')).toBe(runs)
  })
})
