import Database from 'better-sqlite3'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { DEMO, expectNothingWrong, launch, screenshot, signIn, type Session } from './browser.js'

// A form sent while another process holds the database's write lock: htmx swaps the 503 answer in (the
// layout's htmx-config), so the form stays as typed with the message, and the same button sends it once the lock is gone.
let s: Session
beforeAll(async () => {
  s = await launch()
})
afterAll(async () => {
  await s?.close()
})

it('keeps a form as typed while the database is busy, and the same button sends it afterwards', async () => {
  const { page } = s
  const name = `忙时登记的合唱团${Date.now() % 10_000}`
  const named = (db: Database.Database) =>
    db.prepare('SELECT count(*) FROM organizations WHERE name = ?').pluck().get(name) as number
  await signIn(page, DEMO.leader)
  await page.goto('/orgs/new')
  await page.locator('#f-name').pressSequentially(name)
  const area = await page.locator('#f-areaId option', { hasText: '新港社区' }).getAttribute('value')
  await page.locator('#f-areaId').selectOption(area!)
  await page.locator('#f-contactPhone').fill('020-8123 4567')

  const writer = new Database(inject('dbPath'))
  writer.exec('BEGIN IMMEDIATE')
  try {
    // The server waits out its busy_timeout (5 s), then answers 503.
    const answer = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/orgs'), {
      timeout: 20_000,
    })
    await page.locator('#org-form button[type=submit]').click()
    expect((await answer).status()).toBe(503)
    await expect
      .poll(() => page.locator('#org-form .notice.error').textContent())
      .toContain('网站正忙，这次提交没有保存任何内容。请稍等几秒再按一次。')
    expect(await page.locator('#f-name').inputValue()).toBe(name)
    expect(await page.locator('#f-contactPhone').inputValue()).toBe('020-8123 4567')
    expect(await page.locator('#f-areaId').inputValue()).toBe(area)
    expect(new URL(page.url()).pathname).toBe('/orgs/new')
    await screenshot(page, 'busy-org-form')
    expect(named(writer)).toBe(0)
  } finally {
    writer.exec('ROLLBACK')
    writer.close()
  }
  // The watcher counts every 5xx as a problem: this one was the point.
  expect(s.problems).toEqual(['503 POST /orgs'])
  s.problems.length = 0

  await Promise.all([page.waitForURL(/\/orgs\/\d+$/), page.locator('#org-form button[type=submit]').click()])
  await expect.poll(() => page.locator('h1').textContent()).toBe(name)
  const db = new Database(inject('dbPath'), { readonly: true })
  expect(named(db)).toBe(1)
  db.close()
  expectNothingWrong(s)
}, 60_000)
