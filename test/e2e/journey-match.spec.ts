import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  DEMO,
  expectNothingWrong,
  horizontalOverflow,
  launch,
  overflowingElements,
  screenshot,
  signIn,
  type Session,
} from './browser.js'

// Journey (e): the dance group's leader asks the residents' committee for its activity room; the committee
// (the demo holder leads it) accepts, they exchange contacts and a message, the room is used, both rate it.
// Two browsers, as two people on two phones would be.
let leader: Session, holder: Session
beforeAll(async () => {
  ;[leader, holder] = await Promise.all([launch(), launch()])
})
afterAll(async () => {
  await Promise.all([leader?.close(), holder?.close()])
})

const NEED = '雨季室内排练场地'
const OFFER = '荔枝湾居民活动室'
// src/demo/seed.ts: contact_phone 1380000(1000 + position in the demo list), contact_email <ref>@demo.assetbridge.cn
const DANCE = { phone: '13800001000', email: 'org-dance@demo.assetbridge.cn' }
const COMMITTEE = { phone: '13800001009', email: 'org-lzw-rc@demo.assetbridge.cn' }

const state = (page: Page) => page.locator('h1 .tag').textContent()
/** Clicks a move's button in the actions card and waits for the page to come back in its new state. */
async function act(page: Page, button: string, becomes: string) {
  const path = new URL(page.url()).pathname
  // htmx posts the form and, on success, follows HX-Redirect with a fresh load of the same page.
  const reloaded = page.waitForResponse(
    (r) =>
      r.request().resourceType() === 'document' && r.request().method() === 'GET' && new URL(r.url()).pathname === path,
  )
  const posted = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `${path}/transitions`,
  )
  await page.locator('#match-actions').getByRole('button', { name: button, exact: true }).click()
  expect((await posted).status()).toBe(204)
  await reloaded
  await page.waitForLoadState('load')
  await expect.poll(() => state(page), { timeout: 10_000 }).toBe(becomes)
}

it('leader requests a ranked offer → holder accepts → contacts, a message, delivery and feedback from both', async () => {
  // The leader finds her need and sees the offers that fit, best first, with reasons.
  await signIn(leader.page, DEMO.leader)
  const lp = leader.page
  await lp.goto(`/search?q=${encodeURIComponent(NEED)}`)
  await Promise.all([lp.waitForURL(/\/needs\/\d+$/), lp.getByRole('link', { name: NEED }).first().click()])
  const needUrl = new URL(lp.url()).pathname
  const cards = lp.locator('#need-matches li.card.fit')
  expect(await cards.count()).toBeGreaterThan(0)
  const titles = await cards.locator('h3').allTextContents()
  expect(titles).toContain(OFFER)
  const scores = (await cards.locator('.score').allTextContents()).map(Number)
  expect(scores).toEqual([...scores].sort((a, b) => b - a))
  const card = cards.filter({ hasText: OFFER })
  expect(await card.locator('.reasons').textContent()).toContain('同一社区')
  await screenshot(lp, 'e1-need-ranked-offers')

  // She asks for 8 of the 16 hours.
  await card.locator('input[name=quantity]').fill('8')
  await Promise.all([lp.waitForURL(/\/matches\/\d+$/), card.getByRole('button', { name: '申请这项资源' }).click()])
  const matchUrl = new URL(lp.url()).pathname
  expect(await state(lp)).toBe('已申请')
  expect(await lp.locator('.flash').textContent()).toContain('对接已发出')
  expect(await lp.locator('#contacts').textContent()).not.toContain(COMMITTEE.phone)
  await screenshot(lp, 'e2-match-requested')

  // The holder, in her own browser, finds it among her matches and accepts it.
  await signIn(holder.page, DEMO.holder)
  const hp = holder.page
  await hp.goto('/matches')
  await Promise.all([hp.waitForURL((u) => u.pathname === matchUrl), hp.locator(`a[href="${matchUrl}"]`).click()])
  expect(await state(hp)).toBe('已申请')
  expect(await hp.locator('#contacts').textContent()).not.toContain(DANCE.phone)
  await act(hp, '接受', '已接受')

  // Both now see each other's contacts.
  const hContacts = await hp.locator('#contacts').textContent()
  expect(hContacts).toContain(DANCE.phone)
  expect(hContacts).toContain(DANCE.email)
  await lp.reload()
  expect(await state(lp)).toBe('已接受')
  const lContacts = await lp.locator('#contacts').textContent()
  expect(lContacts).toContain(COMMITTEE.phone)
  expect(lContacts).toContain(COMMITTEE.email)
  // The reservation shows on the need: 8 of 16 hours still needed.
  await lp.goto(needUrl)
  expect(await lp.locator('.qty.big').textContent()).toMatch(/8\D+16/)
  await lp.goto(matchUrl)

  // The leader writes; the thread updates in place; the holder sees it.
  const message = '我们周二、周四晚上七点到八点半排练，钥匙找谁拿？'
  await lp.locator('#f-body').fill(message)
  await lp.locator('#thread').getByRole('button', { name: '发送' }).click()
  await expect.poll(() => lp.locator('#thread .thread li').last().textContent()).toContain(message)
  expect(new URL(lp.url()).pathname).toBe(matchUrl)
  await hp.reload()
  expect(await hp.locator('#thread .thread').textContent()).toContain(message)
  await screenshot(hp, 'e3-match-accepted-holder')

  // After the sessions, the holder confirms delivery of the full 8 hours.
  expect(await hp.locator('#match-actions input[name=quantity]').inputValue()).toBe('8')
  await act(hp, '确认交付', '已交付')

  // Feedback from both sides; only the second makes it "reviewed".
  await lp.reload()
  await lp.locator('#match-actions select[name=rating]').selectOption('5')
  await lp.locator('#match-actions input[name=comment]').fill('活动室干净宽敞，居委会很热心。')
  await act(lp, '评价', '已交付')
  // Nothing left for her to do: no empty "next step" card.
  expect(await lp.locator('#match-actions').count()).toBe(0)
  await hp.reload()
  await hp.locator('#match-actions select[name=rating]').selectOption('4')
  await act(hp, '评价', '已评价')
  await lp.reload()
  expect(await state(lp)).toBe('已评价')

  // Every step is in the history, in order.
  const history = await lp.locator('ol.history li').allTextContents()
  expect(history.map((h) => h.split('→')[1]?.trim().split(/\s/)[0])).toEqual([
    '已申请',
    '已接受',
    '已交付',
    '已交付',
    '已评价',
  ])
  await screenshot(lp, 'e4-match-reviewed-leader')
  // On a phone, contacts (long e-mail addresses) and history fit the screen.
  await lp.setViewportSize({ width: 390, height: 844 })
  expect(await horizontalOverflow(lp), (await overflowingElements(lp)).join(', ')).toBe(0)
  expect(
    (await overflowingElements(lp)).filter(
      (e) => !e.startsWith('a') && !e.startsWith('form.inline') && !e.startsWith('button.link'),
    ),
  ).toEqual([])
  await screenshot(lp, 'e5-match-reviewed-phone')
  expectNothingWrong(leader)
  expectNothingWrong(holder)
})
