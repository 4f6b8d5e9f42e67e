import Database from 'better-sqlite3'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import readXlsxFile from 'read-excel-file/node'
import { DEMO, expectNothingWrong, launch, screenshot, signIn, type Session } from './browser.js'

// Issue 15's whole walk, opening to close-out: the street office opens a call; the dance team and the elder team
// apply; the social worker scores both, the residents' representative steps aside on one; the decision is confirmed;
// the notice is published and read by a visitor, who objects and is answered; a milestone report with a photo is
// approved (its tranche released); the close-out is approved and its workbook read back.
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
  Buffer.from('IHDR'),
  Buffer.alloc(300, 5),
])
const TITLE = '东湖街道 2027 年社区微创投（结项演练）'
let admin: Session, leader: Session, broker: Session, resident: Session, visitor: Session
let callId = 0,
  dance = 0,
  elders = 0,
  awardId = 0

beforeAll(async () => {
  ;[admin, leader, broker, resident, visitor] = await Promise.all([launch(), launch(), launch(), launch(), launch()])
})
afterAll(async () => {
  await Promise.all([admin, leader, broker, resident, visitor].map((s) => s?.close()))
})

it(
  'a call is opened, two groups apply, two reviewers score (one recuses) and the decision is confirmed',
  { timeout: 90_000 },
  async () => {
    const db = new Database(inject('dbPath'), { readonly: true })
    const ids = db
      .prepare(
        "SELECT (SELECT id FROM organizations WHERE ref = 'org-dh-office') AS office, (SELECT id FROM areas WHERE ref = 'HB-DH') AS street",
      )
      .get() as { office: number; street: number }
    db.close()
    const a = admin.page
    await signIn(a, DEMO.admin)
    await a.goto('/calls/new')
    await a.locator('#f-holderOrgId').selectOption(String(ids.office))
    await a.locator('#f-title').fill(TITLE)
    await a.locator('#f-areaId').selectOption(String(ids.street))
    await a.locator('#f-budget').fill('6000')
    await a.locator('#f-cap').fill('4000')
    await a.locator('#f-reviewers').fill(DEMO.broker)
    await a.locator('#f-residents').fill(DEMO.holder)
    await Promise.all([a.waitForURL(/\/calls\/\d+$/), a.locator('#call-form button[type=submit]').click()])
    callId = Number(new URL(a.url()).pathname.split('/').pop())
    await Promise.all([a.waitForURL(/\/calls\/\d+$/), a.locator('#publish').click()])

    const l = leader.page
    await signIn(l, DEMO.leader)
    const apply = async (group: string, title: string) => {
      await l.goto(`/calls/${callId}`)
      await Promise.all([l.waitForURL(/\/applications\/new/), l.locator('#apply a', { hasText: group }).click()])
      await l.locator('#f-title').fill(title)
      await l.locator('#f-activity').fill(`${group}：每周一次活动，服务社区长者。`)
      await l.locator('input[name="lineAsked"]').nth(0).fill('2000')
      await l.locator('input[name="lineAsked"]').nth(1).fill('1000')
      for (const [i, [t, due, share]] of [
        ['启动', '2030-01-31', '30'],
        ['完成活动', '2030-06-30', '70'],
      ].entries()) {
        await l.locator('input[name="msTitle"]').nth(i).fill(t)
        await l.locator('input[name="msDue"]').nth(i).fill(due)
        await l.locator('input[name="msShare"]').nth(i).fill(share)
      }
      await Promise.all([
        l.waitForURL(/\/applications\/\d+$/),
        l.locator('#application-form button[value=submit]').click(),
      ])
      return Number(new URL(l.url()).pathname.split('/').pop())
    }
    dance = await apply('荔枝湾广场舞队', '广场舞进公园（演练）')
    elders = await apply('东湖长者互助队', '独居长者探访（演练）')

    const score = async (s: Session, applicationId: number, scores: number[]) => {
      await s.page.goto(`/applications/${applicationId}`)
      const sets = s.page.locator('#review-form fieldset')
      for (let i = 0; i < scores.length; i++) await sets.nth(i).locator(`input[value="${scores[i]}"]`).check()
      await Promise.all([
        s.page.waitForURL(/\/calls\/\d+$/),
        s.page.locator('#review-form button[type=submit]').click(),
      ])
    }
    await signIn(broker.page, DEMO.broker)
    await score(broker, dance, [5, 4, 4, 4, 3])
    await score(broker, elders, [4, 4, 3, 3, 3])
    const r = resident.page
    await signIn(r, DEMO.holder)
    await r.goto(`/applications/${dance}`)
    await r.locator('#review-form input[name=recuse]').check()
    await Promise.all([r.waitForURL(/\/calls\/\d+$/), r.locator('#review-form button[type=submit]').click()])
    await score(resident, elders, [5, 5, 4, 4, 4])

    await a.goto(`/calls/${callId}/decision`)
    await Promise.all([a.waitForURL(/\/decision$/), a.locator('#confirm-decision').click()])
    expect(await a.locator('#total-awarded').textContent()).toBe('¥6,000.00')
    for (const s of [admin, leader, broker, resident]) expectNothingWrong(s)
  },
)

it('the notice is published, read by a visitor signed out, objected to and answered', { timeout: 60_000 }, async () => {
  const a = admin.page
  await Promise.all([a.waitForURL(/\/notice$/), a.locator('#notice-link').click()])
  await Promise.all([a.waitForURL(/\/notice$/), a.locator('#notice-draft button[type=submit]').click()])
  const v = visitor.page
  await v.goto(`/calls/${callId}/notice`)
  expect(await v.locator('#notice-period').textContent()).toContain('公示期')
  const rows = await v
    .locator('#notice-awards tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())))
  expect(rows).toEqual([
    ['荔枝湾广场舞队', '广场舞进公园（演练）', '¥3,000.00', '4.00'],
    ['东湖长者互助队', '独居长者探访（演练）', '¥3,000.00', '3.90'],
  ])
  expect(await v.locator('main').textContent()).not.toContain('陈社工')
  await v.locator('#f-name').fill('居民老陈')
  await v.locator('#f-contact').fill('13900001234')
  await v.locator('#f-applicationId').selectOption(String(dance))
  await v.locator('#f-body').fill('希望公开广场舞队的演出安排。')
  await Promise.all([v.waitForURL(/\/notice/), v.locator('#objection-form button[type=submit]').click()])
  expect(await v.locator('#objections').textContent()).toContain('希望公开广场舞队的演出安排。')
  expect(await v.locator('#objections').textContent()).not.toContain('13900001234')
  await a.reload()
  await a.locator('#objections textarea[name=answer]').first().fill('演出安排会在社区公告栏公布。')
  await Promise.all([a.waitForURL(/\/notice/), a.locator('#objections form button[type=submit]').first().click()])
  await v.reload()
  expect(await v.locator('#objections').textContent()).toContain('演出安排会在社区公告栏公布。')
  await screenshot(v, 'funds-walk-notice')
  expectNothingWrong(visitor)
  expectNothingWrong(admin)
})

it(
  'a milestone report with a photo is approved, then the close-out, and its workbook reads back',
  { timeout: 60_000 },
  async () => {
    const db = new Database(inject('dbPath'), { readonly: true })
    awardId = db.prepare('SELECT id FROM fund_awards WHERE application_id = ?').pluck().get(dance) as number
    db.close()
    const l = leader.page
    const send = async (choice: string) => {
      await l.goto(`/awards/${awardId}`)
      await l
        .locator('#f-milestone')
        .selectOption((await l.locator('#f-milestone option', { hasText: choice }).getAttribute('value'))!)
      await l.locator('#f-done').fill(`${choice}：完成。`)
      await l.locator('#f-residentsReached').fill('90')
      await l.locator('#report-form input[name^="spent_"]').first().fill('900')
      await Promise.all([
        l.waitForURL(new RegExp(`/awards/${awardId}`)),
        l.locator('#report-form button[type=submit]').click(),
      ])
      return Number((await l.locator('#reports article').first().getAttribute('id'))!.replace('report-', ''))
    }
    const approve = async (id: number) => {
      await broker.page.goto(`/awards/${awardId}`)
      await Promise.all([
        broker.page.waitForURL(new RegExp(`/awards/${awardId}`)),
        broker.page.locator(`#report-${id}-decide button`, { hasText: '通过并拨付本期资金' }).click(),
      ])
    }
    const first = await send('启动')
    await l
      .locator(`#report-${first}-upload input[type=file]`)
      .setInputFiles({ name: '启动.png', mimeType: 'image/png', buffer: PNG })
    await Promise.all([
      l.waitForURL(new RegExp(`/awards/${awardId}`)),
      l.locator(`#report-${first}-upload button[type=submit]`).click(),
    ])
    expect(await l.locator(`#report-${first}-files`).textContent()).toContain('启动.png')
    await approve(first)
    expect(await broker.page.locator('#award-released').textContent()).toBe('¥900.00')
    const closeout = await send('结项报告')
    await approve(closeout)
    expect(await broker.page.locator('#award-released').textContent()).toBe('¥3,000.00')
    await l.goto(`/awards/${awardId}/closeout`)
    expect(await l.locator('#closeout-status').textContent()).toContain('已结项')
    const [download] = await Promise.all([l.waitForEvent('download'), l.locator('a[href$="/closeout.xlsx"]').click()])
    const sheets = await readXlsxFile((await download.path())!)
    expect(Object.fromEntries(sheets[0].data.slice(1).map((row) => [row[0], row[1]]))).toMatchObject({
      资助金额: 3000,
      已拨付: 3000,
      实际服务居民: 90,
      状态: '已结项',
    })
    expect(sheets[2].data.slice(1).map((row) => [row[0], row[2], row[3]])).toEqual([
      ['启动', 900, 900],
      ['完成活动', 2100, 2100],
    ])
    await screenshot(l, 'funds-walk-closeout')
    expectNothingWrong(leader)
    expectNothingWrong(broker)
  },
)
