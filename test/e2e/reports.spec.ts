import { afterAll, beforeAll, expect, it } from 'vitest'
import readXlsxFile from 'read-excel-file/node'
import { DEMO, expectNothingWrong, launch, screenshot, signIn, type Session } from './browser.js'

// A social worker opens the report for their street, reads it, prints it and takes the workbook away.
let s: Session
beforeAll(async () => {
  s = await launch({ locale: 'zh-CN' })
})
afterAll(async () => {
  await s?.close()
})

it('shows every section as a chart with its table, prints without the chrome, and exports a workbook with the same figures', async () => {
  const { page } = s
  await signIn(page, DEMO.broker)
  await page.locator('.nav a[href="/reports"]').click()
  await page.waitForURL((u) => u.pathname === '/reports')
  await expect.poll(() => page.locator('h1').textContent()).toContain('成效报告')

  // A wider period: the demo district's history goes back three months.
  await page.locator('#f-from').fill('2020-01-01')
  await Promise.all([page.waitForURL(/from=2020-01-01/), page.locator('.report-form button[type=submit]').click()])
  const charts = page.locator('svg.bar-chart[role=img]')
  expect(await charts.count()).toBe(6)
  // Charts are drawn: bars have width, and every chart names itself for a screen reader.
  const widths = await page
    .locator('svg.bar-chart rect.bar')
    .evaluateAll((rects) => rects.map((r) => (r as SVGRectElement).getBBox().width))
  expect(widths.some((w) => w > 0)).toBe(true)
  for (const id of ['demand', 'waits', 'requests', 'utilization', 'orgs', 'feedback']) {
    expect(await page.locator(`#chart-${id}-desc`).textContent()).not.toBe('')
  }
  const demandRows = await page
    .locator('#table-demand tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent!.trim())))
  expect(demandRows.length).toBeGreaterThan(0)
  await screenshot(page, 'r1-report-zh')

  // Print: no header, no form, no buttons; the charts and tables stay.
  await page.emulateMedia({ media: 'print' })
  expect(await page.locator('.site-header').isVisible()).toBe(false)
  expect(await page.locator('.report-form').isVisible()).toBe(false)
  expect(await charts.first().isVisible()).toBe(true)
  await screenshot(page, 'r2-report-print')
  await page.emulateMedia({ media: 'screen' })
  expect(await page.locator('[data-print]').isVisible()).toBe(true)

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('a[href^="/reports.xlsx"]').click(),
  ])
  expect(download.suggestedFilename()).toMatch(/^成效报告-东湖街道-2020-01-01_\d{4}-\d{2}-\d{2}\.xlsx$/)
  const sheets = await readXlsxFile((await download.path())!)
  expect(sheets[0].sheet).toBe('成效报告')
  const demand = sheets.find((x) => x.sheet === '需求发布与满足（按类别）')!
  // The workbook holds the page's figures, numbers as numbers (a share as a fraction).
  const num = (text: string) => Number(text.replace(/,/g, ''))
  const fromPage = demandRows.map((r) => [
    r[0],
    r[1],
    ...r.slice(2, 5).map(num),
    num(r[5].replace('%', '')) / 100,
    num(r[6]),
  ])
  const fromBook = demand.data
    .slice(1)
    .map((r) => r.map((v) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v)))
  expect(fromBook).toEqual(fromPage.map((r) => r.map((v) => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : v))))
  expectNothingWrong(s)
})

it('reads in English too', async () => {
  const en = await launch({ locale: 'en-US' })
  try {
    await signIn(en.page, DEMO.admin)
    await en.page.goto('/reports?from=2020-01-01')
    expect(await en.page.locator('h1').textContent()).toContain('Impact report')
    expect(await en.page.locator('#chart-demand-title').textContent()).toBe('Share of demand met, by category')
    await screenshot(en.page, 'r3-report-en')
    expectNothingWrong(en)
  } finally {
    await en.close()
  }
})
