import { beforeEach, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import readXlsxFile from 'read-excel-file/node'
import { addOrg, addUser, appForTest, Browser, seedWorld, signedIn, type World } from '../../helpers/app.js'
import { decidedCall, type DecidedCall } from '../../helpers/funds.js'

// The funds report: per call and per period, for those who run the calls; every breakdown adds up to its total.
let app: FastifyInstance
let w: World
let c: DecidedCall
let holder: Browser

beforeEach(async () => {
  app = await appForTest()
  w = await seedWorld(app)
  c = await decidedCall(app, w)
  // The reading club is registered: the unregistered share is the dance team's ¥3,000.00 of ¥5,000.01.
  app.sqlite
    .prepare('UPDATE organizations SET registered = 1, focus = ? WHERE id = ?')
    .run('["children","elderly"]', c.reader.id)
  holder = await signedIn(app, 'holder@example.cn')
})

const table = (html: string, id: string) => {
  const section = html.match(new RegExp(`id="fund-report-${id}"[\\s\\S]*?</table>`))![0]
  return [...section.matchAll(/<tr>([\s\S]*?)<\/tr>/g)]
    .slice(1)
    .map((r) => [...r[1].matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]))
}

describe('the community fund report', () => {
  it('shows the calls one runs, with money by community and focus, the unregistered share and milestones', async () => {
    const res = await holder.get('/reports/funds?from=2026-01-01&to=2026-12-31')
    expect(res.statusCode).toBe(200)
    expect(table(res.body, 'calls')).toEqual([
      ['东湖街道2026社区微创投', '3', '2', '¥6,000.00', '¥5,000.01', '¥0.00', '¥0.00'],
      ['合计', '3', '2', '¥6,000.00', '¥5,000.01', '¥0.00', '¥0.00'],
    ])
    expect(table(res.body, 'community')).toEqual([
      ['荔枝湾社区', '2', '¥5,000.01'],
      ['合计', '2', '¥5,000.01'],
    ])
    expect(table(res.body, 'focus')).toEqual([
      ['未注明', '1', '¥3,000.00'],
      ['儿童', '1', '¥2,000.01'],
      ['合计', '2', '¥5,000.01'],
    ])
    const summary = Object.fromEntries(table(res.body, 'summary').map(([k, v]) => [k, v]))
    expect(summary).toMatchObject({
      申请数: '3',
      资助项目数: '2',
      '资助未登记社区团体（元）': '¥3,000.00',
      未登记社区团体所占比例: '60.0%',
      已到期里程碑: '2',
      逾期未完成: '2',
    })
  })

  it('the workbook holds the same rows, money in yuan, and its rows add up to the totals', async () => {
    const res = await holder.get('/reports/funds.xlsx?from=2026-01-01&to=2026-12-31')
    expect(res.statusCode).toBe(200)
    const sheets = await readXlsxFile(res.rawPayload)
    expect(sheets.map((s) => s.sheet)).toEqual(['社区基金报告', '概况', '各项目征集', '按社区', '按服务对象'])
    for (const s of sheets.slice(2)) {
      const rows = s.data.slice(1)
      const totals = rows.at(-1)!
      for (let col = 1; col < totals.length; col++) {
        expect(
          rows.slice(0, -1).reduce((sum, r) => sum + Number(r[col]), 0),
          `${s.sheet} column ${col}`,
        ).toBeCloseTo(Number(totals[col]), 6)
      }
    }
    expect(sheets[2].data[1]).toEqual(['东湖街道2026社区微创投', 3, 2, 6000, 5000.01, 0, 0])
  })

  it('counts only the calls in the period and those the reader runs; others are refused', async () => {
    const empty = await holder.get('/reports/funds?from=2026-12-01&to=2026-12-31')
    expect(table(empty.body, 'calls')).toEqual([['合计', '0', '0', '¥0.00', '¥0.00', '¥0.00', '¥0.00']])
    // Another holder's call, in street B, is neither the holder's nor the street A broker's.
    const o = await addUser(app, { email: 'nanan@example.cn' })
    const other = addOrg(app, o.id, { name: '南岸街道办事处', kind: 'street_office', areaId: w.streetB.id })
    app.sqlite
      .prepare(
        `INSERT INTO fund_calls (holder_org_id, area_id, title, budget_fen, cap_fen, applications_close, review_close, created_by, created_at, updated_at)
      VALUES (?, ?, '南岸基金', 100000, 50000, '2026-06-01', '2026-06-10', ?, '2026-01-01', '2026-01-01')`,
      )
      .run(other.id, w.streetB.id, o.id)
    for (const b of [holder, await signedIn(app, w.broker.email)]) {
      const page = await b.get('/reports/funds?from=2026-01-01&to=2026-12-31')
      expect(page.body).not.toContain('南岸基金')
      expect(page.body).toContain('东湖街道2026社区微创投')
    }
    const admin = await signedIn(app, w.admin.email)
    expect((await admin.get('/reports/funds?from=2026-01-01&to=2026-12-31')).body).toContain('南岸基金')
    expect((await (await signedIn(app, w.member.email)).get('/reports/funds')).statusCode).toBe(403)
    expect((await new Browser(app).get('/reports/funds')).statusCode).toBe(303)
  })

  it('says what to fix in the period rather than showing another one', async () => {
    const res = await holder.get('/reports/funds?from=2026-12-31&to=2026-01-01')
    expect(res.statusCode).toBe(422)
    expect(res.body).toContain('结束日期不能早于开始日期')
    expect((await holder.get('/reports/funds?from=2026-02-30')).statusCode).toBe(422)
  })
})
