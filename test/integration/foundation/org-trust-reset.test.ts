import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { and, eq } from 'drizzle-orm'
import { events, organizations } from '../../../src/db/schema.js'
import { addOrg, makeApp, seedWorld, signedIn, type Browser, type World } from '../../helpers/app.js'

// Trust is given for what an organization is (its kind, its area). A leader's edit that changes either
// withdraws it, so an endorsed community group cannot make itself an endorsed street office and read reports.
let app: FastifyInstance
let w: World
let member: Browser
let admin: Browser

beforeAll(async () => {
  app = await makeApp()
  w = await seedWorld(app)
  ;[member, admin] = await Promise.all([signedIn(app, w.member.email), signedIn(app, w.admin.email)])
})
afterAll(() => app.close())

const row = (id: number) => app.db.select().from(organizations).where(eq(organizations.id, id)).get()!
const resets = (id: number) =>
  app.db
    .select()
    .from(events)
    .where(and(eq(events.subjectId, id), eq(events.action, 'org.trust_reset')))
    .all()

function form(id: number, extra: Record<string, string>) {
  const o = row(id)
  return { name: o.name, kind: o.kind, areaId: String(o.areaId), version: String(o.version), ...extra }
}

async function endorse(id: number) {
  await admin.refreshCsrf(`/orgs/${id}`)
  expect((await admin.post(`/orgs/${id}/endorsement`)).statusCode).toBe(303)
  expect(row(id).trust).toBe('endorsed')
}

describe('a leader changing kind or area withdraws vouching and endorsement', () => {
  it('an endorsed community group made a district street office is self-declared again: reports stay 403', async () => {
    const org = addOrg(app, w.member.id, { name: '荔枝湾读书会', areaId: w.communityA.id })
    await endorse(org.id)
    expect((await member.get(`/reports?area=${w.district.id}`)).statusCode).toBe(403)

    const edit = await member.get(`/orgs/${org.id}/edit`)
    expect(edit.body).toContain('id="trust-note"')
    expect(edit.body).toContain('如果修改类型或所在区域，担保/认证会撤回')

    const saved = await member.post(
      `/orgs/${org.id}`,
      form(org.id, { kind: 'street_office', areaId: String(w.district.id) }),
    )
    expect(saved.statusCode).toBe(303)
    expect(row(org.id)).toMatchObject({ kind: 'street_office', areaId: w.district.id, trust: 'self_declared' })
    expect(resets(org.id)).toEqual([
      expect.objectContaining({
        actorId: w.member.id,
        data: {
          from: 'endorsed',
          kind: ['community_group', 'street_office'],
          areaId: [w.communityA.id, w.district.id],
        },
      }),
    ])

    // The leader is told why, and the page shows the new trust.
    const page = await member.get(saved.headers.location!)
    expect(page.body).toContain('担保/认证已撤回')
    expect(page.body).toContain('trust-self_declared')
    expect(page.body).not.toContain('trust-endorsed')
    expect((await member.get(`/reports?area=${w.district.id}`)).statusCode).toBe(403)
    // Editing a self-declared org says nothing about trust.
    expect((await member.get(`/orgs/${org.id}/edit`)).body).not.toContain('id="trust-note"')
  })

  it('moving area alone withdraws it too, in English as well', async () => {
    const org = addOrg(app, w.member.id, { name: 'Riverside RC', kind: 'residents_committee', areaId: w.communityA.id })
    await endorse(org.id)
    expect((await member.get(`/reports?area=${w.communityA.id}`)).statusCode).toBe(200)
    expect((await member.get(`/reports?area=${w.streetB.id}`)).statusCode).toBe(422) // outside its area
    const en = await signedIn(app, w.member.email)
    await en.get('/locale/en')
    expect((await en.get(`/orgs/${org.id}/edit`)).body).toContain('Changing its kind or area withdraws that')
    const saved = await en.post(`/orgs/${org.id}`, form(org.id, { areaId: String(w.streetB.id) }))
    expect(saved.statusCode).toBe(303)
    expect(row(org.id).trust).toBe('self_declared')
    const page = await en.get(saved.headers.location!)
    expect(page.body).toContain('its vouching or endorsement was withdrawn')
    expect(page.body).toContain('Self-declared')
    expect((await member.get(`/reports?area=${w.streetB.id}`)).statusCode).toBe(403)
    expect(resets(org.id)).toHaveLength(1)
  })

  it('an endorsed street office editing its name or description keeps its endorsement and its reports', async () => {
    const org = addOrg(app, w.member.id, { name: '东湖街道办', kind: 'street_office', areaId: w.streetA.id })
    await endorse(org.id)
    await member.get(`/orgs/${org.id}/edit`)
    const saved = await member.post(`/orgs/${org.id}`, form(org.id, { name: '东湖街道办事处', description: '新简介' }))
    expect(saved.statusCode).toBe(303)
    expect(row(org.id)).toMatchObject({ name: '东湖街道办事处', trust: 'endorsed' })
    expect(resets(org.id)).toEqual([])
    expect((await member.get(saved.headers.location!)).body).toContain('组织资料已保存。</')
    expect((await member.get(`/reports?area=${w.streetA.id}`)).statusCode).toBe(200)
  })

  it('a vouched group changing kind is self-declared again', async () => {
    const org = addOrg(app, w.member.id, { name: '荔枝湾义工队', areaId: w.communityA.id })
    const broker = await signedIn(app, w.broker.email)
    await broker.refreshCsrf(`/orgs/${org.id}`)
    expect((await broker.post(`/orgs/${org.id}/vouching`)).statusCode).toBe(303)
    expect(row(org.id).trust).toBe('vouched')
    await member.get(`/orgs/${org.id}/edit`)
    expect((await member.post(`/orgs/${org.id}`, form(org.id, { kind: 'social_work_agency' }))).statusCode).toBe(303)
    expect(row(org.id).trust).toBe('self_declared')
    expect(resets(org.id)[0].data).toMatchObject({ from: 'vouched' })
  })

  it('staff cannot edit as staff; an admin editing an org they lead is a leader like any other', async () => {
    const theirs = addOrg(app, w.member.id, { name: '荔枝湾合唱团', areaId: w.communityA.id })
    await endorse(theirs.id)
    // Not a member: the edit form is not theirs to post (404, trust untouched).
    expect((await admin.post(`/orgs/${theirs.id}`, form(theirs.id, { kind: 'street_office' }))).statusCode).toBe(404)
    expect(row(theirs.id)).toMatchObject({ kind: 'community_group', trust: 'endorsed' })

    const own = addOrg(app, w.admin.id, { name: '区管理员自建组织', areaId: w.communityA.id })
    await endorse(own.id)
    const admin2 = await signedIn(app, w.admin.email) // a fresh session carries the new membership
    await admin2.get(`/orgs/${own.id}/edit`)
    expect((await admin2.post(`/orgs/${own.id}`, form(own.id, { kind: 'street_office' }))).statusCode).toBe(303)
    expect(row(own.id).trust).toBe('self_declared')
  })
})
