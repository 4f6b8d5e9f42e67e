import { afterAll, beforeAll, expect, it } from 'vitest'
import readXlsxFile from 'read-excel-file/node'
import { DEMO, expectNothingWrong, launch, screenshot, signIn, type Session } from './browser.js'

// A social worker turns a need nobody can serve into a task, then runs a capacity-building project: its page read,
// printed and its close-out workbook read back.
let s: Session
beforeAll(async () => { s = await launch({ locale: 'zh-CN' }) })
afterAll(async () => { await s?.close() })

it('a desk row becomes a cultivation task in one click, which is started, noted and shows on the desk', async () => {
  const { page } = s
  await signIn(page, DEMO.broker)
  await page.goto(new URL('/desk', page.url()).toString())
  const row = page.locator('#queue-unserved li').first()
  const title = (await row.locator('a').first().textContent())!.trim()
  await Promise.all([page.waitForURL(/\/tasks\/\d+$/), row.locator('form.task-make button').click()])
  expect(await page.locator('h1').textContent()).toBe(`为「${title}」招募资源方`)
  expect(await page.locator('#task-status').textContent()).toBe('待开始')
  await Promise.all([page.waitForURL(/\/tasks\/\d+$/), page.locator('#task-actions button', { hasText: '开始' }).click()])
  expect(await page.locator('#task-status').textContent()).toBe('进行中')
  await page.locator('#f-body').fill('已联系社区里的两家商户')
  await Promise.all([page.waitForURL(/\/tasks\/\d+/), page.locator('#notes button[type=submit]').click()])
  expect(await page.locator('#notes').textContent()).toContain('已联系社区里的两家商户')
  await screenshot(page, 'c1-task')
  await page.goto(new URL('/desk', page.url()).toString())
  expect(await page.locator('#queue-tasks').textContent()).toContain(`为「${title}」招募资源方`)
  expectNothingWrong(s)
})

it('a project is created, given its cohort, read, printed without the chrome, and its workbook holds the page\'s figures', async () => {
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
  for (let i = 0; i < 2; i++) await Promise.all([page.waitForURL(/\/projects\/\d+$/), page.locator('#project-add button[type=submit]').click()])
  expect(await page.locator('#project-groups tbody tr').count()).toBe(2)
  expect(await page.locator('svg.cap-chart[role=img]').isVisible()).toBe(true)
  const first = await page.locator('#project-dim-resource_integration td').evaluateAll((tds) => tds.map((td) => td.textContent!.trim()))
  await screenshot(page, 'c2-project')

  await page.emulateMedia({ media: 'print' })
  expect(await page.locator('.site-header').isVisible()).toBe(false)
  expect(await page.locator('#project-add').isVisible()).toBe(false)
  expect(await page.locator('#project-figures').isVisible()).toBe(true)
  await page.emulateMedia({ media: 'screen' })

  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a[href$="/workbook.xlsx"]').click()])
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
