import { afterAll, beforeAll, expect, it } from 'vitest'
import { expectNothingWrong, launch, screenshot, type Session } from './browser.js'

// Journey (c): a visitor reads the site in English, then goes back to Chinese; the choice sticks.
let s: Session
beforeAll(async () => {
  s = await launch({ locale: 'zh-CN' })
})
afterAll(async () => {
  await s?.close()
})

const lang = (s: Session) => s.page.locator('html').getAttribute('lang')

it('switches to English and back, remembered across pages', async () => {
  const { page } = s
  await page.goto('/orgs')
  expect(await lang(s)).toBe('zh-CN')
  expect(await page.locator('h1').textContent()).toBe('社区组织')

  await page.locator('.nav a.lang').click()
  // Back on the page it was chosen from, now in English.
  await page.waitForURL((u) => u.pathname === '/orgs')
  expect(await lang(s)).toBe('en')
  expect(await page.locator('h1').textContent()).not.toMatch(/[\u4e00-\u9fff]/)
  await screenshot(s.page, 'c1-orgs-en')

  for (const path of ['/', '/areas', '/signin']) {
    await page.goto(path)
    expect(await lang(s), path).toBe('en')
  }
  await page.locator('.nav a.lang').click()
  await page.waitForURL((u) => u.pathname === '/signin')
  expect(await lang(s)).toBe('zh-CN')
  expect(await page.locator('h1').textContent()).toBe('登录')
  for (const path of ['/', '/orgs']) {
    await page.goto(path)
    expect(await lang(s), path).toBe('zh-CN')
  }
  expectNothingWrong(s)
})

it('follows an English browser until told otherwise', async () => {
  const en = await launch({ locale: 'en-GB' })
  try {
    await en.page.goto('/')
    expect(await lang(en)).toBe('en')
    await en.page.locator('.nav a.lang').click()
    await en.page.waitForURL((u) => u.pathname === '/')
    expect(await lang(en)).toBe('zh-CN')
    await en.page.goto('/orgs')
    expect(await lang(en)).toBe('zh-CN')
    expectNothingWrong(en)
  } finally {
    await en.close()
  }
})
