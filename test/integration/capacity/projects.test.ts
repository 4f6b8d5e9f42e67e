import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import readXlsxFile from 'read-excel-file/node'
import * as capacity from '../../../src/capacity/capacity.js'
import { organizations, projects as projectsTable } from '../../../src/db/schema.js'
import { INDICATOR_CODES, type Scores } from '../../../src/capacity/indicators.js'
import { addDays, localToday } from '../../../src/shared/time.js'
import { addOrg, addUser, Browser, count, fieldError, makeApp, signedIn } from '../../helpers/app.js'
import { brokerWorld, reload, type BrokerWorld } from '../brokering/world.js'

let app: FastifyInstance
let w: BrokerWorld
let broker: Browser, member: Browser, officer: Browser, broker2: Browser, visitor: Browser
const day = (offset: number) => localToday(addDays(new Date(), offset))
const all = (v: number): Scores => Object.fromEntries(INDICATOR_CODES.map((c) => [c, v]))

beforeAll(async () => {
  app = await makeApp()
  w = await brokerWorld(app)
  const o = await addUser(app, { email: 'office@example.cn', name: 'Officer' })
  const office = addOrg(app, o.id, { name: '东湖街道办事处', kind: 'street_office', areaId: w.streetA.id })
  app.db.update(organizations).set({ trust: 'endorsed' }).where(eq(organizations.id, office.id)).run()
  ;[broker, member, officer, broker2] = await Promise.all([
    signedIn(app, w.broker.email),
    signedIn(app, w.member.email),
    signedIn(app, 'office@example.cn'),
    signedIn(app, w.broker2.email),
  ])
  visitor = new Browser(app)
  const by = reload(app, w.broker)
  capacity.record(app.db, by, w.orgA.id, { assessedOn: day(-120), scores: all(2) })
  capacity.record(app.db, by, w.orgA.id, { assessedOn: day(-5), scores: all(4) })
  capacity.record(app.db, by, w.orgC.id, { assessedOn: day(-60), scores: all(3) })
})
afterAll(() => app.close())

describe('a project in the browser', () => {
  let id: number

  it('a broker creates it from the form, sees what to fix first, and loses nothing typed', async () => {
    const bad = await broker.post('/projects', {
      name: '荔枝湾能力提升',
      funder: '区民政局',
      areaId: String(w.streetA.id),
      startsOn: day(-90),
      endsOn: day(-100),
    })
    expect(bad.statusCode).toBe(422)
    expect(fieldError(bad.body, 'endsOn')).toContain('结束日期不能早于开始日期')
    expect(bad.body).toContain('value="荔枝湾能力提升"')
    expect(count(app, 'projects')).toBe(0)
    const ok = await broker.post('/projects', {
      name: '荔枝湾能力提升',
      funder: '区民政局',
      areaId: String(w.streetA.id),
      startsOn: day(-90),
      endsOn: day(0),
    })
    expect(ok.statusCode).toBe(303)
    id = Number(ok.headers.location!.split('/').pop())
  })

  it('adds groups of its area, and the page compares baseline with endline', async () => {
    const version = () =>
      app.db.select({ v: projectsTable.version }).from(projectsTable).where(eq(projectsTable.id, id)).get()!.v
    const page = await broker.get(`/projects/${id}`)
    expect(page.body).toContain(`<option value="${w.orgA.id}">`)
    expect(page.body).not.toContain(`<option value="${w.orgB.id}">`)
    expect(
      (await broker.post(`/projects/${id}/groups`, { orgId: String(w.orgA.id), version: String(version()) }))
        .statusCode,
    ).toBe(303)
    expect(
      (await broker.post(`/projects/${id}/groups`, { orgId: String(w.orgC.id), version: String(version()) }))
        .statusCode,
    ).toBe(303)
    // A stale version (a colleague added a group meanwhile) is refused rather than silently applied.
    expect((await broker.post(`/projects/${id}/groups/${w.orgC.id}/leave`, { version: '1' })).statusCode).toBe(409)

    const shown = await broker.get(`/projects/${id}`)
    expect(shown.statusCode).toBe(200)
    // org A: baseline 2 (before the start), endline 4; org C: baseline 3 (inside), no endline.
    const row = shown.body.match(/<tr class="cap-overall" id="project-dim-resource_integration">[\s\S]*?<\/tr>/)![0]
    expect(row.match(/<td class="num[^"]*">([^<]*)<\/td>/g)!.map((td) => td.replace(/<[^>]+>/g, ''))).toEqual([
      '2.50',
      '4.00',
      '+2.00',
      '100%',
      '1',
      '1',
    ])
    expect(shown.body).toContain('1 个组织还没有终期评估')
    expect(shown.body).toContain('<svg class="cap-chart"')
  })

  it('the close-out workbook reads back with numbers as numbers', async () => {
    const res = await broker.get(`/projects/${id}/workbook.xlsx`)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="assetbridge-project-\d+\.xlsx"/)
    const sheets = await readXlsxFile(res.rawPayload)
    expect(sheets.map((s) => s.sheet)).toEqual(['能力建设项目结项表', '基线与终期', '参与组织', '获得的资源'])
    expect(sheets[1].data[1]).toEqual(['资源整合能力', '（维度平均）', 2.5, 4, 2, 1, 1, 1])
    expect(
      sheets[2].data
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual(['荔枝湾广场舞队', '荔枝湾书法社'].sort())
  })

  it("the street office sees the figures, not a group's line until its leader consents in the page", async () => {
    const before = await officer.get(`/projects/${id}`)
    expect(before.statusCode).toBe(200)
    expect(before.body).toContain('2 个组织未同意公开')
    expect(before.body).not.toContain(`id="project-org-${w.orgA.id}"`)
    const mine = await member.get(`/projects/${id}`)
    expect(mine.body).toContain(`id="project-org-${w.orgA.id}"`)
    expect(mine.body).not.toContain(`id="project-org-${w.orgC.id}"`)
    expect(
      (await member.post(`/projects/${id}/consent`, { orgId: String(w.orgA.id), consent: 'yes' })).statusCode,
    ).toBe(303)
    // A leader cannot consent for a group that is not theirs.
    expect(
      (await member.post(`/projects/${id}/consent`, { orgId: String(w.orgC.id), consent: 'yes' })).statusCode,
    ).toBe(404)
    const after = await officer.get(`/projects/${id}`)
    expect(after.body).toContain(`id="project-org-${w.orgA.id}"`)
    expect(after.body).not.toContain(`id="project-org-${w.orgC.id}"`)
  })

  it('is not found for a broker of another street, and asks a visitor to sign in', async () => {
    expect((await broker2.get(`/projects/${id}`)).statusCode).toBe(404)
    expect((await broker2.post(`/projects/${id}/groups`, { orgId: String(w.orgA.id), version: '9' })).statusCode).toBe(
      404,
    )
    expect((await visitor.get(`/projects/${id}`)).statusCode).toBe(303)
    expect((await member.post(`/projects/${id}/groups`, { orgId: String(w.orgA.id), version: '9' })).statusCode).toBe(
      403,
    )
  })

  it('reads in English', async () => {
    await broker.get('/locale/en')
    const en = await broker.get(`/projects/${id}`)
    expect(en.body).toContain('Baseline mean')
    expect(en.body).toContain('Download the close-out workbook')
  })
})

describe('scores that mean the same to two workers', () => {
  it('the assessment form says what a 1, a 3 and a 5 look like for every indicator, in both languages', async () => {
    const b = await signedIn(app, w.broker.email)
    const zh = await b.get(`/orgs/${w.orgA.id}/capacity/new`)
    expect(zh.body).toContain('<dt>1</dt><dd>离开一两个人，组织就会停摆。</dd>')
    expect(zh.body).toContain('<dt>5</dt><dd>有新骨干已能独立负责，负责人交接过也照常运转。</dd>')
    expect(zh.body.match(/<dl class="cap-anchors">/g)).toHaveLength(INDICATOR_CODES.length)
    await b.get('/locale/en')
    const en = await b.get(`/orgs/${w.orgA.id}/capacity/new`)
    expect(en.body).toContain('<dt>3</dt><dd>Some sign-in sheets or photos, but patchy.</dd>')
  })
})
