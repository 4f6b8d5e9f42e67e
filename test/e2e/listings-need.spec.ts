import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  DEMO,
  expectNothingWrong,
  horizontalOverflow,
  launch,
  overflowingElements,
  screenshot,
  signIn,
  typingSettled,
  type Session,
} from './browser.js'

// Journey: the demo leader posts a need in Chinese, finds it again from the needs list by a Chinese
// word (htmx, in place, URL follows), narrows by category and opens it. Then the offers list filters
// without JavaScript, as a plain form.
let s: Session
beforeAll(async () => {
  s = await launch()
})
afterAll(async () => {
  await s?.close()
})

// 扎染 (tie-dye) appears in no demo listing, so the search finds this need alone.
const TITLE = '扎染工作坊排练场地'
const cardTitles = (sel: string, page = s.page) => page.locator(`${sel} .card h3`).allTextContents()

it('posts a need with a weekday-evening schedule and sees it on its own page', async () => {
  const { page } = s
  await signIn(page, DEMO.leader)
  await page.goto('/needs/new')
  await page.locator('#f-category').selectOption('venue')
  await page.locator('#f-title').fill(TITLE)
  await page.locator('#f-description').fill('每周二、周四晚上排练扎染走秀，需要能放音乐、容纳二十人的室内场地。')
  await page.locator('#f-quantity').fill('12')
  await page.getByRole('checkbox', { name: '周二' }).check()
  await page.getByRole('checkbox', { name: '周四' }).check()
  await page.getByRole('checkbox', { name: '晚上' }).check()
  await page.locator('#f-urgency').selectOption('high')
  const community = await page.locator('#f-areaId option', { hasText: '荔枝湾社区' }).getAttribute('value')
  await page.locator('#f-areaId').selectOption(community!)
  await typingSettled(page)
  await Promise.all([
    page.waitForURL(/\/needs\/\d+$/),
    page.locator('#need-form button[type=submit]:not([name=draft])').click(),
  ])

  expect(await page.locator('h1').textContent()).toBe(TITLE)
  const tags = await page.locator('.listing-page .tags').textContent()
  expect(tags).toContain('场地')
  expect(tags).toContain('开放')
  expect(tags).toContain('紧急')
  const facts = await page.locator('dl.facts').textContent()
  expect(facts).toMatch(/周二.*周四.*晚上/)
  expect(await page.locator('dl.facts dd').nth(2).textContent()).toMatch(/^周二/) // no stray separator before the schedule
  expect(facts).toContain('荔枝湾社区')
  expect(await page.locator('.qty.big').textContent()).toContain('12')
  expect(await page.locator('.flash').textContent()).toBeTruthy()
  await screenshot(page, 'listings-1-need-page')
  expect(await horizontalOverflow(page), (await overflowingElements(page)).join(', ')).toBeLessThanOrEqual(0)
  expectNothingWrong(s)
})

it('finds it from /needs by a Chinese word, in place, filters by category and opens it', async () => {
  const { page } = s
  await page.goto('/needs')
  // A full page load would wipe this; an htmx swap keeps it.
  await page.evaluate(() => {
    ;(window as unknown as { marker: number }).marker = 7
  })
  const marker = () => page.evaluate(() => (window as unknown as { marker?: number }).marker)

  await page.locator('#needs-list').waitFor()
  // Chinese arrives through an input method: an input event with the committed text, no key presses for it.
  await page.locator('form.filters input[name=q]').pressSequentially('扎染', { delay: 50 })
  await page.waitForURL((u) => u.searchParams.get('q') === '扎染')
  await expect.poll(() => cardTitles('#needs-list')).toEqual([TITLE])
  expect(await page.locator('#needs-list .card h3 mark').first().textContent()).toBe('扎染')
  expect(await marker()).toBe(7)

  await page.locator('form.filters select[name=category]').selectOption('funds')
  await page.waitForURL((u) => u.searchParams.get('category') === 'funds' && u.searchParams.get('q') === '扎染')
  await expect.poll(() => cardTitles('#needs-list')).toEqual([])
  await page.locator('form.filters select[name=category]').selectOption('venue')
  await page.waitForURL((u) => u.searchParams.get('category') === 'venue')
  await expect.poll(() => cardTitles('#needs-list')).toEqual([TITLE])
  expect(await marker()).toBe(7)
  await screenshot(page, 'listings-2-needs-filtered')

  // Without the word, the category alone: every card is a venue.
  await page.locator('form.filters input[name=q]').fill('')
  await page.locator('form.filters input[name=q]').press('Enter')
  await page.waitForURL((u) => !u.searchParams.get('q') && u.searchParams.get('category') === 'venue')
  await expect.poll(async () => (await cardTitles('#needs-list')).length).toBeGreaterThan(3)
  for (const tag of await page.locator('#needs-list .card .tags .tag:first-child').allTextContents())
    expect(tag).toBe('场地')

  // Back restores the search, and the title opens the need.
  await page.goBack()
  await page.waitForURL((u) => u.searchParams.get('q') === '扎染')
  await expect.poll(() => cardTitles('#needs-list')).toEqual([TITLE])
  await Promise.all([page.waitForURL(/\/needs\/\d+$/), page.locator('#needs-list .card h3 a').click()])
  expect(await page.locator('h1').textContent()).toBe(TITLE)
  expectNothingWrong(s)
})

it('filters the offers list with JavaScript disabled, as a plain form', async () => {
  const nojs = await launch({ javaScriptEnabled: false })
  try {
    const { page } = nojs
    await page.goto('/offers')
    const donghu = await page
      .locator('form.filters select[name=area] option', { hasText: '东湖街道' })
      .getAttribute('value')
    await page.locator('form.filters select[name=category]').selectOption('venue')
    await page.locator('form.filters select[name=area]').selectOption(donghu!)
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('category') === 'venue' && u.searchParams.get('area') === donghu),
      page.locator('form.filters button[type=submit]').click(),
    ])
    const titles = await cardTitles('#offers-list', page)
    expect(titles).toContain('党群服务中心多功能室') // serves the whole street
    expect(titles).toContain('荔枝湾居民活动室') // serves one of its communities
    expect(titles).not.toContain('南岸社区服务中心活动室') // another street
    expect(titles).not.toContain('西坊小学篮球场（周末）')
    for (const tag of await page.locator('#offers-list .card .tags .tag:first-child').allTextContents())
      expect(tag).toBe('场地')
    expect(await page.locator('form.filters select[name=category]').inputValue()).toBe('venue')
    expect(await page.locator('form.filters select[name=area]').inputValue()).toBe(donghu)

    // Sorting by capacity, still without JavaScript, keeps the filters.
    await page.locator('form.filters select[name=sort]').selectOption('capacity')
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('sort') === 'capacity'),
      page.locator('form.filters button[type=submit]').click(),
    ])
    expect(new URL(page.url()).searchParams.get('category')).toBe('venue')
    const capacities = (await page.locator('#offers-list .card .qty strong').allTextContents()).map((t) =>
      Number(t.replace(/,/g, '')),
    )
    expect(capacities).toEqual([...capacities].sort((a, b) => b - a))
    await screenshot(page, 'listings-3-offers-filtered-nojs')
    expectNothingWrong(nojs)
  } finally {
    await nojs.close()
  }
})
