import { afterAll, beforeAll, expect, it } from 'vitest'
import { expectNothingWrong, launch, screenshot, type Session } from './browser.js'

// Journey (e): narrowing the organization list. With htmx it updates in place and keeps the URL honest
// (shareable, back button works); without JavaScript the same form is a plain GET.
let s: Session
beforeAll(async () => {
  s = await launch()
})
afterAll(async () => {
  await s?.close()
})

const cardNames = (s: Session) => s.page.locator('#orgs-list .card h3').allTextContents()

it('filters in place with htmx, the URL follows, and back restores the full list', async () => {
  const { page } = s
  await page.goto('/orgs')
  const allCount = await page.locator('#orgs-list .count').textContent()
  // A full page load would wipe this; an htmx swap keeps it.
  await page.evaluate(() => {
    ;(window as unknown as { marker: number }).marker = 42
  })

  await page.locator('select[name=kind]').selectOption('school')
  await page.waitForURL((u) => u.searchParams.get('kind') === 'school')
  await expect.poll(() => cardNames(s)).toEqual(['西坊小学'])
  expect(await page.locator('#orgs-list .count').textContent()).toBe('共 1 个组织')
  expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42)
  await screenshot(page, 'e1-orgs-filtered-htmx')

  // Search by name: the phone keyboard's search key submits the form.
  await page.locator('select[name=kind]').selectOption('')
  await page.waitForURL((u) => !u.searchParams.get('kind'))
  await page.locator('input[name=q]').fill('粤剧')
  await page.locator('input[name=q]').press('Enter')
  await page.waitForURL((u) => u.searchParams.get('q') === '粤剧')
  await expect.poll(() => cardNames(s)).toEqual(['西坊粤剧私伙局'])
  expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42)

  await page.goBack()
  await page.waitForURL((u) => !u.searchParams.get('q'))
  // The full list back before going back again, as a person sees it: two restores in flight could land in either order.
  await expect.poll(() => page.locator('#orgs-list .count').textContent(), { timeout: 10_000 }).toBe(allCount)
  await page.goBack()
  await page.waitForURL((u) => u.searchParams.get('kind') === 'school')
  // htmx restores the list by asking the server again after the URL has moved: on a busy machine, more than the 1 s a
  // poll waits by default.
  await expect.poll(() => cardNames(s), { timeout: 10_000 }).toEqual(['西坊小学'])
  expect(await page.locator('select[name=kind]').inputValue()).toBe('school')
  await page.goBack()
  await page.waitForURL((u) => u.search === '')
  await expect.poll(() => page.locator('#orgs-list .count').textContent(), { timeout: 10_000 }).toBe(allCount)
  expect(await page.locator('select[name=kind]').inputValue()).toBe('')
  expectNothingWrong(s)
})

it('filters with JavaScript disabled, as a plain form', async () => {
  const nojs = await launch({ javaScriptEnabled: false })
  try {
    const { page } = nojs
    await page.goto('/orgs')
    await page.locator('select[name=kind]').selectOption('school')
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('kind') === 'school'),
      page.locator('form.filters button[type=submit]').click(),
    ])
    expect(await cardNames(nojs)).toEqual(['西坊小学'])
    expect(await page.locator('select[name=kind]').inputValue()).toBe('school')

    const xifang = await page.locator('select[name=area] option', { hasText: '西坊街道' }).getAttribute('value')
    await page.locator('select[name=kind]').selectOption('')
    await page.locator('select[name=area]').selectOption(xifang!)
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('area') === xifang),
      page.locator('form.filters button[type=submit]').click(),
    ])
    const names = await cardNames(nojs)
    expect(names).toContain('西坊小学')
    expect(names).toContain('西坊粤剧私伙局')
    expect(names).not.toContain('东湖街道办事处')
    await screenshot(page, 'e2-orgs-filtered-nojs')
    expectNothingWrong(nojs)
  } finally {
    await nojs.close()
  }
})
