import { afterAll, beforeAll, expect, it } from 'vitest'
import { DEMO, launch, signIn, type Session } from './browser.js'

// Journey (f): browsing leaves nothing behind in the browser (htmx's history cache is off: pages can hold
// personal data on shared phones) and nothing ever pops up a dialog.
let s: Session
beforeAll(async () => {
  s = await launch()
})
afterAll(async () => {
  await s?.close()
})

it('keeps localStorage empty and never opens a dialog while browsing', async () => {
  const { page } = s
  await page.goto('/')
  await page.goto('/orgs')
  await page.locator('select[name=kind]').selectOption('community_group')
  await page.waitForURL((u) => u.searchParams.get('kind') === 'community_group')
  await page.locator('#orgs-list .card h3 a').first().click()
  await page.waitForURL(/\/orgs\/\d+$/)
  await page.goBack()
  await page.waitForURL((u) => u.pathname === '/orgs')
  await page.goto('/areas')
  await page.locator('main a[href^="/areas/"]').first().click()
  await signIn(page, DEMO.broker)
  await page.goto('/orgs')
  await page.locator('select[name=kind]').selectOption('business')
  await page.waitForURL((u) => u.searchParams.get('kind') === 'business')
  await page.goBack()
  await page.goForward()
  await page.goto('/account')
  await page.locator('.nav form[action="/signout"] button').click()
  await page.waitForURL((u) => u.pathname === '/')

  expect(await page.evaluate(() => localStorage.length)).toBe(0)
  expect(s.dialogs).toEqual([])
  expect(s.problems).toEqual([])
})
