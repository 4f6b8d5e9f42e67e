import Database from 'better-sqlite3'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { DEMO, expectNothingWrong, launch, screenshot, signIn, type Session } from './browser.js'

// Issue 15, first half, as people do it: the street office's admin opens a call and publishes it; the dance team's
// leader applies for two groups; the social worker scores both, the residents' representative steps aside on one and
// scores the other; the decision is read and confirmed.
let admin: Session, leader: Session, broker: Session, resident: Session
beforeAll(async () => {
  ;[admin, leader, broker, resident] = await Promise.all([launch(), launch(), launch(), launch()])
})
afterAll(async () => {
  await Promise.all([admin?.close(), leader?.close(), broker?.close(), resident?.close()])
})

const TITLE = '东湖街道 2027 年长者服务微创投（浏览器）'
let callId = 0

it('a call is opened as a draft and published: a public page with its rules in yuan', async () => {
  const { page } = admin
  await signIn(page, DEMO.admin)
  const db = new Database(inject('dbPath'), { readonly: true })
  const ids = db
    .prepare(
      "SELECT (SELECT id FROM organizations WHERE ref = 'org-dh-office') AS office, (SELECT id FROM areas WHERE ref = 'HB-DH') AS street",
    )
    .get() as { office: number; street: number }
  db.close()
  await page.goto('/calls')
  await Promise.all([page.waitForURL(/\/calls\/new$/), page.locator('a.button[href="/calls/new"]').click()])
  await page.locator('#f-holderOrgId').selectOption(String(ids.office))
  await page.locator('#f-title').fill(TITLE)
  await page.locator('#f-areaId').selectOption(String(ids.street))
  await page.locator('#f-budget').fill('6000')
  await page.locator('#f-cap').fill('4000')
  await page.locator('#f-reviewers').fill(DEMO.broker)
  await page.locator('#f-residents').fill(DEMO.holder)
  await Promise.all([page.waitForURL(/\/calls\/\d+$/), page.locator('#call-form button[type=submit]').click()])
  callId = Number(new URL(page.url()).pathname.split('/').pop())
  expect(await page.locator('#call-stage').textContent()).toBe('草稿')
  await Promise.all([page.waitForURL(/\/calls\/\d+$/), page.locator('#publish').click()])
  expect(await page.locator('#call-stage').textContent()).toBe('接受申请中')
  expect(await page.locator('#call-budget').textContent()).toBe('¥6,000.00')
  expect(await page.locator('#call-criteria tbody tr').count()).toBe(5)
  await screenshot(page, 'f1-call')
  expectNothingWrong(admin)
})

async function apply(group: string, title: string, asked: [string, string]) {
  const { page } = leader
  await page.goto(`/calls/${callId}`)
  await Promise.all([page.waitForURL(/\/applications\/new/), page.locator('#apply a', { hasText: group }).click()])
  await page.locator('#f-title').fill(title)
  await page.locator('#f-activity').fill(`${group}的活动计划：每周一次，服务社区长者。`)
  await page.locator('input[name="lineAsked"]').nth(0).fill(asked[0])
  await page.locator('input[name="lineAsked"]').nth(1).fill(asked[1])
  await page.locator('input[name="msTitle"]').nth(0).fill('活动完成')
  await page.locator('input[name="msDue"]').nth(0).fill('2030-06-30')
  await page.locator('input[name="msShare"]').nth(0).fill('100')
  await Promise.all([
    page.waitForURL(/\/applications\/\d+$/),
    page.locator('#application-form button[value=submit]').click(),
  ])
  expect(await page.locator('#application-status').textContent()).toBe('已提交')
  return Number(new URL(page.url()).pathname.split('/').pop())
}

let dance = 0,
  elders = 0
it('two groups apply; asking more than the cap is refused with the amounts', async () => {
  const { page } = leader
  await signIn(page, DEMO.leader)
  await page.goto(`/calls/${callId}`)
  await Promise.all([
    page.waitForURL(/\/applications\/new/),
    page.locator('#apply a', { hasText: '荔枝湾广场舞队' }).click(),
  ])
  await page.locator('#f-title').fill('超出上限的计划')
  await page.locator('#f-activity').fill('太多')
  await page.locator('input[name="lineAsked"]').nth(0).fill('4000.01')
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.locator('#application-form button[value=submit]').click(),
  ])
  expect(await page.locator('#e-lines').textContent()).toBe(
    '申请总额 ¥4,000.01 超过了单个项目上限 ¥4,000.00，请减少申请金额（可以增加自筹部分）。',
  )
  dance = await apply('荔枝湾广场舞队', '长者广场舞进公园', ['2000', '1000'])
  expect(await page.locator('#asked-total').textContent()).toBe('¥3,000.00')
  elders = await apply('东湖长者互助队', '独居长者每周探访', ['1500', '1000'])
  await screenshot(page, 'f2-application')
  expectNothingWrong(leader)
})

async function score(s: Session, applicationId: number, scores: number[]) {
  const { page } = s
  await page.goto(`/applications/${applicationId}`)
  const sets = page.locator('#review-form fieldset')
  for (let i = 0; i < scores.length; i++) await sets.nth(i).locator(`input[value="${scores[i]}"]`).check()
  await Promise.all([page.waitForURL(/\/calls\/\d+$/), page.locator('#review-form button[type=submit]').click()])
}

it("the social worker scores both; the residents' representative steps aside on one and scores the other", async () => {
  await signIn(broker.page, DEMO.broker)
  await broker.page.goto(`/calls/${callId}`)
  expect(await broker.page.locator('#review-queue li').count()).toBe(2)
  await score(broker, dance, [5, 4, 4, 4, 3])
  await score(broker, elders, [4, 4, 3, 3, 3])
  // Every application answered by the social worker, but the representative has not: no scores on the panel yet.
  await broker.page.goto(`/calls/${callId}/panel`)
  expect(await broker.page.locator(`#panel-${dance} .panel-score`).count()).toBe(0)

  const { page } = resident
  await signIn(page, DEMO.holder)
  await page.goto(`/applications/${dance}`)
  await page.locator('#review-form input[name=recuse]').check()
  await Promise.all([page.waitForURL(/\/calls\/\d+$/), page.locator('#review-form button[type=submit]').click()])
  expect(await page.locator(`#queue-${dance}`).textContent()).toContain('已回避')
  await score(resident, elders, [5, 5, 4, 4, 4])
  await page.goto(`/calls/${callId}/panel`)
  // Dance: the social worker's 0.2 × (5+4+4+4+3) = 4.00; elders: mean of 3.40 and 4.40 = 3.90, spread 3.40–4.40.
  expect(await page.locator(`#panel-${dance} .panel-score`).textContent()).toContain('加权平均分 4.00')
  expect(await page.locator(`#panel-${elders} .panel-score`).textContent()).toContain('加权平均分 3.90')
  expect(await page.locator(`#panel-${elders} .panel-score`).textContent()).toContain('3.40–4.40')
  await screenshot(page, 'f3-panel')
  expectNothingWrong(broker)
  expectNothingWrong(resident)
})

it('the decision is stated, proposed within the budget and confirmed once', async () => {
  const { page } = admin
  await page.goto(`/calls/${callId}/decision`)
  expect(await page.locator('#decision-problem').textContent()).toContain(
    '总预算 ¥6,000.00，每个项目不超过 ¥4,000.00。',
  )
  expect(await page.locator('#decision-awards tbody tr').count()).toBe(2)
  await Promise.all([page.waitForURL(/\/decision$/), page.locator('#confirm-decision').click()])
  expect(await page.locator('#decision-confirmed').isVisible()).toBe(true)
  expect(await page.locator(`#award-${dance} td.num`).last().textContent()).toContain('¥3,000.00')
  expect(await page.locator(`#award-${elders} td.num`).last().textContent()).toContain('¥2,500.00')
  expect(await page.locator('#total-awarded').textContent()).toBe('¥5,500.00')
  expect(await page.locator('#confirm-decision').count()).toBe(0)
  await screenshot(page, 'f4-decision')
  // The applicant sees the award and the mean per criterion, not who gave which score.
  await leader.page.goto(`/applications/${elders}`)
  expect(await leader.page.locator('#application-award').textContent()).toContain('¥2,500.00')
  expect(await leader.page.locator('#application').textContent()).not.toContain('陈社工')
  expectNothingWrong(admin)
  expectNothingWrong(leader)
})
