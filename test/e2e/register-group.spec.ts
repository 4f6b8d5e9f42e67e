import Database from 'better-sqlite3'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { expectNothingWrong, launch, screenshot, type Session } from './browser.js'

// Journey (a): a neighbourhood leader with no account and an unregistered group gets it onto the map.
let s: Session
beforeAll(async () => {
  s = await launch()
})
afterAll(async () => {
  await s?.close()
})

const groupName = `新港棋牌娱乐队${Date.now() % 10_000}`

it('signs up as a new leader and registers an unregistered community group', async () => {
  const { page } = s
  await page.goto('/')
  await page.getByRole('link', { name: '注册' }).first().click()
  await page.waitForURL(/\/signup$/)
  await page.locator('#f-name').pressSequentially('黄伯（棋牌队）')
  const email = `leader-${Date.now()}@example.cn`
  await page.locator('#f-email').fill(email)
  await page.locator('#f-password').fill('Chess-by-the-river-2718')
  await screenshot(page, 'a1-signup')
  await page.locator('#signup-form button[type=submit]').click()
  await expect.poll(() => page.locator('#signup-sent').textContent()).toContain(email)
  await screenshot(page, 'a1b-signup-check-email')

  // The link in the email (read from the outbox: no mail server here) and the password once more.
  const db = new Database(inject('dbPath'), { readonly: true })
  const body = db.prepare('SELECT body FROM outbox WHERE to_addr = ? ORDER BY id DESC').pluck().get(email) as string
  db.close()
  const link = body.match(/\/signup\/confirm\?token=[A-Za-z0-9_-]+/)![0]
  await page.goto(link)
  await page.locator('#f-password').fill('Chess-by-the-river-2718')
  await screenshot(page, 'a1c-signup-confirm')
  await Promise.all([page.waitForURL(/\/orgs\/new$/), page.locator('#confirm-form button[type=submit]').click()])
  await expect.poll(() => page.locator('.flash').textContent()).toContain('注册成功')

  // Typed, not pasted: the way a phone keyboard's input method delivers Chinese.
  await page.locator('#f-name').pressSequentially(groupName)
  expect(await page.locator('#f-kind').inputValue()).toBe('community_group')
  const xingang = await page.locator('#f-areaId option', { hasText: '新港社区' }).getAttribute('value')
  await page.locator('#f-areaId').selectOption(xingang!)
  expect(await page.locator('input[name=registered]').isChecked()).toBe(false)
  await page.locator('input[name=focus][value=elderly]').check()
  await page.locator('input[name=focus][value=culture]').check()
  await page.locator('#f-members').fill('14')
  await page.locator('#f-contactPhone').fill('020-8123 4567')
  await page.locator('#f-description').pressSequentially('每周三下午在社区活动室下象棋，欢迎街坊参加。')
  await screenshot(page, 'a2-new-org-form')
  await Promise.all([page.waitForURL(/\/orgs\/\d+$/), page.locator('#org-form button[type=submit]').click()])

  await expect.poll(() => page.locator('h1').textContent()).toBe(groupName)
  const tags = await page.locator('.org-profile .tags').first().textContent()
  expect(tags).toContain('社区群众团队')
  expect(tags).toContain('未登记')
  expect(tags).toContain('自主申报')
  expect(await page.locator('.org-profile').textContent()).toContain('新港社区')
  expect(await page.locator('.org-profile').textContent()).toContain('每周三下午')
  await screenshot(page, 'a3-org-profile')
  const profileUrl = new URL(page.url()).pathname

  await page.goto('/orgs')
  // Unregistered community groups come first, newest first: the new group leads the list.
  await expect.poll(() => page.locator('#orgs-list .card h3').first().textContent()).toBe(groupName)
  expect(await page.locator(`#orgs-list a[href="${profileUrl}"]`).count()).toBe(1)
  await screenshot(page, 'a4-orgs-list')

  // And a visitor finds it by name.
  await page.goto(`/orgs?q=${encodeURIComponent(groupName)}`)
  expect(await page.locator(`#orgs-list a[href="${profileUrl}"]`).count()).toBe(1)
  expectNothingWrong(s)
  // The emailed link adds two pages and a password check to the journey: more than the default 30 s on a busy machine.
}, 60_000)
