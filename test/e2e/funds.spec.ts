import Database from 'better-sqlite3'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import readXlsxFile from 'read-excel-file/node'
import { DEMO, expectNothingWrong, launch, screenshot, signIn, type Session } from './browser.js'

// Issue 15's walk after the decision, on the demo district's decided call: a visitor reads the notice signed out; the
// dance team's leader reports its late milestone with a photo, the social worker approves it and the tranche is
// released; the close-out follows, is approved, and its workbook is downloaded and read back.
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
  Buffer.from('IHDR'),
  Buffer.alloc(400, 9),
])
let visitor: Session, leader: Session, broker: Session
let callId: number, awardId: number

beforeAll(async () => {
  ;[visitor, leader, broker] = await Promise.all([launch(), launch(), launch()])
  const db = new Database(inject('dbPath'), { readonly: true })
  try {
    callId = db
      .prepare("SELECT id FROM fund_calls WHERE title = '东湖街道2026年社区微创投（第一期）'")
      .pluck()
      .get() as number
    awardId = db
      .prepare(
        "SELECT a.id FROM fund_awards a JOIN organizations o ON o.id = a.org_id WHERE a.call_id = ? AND o.ref = 'org-dance'",
      )
      .pluck()
      .get(callId) as number
  } finally {
    db.close()
  }
})
afterAll(async () => {
  await Promise.all([visitor?.close(), leader?.close(), broker?.close()])
})

it('a visitor reads the notice without signing in: awards, amounts and scores, the period over, no reviewer', async () => {
  const { page } = visitor
  await page.goto(`/calls/${callId}/notice`)
  expect(await page.locator('h1').textContent()).toContain('资助结果公示')
  const awards = await page
    .locator('#notice-awards tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())))
  expect(awards).toEqual([
    ['东湖长者互助队', '长者结对探访与陪诊', '¥10,000.00', '4.40'],
    ['荔枝湾广场舞队', '广场舞进社区公益演出', '¥8,000.00', '4.00'],
  ])
  expect(await page.locator('#notice-total').textContent()).toBe('¥18,000.00')
  expect(await page.locator('#notice-period').textContent()).toContain('公示期满')
  expect(await page.locator('main').textContent()).not.toContain('陈社工')
  expect(await page.locator('#objection-form').count()).toBe(0)
  await screenshot(page, 'funds-1-notice')
  expectNothingWrong(visitor)
})

/** The newest report on the award's page (they are listed newest first). */
const newestReport = async (s: Session) =>
  Number((await s.page.locator('#reports article').first().getAttribute('id'))!.replace('report-', ''))

async function sendReport(milestone: string, done: string, spent: string[]) {
  const { page } = leader
  await page.goto(`/awards/${awardId}`)
  await page
    .locator('#f-milestone')
    .selectOption((await page.locator('#f-milestone option', { hasText: milestone }).getAttribute('value'))!)
  await page.locator('#f-done').fill(done)
  await page.locator('#f-residentsReached').fill('180')
  const fields = page.locator('#report-form input[name^="spent_"]')
  for (let i = 0; i < spent.length; i++) await fields.nth(i).fill(spent[i])
  await Promise.all([
    page.waitForURL(new RegExp(`/awards/${awardId}`)),
    page.locator('#report-form button[type=submit]').click(),
  ])
  return newestReport(leader)
}

async function approve(reportId: number) {
  const { page } = broker
  await page.goto(`/awards/${awardId}`)
  await Promise.all([
    page.waitForURL(new RegExp(`/awards/${awardId}`)),
    page.locator(`#report-${reportId}-decide button`, { hasText: '通过并拨付本期资金' }).click(),
  ])
  expect(await page.locator(`#report-${reportId}-state`).textContent()).toBe('已通过')
}

it('the leader reports the late milestone with a photo; the social worker approves and the tranche is released', async () => {
  await signIn(leader.page, DEMO.leader)
  await leader.page.goto(`/awards/${awardId}`)
  expect(await leader.page.locator('#award-late').isVisible()).toBe(true)
  expect(await leader.page.locator('#award-released').textContent()).toBe('¥2,400.00')
  const reportId = await sendReport('社区演出', '在四个社区各演出一场，邀请独居长者观看。', ['1500', '600', '450'])
  await leader.page
    .locator(`#report-${reportId}-upload input[type=file]`)
    .setInputFiles({ name: '社区演出.png', mimeType: 'image/png', buffer: PNG })
  await Promise.all([
    leader.page.waitForURL(new RegExp(`/awards/${awardId}`)),
    leader.page.locator(`#report-${reportId}-upload button[type=submit]`).click(),
  ])
  expect(await leader.page.locator(`#report-${reportId}-files`).textContent()).toContain('社区演出.png')
  await screenshot(leader.page, 'funds-2-report')

  await signIn(broker.page, DEMO.broker)
  await approve(reportId)
  expect(await broker.page.locator('#award-released').textContent()).toBe('¥4,800.00')
  // The photo opens for the social worker as a download, never inline.
  const [download] = await Promise.all([
    broker.page.waitForEvent('download'),
    broker.page.locator(`#report-${reportId}-files a`).first().click(),
  ])
  expect((await import('node:fs')).readFileSync((await download.path())!)).toEqual(PNG)
  expect(await leader.page.reload().then(() => leader.page.locator('#award-late').count())).toBe(0)
  expectNothingWrong(leader)
  expectNothingWrong(broker)
})

it('the close-out releases the last tranche; its page prints and its workbook reads back with the same figures', async () => {
  const reportId = await sendReport('结项报告', '三支新舞、四场演出，队伍订立了排练制度。', ['5500', '2000', '1500'])
  await approve(reportId)
  expect(await broker.page.locator('#award-released').textContent()).toBe('¥8,000.00')
  const { page } = leader
  await page.goto(`/awards/${awardId}/closeout`)
  expect(await page.locator('#closeout-status').textContent()).toContain('已结项')
  expect(await page.locator('#closeout-released').textContent()).toBe('¥8,000.00')
  expect(await page.locator('#closeout-spent').textContent()).toBe('¥9,000.00')
  await page.emulateMedia({ media: 'print' })
  expect(await page.locator('.site-header').isVisible()).toBe(false)
  await screenshot(page, 'funds-3-closeout-print')
  await page.emulateMedia({ media: 'screen' })
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('a[href$="/closeout.xlsx"]').click(),
  ])
  const sheets = await readXlsxFile((await download.path())!)
  const cover = Object.fromEntries(sheets[0].data.slice(1).map((r) => [r[0], r[1]]))
  expect(cover).toMatchObject({ 资助金额: 8000, 已拨付: 8000, 实际支出: 9000, 实际服务居民: 180, 状态: '已结项' })
  expect(sheets[2].data.slice(1).map((r) => [r[0], r[3]])).toEqual([
    ['启动与排练', 2400],
    ['社区演出', 2400],
    ['总结与结项', 3200],
  ])
  expectNothingWrong(leader)
})
