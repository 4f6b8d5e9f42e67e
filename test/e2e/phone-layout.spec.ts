import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  expectNothingWrong,
  horizontalOverflow,
  launch,
  overflowingElements,
  PHONE,
  screenshot,
  type Session,
} from './browser.js'

// Journey (d): most community leaders use a phone; nothing may make them scroll sideways.
let s: Session
beforeAll(async () => {
  s = await launch({ viewport: PHONE })
})
afterAll(async () => {
  await s?.close()
})

const pages = [
  { name: 'd1-home-phone', path: '/' },
  { name: 'd2-orgs-phone', path: '/orgs' },
  { name: 'd3-signup-phone', path: '/signup' },
  { name: 'd4-areas-phone', path: '/areas' },
]

for (const { name, path } of pages) {
  it(`${path} fits a 390 px wide phone`, async () => {
    await s.page.goto(path)
    await screenshot(s.page, name)
    const overflow = await horizontalOverflow(s.page)
    expect(
      overflow,
      `scrolls sideways by ${overflow}px: ${(await overflowingElements(s.page)).join(', ')}`,
    ).toBeLessThanOrEqual(0)
  })
}

it('an organization profile fits too, in English as well', async () => {
  await s.page.goto('/orgs')
  await s.page.locator('#orgs-list .card h3 a').first().click()
  await s.page.waitForURL(/\/orgs\/\d+$/)
  expect(await horizontalOverflow(s.page), (await overflowingElements(s.page)).join(', ')).toBeLessThanOrEqual(0)
  await s.page.locator('.nav a.lang').click()
  await s.page.waitForURL(/\/orgs\/\d+$/)
  expect(await s.page.locator('html').getAttribute('lang')).toBe('en')
  await screenshot(s.page, 'd5-org-profile-phone-en')
  expect(await horizontalOverflow(s.page), (await overflowingElements(s.page)).join(', ')).toBeLessThanOrEqual(0)
  await s.page.goto('/orgs')
  await screenshot(s.page, 'd6-orgs-phone-en')
  expect(await horizontalOverflow(s.page), (await overflowingElements(s.page)).join(', ')).toBeLessThanOrEqual(0)
  expectNothingWrong(s)
})
