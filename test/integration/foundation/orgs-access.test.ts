import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { and, eq } from 'drizzle-orm'
import { events, organizations, users, memberships } from '../../../src/db/schema.js'
import {
  addOrg,
  addUser,
  Browser,
  count,
  makeApp,
  seedWorld,
  signedIn,
  tableCounts,
  type World,
} from '../../helpers/app.js'

// One district and one sign-in per role for the file (hashing is the slow part); every test works on
// organizations of its own, made fresh by orgs(), so no test sees another's trust changes or edits.
let app: FastifyInstance
let w: World
let member: Browser
let broker: Browser
let admin: Browser

beforeAll(async () => {
  app = await makeApp()
  w = await seedWorld(app)
  ;[member, broker, admin] = await Promise.all([
    signedIn(app, w.member.email),
    signedIn(app, w.broker.email),
    signedIn(app, w.admin.email),
  ])
})
afterAll(() => app.close())

/** A fresh org A (led by the member, in street A, which the broker covers) and org B (led by the other member, street B). */
function orgs() {
  return {
    orgA: addOrg(app, w.member.id, { name: `荔枝湾广场舞队 ${count(app, 'organizations')}`, areaId: w.communityA.id }),
    orgB: addOrg(app, w.other.id, { name: `南岸互助小组 ${count(app, 'organizations')}`, areaId: w.communityB.id }),
  }
}

const orgRow = (_app: FastifyInstance, id: number) =>
  app.db.select().from(organizations).where(eq(organizations.id, id)).get()!

function orgForm(areaId: number, extra: Record<string, string | string[]> = {}) {
  return {
    name: '新港亲子阅读会',
    kind: 'community_group',
    areaId: String(areaId),
    focus: ['children', 'education'],
    members: '40',
    description: '绘本',
    contactPhone: '020-8888 1234',
    ...extra,
  }
}

describe('object-level access to organizations', () => {
  it('a member of org A cannot open or save org B (404, nothing changes)', async () => {
    const { orgA, orgB } = orgs()
    expect((await member.get(`/orgs/${orgA.id}/edit`)).statusCode).toBe(200)

    const before = orgRow(app, orgB.id)
    const edit = await member.get(`/orgs/${orgB.id}/edit`)
    expect(edit.statusCode).toBe(404)
    expect(edit.body).not.toContain(before.name)
    const save = await member.post(
      `/orgs/${orgB.id}`,
      orgForm(w.communityA.id, { name: 'Hijacked', version: String(before.version) }),
    )
    expect(save.statusCode).toBe(404)
    expect(orgRow(app, orgB.id)).toEqual(before)
    // Neighbouring and missing ids behave the same: no way to tell "exists" from "not yours".
    expect((await member.get('/orgs/999999/edit')).statusCode).toBe(404)
    // Staff roles do not make an org editable either.
    expect((await admin.get(`/orgs/${orgB.id}/edit`)).statusCode).toBe(404)
  })

  it('ignores mass-assigned trust, org, owner and role fields on create and on edit', async () => {
    const { orgA, orgB } = orgs()
    const sneaky = {
      trust: 'endorsed',
      orgId: String(orgB.id),
      id: String(orgB.id),
      userId: String(w.other.id),
      role: 'admin',
      version: '1',
    }

    const created = await member.post('/orgs', orgForm(w.communityA.id, sneaky))
    expect(created.statusCode).toBe(303)
    const newId = Number(created.headers.location!.split('/').pop())
    expect(newId).not.toBe(orgB.id)
    expect(orgRow(app, newId).trust).toBe('self_declared')
    expect(app.db.select().from(memberships).where(eq(memberships.orgId, newId)).all()).toEqual([
      { userId: w.member.id, orgId: newId, role: 'leader' },
    ])

    const saved = await member.post(
      `/orgs/${orgA.id}`,
      orgForm(w.communityA.id, { ...sneaky, version: String(orgRow(app, orgA.id).version) }),
    )
    expect(saved.statusCode).toBe(303)
    expect(orgRow(app, orgA.id).trust).toBe('self_declared')
    expect(orgRow(app, orgB.id).name).toBe(orgB.name)
    expect(app.db.select({ role: users.role }).from(users).where(eq(users.id, w.member.id)).get()!.role).toBe('member')

    const settings = await member.post('/account/settings', { name: 'M', notify: 'off', role: 'admin' })
    expect(settings.statusCode).toBe(303)
    expect(app.db.select({ role: users.role }).from(users).where(eq(users.id, w.member.id)).get()!.role).toBe('member')
  })

  it('refuses a stale edit (optimistic version) with 409 and the input kept', async () => {
    const { orgA } = orgs()
    const v = orgRow(app, orgA.id).version
    expect(
      (await member.post(`/orgs/${orgA.id}`, orgForm(w.communityA.id, { name: 'First save', version: String(v) })))
        .statusCode,
    ).toBe(303)
    const stale = await member.post(
      `/orgs/${orgA.id}`,
      orgForm(w.communityA.id, { name: 'Second save', version: String(v) }),
    )
    expect(stale.statusCode).toBe(409)
    expect(stale.body).toContain('value="Second save"')
    expect(orgRow(app, orgA.id).name).toBe('First save')
  })
})

describe('trust: vouching and endorsement', () => {
  it("a broker covering the org's street vouches for it, and it is logged", async () => {
    const { orgA } = orgs()
    const page = await broker.get(`/orgs/${orgA.id}`)
    expect(page.body).toContain(`action="/orgs/${orgA.id}/vouching"`)
    const res = await broker.post(`/orgs/${orgA.id}/vouching`)
    expect(res.statusCode).toBe(303)
    expect(orgRow(app, orgA.id).trust).toBe('vouched')
    const logged = app.db
      .select()
      .from(events)
      .where(and(eq(events.action, 'org.vouched'), eq(events.subjectId, orgA.id)))
      .all()
    expect(logged).toHaveLength(1)
    expect(logged[0]).toMatchObject({
      actorId: w.broker.id,
      subjectType: 'organization',
      data: { from: 'self_declared' },
    })
  })

  it('a broker not covering the org gets 403 and nothing is logged', async () => {
    const { orgB } = orgs()
    expect((await broker.get(`/orgs/${orgB.id}`)).body).not.toContain('/vouching"')
    const before = count(app, 'events')
    const res = await broker.post(`/orgs/${orgB.id}/vouching`)
    expect(res.statusCode).toBe(403)
    expect(orgRow(app, orgB.id).trust).toBe('self_declared')
    expect(count(app, 'events')).toBe(before)
  })

  it('members and admins cannot vouch; only an admin endorses, and it is logged', async () => {
    const { orgA, orgB } = orgs()
    expect((await member.post(`/orgs/${orgA.id}/vouching`)).statusCode).toBe(403)
    expect((await admin.post(`/orgs/${orgA.id}/vouching`)).statusCode).toBe(403)
    expect((await member.post(`/orgs/${orgA.id}/endorsement`)).statusCode).toBe(403)
    expect(orgRow(app, orgA.id).trust).toBe('self_declared')

    expect((await admin.get(`/orgs/${orgB.id}`)).body).toContain(`action="/orgs/${orgB.id}/endorsement"`)
    expect((await admin.post(`/orgs/${orgB.id}/endorsement`)).statusCode).toBe(303)
    expect(orgRow(app, orgB.id).trust).toBe('endorsed')
    expect(
      app.db
        .select()
        .from(events)
        .where(and(eq(events.action, 'org.endorsed'), eq(events.subjectId, orgB.id)))
        .get(),
    ).toMatchObject({ actorId: w.admin.id })
    // Endorsed is the top: a later vouching does not lower it.
    await broker.post(`/orgs/${orgA.id}/vouching`)
    await admin.post(`/orgs/${orgA.id}/endorsement`)
    expect((await broker.post(`/orgs/${orgA.id}/vouching`)).statusCode).toBe(303)
    expect(orgRow(app, orgA.id).trust).toBe('endorsed')
  })

  it('vouching for a missing org is 404', async () => {
    expect((await broker.post('/orgs/424242/vouching')).statusCode).toBe(404)
  })
})

describe('the event log', () => {
  it('is append-only: UPDATE and DELETE throw, the rows stay', async () => {
    const n = count(app, 'events')
    expect(n).toBeGreaterThan(0)
    expect(() => app.sqlite.prepare("UPDATE events SET action = 'tampered'").run()).toThrow(/append-only/)
    expect(() => app.sqlite.prepare('DELETE FROM events').run()).toThrow(/append-only/)
    expect(() => app.db.update(events).set({ actorId: 99 }).run()).toThrow(/append-only/)
    expect(count(app, 'events')).toBe(n)
    expect(app.sqlite.prepare("SELECT count(*) AS n FROM events WHERE action = 'tampered'").get()).toEqual({ n: 0 })
  })

  it("records the admin's role and account changes", async () => {
    const someone = await addUser(app, { email: 'someone@example.cn' })
    expect((await admin.post(`/admin/users/${someone.id}/role`, { role: 'broker' })).statusCode).toBe(303)
    expect(app.db.select().from(events).where(eq(events.action, 'account.role_changed')).get()).toMatchObject({
      actorId: w.admin.id,
      subjectId: someone.id,
      data: { from: 'member', to: 'broker' },
    })
    const before = tableCounts(app)
    expect((await admin.post(`/admin/users/${someone.id}/role`, { role: 'superuser' })).statusCode).toBe(400)
    expect(tableCounts(app)).toEqual(before)
  })

  it('a signed-out visitor cannot trigger trust changes', async () => {
    const { orgA } = orgs()
    const visitor = new Browser(app)
    await visitor.get('/signin')
    const res = await visitor.post(`/orgs/${orgA.id}/vouching`)
    expect(res.statusCode).toBe(401)
    expect(orgRow(app, orgA.id).trust).toBe('self_declared')
  })
})
