import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { type Db, type Sqlite } from '../../src/db/client.js'
import { openDb } from '../../src/database.js'
import * as jobs from '../../src/jobs/jobs.js'
import { HANDLERS } from '../../src/scheduler/handlers.js'
import {
  DEMO,
  DEMO_PASSWORD,
  expectNothingWrong,
  launch,
  screenshot,
  signIn,
  typingSettled,
  type Session,
} from './browser.js'

// Issue 12's reach: a holder posts an offer that fits the dance team's need nothing fitted (表演用扇子和彩带, demo n-37);
// after the scheduler's round its leader has exactly one alert naming both; a second fitting offer is not news. Then a
// visitor opens the need's short link from a WeChat group, presses 我能帮忙, signs in and lands on the pledge form.
// The suite's server runs with SCHEDULER=0, so the test runs the scheduler's round itself, on the same database file.
let leader: Session, holder: Session, visitor: Session
let db: Db, sqlite: Sqlite
let needId: number

beforeAll(async () => {
  ;[leader, holder, visitor] = await Promise.all([launch(), launch(), launch()])
  ;({ db, sqlite } = openDb(inject('dbPath'), path.resolve(import.meta.dirname, '../..')))
  needId = (sqlite.prepare("SELECT id FROM needs WHERE ref = 'n-37'").get() as { id: number }).id
})
afterAll(async () => {
  sqlite?.close()
  await Promise.all([leader?.close(), holder?.close(), visitor?.close()])
})

const NEED = '表演用扇子和彩带'
const OFFER = '演出道具借用：扇子和彩带'
/** The scheduler's round (the web process's 30-second loop, off in this suite). */
const round = () => jobs.runDue(db, HANDLERS, new Date())
const alertsAbout = async (page: Page) => {
  await page.goto('/inbox')
  return (await page.locator('#notifications-list li').allTextContents()).filter(
    (t) => t.includes(NEED) && t.includes('新的资源'),
  )
}

async function postOffer(page: Page, title: string, description: string) {
  await page.goto('/offers/new')
  const org = page.locator('#f-orgId')
  if (await org.count()) await org.selectOption({ label: '荔枝湾社区居委会' })
  await page.locator('#f-category').selectOption('materials')
  await page.locator('#f-title').fill(title)
  await page.locator('#f-description').fill(description)
  await page.locator('#f-quantity').fill('40')
  const street = await page.locator('#f-servesAreaId option', { hasText: '东湖街道' }).first().getAttribute('value')
  await page.locator('#f-servesAreaId').selectOption(street!)
  await typingSettled(page)
  await Promise.all([
    page.waitForURL(/\/offers\/\d+$/),
    page.locator('#offer-form button[type=submit]:not([name=draft])').click(),
  ])
  return Number(new URL(page.url()).pathname.split('/').pop())
}

it('a new fitting offer produces exactly one alert for the need that had none', { timeout: 90_000 }, async () => {
  round()
  await signIn(leader.page, DEMO.leader)
  await leader.page.goto(`/needs/${needId}`)
  expect(await leader.page.locator('h1').textContent()).toBe(NEED)
  // Nothing fits it yet: the page says so.
  expect(await leader.page.locator('#need-matches li.card.fit').count()).toBe(0)
  expect(await alertsAbout(leader.page)).toEqual([])

  await signIn(holder.page, DEMO.holder)
  const offerId = await postOffer(holder.page, OFFER, '居委会有一批演出用的扇子和彩带道具，可以借给社区文艺队表演用。')
  round()
  const first = await alertsAbout(leader.page)
  expect(first).toHaveLength(1)
  expect(first[0]).toContain(OFFER)
  expect(first[0]).toContain('荔枝湾社区居委会')
  await screenshot(leader.page, 'reach-1-inbox-alert')
  // The alert opens the need, where the new offer is now among the fits, ready to request.
  await Promise.all([
    leader.page.waitForURL(new RegExp(`/needs/${needId}$`)),
    leader.page.locator('#notifications-list li', { hasText: OFFER }).getByRole('link').first().click(),
  ])
  expect(await leader.page.locator(`#fit-offer-${offerId}`).count()).toBe(1)

  // A second fitting offer: the need has a fit now, so it is not news.
  await postOffer(holder.page, '文艺演出道具（扇子）', '可借用的舞蹈扇子和彩带，适合广场舞表演。')
  round()
  expect(await alertsAbout(leader.page)).toHaveLength(1)
  expectNothingWrong(leader)
  expectNothingWrong(holder)
})

it('a visitor opens the short link, presses 我能帮忙, signs in and lands on the pledge form', async () => {
  const { page } = visitor
  await page.goto(`/n/${needId}`)
  await page.waitForURL(new RegExp(`/needs/${needId}$`))
  expect(await page.locator('h1').textContent()).toBe(NEED)
  // The share box: the short link, its QR code (an image that loads), the poster.
  expect(await page.locator('#share input.share-url').inputValue()).toMatch(new RegExp(`/n/${needId}$`))
  const qr = await page.request.get(`/needs/${needId}/qr.svg`)
  expect(qr.headers()['content-type']).toContain('image/svg+xml')
  await screenshot(page, 'reach-2-visitor-need')

  await Promise.all([
    page.waitForURL(/\/signin\?next=/),
    page.locator('#help').getByRole('link', { name: '我能帮忙' }).click(),
  ])
  await page.locator('#f-email').fill(DEMO.holder)
  await page.locator('#f-password').fill(DEMO_PASSWORD)
  await Promise.all([
    page.waitForURL(new RegExp(`/needs/${needId}#help$`)),
    page.locator('#signin-form button[type=submit]').click(),
  ])
  const form = page.locator('#help form').filter({ hasText: OFFER })
  await expect.poll(() => form.count()).toBe(1)
  await screenshot(page, 'reach-3-help-form')
  await form.locator('input[name=quantity]').fill('20')
  await Promise.all([page.waitForURL(/\/matches\/\d+$/), form.getByRole('button', { name: '承诺提供' }).click()])
  expect(await page.locator('h1 .tag').textContent()).toBe('已承诺')
  expectNothingWrong(visitor)
})
