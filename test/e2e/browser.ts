import fs from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { expect, inject } from 'vitest'

/** Given to the server as DEMO_PASSWORD by the global setup, so every demo account signs in with it. */
export const DEMO_PASSWORD = 'e2e-demo-Lychee-2718'
/** From src/demo/seed.ts. */
export const DEMO = {
  admin: 'admin@demo.assetbridge.cn',
  broker: 'broker@demo.assetbridge.cn',
  leader: 'leader@demo.assetbridge.cn',
  holder: 'holder@demo.assetbridge.cn',
} as const

export const PHONE = { width: 390, height: 844 }
export const RESULTS = path.resolve(import.meta.dirname, '../../test-results')

export interface Session {
  context: BrowserContext
  page: Page
  /** Everything the pages said that a user should never see: dialogs, script errors, CSP violations. */
  problems: string[]
  dialogs: string[]
  url(p: string): string
  close(): Promise<void>
}

export interface LaunchOptions {
  javaScriptEnabled?: boolean
  viewport?: { width: number; height: number }
  /** Accept-Language of the browser; the site picks its language from it until one is chosen. */
  locale?: string
}

// Flags that work with Debian's chromium on this machine (STACK.md, trap 5).
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/**
 * One Chromium for a file's sessions, each session a context of its own (cookies, storage and cache apart, as in
 * separate profiles). A Chromium of its own per session took 1–1.5 s to start, about 40 times a run; a context takes
 * a tenth of that. The last session of a file to close closes the browser.
 */
let browser: Promise<Browser> | undefined
let open = 0

async function browserForSessions(): Promise<Browser> {
  browser ??= chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ARGS })
  open++
  try {
    return await browser
  } catch (err) {
    open--
    browser = undefined
    throw err
  }
}

async function sessionClosed(): Promise<void> {
  if (--open > 0 || !browser) return
  const closing = browser
  browser = undefined
  await (await closing).close()
}

export async function launch(opts: LaunchOptions = {}): Promise<Session> {
  const baseURL = inject('baseURL')
  const shared = await browserForSessions()
  let context: BrowserContext
  try {
    context = await shared.newContext({
      baseURL,
      locale: opts.locale ?? 'zh-CN',
      viewport: opts.viewport ?? { width: 1280, height: 900 },
      javaScriptEnabled: opts.javaScriptEnabled ?? true,
    })
  } catch (err) {
    await sessionClosed()
    throw err
  }
  context.setDefaultTimeout(10_000)
  const problems: string[] = []
  const dialogs: string[] = []
  const watch = (page: Page) => {
    watchChips(page)
    page.on('dialog', (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`)
      void d.dismiss()
    })
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
    // Chromium logs every 4xx/5xx as a console error; statuses are judged from the responses below instead.
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`)
    })
    page.on('response', (r) => {
      const { pathname } = new URL(r.url())
      // There is no favicon yet; Chromium asks for one on every first visit.
      if (r.status() >= 500 || (r.status() === 404 && pathname !== '/favicon.ico'))
        problems.push(`${r.status()} ${r.request().method()} ${pathname}`)
    })
  }
  const page = await context.newPage()
  watch(page)
  // Pages opened later (newPage, window.open): the first one is watched above, and only once.
  context.on('page', watch)
  return {
    context,
    page,
    problems,
    dialogs,
    url: (p) => new URL(p, baseURL).href,
    async close() {
      try {
        await context.close()
      } finally {
        await sessionClosed()
      }
    },
  }
}

export async function newPage(s: Session): Promise<Page> {
  return s.context.newPage()
}

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto('/signin')
  await page.locator('#f-email').fill(email)
  await page.locator('#f-password').fill(password)
  // Members land on 我的, brokers on their desk, admins on admin.
  await Promise.all([page.waitForURL(/\/(me|desk|admin)$/), page.locator('#signin-form button[type=submit]').click()])
}

/** A full-page PNG under test-results/, to be looked at, not compared. */
export async function screenshot(page: Page, name: string) {
  fs.mkdirSync(RESULTS, { recursive: true })
  const file = path.join(RESULTS, `${name}.png`)
  // caret: 'initial' — the default hides the caret by injecting a style attribute, which our CSP then reports.
  await page.screenshot({ path: file, fullPage: true, caret: 'initial' })
  return file
}

/** How much wider than the window the page is, in CSS pixels (0 when nothing overflows). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth)
}

/** Names the elements that stick out past the right edge, so a failure says what to fix. */
export async function overflowingElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = []
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const r = el.getBoundingClientRect()
      if (r.right > window.innerWidth + 0.5)
        out.push(
          `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''} right=${Math.round(r.right)}`,
        )
    }
    return out.slice(0, 10)
  })
}

/** What the form said when its page's last topic chips answer was asked for, per page (reset by each navigation). */
const chipsAskedFor = new WeakMap<Page, string>()
const chipsKey = (category: string, title: string, description: string) =>
  JSON.stringify([category, title, description.replace(/\r\n/g, '\n')])

function watchChips(page: Page) {
  page.on('requestfinished', (r) => {
    const url = new URL(r.url())
    if (url.pathname !== '/topics/suggest') return
    const q = (name: string) => url.searchParams.get(name) ?? ''
    chipsAskedFor.set(page, chipsKey(q('category'), q('title'), q('description')))
  })
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) chipsAskedFor.delete(page)
  })
}

/**
 * Typing asks for topic chips after a pause; a click meanwhile (a tick, or 发布) makes htmx or the browser abort that
 * request, which htmx reports on the console. A person pauses too: wait until the chips' answer for what the title,
 * description and category now say has come and been swapped in (no request left in flight). Only after typing:
 * a form nobody typed in is never asked about.
 */
export async function typingSettled(page: Page) {
  await expect
    .poll(
      async () => {
        const now = await page.evaluate(() => {
          const value = (id: string) => (document.getElementById(id) as HTMLInputElement | null)?.value ?? ''
          return {
            form: [value('f-category'), value('f-title'), value('f-description')] as const,
            chips: Boolean(document.getElementById('topic-chips')),
            busy: Boolean(document.querySelector('.htmx-request')),
          }
        })
        return !now.busy && (!now.chips || chipsAskedFor.get(page) === chipsKey(...now.form))
      },
      { timeout: 10_000 },
    )
    .toBe(true)
}

export function expectNothingWrong(s: Session) {
  expect(s.dialogs, 'no alert/confirm/prompt').toEqual([])
  expect(s.problems, 'no script errors or CSP violations').toEqual([])
}
