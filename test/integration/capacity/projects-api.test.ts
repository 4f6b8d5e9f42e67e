import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import * as tokens from '../../../src/accounts/tokens.js'
import * as projects from '../../../src/capacity/projects.js'
import * as projectReport from '../../../src/capacity/project-report.js'
import * as tasks from '../../../src/tasks/tasks.js'
import { organizations, partnerships } from '../../../src/db/schema.js'
import { INDICATOR_CODES } from '../../../src/capacity/indicators.js'
import { addDays, localToday } from '../../../src/shared/time.js'
import { addOrg, addUser, count } from '../../helpers/app.js'
import { appHoldingServedToBuilt } from '../../helpers/served.js'
import { brokerWorld, reload, type BrokerWorld } from '../brokering/world.js'

// org A and org C (community A, street A) form the cohort; `broker` covers street A, `broker2` street B only;
// an endorsed street office of street A reads the aggregates.
let app: FastifyInstance
let held: Awaited<ReturnType<typeof appHoldingServedToBuilt>>
let w: BrokerWorld
let streetOffice: { id: number }
const token: Record<string, string> = {}
const day = (offset: number) => localToday(addDays(new Date(), offset))
const scores = (v: number, over: Record<string, number> = {}) => ({
  ...Object.fromEntries(INDICATOR_CODES.map((c) => [c, v])),
  ...over,
})

beforeAll(async () => {
  // Every API answer is held to what its handler built: a response schema must not drop or coerce a field.
  held = await appHoldingServedToBuilt()
  app = held.app
  w = await brokerWorld(app)
  const officer = await addUser(app, { email: 'office@example.cn', name: 'Officer' })
  streetOffice = addOrg(app, officer.id, { name: '东湖街道办事处', kind: 'street_office', areaId: w.streetA.id })
  app.db.update(organizations).set({ trust: 'endorsed' }).where(eq(organizations.id, streetOffice.id)).run()
  for (const [name, id] of [
    ['broker', w.broker.id],
    ['broker2', w.broker2.id],
    ['member', w.member.id],
    ['stranger', w.stranger.id],
    ['officer', officer.id],
    ['other', w.other.id],
  ] as const) {
    token[name] = tokens.issue(app.db, id, name)
  }
})
afterAll(() => app.close())
afterEach(() => expect(held.differences.splice(0)).toEqual([]))

const call = (who: string, method: 'GET' | 'POST', url: string, payload?: object) =>
  app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token[who]}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
    payload: payload ? JSON.stringify(payload) : undefined,
  })

describe('a project through the API, checked against arithmetic done by hand', () => {
  let id: number

  it('a broker covering the street creates it with its cohort', async () => {
    const res = await call('broker', 'POST', '/api/v1/projects', {
      name: '东湖街道社区组织能力提升计划',
      funder: '区民政局',
      area_id: w.streetA.id,
      from: day(-200),
      to: day(0),
      groups: [w.orgA.id, w.orgC.id],
    })
    expect(res.statusCode).toBe(201)
    id = res.json().id
    expect(res.json()).toMatchObject({
      name: '东湖街道社区组织能力提升计划',
      funder: '区民政局',
      cohort: 2,
      from: day(-200),
      to: day(0),
      access: 'full',
      groups_missing_baseline: 2,
    })
  })

  it('assessments recorded through the API become the baseline and endline', async () => {
    // org A: baseline (before the start) all 2; endline all 3 but resource integration 4 and 5, 5, 4 → 14/3.
    for (const [org, on, s] of [
      [w.orgA.id, day(-250), scores(2)],
      [w.orgA.id, day(-10), scores(3, { mobilization: 5, partnerships: 5, volunteers: 4 })],
      [w.orgC.id, day(-150), scores(1)],
    ] as const) {
      const res = await call('broker', 'POST', `/api/v1/orgs/${org}/assessments`, {
        assessed_on: on,
        scores: s,
        note: 'API',
      })
      expect(res.statusCode).toBe(201)
    }
    const list = await call('broker', 'GET', `/api/v1/orgs/${w.orgA.id}/assessments`)
    expect(list.json().items.map((a: { assessed_on: string }) => a.assessed_on)).toEqual([day(-250), day(-10)])

    const body = (await call('broker', 'GET', `/api/v1/projects/${id}`)).json()
    const ri = body.dimensions.find((d: { code: string }) => d.code === 'resource_integration')
    // Baselines 2 (A) and 1 (C) → 1.5; endline only A: 14/3 → 4.67; paired change 14/3 − 2 = 2.67; A improved.
    expect(ri).toMatchObject({
      baseline_mean: 1.5,
      endline_mean: 4.67,
      paired_change: 2.67,
      improved_share: 1,
      groups_paired: 1,
      groups_missing_endline: 1,
    })
    const sp = body.dimensions.find((d: { code: string }) => d.code === 'specialization')
    expect(sp).toMatchObject({ baseline_mean: 1.5, endline_mean: 3, paired_change: 1, improved_share: 1 })
    expect(body.groups_missing_endline).toBe(1)
    expect(body.groups.map((g: { name: string; endline: unknown }) => [g.name, !!g.endline])).toEqual([
      ['荔枝湾书法社', false],
      ['荔枝湾广场舞队', true],
    ])
  })

  it('a group leaving counts in no figure, and is still listed', () => {
    const p = projects.findVisible(app.db, reload(app, w.broker), id)!.project
    projects.removeGroup(app.db, reload(app, w.broker), id, w.orgC.id, p.version)
    const r = projectReport.report(app.db, reload(app, w.broker), id)!
    expect(r.cohort.cohort).toBe(1)
    expect(r.cohort.dimensions[0]).toMatchObject({ baselineMean: 2, withBaseline: 1 })
    expect(r.cohort.left.map((l) => l.orgId)).toEqual([w.orgC.id])
  })

  it("the street office sees the cohort's figures, and a group's own line only once its leader consents", async () => {
    const before = (await call('officer', 'GET', `/api/v1/projects/${id}`)).json()
    expect(before).toMatchObject({ access: 'aggregate', cohort: 1 })
    expect(before.groups).toEqual([])
    projects.setConsent(app.db, reload(app, w.member), id, w.orgA.id, true)
    const after = (await call('officer', 'GET', `/api/v1/projects/${id}`)).json()
    expect(after.groups.map((g: { id: number }) => g.id)).toEqual([w.orgA.id])
    expect((await call('officer', 'GET', '/api/v1/projects')).json().items.map((p: { id: number }) => p.id)).toEqual([
      id,
    ])
  })

  it("a leader in the cohort sees the figures and the group's own line; others are not told it exists", async () => {
    const mine = (await call('member', 'GET', `/api/v1/projects/${id}`)).json()
    expect(mine.access).toBe('own')
    expect(mine.groups.map((g: { id: number }) => g.id)).toEqual([w.orgA.id])
    expect((await call('broker2', 'GET', `/api/v1/projects/${id}`)).statusCode).toBe(404)
    expect((await call('other', 'GET', `/api/v1/projects/${id}`)).statusCode).toBe(404)
    expect((await call('other', 'GET', '/api/v1/projects')).json().items).toEqual([])
  })
  it('counts the partnerships of its groups that stood during the period, not one that ended before it', async () => {
    const at = (offset: number) => addDays(new Date(), offset).toISOString()
    app.db
      .insert(partnerships)
      .values([
        { holderOrgId: w.orgB.id, groupOrgId: w.orgA.id, startedBy: w.broker.id, startedAt: at(-300) },
        {
          holderOrgId: streetOffice.id,
          groupOrgId: w.orgA.id,
          startedBy: w.broker.id,
          startedAt: at(-400),
          endedAt: at(-300),
          endReason: 'group_stopped',
        },
      ] as (typeof partnerships.$inferInsert)[])
      .run()
    expect((await call('broker', 'GET', `/api/v1/projects/${id}`)).json().assets.partnerships).toBe(1)
  })

  it('counts the cultivation tasks about its groups done in the period, not those still open', async () => {
    const by = reload(app, w.broker)
    const done = tasks.create(app.db, by, { kind: 'connect_fund', orgId: w.orgA.id }, () => '对接资金')
    tasks.fire(app.db, by, done.id, 'complete', { version: done.version })
    tasks.create(app.db, by, { kind: 'train_members', orgId: w.orgA.id, indicator: 'records' }, () => '培训')
    expect((await call('broker', 'GET', `/api/v1/projects/${id}`)).json().assets.tasks_done).toBe(1)
  })
})

describe('what the project API refuses', () => {
  it('says which field to fix, and writes nothing', async () => {
    const before = count(app, 'projects')
    const backwards = await call('broker', 'POST', '/api/v1/projects', {
      name: '倒序',
      area_id: w.streetA.id,
      from: day(-10),
      to: day(-20),
      groups: [],
    })
    expect(backwards.statusCode).toBe(422)
    expect(JSON.stringify(backwards.json())).toContain('"to"')
    const outside = await call('broker', 'POST', '/api/v1/projects', {
      name: '越界',
      area_id: w.streetA.id,
      from: day(-10),
      to: day(0),
      groups: [w.orgB.id],
    })
    expect(outside.statusCode).toBe(422)
    expect(JSON.stringify(outside.json())).toContain('"groups"')
    const noArea = await call('broker', 'POST', '/api/v1/projects', {
      name: '无区域',
      area: 'NO-SUCH-REF',
      from: day(-10),
      to: day(0),
      groups: [],
    })
    expect(noArea.statusCode).toBe(422)
    const malformed = await call('broker', 'POST', '/api/v1/projects', {
      name: '坏日期',
      area_id: w.streetA.id,
      from: '2026-02-30',
      to: day(0),
      groups: [],
    })
    expect(malformed.statusCode).toBe(400)
    expect(count(app, 'projects')).toBe(before)
  })

  it("refuses a project outside the caller's areas (403) and a member's (403)", async () => {
    expect(
      (
        await call('broker2', 'POST', '/api/v1/projects', {
          name: '别人的街道',
          area_id: w.streetA.id,
          from: day(-10),
          to: day(0),
          groups: [],
        })
      ).statusCode,
    ).toBe(403)
    expect(
      (
        await call('member', 'POST', '/api/v1/projects', {
          name: '自己的',
          area_id: w.communityA.id,
          from: day(-10),
          to: day(0),
          groups: [],
        })
      ).statusCode,
    ).toBe(403)
  })

  it('records an assessment only for a broker covering the group, complete and not in the future', async () => {
    const before = count(app, 'capacity_assessments')
    expect(
      (
        await call('broker2', 'POST', `/api/v1/orgs/${w.orgA.id}/assessments`, {
          assessed_on: day(-1),
          scores: scores(3),
        })
      ).statusCode,
    ).toBe(404)
    expect(
      (
        await call('member', 'POST', `/api/v1/orgs/${w.orgA.id}/assessments`, {
          assessed_on: day(-1),
          scores: scores(3),
        })
      ).statusCode,
    ).toBe(403)
    const { mobilization: _, ...partial } = scores(3)
    expect(
      (await call('broker', 'POST', `/api/v1/orgs/${w.orgA.id}/assessments`, { assessed_on: day(-1), scores: partial }))
        .statusCode,
    ).toBe(400)
    expect(
      (
        await call('broker', 'POST', `/api/v1/orgs/${w.orgA.id}/assessments`, {
          assessed_on: day(-1),
          scores: scores(6),
        })
      ).statusCode,
    ).toBe(400)
    const future = await call('broker', 'POST', `/api/v1/orgs/${w.orgA.id}/assessments`, {
      assessed_on: day(3),
      scores: scores(3),
    })
    expect(future.statusCode).toBe(422)
    expect(JSON.stringify(future.json())).toContain('assessed_on')
    expect((await call('stranger', 'GET', `/api/v1/orgs/${w.orgA.id}/assessments`)).statusCode).toBe(404)
    expect(count(app, 'capacity_assessments')).toBe(before)
  })
})
