import type { Route } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { DEMO, expectNothingWrong, launch, signIn, type Session } from './browser.js'

// Journey: the demo leader types a need's title while the chips' answers are on their way. The chips are redrawn by
// each answer; whatever the order of keystrokes and answers, they end up drawn for what the form says, and a tick
// made the moment they are redrawn is kept as the poster's choice.
let s: Session
beforeAll(async () => {
  s = await launch()
  await signIn(s.page, DEMO.leader)
})
afterAll(async () => {
  await s?.close()
})

const chip = (code: string) => s.page.locator(`#topic-chips input[name=topics][value=${code}]`)
const ticks = () =>
  s.page.locator('#topic-chips .chip input:checked').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))

async function materialsNeed() {
  const { page } = s
  await page.goto('/needs/new')
  await page.locator('#f-category').selectOption('materials')
  await page.locator('#topic-chips input[name=topicsFor][value=materials]').waitFor({ state: 'attached' })
}

it('asks about text typed while an earlier answer was on its way', async () => {
  const { page } = s
  await materialsNeed()
  // The answer for 扇子 (props) is held back until more was typed, then lands while that text's pause runs.
  let release!: (r: Route) => void
  const held = new Promise<Route>((resolve) => (release = resolve))
  let first = true
  await page.route(
    (u) => u.pathname === '/topics/suggest',
    (route) => {
      if (!first) return route.continue()
      first = false
      release(route)
    },
  )
  await page.locator('#f-title').pressSequentially('扇子')
  const route = await held
  const answer = await route.fetch()
  await page.locator('#f-title').press('End')
  await page.keyboard.insertText('和音箱')
  await route.fulfill({ response: answer })

  // 音箱 is sound equipment: the chips are asked again for the whole title, which names both.
  await expect.poll(ticks, { timeout: 10_000 }).toEqual(['sound_equipment', 'performance_props'])
  await page.unroute((u) => u.pathname === '/topics/suggest')
  expectNothingWrong(s)
})

it('keeps a tick made the moment the chips were redrawn', async () => {
  const { page } = s
  await materialsNeed()
  await page.locator('#f-title').fill('音箱')
  await expect.poll(() => chip('sound_equipment').isChecked()).toBe(true)
  // More text redraws the chips; the poster unticks the suggestion as soon as they are in the page (no user event
  // can come sooner: the swap and what htmx does at once after it are one task).
  const unticked = page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const before = document.getElementById('topic-chips')
        const seen = new MutationObserver(() => {
          const now = document.getElementById('topic-chips')
          const box = now?.querySelector<HTMLInputElement>('input[name=topics][value=sound_equipment]')
          if (now === before || !box) return
          seen.disconnect()
          box.click()
          resolve()
        })
        seen.observe(document.body, { childList: true, subtree: true })
      }),
  )
  await page.locator('#f-description').fill('借一套音箱')
  await unticked
  await page.locator('#topic-chips input[name=topicsChosen]').waitFor({ state: 'attached' })
  expect(await chip('sound_equipment').isChecked()).toBe(false)
  expectNothingWrong(s)
})

it('keeps the keyboard on the chip just ticked when the chips are redrawn', async () => {
  const { page } = s
  await materialsNeed()
  await page.locator('#f-title').fill('音箱')
  await expect.poll(() => chip('sound_equipment').isChecked()).toBe(true)
  // Each tick asks again and the answer replaces the chips: a keyboard user stays where they were.
  await chip('sound_equipment').focus()
  await page.keyboard.press('Space')
  await page.locator('#topic-chips input[name=topicsChosen]').waitFor({ state: 'attached' })
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('chip-sound_equipment')
  expect(await chip('sound_equipment').isChecked()).toBe(false)
  // And the next key acts on the same chip.
  await page.keyboard.press('Space')
  await expect.poll(() => chip('sound_equipment').isChecked()).toBe(true)
  expectNothingWrong(s)
})
