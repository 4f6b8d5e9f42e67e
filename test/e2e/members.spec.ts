import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { DEMO, expectNothingWrong, launch, screenshot, signIn, type Session } from './browser.js'

// Issue 12, "who answers for a group". Demo data (src/demo): 张阿姨 leads 东湖长者互助队; 刘经理 (the demo holder)
// is invited as its co-leader and accepts a pledge for it. 陈社工 covers 东湖 and 南岸 streets, where 绿洲社区的
// 外来工互助会 and 南岸街道办事处 have no account: he answers for them, on the record.
let leader: Session, holder: Session, broker: Session
beforeAll(async () => {
  ;[leader, holder, broker] = await Promise.all([launch(), launch(), launch()])
})
afterAll(async () => {
  await Promise.all([leader?.close(), holder?.close(), broker?.close()])
})

const state = (page: Page) => page.locator('h1 .tag').textContent()
/** Clicks a move's button in the actions card and waits for the page to come back in its new state (htmx: 204 + HX-Redirect). */
async function act(page: Page, button: string, becomes: string) {
  const path = new URL(page.url()).pathname
  const reloaded = page.waitForResponse(
    (r) =>
      r.request().resourceType() === 'document' && r.request().method() === 'GET' && new URL(r.url()).pathname === path,
  )
  await page.locator('#match-actions').getByRole('button', { name: button, exact: true }).click()
  await reloaded
  await page.waitForLoadState('load')
  await expect.poll(() => state(page), { timeout: 10_000 }).toBe(becomes)
}
async function open(page: Page, q: string, title: string, url: RegExp) {
  await page.goto(`/search?q=${encodeURIComponent(q)}`)
  await Promise.all([page.waitForURL(url), page.getByRole('link', { name: title, exact: true }).first().click()])
}

it('a leader invites a co-leader by link, who joins and accepts a pledge for the group', async () => {
  const lp = leader.page,
    hp = holder.page,
    bp = broker.page
  await Promise.all([signIn(lp, DEMO.leader), signIn(hp, DEMO.holder), signIn(bp, DEMO.broker)])
  await lp.goto(`/orgs?q=${encodeURIComponent('东湖长者互助队')}`)
  await Promise.all([lp.waitForURL(/\/orgs\/\d+$/), lp.getByRole('link', { name: '东湖长者互助队' }).first().click()])
  const orgUrl = new URL(lp.url()).pathname
  await Promise.all([lp.waitForURL(/\/people$/), lp.getByRole('link', { name: '管理成员' }).click()])
  await lp.locator('#f-role').selectOption('leader')
  await lp.locator('#invite form button[type=submit]').first().click()
  const link = await lp.locator('#invite-link input').inputValue()
  expect(link).toMatch(/\/invitations\?token=[A-Za-z0-9_-]{20,}$/)
  await screenshot(lp, 'm1-invitation-link')

  // The co-leader opens the forwarded link in her own browser and joins as a leader.
  await hp.goto(link)
  expect(await hp.locator('#invitation').textContent()).toContain('东湖长者互助队')
  await Promise.all([hp.waitForURL((u) => u.pathname === orgUrl), hp.getByRole('button', { name: '接受邀请' }).click()])
  expect(await hp.locator('.flash').textContent()).toContain('负责人')
  // The same link does not work twice.
  await lp.goto(link)
  expect(await lp.locator('#invitation').textContent()).toContain('已经使用过')
  await lp.goto(orgUrl + '/people')
  expect(await lp.locator('#people').textContent()).toContain('刘经理')

  // 陈社工's agency pledges its meal-delivery volunteers to the group's need.
  await open(bp, '助老送餐志愿者队伍', '助老送餐志愿者队伍', /\/offers\/\d+$/)
  const card = bp.locator('#offer-matches li.card.fit').filter({ hasText: '独居长者午间送餐志愿者' })
  // A broker leading a holder has two forms here (pledge, propose): the pledge is the one of the holder.
  await card.locator('form[action$="/pledges"] input[name=quantity]').fill('4')
  await Promise.all([bp.waitForURL(/\/matches\/\d+$/), card.getByRole('button', { name: '提供给这个需求' }).click()])
  const matchUrl = new URL(bp.url()).pathname
  expect(await state(bp)).toBe('已承诺')

  // The co-leader finds it among her matches and accepts it for the group.
  await hp.goto('/matches')
  await Promise.all([
    hp.waitForURL((u) => u.pathname === matchUrl),
    hp.locator(`a[href="${matchUrl}"]`).first().click(),
  ])
  expect(await hp.locator('#contacts').textContent()).not.toMatch(/1380000\d{4}/)
  await act(hp, '接受', '已接受')
  expect(await hp.locator('#contacts').textContent()).toMatch(/1380000\d{4}/)
  expect(await hp.locator('.history').textContent()).toContain('刘经理')
  await screenshot(hp, 'm2-co-leader-accepted')
  for (const s of [leader, holder, broker]) expectNothingWrong(s)
})

it('a broker answers for groups with no account, and the history says on whose behalf', async () => {
  const bp = broker.page
  await open(bp, '工友技能交流活动场地', '工友技能交流活动场地', /\/needs\/\d+$/)
  const card = bp.locator('#need-matches li.card.fit').filter({ hasText: '南岸社区服务中心活动室' })
  await card.locator('form[action$="/requests"] input[name=quantity]').fill('2')
  await Promise.all([bp.waitForURL(/\/matches\/\d+$/), card.getByRole('button', { name: '申请这项资源' }).click()])
  expect(await state(bp)).toBe('已申请')
  expect(await bp.locator('#on-behalf').textContent()).toContain('南岸街道办事处')
  // The buttons match what the e-mail asked of him: accept or decline (and, as the need's side, withdraw).
  const events = await bp
    .locator('#match-actions input[name=event]')
    .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))
  expect(events).toEqual(expect.arrayContaining(['accept', 'decline']))
  await act(bp, '接受', '已接受')
  expect(await bp.locator('.history').textContent()).toContain('由陈社工代为答复（南岸街道办事处）')
  await screenshot(bp, 'm3-broker-answered-on-behalf')
  // The office's page says who answers for it.
  await bp.goto(`/orgs?q=${encodeURIComponent('南岸街道办事处')}`)
  await Promise.all([bp.waitForURL(/\/orgs\/\d+$/), bp.getByRole('link', { name: '南岸街道办事处' }).first().click()])
  expect(await bp.locator('#group-people').textContent()).toContain('社工')
  expectNothingWrong(broker)
})
