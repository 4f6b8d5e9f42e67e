import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import {
  DEMO,
  PHONE,
  expectNothingWrong,
  horizontalOverflow,
  launch,
  overflowingElements,
  screenshot,
  signIn,
  type Session,
} from './browser.js'

// A visitor reads the asset map: where demand outruns what is on offer, by community and by category, and from a
// community to its open needs. The agenda beside it is the broker's work list drawn from the same figures.
let s: Session
beforeAll(async () => {
  s = await launch({ locale: 'zh-CN' })
})
afterAll(async () => {
  await s?.close()
})

/** The table's community rows: id, name and the figures under the named column headers. */
async function communityRows(page: Page) {
  return page.locator('#map-table').evaluate((table) => {
    const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent!.replace(/[▲▼]/g, '').trim())
    return [...table.querySelectorAll('tbody')].map((tbody) =>
      [...tbody.querySelectorAll('tr.map-row.community')].map((tr) => {
        const cells = [...tr.children].map((c) => c.textContent!.trim())
        return {
          id: Number(tr.id.replace('map-row-', '')),
          name: cells[0]!,
          street: tbody.querySelector('tr.street th a')!.textContent!,
          by: Object.fromEntries(heads.map((h, i) => [h, cells[i]!])),
        }
      }),
    )
  })
}

/** Each map cell: id, fill class, tooltip, and whether it is drawn with some area. */
async function cells(page: Page) {
  return page.locator('svg.asset-map a.map-cell').evaluateAll((as) =>
    as.map((a) => {
      const path = a.querySelector('path') as SVGPathElement
      const box = path.getBBox()
      return {
        id: Number(a.id.replace('map-cell-', '')),
        cls: path.getAttribute('class')!,
        title: a.querySelector('title')!.textContent!,
        drawn: box.width > 5 && box.height > 5,
        href: a.getAttribute('href')!,
      }
    }),
  )
}

it('shows every community as a shape with its figures, recolours by category in place, opens a community and sorts the table', async () => {
  const { page } = s
  await page.goto('/')
  await page.locator('.nav a[href="/map"]').click()
  await page.waitForURL((u) => u.pathname === '/map')
  expect(await page.locator('h1').textContent()).toBe('资产地图')

  // Every community in the table is a drawn shape on the map, with the table's figures in its tooltip.
  const streets = await communityRows(page)
  const rows = streets.flat()
  expect(rows.length).toBe(11)
  const shapes = await cells(page)
  expect(shapes.map((c) => c.id).sort((a, b) => a - b)).toEqual(rows.map((r) => r.id).sort((a, b) => a - b))
  expect(shapes.every((c) => c.drawn)).toBe(true)
  for (const r of rows) {
    const tip = shapes.find((c) => c.id === r.id)!.title
    expect(tip).toContain(`${r.name}：${r.by['需求数']} 条开放需求，${r.by['资源数']} 项开放资源`)
  }
  // Three street outlines, each named where the table names it.
  expect(await page.locator('svg.asset-map path.map-street').count()).toBe(3)
  const labels = await page.locator('svg.asset-map text.map-label').allTextContents()
  expect(labels.sort()).toEqual([...new Set(rows.map((r) => r.street))].sort())
  // Labels sit inside the picture, not clipped at its edge.
  const labelBoxes = await page.locator('svg.asset-map text.map-label').evaluateAll((ts) =>
    ts.map((t) => {
      const b = (t as SVGTextElement).getBBox()
      const vb = (t as SVGTextElement).ownerSVGElement!.viewBox.baseVal
      return b.x >= 0 && b.y >= 0 && b.x + b.width <= vb.width && b.y + b.height <= vb.height
    }),
  )
  expect(labelBoxes).toEqual([true, true, true])
  // Every community is named on its own shape: the label's centre lies inside the community's cell.
  const named = await page.locator('svg.asset-map text.map-label-community').evaluateAll((ts) =>
    ts.map((t) => {
      const id = t.id.replace('map-label-', ''),
        b = (t as SVGTextElement).getBBox()
      const cell = document.querySelector(`#map-cell-${id} path`) as SVGPathElement
      const svg = (t as SVGTextElement).ownerSVGElement!,
        pt = svg.createSVGPoint()
      pt.x = b.x + b.width / 2
      pt.y = b.y + b.height / 2
      return { id: Number(id), name: t.textContent, inside: cell.isPointInFill(pt) }
    }),
  )
  expect(named.map((l) => l.id).sort((a, b) => a - b)).toEqual(rows.map((r) => r.id).sort((a, b) => a - b))
  for (const l of named) expect(l, l.name!).toMatchObject({ name: rows.find((r) => r.id === l.id)!.name, inside: true })

  // Hovering a community outlines it, and its <title> is the tooltip.
  const lzw = rows.find((r) => r.name === '荔枝湾社区')!
  const cell = page.locator(`#map-cell-${lzw.id}`)
  await cell.hover()
  expect(await cell.locator('path').evaluate((p) => getComputedStyle(p).strokeWidth)).toBe('2.5px')
  expect(await cell.locator('title').textContent()).toMatch(
    /^荔枝湾社区：\d+ 条开放需求，\d+ 项开放资源；平衡 [+−]?\d\.\d\d；需求多于资源的类别：/,
  )
  // A screen reader reaches each community as a link named by its figures (the map is a group, not one image).
  expect(await page.getByRole('group', { name: /^社区资源缺口地图/ }).count()).toBe(1)
  expect(await page.getByRole('link', { name: /^荔枝湾社区：\d+ 条开放需求/ }).count()).toBe(1)
  await screenshot(page, 'map-1-all-zh')

  // Choosing a category swaps the map in place (htmx: the page is not reloaded) and the address follows.
  await page.evaluate(() => {
    ;(window as unknown as { stayed: boolean }).stayed = true
  })
  const before = shapes.map((c) => c.cls).join(' ')
  await Promise.all([
    page.waitForURL(/[?&]category=publicity/),
    page.locator('form.filters select[name=category]').selectOption('publicity'),
  ])
  await expect.poll(() => page.locator('#map-svg-title').textContent()).toBe('社区资源缺口地图 · 宣传')
  expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true)
  const recoloured = await cells(page)
  expect(recoloured.map((c) => c.cls).join(' ')).not.toBe(before)
  expect(recoloured.every((c) => c.title.includes(' · 宣传：需求 '))).toBe(true)
  // Some community is short of publicity, and the map says so in red.
  expect(recoloured.some((c) => /map-fill-[012]/.test(c.cls))).toBe(true)
  expect(await page.locator('.map-summary').textContent()).toMatch(/^宣传：11 个社区中，[1-9]\d* 个需求多于资源/)
  await page.goBack()
  await page.waitForURL((u) => u.pathname === '/map' && !u.search.includes('category'))
  await expect.poll(() => page.locator('#map-svg-title').textContent()).toBe('社区资源缺口地图')
  await page.goForward()
  await expect.poll(() => page.locator('#map-svg-title').textContent()).toBe('社区资源缺口地图 · 宣传')

  // Clicking a community opens its panel, keeping the category.
  await Promise.all([
    page.waitForURL(new RegExp(`area=${lzw.id}.*category=publicity|category=publicity.*area=${lzw.id}`)),
    page.locator(`#map-cell-${lzw.id}`).click(),
  ])
  expect(await page.locator('#map-panel h2').textContent()).toBe('荔枝湾社区')
  expect(await page.locator('#map-panel a.button').first().getAttribute('href')).toBe(
    `/needs?area=${lzw.id}&category=publicity`,
  )
  // Back to all categories (in place), the community stays open.
  await Promise.all([
    page.waitForURL((u) => u.searchParams.get('area') === String(lzw.id) && !u.searchParams.get('category')),
    page.locator('form.filters select[name=category]').selectOption(''),
  ])
  await expect.poll(() => page.locator('#map-svg-title').textContent()).toBe('社区资源缺口地图')
  const panel = page.locator('#map-panel')
  expect(await panel.locator('h2').textContent()).toBe('荔枝湾社区')
  expect(await panel.locator('p.muted').first().textContent()).toBe(lzw.street)
  expect(await page.locator(`#map-cell-${lzw.id}`).getAttribute('class')).toContain('selected')
  const counts = (await panel.locator('p').nth(1).textContent())!
  expect(counts).toBe(`${lzw.by['需求数']} 条开放需求，${lzw.by['资源数']} 项开放资源`)
  // The panel's figures for every category are the community's; its links go to its own needs and offers.
  const catRows = await panel.locator('table.map-panel-table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({
      name: tr.querySelector('th')!.textContent!.trim(),
      needs: tr.querySelector('a[href^="/needs"]')!.textContent!,
      needsHref: tr.querySelector('a[href^="/needs"]')!.getAttribute('href')!,
    })),
  )
  expect(catRows.length).toBeGreaterThan(1)
  expect(catRows.every((r) => r.needsHref.startsWith(`/needs?area=${lzw.id}&category=`))).toBe(true)
  expect(await panel.locator('a.button[href^="/offers"]').getAttribute('href')).toBe(`/offers?area=${lzw.id}`)
  // The per-category needs add up to the community's.
  expect(catRows.reduce((n, r) => n + Number(r.needs.match(/^(\d+)/)![1]), 0)).toBe(Number(lzw.by['需求数']))
  await screenshot(page, 'map-2-community-panel-zh')

  // Following "its open needs" lands on the needs list for that community: as many as the panel counted.
  await panel.locator('a.button').first().click()
  await page.waitForURL((u) => u.pathname === '/needs' && u.searchParams.get('area') === String(lzw.id))
  expect(await page.locator('select[name=area] option:checked').textContent()).toContain('荔枝湾社区')
  const places = await page.locator('#needs-list li.listing p.muted:not(.small-text)').allTextContents()
  const panelNeeds = Number(lzw.by['需求数'])
  expect(panelNeeds).toBeGreaterThan(0)
  expect(places.length).toBe(panelNeeds)
  expect(places.every((p) => p.includes('荔枝湾社区'))).toBe(true)
  expect(await page.locator('#needs-list .count').textContent()).toContain(`共 ${panelNeeds} 条需求`)
  await page.goBack()
  await page.waitForURL((u) => u.pathname === '/map')

  // The table sorts by a column: ascending, then descending on a second click.
  await page.goto('/map')
  const byName = (await communityRows(page)).map((t) => t.map((r) => r.name))
  await Promise.all([page.waitForURL(/sort=needs$/), page.locator('#map-table thead a', { hasText: '需求数' }).click()])
  expect(await page.locator('#map-table thead th', { hasText: '需求数' }).getAttribute('aria-sort')).toBe('ascending')
  const asc = (await communityRows(page)).map((t) => t.map((r) => Number(r.by['需求数'])))
  for (const t of asc) expect(t).toEqual([...t].sort((a, b) => a - b))
  const ascNames = (await communityRows(page)).map((t) => t.map((r) => r.name))
  expect(ascNames).not.toEqual(byName)
  await Promise.all([
    page.waitForURL(/sort=-needs$/),
    page.locator('#map-table thead a', { hasText: '需求数' }).click(),
  ])
  expect(await page.locator('#map-table thead th', { hasText: '需求数' }).getAttribute('aria-sort')).toBe('descending')
  const desc = (await communityRows(page)).map((t) => t.map((r) => Number(r.by['需求数'])))
  for (const t of desc) expect(t).toEqual([...t].sort((a, b) => b - a))
  // Every community is still there, in a new order.
  expect(desc.flat().length).toBe(11)
  expectNothingWrong(s)
})

it('reads in English, with no untranslated keys', async () => {
  const en = await launch({ locale: 'en-US' })
  try {
    await en.page.goto('/map?category=venue&area=5')
    expect(await en.page.locator('h1').textContent()).toBe('Asset map')
    expect(await en.page.locator('#map-svg-title').textContent()).toMatch(/^Map of community resource gaps · /)
    const text = await en.page.locator('main').innerText()
    expect(text).not.toMatch(/\b(map|agenda|unit|listing|filter)\.[a-z_.]+/)
    // The page's own words are English (organization names and titles are the users' own).
    for (const sel of ['.map-legend', '#map-table thead', '#map-panel-title', 'svg.asset-map text.map-label']) {
      expect(await en.page.locator(sel).first().textContent()).not.toMatch(/[\u4e00-\u9fff]/)
    }
    // The panel's table fits its card beside the map: every column, its links included, in view without scrolling.
    const card = (await en.page.locator('#map-panel').boundingBox())!
    const map = (await en.page.locator('svg.asset-map').boundingBox())!
    expect(card.x).toBeGreaterThan(map.x + map.width)
    expect(await en.page.locator('#map-panel .table-scroll').evaluate((d) => d.scrollWidth - d.clientWidth)).toBe(0)
    await screenshot(en.page, 'map-3-panel-en')
    await en.page.goto('/map/agenda')
    expect(await en.page.locator('h1').textContent()).toBe('Idle assets and unmet demand')
    expect(await en.page.locator('main').innerText()).not.toMatch(/\b(map|agenda|unit)\.[a-z_.]+/)
    await screenshot(en.page, 'map-4-agenda-en')
    expectNothingWrong(en)
  } finally {
    await en.close()
  }
})

it('fits a phone: the map, its panel and the table stay within the screen', async () => {
  const phone = await launch({ locale: 'zh-CN', viewport: PHONE })
  try {
    await phone.page.goto('/map?category=volunteers&area=5')
    expect(await phone.page.locator('#map-panel h2').textContent()).toBe('荔枝湾社区')
    const map = await phone.page.locator('svg.asset-map').boundingBox()
    expect(map!.width).toBeLessThanOrEqual(PHONE.width)
    expect(map!.width).toBeGreaterThan(PHONE.width * 0.8)
    expect(await horizontalOverflow(phone.page), (await overflowingElements(phone.page)).join('\n')).toBe(0)
    // Street names stay readable on the shrunken map.
    const labelHeights = await phone.page
      .locator('svg.asset-map text.map-label')
      .evaluateAll((ts) => ts.map((t) => t.getBoundingClientRect().height))
    expect(Math.min(...labelHeights)).toBeGreaterThanOrEqual(12)
    // The tables fit: nothing inside them sticks out of the screen either.
    for (const sel of ['#map-table', '#map-panel table']) {
      const box = (await phone.page.locator(sel).boundingBox())!
      expect(box.x + box.width, sel).toBeLessThanOrEqual(PHONE.width)
    }
    await screenshot(phone.page, 'map-5-phone')
    await phone.page.goto('/map/agenda')
    expect(await horizontalOverflow(phone.page), (await overflowingElements(phone.page)).join('\n')).toBe(0)
    await screenshot(phone.page, 'map-6-agenda-phone')
    expectNothingWrong(phone)
  } finally {
    await phone.close()
  }
})

it('gives a broker the agenda with their own communities first', async () => {
  const b = await launch({ locale: 'zh-CN' })
  try {
    await b.page.goto('/map')
    await b.page.locator('.page-head a[href="/map/agenda"]').click()
    await b.page.waitForURL((u) => u.pathname === '/map/agenda')
    expect(await b.page.locator('h1').textContent()).toBe('待动员的资源与未满足的需求')
    // A visitor sees the list but nothing is marked as theirs.
    expect(await b.page.locator('.mine').count()).toBe(0)
    const unmet = b.page.locator('#agenda-unmet li.agenda-unmet')
    const n = await unmet.count()
    expect(Number(await b.page.locator('#agenda-unmet h2 .badge').textContent())).toBe(n)
    const idle = b.page.locator('#agenda-idle tr.agenda-idle')
    expect(await idle.count()).toBeGreaterThan(0)

    await signIn(b.page, DEMO.broker)
    await b.page.goto('/map/agenda')
    expect(await b.page.locator('main').innerText()).toContain('您负责的社区排在前面。')
    const mine = await b.page
      .locator('#agenda-idle tr.agenda-idle')
      .evaluateAll((trs) => trs.map((tr) => tr.classList.contains('mine')))
    expect(mine.some(Boolean)).toBe(true)
    // Theirs first: no unmarked row before a marked one.
    expect(mine.indexOf(false) === -1 || mine.lastIndexOf(true) < mine.indexOf(false)).toBe(true)
    if (n > 0) {
      // "See these needs" lands on the needs of that community and category.
      const link = b.page.locator('#agenda-unmet li.agenda-unmet a[href^="/needs?"]').first()
      const href = (await link.getAttribute('href'))!
      await link.click()
      await b.page.waitForURL((u) => u.pathname === '/needs' && `/needs${u.search}` === href)
      expect(await b.page.locator('#needs-list li.listing').count()).toBeGreaterThan(0)
      await b.page.goBack()
    }
    await screenshot(b.page, 'map-7-agenda-broker-zh')
    expectNothingWrong(b)
  } finally {
    await b.close()
  }
})

it('works without JavaScript: the category form reloads the map and a community opens its panel', async () => {
  const nojs = await launch({ locale: 'zh-CN', javaScriptEnabled: false })
  try {
    const { page } = nojs
    await page.goto('/map')
    await page.locator('form.filters select[name=category]').selectOption('venue')
    await Promise.all([
      page.waitForURL(/\/map\?category=venue$/),
      page.locator('form.filters button[type=submit]').click(),
    ])
    expect(await page.locator('#map-svg-title').textContent()).toBe('社区资源缺口地图 · 场地')
    expect(await page.locator('form.filters select[name=category] option:checked').textContent()).toBe('场地')
    await Promise.all([page.waitForURL(/area=6/), page.locator('#map-cell-6').click()])
    expect(await page.locator('#map-panel h2').textContent()).toBe('东湖社区')
    expect(await page.locator('#map-panel a.button').first().getAttribute('href')).toBe('/needs?area=6&category=venue')
    // Changing the category keeps the open community.
    await page.locator('form.filters select[name=category]').selectOption('funds')
    await Promise.all([
      page.waitForURL(/category=funds&area=6/),
      page.locator('form.filters button[type=submit]').click(),
    ])
    expect(await page.locator('#map-panel h2').textContent()).toBe('东湖社区')
    await screenshot(page, 'map-8-nojs')
    expectNothingWrong(nojs)
  } finally {
    await nojs.close()
  }
})
