import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { and, eq } from 'drizzle-orm'
import * as accounts from '../../../src/accounts/accounts.js'
import * as tokens from '../../../src/accounts/tokens.js'
import * as capacity from '../../../src/capacity/capacity.js'
import * as needs from '../../../src/needs/needs.js'
import { notifications, tasks as tasksTable } from '../../../src/db/schema.js'
import { INDICATOR_CODES } from '../../../src/capacity/indicators.js'
import { addDays, localToday } from '../../../src/shared/time.js'
import { addUser, Browser, count, signedIn } from '../../helpers/app.js'
import { brokerWorld, reload, type BrokerWorld } from '../brokering/world.js'
import { appHoldingServedToBuilt } from '../../helpers/served.js'

let app: FastifyInstance
let held: Awaited<ReturnType<typeof appHoldingServedToBuilt>>
let w: BrokerWorld
let broker: Browser, colleague: Browser, member: Browser, broker2: Browser
let stuck: needs.Need
let colleagueId: number
const row = (id: number) => app.db.select().from(tasksTable).where(eq(tasksTable.id, id)).get()!

beforeAll(async () => {
  // Every API answer is held to what its handler built: the response schema must not drop or coerce a field.
  held = await appHoldingServedToBuilt()
  app = held.app
  w = await brokerWorld(app)
  const col = await addUser(app, { email: 'colleague@example.cn', role: 'broker', name: '陈社工' })
  colleagueId = col.id
  accounts.setBrokerAreas(app.db, w.admin.id, col.id, [w.streetA.id])
  // A need nothing offers: it waits on the desk, where a task can be made from it.
  stuck = needs.post(app.db, w.member, {
    orgId: w.orgA.id,
    category: 'training',
    title: '财务记账培训',
    description: '队里没人会记账，需要有人教',
    quantity: 2,
    areaId: w.communityA.id,
  })
  ;[broker, colleague, member, broker2] = await Promise.all([
    signedIn(app, w.broker.email),
    signedIn(app, 'colleague@example.cn'),
    signedIn(app, w.member.email),
    signedIn(app, w.broker2.email),
  ])
})
afterAll(() => app.close())
afterEach(() => expect(held.differences.splice(0)).toEqual([]))

describe('a cultivation task from the desk', () => {
  let id: number

  it("is one click from a need no offer can serve, with a title, the need's area and group, due in two weeks", async () => {
    const desk = await broker.get('/desk')
    expect(desk.body).toMatch(new RegExp(`<input type="hidden" name="needId" value="${stuck.id}">`))
    const res = await broker.post('/tasks', { kind: 'recruit_holder', needId: String(stuck.id) })
    expect(res.statusCode).toBe(303)
    id = Number(res.headers.location!.split('/').pop())
    expect(row(id)).toMatchObject({
      kind: 'recruit_holder',
      title: '为「财务记账培训」招募资源方',
      areaId: w.communityA.id,
      orgId: w.orgA.id,
      needId: stuck.id,
      category: 'training',
      ownerId: w.broker.id,
      status: 'open',
      dueOn: localToday(addDays(new Date(), 14)),
    })
    const again = await broker.get('/desk')
    expect(again.body).toContain(`<a href="/tasks/${id}">为「财务记账培训」招募资源方</a>`)
  })

  it('moves open → in progress → done, can be reopened, and is dropped only with a reason', async () => {
    const fire = (b: Browser, event: string, extra: Record<string, string> = {}) =>
      b.post(`/tasks/${id}/transitions`, { event, version: String(row(id).version), ...extra })
    expect((await fire(broker, 'start')).statusCode).toBe(303)
    expect(row(id).status).toBe('in_progress')
    expect((await fire(broker, 'complete', { outcome: '阳光会计事务所答应每月来教一次' })).statusCode).toBe(303)
    expect(row(id)).toMatchObject({ status: 'done', outcome: '阳光会计事务所答应每月来教一次' })
    expect(row(id).closedAt).not.toBeNull()
    expect((await fire(broker, 'start')).statusCode).toBe(409)
    expect((await fire(broker, 'reopen')).statusCode).toBe(303)
    const noReason = await fire(broker, 'drop')
    expect(noReason.statusCode).toBe(422)
    expect(noReason.body).toContain('请选择放弃的原因')
    expect(row(id).status).toBe('open')
    // Someone else's change since the page was loaded is not overwritten.
    const stale = await broker.post(`/tasks/${id}/transitions`, { event: 'start', version: '1' })
    expect(stale.statusCode).toBe(409)
  })

  it('keeps notes, and is handed over to a colleague who is told', async () => {
    expect((await broker.post(`/tasks/${id}/notes`, { body: '  ' })).statusCode).toBe(422)
    expect((await broker.post(`/tasks/${id}/notes`, { body: '已联系两家会计事务所' })).statusCode).toBe(303)
    expect(
      (await broker.post(`/tasks/${id}/handover`, { ownerId: String(colleagueId), version: String(row(id).version) }))
        .statusCode,
    ).toBe(303)
    expect(row(id).ownerId).toBe(colleagueId)
    const told = app.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, colleagueId), eq(notifications.kind, 'task.assigned')))
      .all()
    expect(told).toHaveLength(1)
    const page = await colleague.get(`/tasks/${id}`)
    expect(page.body).toContain('已联系两家会计事务所')
    expect(page.body).toContain('陈社工')
  })

  it("the group's leader sees it, read-only; a broker of another street does not", async () => {
    const list = await member.get('/tasks')
    expect(list.body).toContain(`/tasks/${id}`)
    const page = await member.get(`/tasks/${id}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('由社工跟进')
    expect(page.body).not.toContain('action="/tasks/' + id + '/transitions"')
    expect(
      (
        await member.post(`/tasks/${id}/transitions`, {
          event: 'drop',
          reason: 'not_needed',
          version: String(row(id).version),
        })
      ).statusCode,
    ).toBe(403)
    expect((await broker2.get(`/tasks/${id}`)).statusCode).toBe(404)
    expect((await broker2.post(`/tasks/${id}/notes`, { body: '看看' })).statusCode).toBe(404)
    const before = count(app, 'tasks')
    expect((await broker2.post('/tasks', { kind: 'recruit_holder', needId: String(stuck.id) })).statusCode).toBe(403)
    expect(count(app, 'tasks')).toBe(before)
  })
})

describe('tasks from the agenda and from an assessment', () => {
  it("an agenda row of the broker's own communities makes a task for that community and category", async () => {
    const agenda = await broker.get('/map/agenda')
    expect(agenda.body).toContain(
      `<input type="hidden" name="areaId" value="${w.communityA.id}"><input type="hidden" name="category" value="training">`,
    )
    const res = await broker.post('/tasks', {
      kind: 'recruit_holder',
      areaId: String(w.communityA.id),
      category: 'training',
    })
    expect(row(Number(res.headers.location!.split('/').pop()))).toMatchObject({
      areaId: w.communityA.id,
      category: 'training',
      orgId: null,
    })
  })

  it('an indicator scored 1 or 2 offers a training task about it; higher scores do not', async () => {
    const scores = { ...Object.fromEntries(INDICATOR_CODES.map((c) => [c, 4])), records: 1, succession: 2 }
    const a = capacity.record(app.db, reload(app, w.broker), w.orgA.id, { assessedOn: localToday(new Date()), scores })
    const page = await broker.get(`/capacity/${a.id}`)
    expect(page.body.match(/name="indicator" value="(\w+)"/g)).toEqual([
      'name="indicator" value="records"',
      'name="indicator" value="succession"',
    ])
    expect((await member.get(`/capacity/${a.id}`)).body).not.toContain('name="indicator"')
    const res = await broker.post('/tasks', { kind: 'train_members', orgId: String(w.orgA.id), indicator: 'records' })
    expect(row(Number(res.headers.location!.split('/').pop()))).toMatchObject({
      kind: 'train_members',
      orgId: w.orgA.id,
      indicator: 'records',
      title: '荔枝湾广场舞队：提升“项目记录”',
    })
  })
})

describe('the tasks API', () => {
  it("creates, lists and moves tasks with the web's rules", async () => {
    const token = tokens.issue(app.db, w.broker.id, 'tasks')
    const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
      app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
        payload: payload ? JSON.stringify(payload) : undefined,
      })
    const made = await call('POST', '/api/v1/tasks', {
      kind: 'connect_fund',
      org: w.orgA.id,
      due_on: localToday(addDays(new Date(), 30)),
      note: '街道微创投',
    })
    expect(made.statusCode).toBe(201)
    expect(made.json()).toMatchObject({
      kind: 'connect_fund',
      org: w.orgA.id,
      status: 'open',
      title: '为「荔枝湾广场舞队」对接资金',
    })
    const id = made.json().id
    expect((await call('GET', '/api/v1/tasks')).json().items.map((t: { id: number }) => t.id)).toContain(id)
    expect((await call('POST', `/api/v1/tasks/${id}/transitions`, { event: 'drop' })).statusCode).toBe(422)
    const dropped = await call('POST', `/api/v1/tasks/${id}/transitions`, { event: 'drop', reason: 'group_declined' })
    expect(dropped.json()).toMatchObject({ status: 'dropped', drop_reason: 'group_declined' })
    expect((await call('POST', '/api/v1/tasks', { kind: 'dig_a_hole', org: w.orgA.id })).statusCode).toBe(400)
    expect((await call('POST', '/api/v1/tasks', { kind: 'other' })).statusCode).toBe(422)
    const other = tokens.issue(app.db, w.broker2.id, 'other')
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `/api/v1/tasks/${id}/transitions`,
          headers: { authorization: `Bearer ${other}` },
          payload: { event: 'reopen' },
        })
      ).statusCode,
    ).toBe(404)
  })

  it('answers each task, open, started, done, dropped and reopened, with the JSON its handler built', async () => {
    const token = tokens.issue(app.db, w.broker.id, 'tasks-json')
    const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
      app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, payload })
    const before = held.compared()
    const made = [
      await call('POST', '/api/v1/tasks', { kind: 'other', title: '走访', area: w.streetA.id }),
      await call('POST', '/api/v1/tasks', { kind: 'connect_fund', org: w.orgA.id, category: 'venue' }),
      await call('POST', '/api/v1/tasks', { kind: 'other', title: '跟进需求', need: stuck.id, note: '无人提供' }),
    ].map((r) => r.json().id as number)
    const moves = [['start', 'complete'], ['complete'], ['start', 'drop', 'reopen']] as const
    for (const [i, events] of moves.entries())
      for (const event of events) {
        const moved = await call('POST', `/api/v1/tasks/${made[i]}/transitions`, {
          event,
          ...(event === 'drop' ? { reason: 'group_declined' } : {}),
          ...(event === 'complete' ? { outcome: '已完成' } : {}),
        })
        expect(moved.statusCode, `${event} task ${made[i]}`).toBe(200)
      }
    const items = (await call('GET', '/api/v1/tasks')).json().items as { id: number; status: string; org: unknown }[]
    expect(new Set(items.map((t) => t.status))).toEqual(new Set(['open', 'done', 'dropped']))
    expect(items.some((t) => t.org === null)).toBe(true)
    expect(held.compared() - before).toBeGreaterThanOrEqual(9)
  })
})
