import { afterAll, beforeAll, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import type { Page } from 'playwright-core'
import {
  DEMO,
  PHONE,
  RESULTS,
  expectNothingWrong,
  horizontalOverflow,
  launch,
  overflowingElements,
  signIn,
  type Session,
} from './browser.js'

// The demo social worker follows the dance team's growth (src/capacity/demo.ts: visits 180, 95 and 7 days ago):
// reads the before/after chart against the help received in between, records a new visit and compares it with
// the first. The team's leader sees the same record; a visitor never does.
let s: Session
beforeAll(async () => {
  s = await launch({ locale: 'zh-CN' })
})
afterAll(async () => {
  await s?.close()
})

const ORG = '荔枝湾广场舞队'
const INDICATORS = [
  'mobilization',
  'partnerships',
  'volunteers',
  'governance',
  'skills',
  'records',
  'reach',
  'responsiveness',
  'satisfaction',
  'succession',
  'funding',
  'stability',
]
const DIMS = ['resource_integration', 'specialization', 'public_service', 'sustainability']
// The new visit's scores, in the framework's order; dimension means 4.3, 3.7, 4.0, 3.0 (overall 3.8).
const NEW_SCORES = [5, 4, 4, 4, 4, 3, 4, 4, 4, 3, 3, 3]

/** A day in the district's calendar (China time), `days` from today. */
const chinaDay = (days: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() + days * 86_400_000))

/**
 * A PNG under test-results/ (the whole page, or one element). caret: 'initial' because Playwright's default hides
 * the caret by leaving style="" on every input, which htmx then copies onto a swapped form, a CSP violation.
 */
async function shot(page: Page, name: string, selector?: string) {
  fs.mkdirSync(RESULTS, { recursive: true })
  const file = path.join(RESULTS, `${name}.png`)
  if (selector) await page.locator(selector).screenshot({ path: file, caret: 'initial' })
  else await page.screenshot({ path: file, fullPage: true, caret: 'initial' })
}

/** The comparison table: dimension → [before, after, change] as shown. */
async function tableRows(page: Page) {
  return page
    .locator('#capacity-table tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent!.trim())))
}

/** The chart's bars: per dimension group, each bar's series, height and value label. */
async function bars(page: Page) {
  return page.locator('svg.cap-chart g.cap-group').evaluateAll((gs) =>
    gs.map((g) => ({
      id: g.id,
      label: g.querySelector('text.cap-label')!.textContent,
      bars: [...g.querySelectorAll('rect.cap-bar')].map((r) => ({
        series: r.getAttribute('class')!.replace('cap-bar cap-bar-', ''),
        h: Number(r.getAttribute('height')),
        value: r.getAttribute('data-value'),
        title: r.querySelector('title')!.textContent,
      })),
    })),
  )
}

it('shows the broker the dance team’s growth, takes a new assessment (refusing a bad one in place) and compares it with the first', async () => {
  const { page } = s
  await signIn(page, DEMO.broker)
  await page.locator('.nav a[href="/orgs"]').click()
  await page.waitForURL((u) => u.pathname === '/orgs')
  await page.getByRole('link', { name: ORG }).first().click()
  await page.waitForURL(/\/orgs\/\d+$/)
  const orgPath = new URL(page.url()).pathname
  const section = page.locator('section#capacity')
  expect(await section.locator('h2').first().textContent()).toBe('能力评估')

  // Three visits: the chart compares the first with the latest, named for a screen reader.
  const visits = await section.locator('#capacity-list li').allTextContents()
  expect(visits.length).toBe(3)
  const chart = section.locator('svg.cap-chart[role=img]')
  expect(await chart.getAttribute('aria-labelledby')).toBe('cap-chart-title cap-chart-desc')
  const title = (await page.locator('#cap-chart-title').textContent())!
  expect(title).toMatch(new RegExp(`^${ORG}的四项能力：.+ 与 .+ 对比$`))
  const desc = (await page.locator('#cap-chart-desc').textContent())!
  expect(desc).toContain('资源整合能力：2.0 → 3.7（+1.7）。')
  // Bars: two per dimension, the later one taller (the team grew on every dimension), values as the table says.
  const drawn = await bars(page)
  expect(drawn.map((g) => g.id)).toEqual(DIMS.map((d) => `cap-group-${d}`))
  const rows = await tableRows(page)
  expect(rows.map((r) => r[0])).toEqual([
    '资源整合能力',
    '专业化与规范化能力',
    '公共服务能力',
    '可持续发展能力',
    '综合',
  ])
  drawn.forEach((g, i) => {
    expect(g.bars.map((b) => b.series)).toEqual(['before', 'after'])
    expect(g.bars[1]!.h).toBeGreaterThan(g.bars[0]!.h)
    expect(g.bars.map((b) => b.value)).toEqual([rows[i]![1], rows[i]![2]])
    expect(g.bars[0]!.title).toContain(`${rows[i]![0]}，`)
  })
  expect(rows[0]).toEqual(['资源整合能力', '2.0', '3.7', '+1.7'])
  expect(rows[4]).toEqual(['综合', '1.9', '3.4', '+1.5'])
  expect(await section.locator('#capacity-table td.cap-change.cap-up').count()).toBe(5)
  // The help the team received between the two visits: its own needs' matches, with their states (under topics, the
  // demo's accepted one; its choreography need has no on-topic offer in its street).
  const received = await section
    .locator('#capacity-received tbody tr')
    .evaluateAll((trs) => trs.map((tr) => tr.querySelector('.tag')!.textContent!.trim()))
  expect(received.length).toBe(1)
  expect(await section.locator('#capacity-received p.muted').textContent()).toBe('共 1 项')
  await shot(page, 'cap-1-org-broker-zh')
  await shot(page, 'cap-2-chart-zh', '#capacity .cap-figure')

  // A new visit. First a score outside 1–5 (a tampered radio), then a date tomorrow: each refused beside its own
  // field, in Chinese, with everything typed kept.
  await section.locator(`a.button[href="${orgPath}/capacity/new"]`).click()
  await page.waitForURL(`**${orgPath}/capacity/new`)
  const form = page.locator('#capacity-form')
  expect(await form.locator('#f-assessedOn').inputValue()).toBe(chinaDay(0))
  for (const [i, code] of INDICATORS.entries())
    await form.locator(`input[name=score_${code}][value="${NEW_SCORES[i]}"]`).check()
  await form.locator('input[name=score_records][value="5"]').evaluate((r) => {
    ;(r as HTMLInputElement).value = '6'
    ;(r as HTMLInputElement).checked = true
  })
  await form.locator('#f-participants').fill('张阿姨、三名新队员')
  await form.locator('#f-note_succession').fill('副队长开始带晨练。')
  await form.locator('#f-note').fill('第四次探访：队伍有了副队长。')
  const submit = async () => {
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.locator('#capacity-form button[type=submit]').click(),
    ])
    expect(res.status()).toBe(422)
    await expect.poll(() => page.locator('#capacity-form .notice.error').count()).toBe(1)
    // htmx keeps the old attributes on same-id elements until the swap settles (~20 ms); read after it.
    await page.waitForFunction(() => !document.querySelector('.htmx-settling, .htmx-swapping, .htmx-request'))
    expect(new URL(page.url()).pathname).toBe(`${orgPath}/capacity/new`)
  }
  const kept = async (date: string, except: string) => {
    expect(await page.locator('#f-assessedOn').inputValue()).toBe(date)
    expect(await page.locator('#f-participants').inputValue()).toBe('张阿姨、三名新队员')
    expect(await page.locator('#f-note_succession').inputValue()).toBe('副队长开始带晨练。')
    expect(await page.locator('#f-note').inputValue()).toBe('第四次探访：队伍有了副队长。')
    for (const [i, code] of INDICATORS.entries()) {
      if (code !== except)
        expect(await page.locator(`input[name=score_${code}]:checked`).getAttribute('value'), code).toBe(
          String(NEW_SCORES[i]),
        )
    }
  }
  await submit()
  expect(await page.locator('#e-score_records').textContent()).toBe('请为这一项选择 1 到 5 分。')
  expect(await page.locator('#f-score_records').getAttribute('class')).toContain('has-error')
  expect(await page.locator('#capacity-form .field-error').count()).toBe(1)
  expect(await page.locator('input[name=score_records]:checked').count()).toBe(0)
  // The wrong score is marked, not the (valid) note beside it.
  const border = (sel: string) => page.locator(sel).evaluate((e) => getComputedStyle(e).borderTopColor)
  expect(await border('#f-note_records')).toBe(await border('#f-note_mobilization'))
  const danger = await page.locator('#e-score_records').evaluate((e) => getComputedStyle(e).color)
  expect(await page.locator('#f-score_records .cap-scores').evaluate((e) => getComputedStyle(e).borderLeftColor)).toBe(
    danger,
  )
  await kept(chinaDay(0), 'records')
  await shot(page, 'cap-3-form-score-error-zh')

  await page.locator('input[name=score_records][value="3"]').check()
  await page.locator('#f-assessedOn').fill(chinaDay(1))
  await submit()
  expect(await page.locator('#e-assessedOn').textContent()).toBe(`评估日期不能晚于今天（${chinaDay(0)}）。`)
  expect(await page.locator('#f-assessedOn').getAttribute('aria-invalid')).toBe('true')
  expect(await page.locator('#capacity-form .field-error').count()).toBe(1)
  expect(await page.locator('input[name=score_records]:checked').getAttribute('value')).toBe('3')
  await kept(chinaDay(1), '')
  await shot(page, 'cap-4-form-date-error-zh', '#capacity-form .field.has-error')

  // Corrected to yesterday. Saved, it is shown with its scores and notes.
  await page.locator('#f-assessedOn').fill(chinaDay(-1))
  await Promise.all([page.waitForURL(/\/capacity\/\d+$/), page.locator('#capacity-form button[type=submit]').click()])
  const newId = Number(page.url().match(/\/capacity\/(\d+)$/)![1])
  await expect.poll(() => page.locator('#flash').textContent()).toContain('能力评估已保存。')
  expect(await page.locator('#capacity-overall').textContent()).toContain('3.8')
  expect(await page.locator('#ind-records td.num').textContent()).toBe('3')
  expect(await page.locator('#ind-succession td').nth(1).textContent()).toBe('副队长开始带晨练。')

  // Back on the organization: four visits; by default the first is compared with the newest, which is this one.
  await page.locator('.crumbs a').first().click()
  await page.waitForURL((u) => u.pathname === orgPath)
  const list = page.locator('#capacity-list li')
  expect(await list.count()).toBe(4)
  expect(await list.last().locator('a').getAttribute('href')).toBe(`/capacity/${newId}`)
  expect(await list.last().textContent()).toContain('综合 3.8 分')
  expect((await tableRows(page)).map((r) => r.slice(1))).toEqual([
    ['2.0', '4.3', '+2.3'],
    ['1.3', '3.7', '+2.4'],
    ['2.7', '4.0', '+1.3'],
    ['1.7', '3.0', '+1.3'],
    ['1.9', '3.8', '+1.9'],
  ])

  // Compare the middle visit with the new one (in place, the address follows), then the first with the new one again.
  const options = await page
    .locator('#cap-before option')
    .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))
  expect(options.length).toBe(4)
  await page.evaluate(() => {
    ;(window as unknown as { stayed: boolean }).stayed = true
  })
  await page.locator('#cap-before').selectOption(options[1]!)
  await page.locator('#cap-after').selectOption(String(newId))
  await Promise.all([
    page.waitForURL(new RegExp(`/capacity\\?before=${options[1]}&after=${newId}$`)),
    page.locator('.cap-compare button[type=submit]').click(),
  ])
  await expect.poll(async () => (await tableRows(page))[4]).toEqual(['综合', '2.4', '3.8', '+1.4'])
  expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true)
  await page.locator('#cap-before').selectOption(options[0]!)
  await Promise.all([
    page.waitForURL(new RegExp(`before=${options[0]}&after=${newId}$`)),
    page.locator('.cap-compare button[type=submit]').click(),
  ])
  await expect.poll(async () => (await tableRows(page))[4]).toEqual(['综合', '1.9', '3.8', '+1.9'])
  expect(await page.locator('#cap-chart-desc').textContent()).toContain('资源整合能力：2.0 → 4.3（+2.3）。')
  // The help received is now counted up to the new visit.
  expect(await page.locator('#capacity-received tbody tr').count()).toBeGreaterThanOrEqual(1)
  await shot(page, 'cap-5-compared-zh')
  await shot(page, 'cap-6-chart-compared-zh', '#capacity .cap-figure')
  expectNothingWrong(s)
})

// Reads the record as the first journey left it: four visits.
it('shows the leader their own group’s record, without the broker’s tools; a visitor and another group see nothing', async () => {
  const leader = await launch({ locale: 'zh-CN' })
  try {
    const { page } = leader
    await signIn(page, DEMO.leader)
    await page.goto('/orgs')
    await page.getByRole('link', { name: ORG }).first().click()
    await page.waitForURL(/\/orgs\/\d+$/)
    const orgPath = new URL(page.url()).pathname
    const section = page.locator('section#capacity')
    expect(await section.isVisible()).toBe(true)
    expect(await section.locator('#capacity-list li').count()).toBe(4)
    expect(await section.locator('svg.cap-chart').count()).toBe(1)
    // The leader reads but does not record.
    expect(await section.locator('a.button[href$="/capacity/new"]').count()).toBe(0)
    const res = await page.request.get(`${orgPath}/capacity/new`, { maxRedirects: 0 })
    expect(res.status()).toBe(403)
    await shot(page, 'cap-7-org-leader-zh')

    // A visitor: the organization's page says nothing of it, and its record pages ask them to sign in.
    const visitor = await launch({ locale: 'zh-CN' })
    try {
      await visitor.page.goto(orgPath)
      expect(await visitor.page.locator('h1').textContent()).toContain(ORG)
      expect(await visitor.page.locator('#capacity').count()).toBe(0)
      expect(await visitor.page.locator('main').innerText()).not.toContain('能力评估')
      await visitor.page.goto(`${orgPath}/capacity`)
      expect(new URL(visitor.page.url()).pathname).toBe('/signin')
      expectNothingWrong(visitor)
    } finally {
      await visitor.close()
    }
    // Another organization's member: the record does not exist for them.
    const holder = await launch({ locale: 'zh-CN' })
    try {
      await signIn(holder.page, DEMO.holder)
      await holder.page.goto(orgPath)
      expect(await holder.page.locator('#capacity').count()).toBe(0)
      expect((await holder.page.request.get(`${orgPath}/capacity`)).status()).toBe(404)
      expectNothingWrong(holder)
    } finally {
      await holder.close()
    }
    expectNothingWrong(leader)
  } finally {
    await leader.close()
  }
})

it('draws the chart in English and within a phone’s width', async () => {
  const en = await launch({ locale: 'en-US', viewport: PHONE })
  try {
    await signIn(en.page, DEMO.broker)
    await en.page.goto('/orgs')
    await en.page.getByRole('link', { name: ORG }).first().click()
    await en.page.waitForURL(/\/orgs\/\d+$/)
    expect(await en.page.locator('#cap-chart-title').textContent()).toMatch(
      /^荔枝湾广场舞队's four capacities: .+ compared with .+$/,
    )
    const text = await en.page.locator('#capacity').innerText()
    expect(text).not.toMatch(/\bcapacity\.[a-z_.]+/)
    expect(await en.page.locator('svg.cap-chart text.cap-label').allTextContents()).not.toContain('')
    const chart = (await en.page.locator('svg.cap-chart').boundingBox())!
    expect(chart.x + chart.width).toBeLessThanOrEqual(PHONE.width)
    // Its words stay readable on the shrunken drawing, inside it, and never on top of one another.
    for (const sel of ['text.cap-label', 'text.cap-legend-text', 'text.cap-value']) {
      const boxes = await en.page.locator(`svg.cap-chart ${sel}`).evaluateAll((ts) =>
        ts.map((t) => {
          const r = t.getBoundingClientRect()
          return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, h: r.height }
        }),
      )
      expect(Math.min(...boxes.map((b) => b.h)), sel).toBeGreaterThanOrEqual(10)
      for (const b of boxes)
        expect(
          b.left >= chart.x &&
            b.right <= chart.x + chart.width &&
            b.top >= chart.y &&
            b.bottom <= chart.y + chart.height,
          sel,
        ).toBe(true)
      if (sel !== 'text.cap-value') {
        const row = [...boxes].sort((a, b) => a.left - b.left)
        row.slice(1).forEach((b, i) => expect(b.left, sel).toBeGreaterThan(row[i]!.right))
      }
    }
    // The score table fits the card without scrolling sideways; nothing in the section sticks out of its card.
    expect(
      await en.page
        .locator('#capacity-table')
        .evaluate((t) => t.parentElement!.scrollWidth - t.parentElement!.clientWidth),
    ).toBe(0)
    const card = (await en.page.locator('#capacity').boundingBox())!
    const widest = await en.page
      .locator('#capacity > *')
      .evaluateAll((els) => Math.max(...els.map((e) => e.getBoundingClientRect().right)))
    expect(widest).toBeLessThanOrEqual(card.x + card.width)
    expect(await horizontalOverflow(en.page), (await overflowingElements(en.page)).join('\n')).toBe(0)
    await shot(en.page, 'cap-8-org-phone-en')
    await shot(en.page, 'cap-9-chart-phone-en', '#capacity .cap-figure')
    expectNothingWrong(en)
  } finally {
    await en.close()
  }
})
