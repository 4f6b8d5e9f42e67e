import { beforeEach, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import readXlsxFile from 'read-excel-file/node'
import * as projects from '../../../src/capacity/projects.js'
import * as tokens from '../../../src/accounts/tokens.js'
import { localToday } from '../../../src/shared/time.js'
import { appForTest, Browser, seedWorld, signedIn, type World } from '../../helpers/app.js'
import { decidedCall, type DecidedCall } from '../../helpers/funds.js'

// An award counts where the group's growth is read: its capacity record (amount, released, residents reached, closed
// out on time or not) and the before/after of a project whose cohort it belongs to.
let app: FastifyInstance
let w: World
let c: DecidedCall
let holder: Browser
let leader: Browser

beforeEach(async () => {
  app = await appForTest()
  w = await seedWorld(app)
  c = await decidedCall(app, w)
  holder = await signedIn(app, 'holder@example.cn')
  leader = await signedIn(app, w.member.email)
})

const award = () => `/awards/${c.awardA.awardId}`
const lastReport = () =>
  app.sqlite.prepare('SELECT id FROM fund_reports ORDER BY id DESC LIMIT 1').pluck().get() as number
async function reportAndApprove(milestone: number | 'closeout', residents: string) {
  await leader.get(award())
  expect(
    (
      await leader.post(`${award()}/reports`, {
        milestone: String(milestone),
        done: '做了',
        residentsReached: residents,
      })
    ).statusCode,
  ).toBe(303)
  await holder.get(award())
  expect((await holder.post(`/fund-reports/${lastReport()}/decision`, { decision: 'approve' })).statusCode).toBe(303)
}

describe("the group's capacity record", () => {
  it('lists the award with what was released and residents reached, then whether it closed out on time', async () => {
    await reportAndApprove(c.awardA.milestones[0], '30')
    const broker = await signedIn(app, w.broker.email)
    const open = await broker.get(`/orgs/${w.orgA.id}/capacity`)
    const row = open.body.match(new RegExp(`<tr id="cap-grant-${c.awardA.awardId}">[\\s\\S]*?</tr>`))![0]
    expect(row).toContain('东湖街道2026社区微创投')
    expect(row.match(/<td class="num">([^<]*)<\/td>/g)!.map((td) => td.replace(/<[^>]+>/g, ''))).toEqual([
      '¥3,000.00',
      '¥900.00',
      '30',
    ])
    expect(row).toContain('尚未结项')
    await reportAndApprove(c.awardA.milestones[1], '50')
    await reportAndApprove('closeout', '120')
    const closed = await leader.get(`/orgs/${w.orgA.id}/capacity`)
    const after = closed.body.match(new RegExp(`<tr id="cap-grant-${c.awardA.awardId}">[\\s\\S]*?</tr>`))![0]
    expect(after).toContain('¥3,000.00</td><td class="num">¥3,000.00')
    expect(after).toContain('>120<')
    // Closed out today, before the last milestone's date (2027-04-01).
    expect(after).toContain('按时结项')
    // Another group's record does not show it.
    expect((await signedIn(app, w.other.email).then((b) => b.get(`/orgs/${w.orgB.id}/capacity`))).body).not.toContain(
      'cap-grant-',
    )
  })

  it("says late when the close-out came after the last milestone's date", async () => {
    app.sqlite
      .prepare("UPDATE fund_milestones SET due_on = '2026-11-20' WHERE application_id = ?")
      .run(c.awardA.applicationId)
    await reportAndApprove(c.awardA.milestones[0], '1')
    await reportAndApprove(c.awardA.milestones[1], '1')
    await reportAndApprove('closeout', '1')
    expect((await leader.get(`/orgs/${w.orgA.id}/capacity`)).body).toContain('结项（晚于计划）')
  })
})

describe("a project's assets", () => {
  it('count the awards decided and the money released to its groups in the period: page, API, workbook', async () => {
    await reportAndApprove(c.awardA.milestones[0], '30')
    const p = projects.create(app.db, w.broker, {
      name: '东湖能力提升',
      areaId: w.streetA.id,
      startsOn: '2026-10-01',
      endsOn: localToday(new Date()),
      orgIds: [w.orgA.id],
    })
    const broker = await signedIn(app, w.broker.email)
    const page = await broker.get(`/projects/${p.id}`)
    expect(page.body).toMatch(/id="project-awards">社区基金资助：1 项，期内拨付 ¥900.00</)
    const token = tokens.issue(app.db, w.broker.id, 'test')
    const api = await app.inject({ url: `/api/v1/projects/${p.id}`, headers: { authorization: `Bearer ${token}` } })
    expect(api.json().assets).toMatchObject({ awards: 1, award_released_fen: 90_000 })
    const sheets = await readXlsxFile((await broker.get(`/projects/${p.id}/workbook.xlsx`)).rawPayload)
    const assets = Object.fromEntries(sheets[3].data.slice(1).map((r) => [r[0], r[1]]))
    expect(assets).toMatchObject({ '社区基金资助（项）': 1, '社区基金拨付（元）': 900 })
    // A period before the decision counts none of it.
    const before = projects.create(app.db, w.broker, {
      name: '更早的项目',
      areaId: w.streetA.id,
      startsOn: '2026-01-01',
      endsOn: '2026-10-31',
      orgIds: [w.orgA.id],
    })
    expect((await broker.get(`/projects/${before.id}`)).body).toMatch(
      /id="project-awards">社区基金资助：0 项，期内拨付 ¥0.00</,
    )
  })
})
