import Database from 'better-sqlite3'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import readXlsxFile from 'read-excel-file/node'
import { DEMO, DEMO_PASSWORD, expectNothingWrong, launch, screenshot, signIn, type Session } from './browser.js'

// A social worker turns a need nobody can serve into a task, then runs a capacity-building project: its page read,
// printed and its close-out workbook read back.
let s: Session, holder: Session
beforeAll(async () => {
  ;[s, holder] = await Promise.all([launch({ locale: 'zh-CN' }), launch({ locale: 'zh-CN' })])
})
afterAll(async () => {
  await Promise.all([s?.close(), holder?.close()])
})

it('a desk row becomes a cultivation task in one click, which is started, noted and shows on the desk', async () => {
  const { page } = s
  await signIn(page, DEMO.broker)
  await page.goto(new URL('/desk', page.url()).toString())
  const row = page.locator('#queue-unserved li').first()
  const title = (await row.locator('a').first().textContent())!.trim()
  await Promise.all([page.waitForURL(/\/tasks\/\d+$/), row.locator('form.task-make button').click()])
  expect(await page.locator('h1').textContent()).toBe(`为「${title}」招募资源方`)
  expect(await page.locator('#task-status').textContent()).toBe('待开始')
  await Promise.all([
    page.waitForURL(/\/tasks\/\d+$/),
    page.locator('#task-actions button', { hasText: '开始' }).click(),
  ])
  expect(await page.locator('#task-status').textContent()).toBe('进行中')
  await page.locator('#f-body').fill('已联系社区里的两家商户')
  await Promise.all([page.waitForURL(/\/tasks\/\d+/), page.locator('#notes button[type=submit]').click()])
  expect(await page.locator('#notes').textContent()).toContain('已联系社区里的两家商户')
  await screenshot(page, 'c1-task')
  await page.goto(new URL('/desk', page.url()).toString())
  expect(await page.locator('#queue-tasks').textContent()).toContain(`为「${title}」招募资源方`)
  expectNothingWrong(s)
})

it("a project is created, given its cohort, read, printed without the chrome, and its workbook holds the page's figures", async () => {
  const { page } = s
  await page.goto(new URL('/projects', page.url()).toString())
  await Promise.all([page.waitForURL(/\/projects\/new$/), page.locator('a.button[href="/projects/new"]').click()])
  await page.locator('#f-name').fill('东湖街道社区组织能力提升计划')
  await page.locator('#f-funder').fill('区民政局')
  await page.locator('#f-startsOn').fill('2020-01-01')
  await page.locator('#f-endsOn').fill('2030-12-31')
  await Promise.all([page.waitForURL(/\/projects\/\d+$/), page.locator('#project-form button[type=submit]').click()])
  const options = await page.locator('#f-orgId option').count()
  expect(options).toBeGreaterThan(1)
  for (let i = 0; i < 2; i++)
    await Promise.all([page.waitForURL(/\/projects\/\d+$/), page.locator('#project-add button[type=submit]').click()])
  expect(await page.locator('#project-groups tbody tr').count()).toBe(2)
  expect(await page.locator('svg.cap-chart[role=img]').isVisible()).toBe(true)
  const first = await page
    .locator('#project-dim-resource_integration td')
    .evaluateAll((tds) => tds.map((td) => td.textContent!.trim()))
  await screenshot(page, 'c2-project')

  await page.emulateMedia({ media: 'print' })
  expect(await page.locator('.site-header').isVisible()).toBe(false)
  expect(await page.locator('#project-add').isVisible()).toBe(false)
  expect(await page.locator('#project-figures').isVisible()).toBe(true)
  await page.emulateMedia({ media: 'screen' })

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('a[href$="/workbook.xlsx"]').click(),
  ])
  const sheets = await readXlsxFile((await download.path())!)
  expect(sheets.map((x) => x.sheet)).toEqual(['能力建设项目结项表', '基线与终期', '参与组织', '获得的资源'])
  const row = sheets[1].data[1]
  const asText = (v: unknown, digits: number) => (v === null ? '—' : Number(v).toFixed(digits))
  // The page's dimension row: baseline, endline, change, share, paired, missing endline — the workbook's same numbers.
  expect([asText(row[2], 2), asText(row[3], 2)]).toEqual([first[0], first[1]])
  expect(Number(row[6])).toBe(Number(first[4]))
  expect(Number(row[7])).toBe(Number(first[5]))
  expect(sheets[2].data.length).toBe(3)
  expectNothingWrong(s)
})

it('a prospect of the inventory is invited to give for a task; posting the filled-in offer closes the task and the need now has a fit', async () => {
  const { page } = s
  await page.goto('/desk')
  const row = page.locator('#queue-unserved li').first()
  const needId = Number((await row.locator('a').first().getAttribute('href'))!.match(/\/needs\/(\d+)/)![1])
  await Promise.all([page.waitForURL(/\/tasks\/\d+$/), row.locator('form.task-make button').click()])
  const taskId = Number(new URL(page.url()).pathname.split('/').pop())
  const db = new Database(inject('dbPath'), { readonly: true })
  const need = db.prepare('SELECT title, category, area_id AS areaId FROM needs WHERE id = ?').get(needId) as {
    title: string
    category: string
    areaId: number
  }
  db.close()

  // The broker writes down who could give, then invites them for the task.
  await page.goto('/inventory/new')
  await page.locator('#f-name').fill('王会计')
  await page.locator('#f-kind').selectOption('person')
  await page.locator('#f-areaId').selectOption(String(need.areaId))
  await page.locator('#f-category').selectOption(need.category)
  await page.locator('#f-has').fill(`${need.title}（王会计可以帮忙）`)
  await Promise.all([page.waitForURL(/\/inventory$/), page.locator('#prospect-form button[type=submit]').click()])
  await Promise.all([
    page.waitForURL(/\/inventory\/\d+$/),
    page.locator('#inventory-list a', { hasText: '王会计' }).first().click(),
  ])
  await page.locator('#f-taskId').selectOption(String(taskId))
  await Promise.all([page.waitForURL(/\/invitation$/), page.locator('#give-make button[type=submit]').click()])
  const link = await page.locator('#give-url').inputValue()
  expect(await page.locator('.give-qr img').isVisible()).toBe(true)
  await screenshot(page, 'c3-invitation')

  // The holder opens the link: sign-in first, then the offer form already filled in.
  const h = holder.page
  // The printed link names the site's public address (BASE_URL); here the same path on the test server.
  const printed = new URL(link, 'http://printed.example')
  await h.goto(printed.pathname + printed.search)
  await h.waitForURL(/\/signin/)
  await h.locator('#f-email').fill(DEMO.holder)
  await h.locator('#f-password').fill(DEMO_PASSWORD)
  await Promise.all([h.waitForURL(/\/offers\/new\?/), h.locator('#signin-form button[type=submit]').click()])
  expect(await h.locator('#f-title').inputValue()).toBe(`${need.title}（王会计可以帮忙）`)
  expect(await h.locator('#give-notice').isVisible()).toBe(true)
  await h.locator('#f-quantity').fill('10')
  await Promise.all([h.waitForURL(/\/offers\/\d+$/), h.locator('#offer-form button[type=submit]').first().click()])

  // Back at the desk: the task is done with the offer as its outcome, and the need has a fit at last.
  await page.goto(`/tasks/${taskId}`)
  expect(await page.locator('#task-status').textContent()).toBe('已完成')
  expect(await page.locator('#task').textContent()).toContain('（王会计可以帮忙）')
  await page.goto(`/needs/${needId}`)
  expect(await page.content()).toContain('（王会计可以帮忙）')
  expectNothingWrong(s)
})
