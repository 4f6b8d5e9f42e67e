import { describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { areas as areasTable, organizations } from '../../../src/db/schema.js'
import * as tokens from '../../../src/accounts/tokens.js'
import * as areaSvc from '../../../src/areas/areas.js'
import readXlsxFile from 'read-excel-file/node'
import * as matches from '../../../src/brokering/matches.js'
import * as needs from '../../../src/needs/needs.js'
import * as offersSvc from '../../../src/offers/offers.js'
import * as orgs from '../../../src/orgs/orgs.js'
import { parseCsv, decodeText } from '../../../src/interchange/csv.js'
import { addOrg, addUser, appForTest, signedIn, type Res } from '../../helpers/app.js'
import { ANY_MARKER, brokerWorld, reload } from '../brokering/world.js'
import { localToday } from '../../../src/shared/time.js'

const DAY = 86_400_000
const today = () => localToday(new Date())

/**
 * Through the services, as people would: org A (community A, street A) posts two needs; org B's district-wide
 * offer of 20 hours answers one with 6 hours, delivered and rated; a second request waits.
 */
async function world() {
  const app = await appForTest()
  const w = await brokerWorld(app, { needQuantity: 10, offerQuantity: 20 })
  const second = needs.post(app.db, w.member, {
    orgId: w.orgA.id,
    category: 'funds',
    title: '活动经费',
    description: '买道具',
    quantity: 500,
    areaId: w.communityA.id,
  })
  const m = matches.open(app.db, reload(app, w.member), 'request', {
    needId: w.need.id,
    offerId: w.offer.id,
    quantity: 6,
  })
  matches.fire(app.db, reload(app, w.other), m.id, 'accept')
  matches.fire(app.db, reload(app, w.other), m.id, 'deliver', { quantity: 6 })
  matches.fire(app.db, reload(app, w.member), m.id, 'review', { rating: 4, comment: '很好' })
  return { app, w, second }
}

/** The cells of one table on the page, row by row, as text. */
function tableRows(html: string, id: string): string[][] {
  const table = html.match(new RegExp(`<table[^>]*id="table-${id}"[\\s\\S]*?</table>`))?.[0]
  if (!table) throw new Error(`no table ${id}`)
  const body = table.slice(table.indexOf('<tbody>'))
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) =>
    [...r[1].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => c[1].trim()),
  )
}

describe('reports', () => {
  it('a broker sees their street: every section as a chart and a table with the figures from the site', async () => {
    const { app, w } = await world()
    const broker = await signedIn(app, w.broker.email)
    const res = await broker.get('/reports')
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain(w.streetA.name)
    expect(tableRows(res.body, 'demand')).toEqual([
      ['场地', '小时', '1', '10', '6', '60.0%', '0'],
      ['资金', '元', '1', '500', '0', '0.0%', '0'],
    ])
    expect(tableRows(res.body, 'utilization')).toEqual([['场地', '小时', '1', '20', '6', '30.0%', '0']])
    expect(tableRows(res.body, 'orgs')).toEqual([
      ['发布需求的组织', '1'],
      ['获得对接的组织', '1'],
      ['其中未登记社区组织', '1'],
      ['未登记社区组织占比', '100.0%'],
    ])
    expect(tableRows(res.body, 'requests')[0]).toEqual(['发出的申请', '1'])
    expect(tableRows(res.body, 'requests')[1]).toEqual(['按时答复', '1'])
    expect(tableRows(res.body, 'feedback')[3]).toEqual(['4 分', '1'])
    // Six charts, each an image with a title and a description in words.
    const charts = [
      ...res.body.matchAll(
        /<svg class="bar-chart"[^>]*role="img"[^>]*aria-labelledby="(chart-\w+-title) (chart-\w+-desc)"/g,
      ),
    ]
    expect(charts).toHaveLength(6)
    // The chart says the same percentages as the table.
    expect(res.body).toMatch(/<desc id="chart-demand-desc">场地: 60.0%（6\/10 小时）; 资金: 0.0%（0\/500 元）<\/desc>/)
    expect(res.body).not.toMatch(ANY_MARKER)
  })

  it('speaks English, with the same figures', async () => {
    const { app, w } = await world()
    const broker = await signedIn(app, w.broker.email)
    await broker.get('/lang/en?next=/reports')
    const res = await broker.get('/reports', { 'accept-language': 'en' })
    expect(res.body).toContain('Impact report')
    expect(tableRows(res.body, 'demand')[0]).toEqual(['Venue', 'hours', '1', '10', '6', '60.0%', '0'])
    expect(res.body).not.toMatch(/[\u4e00-\u9fff]{2,}.*Impact report/)
  })

  it('a need closed as a duplicate is not demand', async () => {
    const { app, w, second } = await world()
    needs.close(app.db, reload(app, w.member), second.id, 'duplicate')
    const broker = await signedIn(app, w.broker.email)
    expect(tableRows((await broker.get('/reports')).body, 'demand')).toEqual([
      ['场地', '小时', '1', '10', '6', '60.0%', '0'],
    ])
  })

  it('a period leaves out what was posted outside it', async () => {
    const { app, w } = await world()
    const broker = await signedIn(app, w.broker.email)
    const res = await broker.get('/reports?from=2020-01-01&to=2020-12-31')
    expect(res.statusCode).toBe(200)
    expect(tableRows(res.body, 'demand')).toEqual([])
    expect(res.body).toContain('这段时间没有数据')
  })

  it('a CSV per table and a workbook that an independent reader gets the same figures from', async () => {
    const { app, w } = await world()
    const broker = await signedIn(app, w.broker.email)
    const csv = await broker.get(`/reports/demand.csv?area=${w.streetA.id}`)
    expect(csv.statusCode).toBe(200)
    expect(csv.headers['content-type']).toContain('text/csv')
    expect(csv.headers['content-disposition']).toMatch(
      /^attachment; filename="assetbridge-report-\d+-[\d-]+_[\d-]+-demand\.csv"; filename\*=UTF-8''/,
    )
    expect(parseCsv(decodeText(csv.rawPayload)).rows.map((r) => r.cells)).toEqual([
      ['类别', '单位', '需求数', '需求总量', '已满足', '满足率', '完全满足的需求'],
      ['场地', '小时', '1', '10', '6', '60.0%', '0'],
      ['资金', '元', '1', '500', '0', '0.0%', '0'],
    ])

    const xlsx = await broker.get(`/reports.xlsx?area=${w.streetA.id}`)
    expect(xlsx.statusCode).toBe(200)
    const sheets = await readXlsxFile(xlsx.rawPayload)
    expect(sheets.map((s) => s.sheet)).toEqual([
      '成效报告',
      '需求发布与满足（按类别）',
      '从发布到首次对接的时间',
      '首次对接等待时间分布',
      '申请按时答复情况',
      '资源使用率（按类别）',
      '服务的组织',
      '反馈评分',
      '回访结果',
    ])
    expect(sheets[0].data[1]).toEqual(['地区', w.streetA.name])
    // Numbers stay numbers: a share is a fraction Excel shows as a percentage.
    expect(sheets[1].data).toEqual([
      ['类别', '单位', '需求数', '需求总量', '已满足', '满足率', '完全满足的需求'],
      ['场地', '小时', 1, 10, 6, 0.6, 0],
      ['资金', '元', 1, 500, 0, 0, 0],
    ])
    expect(sheets[5].data[1]).toEqual(['场地', '小时', 1, 20, 6, 0.3, 0])
  })

  it('bad dates and areas get the form again with what to fix, nothing else', async () => {
    const { app, w } = await world()
    const broker = await signedIn(app, w.broker.email)
    const bad = await broker.get('/reports?from=2026-13-01&to=2026-02-30')
    expect(bad.statusCode).toBe(422)
    expect(bad.body).toContain('请输入日期（年-月-日）')
    expect(bad.body).toContain('value="2026-13-01"')
    const order = await broker.get('/reports?from=2026-03-01&to=2026-02-01')
    expect(order.statusCode).toBe(422)
    expect(order.body).toContain('结束日期不能早于开始日期')
    const long = await broker.get('/reports?from=2016-03-01&to=2026-03-01')
    expect(long.statusCode).toBe(422)
    expect(long.body).toContain('最长 10 年')
    expect((await broker.get('/reports?from=2016-03-01&to=2026-02-28')).statusCode).toBe(200)
    // A malformed parameter is shown as a problem, not quietly replaced by the default report.
    const malformed = await broker.get('/reports?area=abc&from=2020-01-01&to=2020-01-31')
    expect(malformed.statusCode).toBe(422)
    expect(malformed.body).toContain('value="2020-01-01"')
    // Street B is another broker's.
    const outside = await broker.get(`/reports?area=${w.streetB.id}`)
    expect(outside.statusCode).toBe(422)
    expect(outside.body).toContain('请从列表中选择你负责的地区')
    expect(outside.body).not.toContain(`<option value="${w.streetB.id}"`)
    const csv = await broker.get(`/reports/demand.csv?area=${w.streetB.id}`)
    expect(csv.statusCode).toBe(422)
    const unknown = await broker.get('/reports/secrets.csv')
    expect(unknown.statusCode).toBe(400)
  })

  it('is for brokers, admins and street offices; an ordinary leader is told so and a visitor signs in first', async () => {
    const { app, w } = await world()
    const visitor = await app.inject({ method: 'GET', url: '/reports' })
    expect(visitor.statusCode).toBe(303)
    expect(visitor.headers.location).toBe('/signin?next=%2Freports')
    const leader = await signedIn(app, w.member.email)
    const denied: Res = await leader.get('/reports')
    expect(denied.statusCode).toBe(403)
    expect(denied.body).toContain('报告供社工、管理员，以及经街道认证的街道办事处和居委会使用')
    expect((await leader.get('/reports.xlsx')).statusCode).toBe(403)

    // Anyone can declare an organization to be a street office: until the street endorses it, no reports.
    const officer = await addUser(app, { email: 'office@example.cn', name: 'Office' })
    const office = addOrg(app, officer.id, {
      name: '东湖街道办事处',
      kind: 'street_office',
      areaId: w.streetA.id,
    } as Partial<orgs.OrgInput> & { areaId: number })
    const declared = await signedIn(app, 'office@example.cn')
    expect((await declared.get('/reports')).statusCode).toBe(403)
    expect((await declared.get('/')).body).not.toContain('href="/reports"')
    app.db.update(organizations).set({ trust: 'endorsed' }).where(eq(organizations.id, office.id)).run()
    // Endorsed, its member reports on the office's street, not the other one, and finds the link in the header.
    const endorsed = await signedIn(app, 'office@example.cn')
    const own = await endorsed.get('/reports')
    expect(own.statusCode).toBe(200)
    expect(own.body).toContain('href="/reports"')
    expect(tableRows(own.body, 'demand')).toHaveLength(2)
    expect((await endorsed.get(`/reports?area=${w.streetB.id}`)).statusCode).toBe(422)
    expect((await leader.get('/')).body).not.toContain('href="/reports"')

    const admin = await signedIn(app, w.admin.email)
    const all = await admin.get(`/reports?area=${w.district.id}`)
    expect(all.statusCode).toBe(200)
    expect(all.body).toContain(`<option value="${w.streetB.id}"`)
  })

  it('counts a request answered after the deadline as late', async () => {
    const { app, w, second } = await world()
    const then = new Date(Date.now() - 20 * DAY)
    const fund = offersSvc.post(
      app.db,
      w.other,
      {
        orgId: w.orgB.id,
        category: 'funds',
        title: '小额资助',
        description: '社区活动经费',
        quantity: 1000,
        servesAreaId: w.district.id,
      },
      then,
    )
    const m = matches.open(
      app.db,
      reload(app, w.member),
      'request',
      { needId: second.id, offerId: fund.id, quantity: 500 },
      then,
    )
    matches.fire(
      app.db,
      reload(app, w.other),
      m.id,
      'decline',
      { reason: 'out_of_scope' },
      new Date(then.getTime() + 10 * DAY),
    )
    const broker = await signedIn(app, w.broker.email)
    const res = await broker.get(`/reports?from=${localToday(new Date(Date.now() - 30 * DAY))}&to=${today()}`)
    const rows = tableRows(res.body, 'requests')
    expect(rows.slice(0, 3)).toEqual([
      ['发出的申请', '2'],
      ['按时答复', '1'],
      ['逾期后答复', '1'],
    ])
    expect(rows[6]).toEqual(['按时答复率', '50.0%'])
  })
})

describe('report periods', () => {
  it('offers this month, the last 90 days, this year and last year, marking the one shown', async () => {
    const { app, w } = await world()
    const broker = await signedIn(app, w.broker.email)
    const res = await broker.get('/reports')
    const html = res.body.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&')
    const links = [
      ...html.matchAll(/<a href="\/reports\?area=\d+&from=([\d-]+)&to=([\d-]+)"( aria-current="true")?>([^<]+)<\/a>/g),
    ].map((m) => ({ from: m[1], to: m[2], current: !!m[3], label: m[4] }))
    const year = Number(today().slice(0, 4))
    expect(links.map((l) => l.label)).toEqual(['本月', '近 90 天', '今年', '去年'])
    expect(links[3]).toMatchObject({ from: `${year - 1}-01-01`, to: `${year - 1}-12-31`, current: false })
    // The default period is the last 90 days.
    expect(links.filter((l) => l.current).map((l) => l.label)).toEqual(['近 90 天'])
    expect((await broker.get(`/reports?from=${links[3].from}&to=${links[3].to}`)).statusCode).toBe(200)
  })
})

describe('offer utilization over time', () => {
  it('an offer closed before the period is not offered in it, even when a match on it is cancelled later', async () => {
    const app = await appForTest()
    const w = await brokerWorld(app, { needQuantity: 10, offerQuantity: 20, now: new Date(Date.now() - 60 * DAY) })
    const then = (days: number) => new Date(Date.now() - days * DAY)
    const m = matches.open(
      app.db,
      reload(app, w.member),
      'request',
      { needId: w.need.id, offerId: w.offer.id, quantity: 5 },
      then(59),
    )
    matches.fire(app.db, reload(app, w.other), m.id, 'accept', {}, then(58))
    offersSvc.close(app.db, reload(app, w.other), w.offer.id, 'no_longer_needed', then(50))
    // Long after, the match is cancelled: capacity goes back to the closed offer, which moves its updated_at.
    matches.fire(app.db, reload(app, w.other), m.id, 'cancel', { reason: 'unresponsive' }, then(1))
    const broker = await signedIn(app, w.broker.email)
    const recent = await broker.get(`/reports?from=${localToday(new Date(Date.now() - 10 * DAY))}&to=${today()}`)
    expect(tableRows(recent.body, 'utilization')).toEqual([])
    // In the days it was open it was offered; the match accepted then was cancelled since, so it used nothing.
    const open = await broker.get(
      `/reports?from=${localToday(new Date(Date.now() - 60 * DAY))}&to=${localToday(new Date(Date.now() - 55 * DAY))}`,
    )
    expect(tableRows(open.body, 'utilization')).toEqual([['场地', '小时', '1', '20', '0', '0.0%', '1']])
  })
})

describe('the reports API', () => {
  it("gives a script the same figures with a bearer token, in the API's spelling; scope and bad input as JSON", async () => {
    const { app, w } = await world()
    app.db.update(areasTable).set({ ref: 'A-ST' }).where(eq(areasTable.id, w.streetA.id)).run()
    const auth = { authorization: `Bearer ${tokens.issue(app.db, w.broker.id, 'tests')}` }
    const res = await app.inject({ url: '/api/v1/reports', headers: auth })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.area).toEqual({ ref: 'A-ST', name: areaSvc.get(app.db, w.streetA.id)!.name })
    expect(body.demand).toEqual([
      { category: 'venue', unit: 'hours', needs: 1, posted: 10, met: 6, share: 0.6, fully_met: 0 },
      { category: 'funds', unit: 'yuan', needs: 1, posted: 500, met: 0, share: 0, fully_met: 0 },
    ])
    expect(body.orgs).toEqual({ asking: 1, served: 1, under_resourced: 1, under_resourced_share: 1 })
    expect(JSON.stringify(body)).not.toMatch(ANY_MARKER)
    // The page says the same.
    const page = await (await signedIn(app, w.broker.email)).get('/reports')
    expect(tableRows(page.body, 'demand')[0]).toEqual(['场地', '小时', '1', '10', '6', '60.0%', '0'])

    const member = { authorization: `Bearer ${tokens.issue(app.db, w.member.id, 'tests')}` }
    expect((await app.inject({ url: '/api/v1/reports', headers: member })).statusCode).toBe(403)
    expect((await app.inject({ url: '/api/v1/reports' })).statusCode).toBe(401)
    const unknown = await app.inject({ url: '/api/v1/reports?area=NOPE&from=2026-02-30', headers: auth })
    expect(unknown.statusCode).toBe(422)
    expect(
      unknown
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['area', 'from'])
  })
})
