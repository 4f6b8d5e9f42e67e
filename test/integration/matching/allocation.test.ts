import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  allocationRuns,
  areas,
  fitFeedback,
  matches as matchesTable,
  offers as offersTable,
} from '../../../src/db/schema.js'
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
  const n2 = needs.post(
    app.db,
    stranger,
    { orgId: w.orgC.id, category: 'venue', title: '书法课教室', quantity: 10, areaId: communityA2.id },
    later,
  )
  const n4 = needs.post(
    app.db,
    stranger,
    { orgId: orgD.id, category: 'publicity', title: '环保海报', quantity: 3, areaId: communityA2.id },
    later,
  )
  const o2 = offers.post(
    app.db,
    w.other,
    { orgId: w.orgB.id, category: 'venue', title: '荔枝湾小会议室', quantity: 10, servesAreaId: w.communityA.id },
    later,
  )
  const n3 = needs.post(
    app.db,
    w.other,
    { orgId: w.orgB.id, category: 'venue', title: '南岸的活动室', quantity: 5, areaId: w.communityB.id },
    later,
  )
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
afterAll(async () => {
  await app?.close()
})

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
    expect(rows.sort()).toEqual(
      [
        [w.n1.id, w.o2.id],
        [w.n2.id, w.o1.id],
      ].sort(),
    )
    // Street B's need is not the broker's to allocate.
    expect(page.body).not.toContain(`/needs/${w.n3.id}"`)
    // Rows start unticked, with an explicit "select all", and each shows its reasons.
    expect(page.body).not.toMatch(/name="keep" value="[^"]+"[^>]* checked/)
    expect(page.body).toContain('id="alloc-select-all" data-select-all="keep"')
    const row = page.body.split('<tr data-row=').find((r) => r.startsWith(`"${w.n1.id}:${w.o2.id}"`))!
    expect(row).toMatch(/<ul class="reasons"><li>[^<]+<\/li>/)
    expect(row).toContain(`name="notRelevant" value="${w.n1.id}:${w.o2.id}"`)
    // Coverage per category in its own unit, never summed across units; the same for first come, first served.
    const table = (id: string) =>
      page.body.slice(page.body.indexOf(`id="${id}"`), page.body.indexOf('</table>', page.body.indexOf(`id="${id}"`)))
    const coverage = table('alloc-coverage')
    expect(coverage).toMatch(
      /data-category="venue">\s*<th scope="row">场地<\/th>\s*<td>20 \/ 20 小时（100%）<\/td>\s*<td>10 \/ 20 小时（50%）<\/td>/,
    )
    expect(coverage).toMatch(/data-category="publicity">[\s\S]*<td>0 \/ 3 件（0%）<\/td>/)
    // 20 hours and 3 items are never one '23'.
    expect(page.body).not.toContain('/ 23')
    // The fairness figure is the one the allocator maximizes, explained in words, and not below first come, first served's.
    const fairness = table('alloc-fairness')
    const [ours, fcfs] = [
      ...fairness.match(/id="alloc-fair-share">[\s\S]*?<td>([\d.]+) 分<\/td><td>([\d.]+) 分<\/td>/)!.slice(1),
    ].map(Number)
    expect(ours).toBeGreaterThan(fcfs)
    expect(fairness).toMatch(/<th scope="row">一无所获的组织<\/th><td>1 \/ 3<\/td><td>2 \/ 3<\/td>/)
    expect(page.body).toContain('公平份额得分就是本方案')
    expect(page.body).not.toContain('基尼')
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
    expect([...page.body.matchAll(/name="keep" value="(\d+:\d+)"/g)].map((m) => m[1])).toEqual([
      `${w.n3.id}:${w.o1.id}`,
    ])
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
    expect(made[0]).toMatchObject({
      needId: w.n1.id,
      offerId: w.o2.id,
      quantity: 10,
      state: 'proposed',
      origin: 'allocation',
      brokerId: w.broker.id,
      proposedBy: w.broker.id,
    })
    expect(made[0].score).toBeGreaterThan(0)
    expect(made[0].reasons).toEqual(
      expect.arrayContaining([expect.objectContaining({ factor: 'area', key: 'reason.area.same_community' })]),
    )
    // Nothing is reserved by a proposal, and nobody has been asked anything for the unticked row.
    expect(app.db.select().from(matchesTable).where(eq(matchesTable.needId, w.n2.id)).all()).toEqual([])
    const shown = await broker.get(`/allocations/${id}`)
    expect(shown.body).toContain('已创建 1 个对接提议。')
    // The sent row now has an open match: it is listed with why, and can no longer be ticked.
    expect(shown.body).toMatch(new RegExp(`name="keep" value="${w.n1.id}:${w.o2.id}"[^>]* disabled`))
    expect(shown.body).toContain(`这对需求和资源已经有进行中的对接（#${made[0].id}）。`)

    const again = await broker.post(`/allocations/${id}/proposals`, { keep: [`${w.n1.id}:${w.o2.id}`] })
    expect(again.statusCode).toBe(303)
    expect(count(app, 'matches')).toBe(before + 1)
    const flash = (await broker.get(`/allocations/${id}`)).body
    expect(flash).toContain('已创建 0 个对接提议。')
  })

  it('lists the rows it could not send with why, and records a row unticked as not relevant instead of sending it', async () => {
    const res = await broker.post('/allocations', { category: 'venue' })
    const id = runIdFrom(res.headers.location as string)
    // Since the run, the holder of O1 cut it to 4 hours: N2 ← O1 (10 hours) cannot be sent as computed.
    app.db
      .update(offersTable)
      .set({ remaining: 4, quantity: 4, updatedAt: new Date().toISOString() })
      .where(eq(offersTable.id, w.o1.id))
      .run()
    const page = await broker.get(`/allocations/${id}`)
    expect(page.body).toContain('计算方案之后，需求或资源有改动；发出时会重新检查。')
    const before = count(app, 'matches')
    const sent = await broker.post(`/allocations/${id}/proposals`, {
      keep: [`${w.n1.id}:${w.o2.id}`, `${w.n2.id}:${w.o1.id}`],
      notRelevant: [`${w.n1.id}:${w.o2.id}`],
    })
    expect(sent.statusCode).toBe(303)
    // Not relevant wins over ticked: nothing is sent for it, and the judgement is recorded once, as the broker's.
    expect(count(app, 'matches')).toBe(before)
    expect(app.db.select().from(fitFeedback).all()).toMatchObject([
      { needId: w.n1.id, offerId: w.o2.id, source: 'allocation', reason: 'not_relevant', userId: w.broker.id },
    ])
    const after = (await broker.get(`/allocations/${id}`)).body
    expect(after).toContain('已创建 0 个对接提议；1 行没有发出，原因见下方。')
    const skipped = after.slice(
      after.indexOf('id="alloc-skipped"'),
      after.indexOf('</section>', after.indexOf('id="alloc-skipped"')),
    )
    expect(skipped).toContain(`data-row="${w.n2.id}:${w.o1.id}"`)
    expect(skipped).toContain('需求或资源在计算之后有变化，现在最多只能对接 4。')
    app.db.update(offersTable).set({ remaining: 10, quantity: 10 }).where(eq(offersTable.id, w.o1.id)).run()
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
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/allocations',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: {},
    })
    expect(res.statusCode).toBe(201)
    const body = res.json()
    expect(body.coverage).toMatchObject({ demand: 23, allocated: 20 })
    expect(body.fairness).toMatchObject({ organizations: 3, organizations_with_nothing: 1 })
    expect(typeof body.fairness.gini).toBe('number')
    expect(body.baseline).toMatchObject({ allocated: 10, organizations_with_nothing: 2 })
    expect(body.baseline.gini).toBeGreaterThan(body.fairness.gini)
    expect(body.assignments.sort((a: any, b: any) => a.need - b.need)).toMatchObject(
      [
        { need: w.n1.id, offer: w.o2.id, quantity: 10 },
        { need: w.n2.id, offer: w.o1.id, quantity: 10 },
      ].sort((a, b) => a.need - b.need),
    )
    // Per category in its own unit; the fair-share score the allocator maximizes, never below the baseline's; reasons in words.
    expect(body.coverage.by_category).toEqual({
      venue: { demand: 20, allocated: 20, unit: 'hours' },
      publicity: { demand: 3, allocated: 0, unit: 'items' },
    })
    expect(body.fairness.fair_share).toBeGreaterThan(body.baseline.fair_share)
    expect(body.fairness).toMatchObject({ groups: 3, groups_served: 2 })
    expect(body.baseline).toMatchObject({ groups: 3, groups_served: 1 })
    expect(body.assignments[0].reasons[0]).toEqual({
      factor: expect.any(String),
      contribution: expect.any(Number),
      text: expect.any(String),
    })

    // Narrowed to one of the broker's areas by ref, and to a category.
    const narrowed = await app.inject({
      method: 'POST',
      url: '/api/v1/allocations',
      headers: { authorization: `Bearer ${token}` },
      payload: { area: 'T-A', category: 'publicity' },
    })
    expect(narrowed.statusCode).toBe(201)
    expect(narrowed.json()).toMatchObject({ coverage: { demand: 3, allocated: 0 }, assignments: [] })
    // Another street's area is not theirs to allocate.
    const foreign = await app.inject({
      method: 'POST',
      url: '/api/v1/allocations',
      headers: { authorization: `Bearer ${token}` },
      payload: { area: 'T-B' },
    })
    expect(foreign.statusCode).toBe(422)
  })

  it('is the same every time on the same data', async () => {
    const token = tokens.issue(app.db, w.broker.id, 'again')
    const call = async () => {
      const {
        id: _id,
        ms: _ms,
        ...rest
      } = (
        await app.inject({
          method: 'POST',
          url: '/api/v1/allocations',
          headers: { authorization: `Bearer ${token}` },
          payload: {},
        })
      ).json()
      return rest
    }
    const [a, b] = [await call(), await call()]
    expect(b).toEqual(a)
  })

  it("refuses a member's token (403) and no token (401)", async () => {
    const runs = count(app, 'allocation_runs')
    const memberToken = tokens.issue(app.db, w.member.id, 'member')
    const member = await app.inject({
      method: 'POST',
      url: '/api/v1/allocations',
      headers: { authorization: `Bearer ${memberToken}` },
      payload: {},
    })
    expect(member.statusCode).toBe(403)
    const nobody = await app.inject({ method: 'POST', url: '/api/v1/allocations', payload: {} })
    expect(nobody.statusCode).toBe(401)
    expect(count(app, 'allocation_runs')).toBe(runs)
  })
})
