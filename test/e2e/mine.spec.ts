import Database from 'better-sqlite3'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
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

// Issue 12, "nothing lost, nothing hidden": a session that lapses mid-form loses nothing, and a need met by one
// offer withdraws its other request, the other side told in words.
let leader: Session, holder: Session, office: Session
beforeAll(async () => {
  ;[leader, holder, office] = await Promise.all([launch(), launch(), launch()])
})
afterAll(async () => {
  await Promise.all([leader?.close(), holder?.close(), office?.close()])
})

/** The session ends as the idle sweep ends it: its row is deleted underneath the open page. */
function lapse(email: string) {
  const db = new Database(inject('dbPath'))
  try {
    db.prepare('DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE email = ?)').run(email)
  } finally {
    db.close()
  }
}

async function fillNeed(page: Page, title: string, quantity: string) {
  await page.goto('/needs/new')
  await page.locator('#f-orgId').selectOption({ label: '荔枝湾广场舞队' })
  await page.locator('#f-category').selectOption('venue')
  await page.locator('#f-title').fill(title)
  await page.locator('#f-description').fill('雨天在室内排练广场舞，需要能放音乐的活动室。')
  await page.locator('#f-quantity').fill(quantity)
  await page.getByRole('checkbox', { name: '周二' }).check()
  await page.getByRole('checkbox', { name: '周四' }).check()
  await page.getByRole('checkbox', { name: '晚上' }).check()
  const community = await page.locator('#f-areaId option', { hasText: '荔枝湾社区' }).getAttribute('value')
  await page.locator('#f-areaId').selectOption(community!)
}
/**
 * Says what the need is about (活动室): the chips suggested from the title may have ticked it already, else the
 * poster ticks it. A tick while the chips asked for by typing are on their way replaces that request (hx-sync),
 * which htmx reports on the console as an abort: a person pauses after typing, and so does this.
 */
async function chooseRoomTopic(page: Page) {
  await typingSettled(page)
  const room = () => page.locator('#topic-chips label.chip', { hasText: '活动室' }).first()
  await room().waitFor({ state: 'attached' })
  if (!(await room().locator('input').isChecked())) {
    if (!(await room().isVisible())) await page.locator('#topic-chips details.more-topics > summary').click()
    const chosen = page.waitForResponse((r) => new URL(r.url()).pathname === '/topics/suggest')
    await room().locator('input').check()
    await chosen
  }
  await expect.poll(() => room().locator('input').isChecked()).toBe(true)
}
const publish = (page: Page) => page.locator('#need-form button[type=submit]:not([name=draft])')
it('a session lapses mid-form: the form stays, sign in in place, and the same 发布 posts the need', async () => {
  const lp = leader.page
  await signIn(lp, DEMO.leader)
  expect(new URL(lp.url()).pathname).toBe('/me')
  const TITLE = '登录过期也不丢的排练场地'
  await fillNeed(lp, TITLE, '3')
  lapse(DEMO.leader)

  await typingSettled(lp)
  await publish(lp).click()
  const box = lp.locator('#lapse-box')
  await expect.poll(() => box.textContent()).toContain('登录已过期，请重新登录后再提交')
  // Nothing typed is gone, and the header no longer pretends someone is signed in.
  expect(await lp.locator('#f-title').inputValue()).toBe(TITLE)
  expect(await lp.locator('#f-quantity').inputValue()).toBe('3')
  expect(await lp.getByRole('checkbox', { name: '周四' }).isChecked()).toBe(true)
  expect(await lp.locator('#site-nav').getAttribute('data-signed-in')).toBe('0')
  expect(await lp.locator('.nav form[action="/signout"]').count()).toBe(0)
  await screenshot(lp, 'mine-1-lapsed-form')

  await box.locator('#lapse-email').fill(DEMO.leader)
  await box.locator('#lapse-password').fill(DEMO_PASSWORD)
  await box.getByRole('button', { name: '登录' }).click()
  await expect.poll(() => lp.locator('#lapse-box').textContent()).toContain('已重新登录')
  expect(await lp.locator('#site-nav').getAttribute('data-signed-in')).toBe('1')
  expect(await lp.locator('#f-title').inputValue()).toBe(TITLE)

  await Promise.all([lp.waitForURL(/\/needs\/\d+$/), publish(lp).click()])
  expect(await lp.locator('h1').textContent()).toBe(TITLE)
  expect(await lp.locator('dl.facts').textContent()).toMatch(/周二.*周四.*晚上/)
  expectNothingWrong(leader)
})

it("a need met by one offer withdraws its other request, and that offer's side is told in words", async () => {
  const lp = leader.page
  const NEED = '雨天借用活动室排练'
  await fillNeed(lp, NEED, '2')
  await chooseRoomTopic(lp)
  await typingSettled(lp)
  await Promise.all([lp.waitForURL(/\/needs\/\d+$/), publish(lp).click()])
  const needUrl = new URL(lp.url()).pathname
  // Two offers fit: the residents' committee's room (the demo holder) and the street office's hall (the demo admin leads it).
  const request = async (offer: string) => {
    const card = lp.locator('#need-matches li.card.fit').filter({ hasText: offer })
    await card.locator('input[name=quantity]').fill('2')
    await Promise.all([lp.waitForURL(/\/matches\/\d+$/), card.getByRole('button', { name: '申请这项资源' }).click()])
    return new URL(lp.url()).pathname
  }
  const roomMatch = await request('荔枝湾居民活动室')
  await lp.goto(needUrl)
  const hallMatch = await request('党群服务中心多功能室')

  // The holder sees the request waiting for her on 我的, with its words, and accepts it.
  const hp = holder.page
  await signIn(hp, DEMO.holder)
  const waiting = hp.locator('#mine-waiting')
  expect(await waiting.textContent()).toContain(`荔枝湾广场舞队请求用「荔枝湾居民活动室」满足「${NEED}」`)
  await Promise.all([hp.waitForURL((u) => u.pathname === roomMatch), waiting.locator(`a[href="${roomMatch}"]`).click()])
  const posted = hp.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `${roomMatch}/transitions`,
  )
  await hp.locator('#match-actions').getByRole('button', { name: '接受', exact: true }).click()
  expect((await posted).status()).toBe(204)
  await expect.poll(() => hp.locator('h1 .tag').textContent(), { timeout: 10_000 }).toBe('已接受')

  // The street office's side: its request is withdrawn, and its inbox says why, naming the need and the group.
  const op = office.page
  await signIn(op, DEMO.admin)
  await op.goto('/inbox')
  expect(await op.locator('main').textContent()).toContain(
    `「${NEED}」（荔枝湾广场舞队）已由其他资源满足，它与「党群服务中心多功能室」（东湖街道办事处）的对接已自动撤回`,
  )
  await op.goto(hallMatch)
  expect(await op.locator('h1 .tag').textContent()).toBe('已撤回')
  expect(await op.locator('.history').textContent()).toContain('已由其他资源满足')
  await screenshot(op, 'mine-2-withdrawn-match')

  // The need's page recommends nothing more.
  await lp.goto(needUrl)
  expect(await lp.locator('#need-met').textContent()).toContain('这项需求已经满足')
  expect(await lp.locator('#need-matches li.card.fit').count()).toBe(0)
  for (const s of [leader, holder, office]) expectNothingWrong(s)
})

it('the header folds into one menu on a phone, and every page names itself', async () => {
  const lp = leader.page
  await lp.setViewportSize({ width: 390, height: 844 })
  await lp.goto('/me')
  expect(await lp.title()).toMatch(/^我的 · /)
  const menu = lp.locator('.nav-menu')
  expect(await lp.locator('.nav a[href="/needs"]').isVisible()).toBe(false)
  await menu.locator('summary').click()
  expect(await lp.locator('.nav a[href="/needs"]').isVisible()).toBe(true)
  await screenshot(lp, 'mine-3-phone-menu')
  await lp.setViewportSize({ width: 1280, height: 900 })
  await lp.goto('/needs')
  expect(await lp.locator('.nav a[href="/me"]').isVisible()).toBe(true)
  expect(await lp.locator('.nav-menu > summary').isVisible()).toBe(false)
  expectNothingWrong(leader)
})
