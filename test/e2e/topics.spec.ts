import { afterAll, beforeAll, expect, it } from 'vitest'
import { DEMO, expectNothingWrong, launch, screenshot, signIn, typingSettled, type Session } from './browser.js'

// Journey: the demo leader posts a need; while they type, the form suggests what it is about as chips
// (htmx); they untick the suggestion, pick another topic from the category's others, publish, see the
// topics on the need's page and follow one to the list filtered by it.
let s: Session
beforeAll(async () => {
  s = await launch()
})
afterAll(async () => {
  await s?.close()
})

// 拉杆音箱 (a trolley speaker) appears in no demo listing, so the filtered list holds this need alone.
const TITLE = '广场舞拉杆音箱'
const chip = (code: string) => s.page.locator(`#topic-chips input[name=topics][value=${code}]`)

it('suggests topics while the poster types, keeps their change, and publishes them', async () => {
  const { page } = s
  await signIn(page, DEMO.leader)
  await page.goto('/needs/new')
  await page.locator('#f-category').selectOption('materials')
  await page.locator('#topic-chips input[name=topicsFor][value=materials]').waitFor({ state: 'attached' })
  await page.locator('#f-title').pressSequentially(TITLE, { delay: 30 })
  await expect
    .poll(
      () =>
        chip('sound_equipment')
          .isChecked()
          .catch(() => false),
      { timeout: 10_000 },
    )
    .toBe(true)
  expect(await page.locator('#topic-chips').textContent()).toContain('音响设备')
  await screenshot(page, 'topics-1-suggested')

  // The poster says what it is rather: not (only) sound, but props and costumes for the show.
  await typingSettled(page)
  await chip('sound_equipment').uncheck()
  await page.locator('#topic-chips input[name=topicsChosen]').waitFor({ state: 'attached' })
  await page.locator('#topic-chips details summary').click()
  await chip('performance_props').check()
  await expect
    .poll(() =>
      page
        .locator('#topic-chips .chip input:checked')
        .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)),
    )
    .toEqual(['performance_props'])
  // Typing on no longer changes their ticks.
  await page.locator('#f-description').pressSequentially('晚上在公园跳舞用，音箱要能放音乐', { delay: 20 })
  await typingSettled(page)
  expect(await chip('sound_equipment').isChecked()).toBe(false)
  expect(await chip('performance_props').isChecked()).toBe(true)

  await page.locator('#f-quantity').fill('1')
  const community = await page.locator('#f-areaId option', { hasText: '荔枝湾社区' }).getAttribute('value')
  await page.locator('#f-areaId').selectOption(community!)
  await Promise.all([
    page.waitForURL(/\/needs\/\d+$/),
    page.locator('#need-form button[type=submit]:not([name=draft])').click(),
  ])

  expect(await page.locator('h1').textContent()).toBe(TITLE)
  const topics = page.locator('.listing-page .topics a.topic')
  expect(await topics.allTextContents()).toEqual(['演出道具与服装'])
  await screenshot(page, 'topics-2-need-page')
  expectNothingWrong(s)
})

it("filters the needs list by a topic from the need's page", async () => {
  const { page } = s
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/needs' && u.searchParams.get('topic') === 'performance_props'),
    page.locator('.listing-page .topics a.topic').first().click(),
  ])
  const titles = await page.locator('#needs-list .card h3').allTextContents()
  expect(titles).toContain(TITLE)
  for (const row of await page.locator('#needs-list .card .topics').allTextContents())
    expect(row).toContain('演出道具与服装')
  expect(await page.locator('form.filters select[name=topic]').inputValue()).toBe('performance_props')
  await screenshot(page, 'topics-3-filtered')
  expectNothingWrong(s)
})
