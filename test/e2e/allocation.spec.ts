import { afterAll, beforeAll, expect, it } from 'vitest'
import { DEMO, expectNothingWrong, launch, screenshot, signIn, type Session } from './browser.js'

// A social worker reviews an allocation before signing it: nothing is ticked until they say so, every row says
// why it was proposed, a pair that is not about the same thing is marked "not relevant" instead of sent, and the
// page says what became a proposal and what did not.
let s: Session
beforeAll(async () => {
  s = await launch({ locale: 'zh-CN' })
})
afterAll(async () => {
  await s?.close()
})

it('runs an allocation, selects all, unticks one row as not relevant and sends the rest', async () => {
  const { page } = s
  await signIn(page, DEMO.broker)
  await page.goto('/allocations')
  // One category keeps the walk small and leaves the rest of the demo to the other journeys.
  const categories = await page
    .locator('#f-category option')
    .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean))
  let rows = 0
  for (const category of ['training', 'expertise', ...categories]) {
    await page.goto('/allocations')
    await page.locator('#f-category').selectOption(category)
    await Promise.all([
      page.waitForURL(/\/allocations\/\d+$/),
      page.locator('#allocation-form button[type=submit]').click(),
    ])
    rows = await page.locator('#alloc-rows input[name="keep"]:not([disabled])').count()
    if (rows >= 2) break
  }
  expect(rows).toBeGreaterThanOrEqual(2)

  // Coverage per category in its unit, and the fairness figure in words beside first come, first served.
  expect(await page.locator('#alloc-coverage tbody tr').count()).toBe(1)
  expect(await page.locator('#alloc-fair-share-def').textContent()).toContain('公平份额得分')
  const [ours, fcfs] = (await page.locator('#alloc-fair-share td').allTextContents()).map((t) => Number.parseFloat(t))
  expect(ours).toBeGreaterThanOrEqual(fcfs!)

  // Nothing ticked to begin with; every row shows its reasons.
  const keep = page.locator('#alloc-rows input[name="keep"]:not([disabled])')
  expect(await keep.evaluateAll((bs) => bs.filter((b) => (b as HTMLInputElement).checked).length)).toBe(0)
  expect(
    await page
      .locator('#alloc-rows > tbody > tr')
      .evaluateAll((trs) => trs.every((tr) => tr.querySelectorAll('ul.reasons li').length > 0)),
  ).toBe(true)

  // "Select all" ticks every row that can be sent.
  await page.locator('#alloc-select-all').check()
  expect(await keep.evaluateAll((bs) => bs.every((b) => (b as HTMLInputElement).checked))).toBe(true)
  // Marking the first row not relevant unticks it.
  // The first row that can be sent (a row blocked by a match opened elsewhere cannot be, and may come first).
  const first = page.locator('#alloc-rows > tbody > tr:has(input[name="keep"]:not([disabled]))').first()
  const key = (await first.getAttribute('data-row'))!
  await first.locator('input[name="notRelevant"]').check()
  expect(await first.locator('input[name="keep"]').isChecked()).toBe(false)
  await screenshot(page, 'allocation-1-review')

  // Rows whose pair already has an open match (another journey may have opened one) cannot be sent at all.
  const blockedBefore = await page.locator('#alloc-rows input[name="keep"][disabled]').count()
  await Promise.all([page.waitForURL(/\/allocations\/\d+$/), page.locator('#alloc-review button[type=submit]').click()])
  const flash = await page.locator('#flash').textContent()
  expect(flash).toMatch(new RegExp(`已创建 ${rows - 1} 个对接提议`))
  // The sent rows now have an open match and say so; the one marked not relevant was not sent and can still be ticked.
  expect(await page.locator('#alloc-rows input[name="keep"][disabled]').count()).toBe(blockedBefore + rows - 1)
  expect(await page.locator(`#alloc-rows tr[data-row="${key}"] input[name="keep"]`).isDisabled()).toBe(false)
  await screenshot(page, 'allocation-2-sent')
  expectNothingWrong(s)
})
