import { afterAll, beforeAll, expect, it } from 'vitest'
import { DEMO, expectNothingWrong, launch, screenshot, signIn, type Session } from './browser.js'

// Journey (b): the demo leader corrects her group's profile and is told, in Chinese, what is missing.
let s: Session
beforeAll(async () => {
  s = await launch()
})
afterAll(async () => {
  await s?.close()
})

it('edits the organization, sees the error next to the emptied name, fixes it and saves', async () => {
  const { page } = s
  await signIn(page, DEMO.leader)
  await page.getByRole('link', { name: '荔枝湾广场舞队' }).first().click()
  await page.waitForURL(/\/orgs\/\d+$/)
  const profile = new URL(page.url()).pathname
  await page.getByRole('link', { name: '编辑' }).click()
  await page.waitForURL(/\/edit$/)

  await page.locator('#f-name').fill('')
  await page.locator('#org-form button[type=submit]').click()
  // The form is swapped in place (a 422 from the server), the problem named under its own field.
  const error = page.locator('#org-form .field.has-error #e-name')
  await error.waitFor()
  expect(await error.textContent()).toBe('请填写此项。')
  expect(await page.locator('#f-name').getAttribute('aria-describedby')).toBe('e-name')
  expect(await page.locator('#f-name').getAttribute('aria-invalid')).toBe('true')
  expect(new URL(page.url()).pathname).toBe(`${profile}/edit`)
  // Everything else typed is kept.
  expect(await page.locator('#f-description').inputValue()).toContain('广场舞')
  await screenshot(page, 'b1-edit-org-error')

  await page.locator('#f-name').pressSequentially('荔枝湾广场舞队（长者）')
  await page.locator('#f-members').fill('38')
  await Promise.all([
    page.waitForURL((u) => u.pathname === profile),
    page.locator('#org-form button[type=submit]').click(),
  ])
  await expect.poll(() => page.locator('h1').textContent()).toBe('荔枝湾广场舞队（长者）')
  expect(await page.locator('.flash').textContent()).toContain('组织资料已保存')
  expect(await page.locator('.org-profile').textContent()).toContain('38 名成员')
  await screenshot(page, 'b2-org-saved')

  // Saved for real: a fresh load shows it, and the old name is gone from the list.
  await page.goto('/orgs?q=荔枝湾广场舞队')
  expect(await page.locator('#orgs-list').textContent()).toContain('荔枝湾广场舞队（长者）')
  expectNothingWrong(s)
})
