import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { eq, like } from 'drizzle-orm'
import * as inventory from '../../../src/inventory/inventory.js'
import * as tasks from '../../../src/tasks/tasks.js'
import * as needs from '../../../src/needs/needs.js'
import { giveInvitations, jobs, offers, prospects, tasks as tasksTable } from '../../../src/db/schema.js'
import { addUser, Browser, makeApp, signedIn } from '../../helpers/app.js'
import { brokerWorld, reload, type BrokerWorld } from '../brokering/world.js'

// A broker's prospect — a retired accountant who could teach bookkeeping — is invited to give; she opens the link
// with no group yet, registers one, finds the offer form filled in, posts it: she is a holder, the task is done.
let app: FastifyInstance
let w: BrokerWorld
let broker: Browser, broker2: Browser
let prospectId: number, taskId: number

beforeAll(async () => {
  app = await makeApp()
  w = await brokerWorld(app)
  const need = needs.post(app.db, w.member, {
    orgId: w.orgA.id,
    category: 'training',
    title: '财务记账培训',
    description: '队里没人会记账，需要有人教记账和报销',
    quantity: 2,
    areaId: w.communityA.id,
  })
  taskId = tasks.create(
    app.db,
    reload(app, w.broker),
    { kind: 'recruit_holder', needId: need.id },
    () => '为「财务记账培训」招募资源方',
  ).id
  prospectId = inventory.create(app.db, reload(app, w.broker), {
    areaId: w.communityA.id,
    name: '王会计',
    kind: 'person',
    category: 'training',
    has: '记账培训，每月一次\n退休会计，愿意教社区组织记账',
    contact: '王阿姨 139',
  }).id
  ;[broker, broker2] = await Promise.all([signedIn(app, w.broker.email), signedIn(app, w.broker2.email)])
})
afterAll(() => app.close())

const tokenIn = (html: string) => html.match(/\/give\?token(?:=|&#x3D;)([A-Za-z0-9_-]+)/)![1]!

describe('an invitation to give', () => {
  let token: string

  it("is made on the prospect's page for a task of theirs, shown once with its QR code", async () => {
    const page = await broker.get(`/inventory/${prospectId}`)
    expect(page.body).toContain(`<option value="${taskId}">为「财务记账培训」招募资源方</option>`)
    const res = await broker.post(`/inventory/${prospectId}/invitation`, { taskId: String(taskId) })
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('<img src="data:image/svg+xml;base64,')
    token = tokenIn(res.body)
    // Only a hash is kept.
    expect(app.db.select().from(giveInvitations).get()!.tokenHash).not.toContain(token)
    expect((await broker2.post(`/inventory/${prospectId}/invitation`, {})).statusCode).toBe(404)
  })

  it('sends a visitor to sign in and back', async () => {
    const res = await new Browser(app).get(`/give?token=${token}`)
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(`/signin?next=${encodeURIComponent(`/give?token=${token}`)}`)
  })

  it('takes a person with no group through registering one, to the offer form filled in; posting makes her a holder and closes the task', async () => {
    await addUser(app, { email: 'wang@example.cn', name: '王会计' })
    const wang = await signedIn(app, 'wang@example.cn')
    const step1 = await wang.get(`/give?token=${token}`)
    expect(step1.headers.location).toBe(`/offers/new?give=${token}`)
    const step2 = await wang.get(step1.headers.location!)
    expect(step2.headers.location).toBe(`/orgs/new?next=%2Foffers%2Fnew&give=${token}`)
    const orgForm = await wang.get(step2.headers.location!)
    expect(orgForm.body).toContain('value="王会计"')
    expect(orgForm.body).toContain(`name="give" value="${token}"`)
    const made = await wang.post('/orgs', {
      name: '王会计',
      kind: 'individual',
      areaId: String(w.communityA.id),
      contactPhone: '13900000000',
      next: '/offers/new',
      give: token,
    })
    expect(made.statusCode).toBe(303)
    const orgId = Number(new URL(made.headers.location!, 'http://x').searchParams.get('orgId'))
    expect(made.headers.location).toBe(`/offers/new?orgId=${orgId}&give=${token}`)
    const form = await wang.get(made.headers.location!)
    expect(form.body).toContain('value="记账培训，每月一次"')
    expect(form.body).toContain('id="give-notice"')
    const jobsBefore = app.db.select().from(jobs).where(like(jobs.key, 'fit:offer:%')).all().length
    const posted = await wang.post('/offers', {
      orgId: String(orgId),
      category: 'training',
      title: '记账培训，每月一次',
      description: '退休会计，愿意教社区组织记账和报销',
      quantity: '12',
      servesAreaId: String(w.communityA.id),
      give: token,
    })
    expect(posted.statusCode).toBe(303)
    const offer = app.db.select().from(offers).where(eq(offers.orgId, orgId)).get()!
    expect(app.db.select().from(prospects).where(eq(prospects.id, prospectId)).get()).toMatchObject({
      outcome: 'became_holder',
      orgId,
    })
    expect(app.db.select().from(tasksTable).where(eq(tasksTable.id, taskId)).get()).toMatchObject({
      status: 'done',
      outcome: '记账培训，每月一次',
    })
    expect(app.db.select().from(giveInvitations).get()).toMatchObject({ offerId: offer.id })
    // The needs it now fits are told through the alerts job, queued with the offer.
    expect(app.db.select().from(jobs).where(like(jobs.key, 'fit:offer:%')).all().length).toBe(jobsBefore + 1)
  })

  it('works once: the used link says so, and a second post with it makes an offer and changes nothing else', async () => {
    expect((await new Browser(app).get(`/give?token=${token}`)).statusCode).toBe(410)
    expect((await new Browser(app).get('/give?token=nonsense')).statusCode).toBe(410)
    const wang = await signedIn(app, 'wang@example.cn')
    const first = app.db.select().from(giveInvitations).get()!
    const orgId = app.db.select().from(prospects).where(eq(prospects.id, prospectId)).get()!.orgId!
    const again = await wang.post('/offers', {
      orgId: String(orgId),
      category: 'training',
      title: '报销流程辅导',
      quantity: '3',
      servesAreaId: String(w.communityA.id),
      give: token,
    })
    expect(again.statusCode).toBe(303)
    expect(app.db.select().from(offers).where(eq(offers.orgId, orgId)).all()).toHaveLength(2)
    expect(app.db.select().from(giveInvitations).all()).toEqual([first])
    expect(app.db.select().from(tasksTable).where(eq(tasksTable.id, taskId)).get()!.outcome).toBe('记账培训，每月一次')
  })
})
