import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { populateListings } from '../../../bench/lib/listings.js'
import { ROOT } from '../../../src/config.js'
import { openDb, type Db, type Sqlite } from '../../../src/db/client.js'
import { seedDemo } from '../../../src/demo/seed.js'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'

// Every list page's queries as SQLite plans them on a district of some thousands of listings with statistics taken
// (as the server takes them): a page of active listings, in any order, filtered or not, walks an index in that
// order and stops after its page (no sort of every match); its total is counted from an index alone; no query
// reads a whole table. Statuses other than active are a few percent of the rows: sorting those is allowed.
let dir: string, db: Db, sqlite: Sqlite
let street: number, community: number

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-plans-'))
  const file = path.join(dir, 'plans.sqlite')
  const first = openDb(file, ROOT)
  await seedDemo(first.db, { password: 'plans-test-password-1' })
  populateListings(first.db, { listings: 8000, orgs: 200, matches: 200 })
  first.sqlite.close()
  // Opened again as the server opens it: statistics are taken for the grown tables.
  ;({ db, sqlite } = openDb(file, ROOT))
  street = sqlite.prepare("SELECT id FROM areas WHERE level = 'street' ORDER BY id LIMIT 1").pluck().get() as number
  community = sqlite.prepare("SELECT id FROM areas WHERE level = 'community' ORDER BY id LIMIT 1").pluck().get() as number
}, 120_000)
afterAll(() => {
  sqlite?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** The plans of the SELECTs a call prepares, one line per statement. */
function plansOf(run: () => unknown): string[] {
  const texts: string[] = []
  const prepare = sqlite.prepare
  sqlite.prepare = ((text: string) => (texts.push(text), prepare.call(sqlite, text))) as typeof sqlite.prepare
  try {
    run()
  } finally {
    sqlite.prepare = prepare
  }
  return [...new Set(texts)].filter((t) => /^\s*select/i.test(t) && /\b(needs|offers)\b/.test(t) && !/memo_versions/.test(t)).map((text) => {
    const params: null[] = Array((text.match(/\?/g) ?? []).length).fill(null)
    return (prepare.call(sqlite, `EXPLAIN QUERY PLAN ${text}`).all(params) as { detail: string }[]).map((r) => r.detail).join(' | ')
  })
}

const fullScan = /\bSCAN (needs|offers)(?! USING)/
const sorted = /USE TEMP B-TREE FOR ORDER BY/

/** browse counts, then reads the page; a total another order already counted is remembered (db/memo.ts). */
function checkPage(plans: string[], why: string) {
  expect(plans.length, why).toBeGreaterThanOrEqual(1)
  expect(plans.length, why).toBeLessThanOrEqual(2)
  for (const plan of plans) expect(plan, why).not.toMatch(fullScan)
  // The total from index entries alone, however many seeks it takes (an area's places: a multi-index OR).
  if (plans.length === 2) {
    expect(plans[0], why).toMatch(/SEARCH (needs|offers) USING COVERING INDEX/)
    expect(plans[0], why).not.toMatch(/(needs|offers) USING INDEX/)
  }
  expect(plans.at(-1), why).not.toMatch(sorted)
}

describe('list pages seek', () => {
  // Not here: the topic filter (a JSON list per row, no index; a page still walks its order, its total reads rows).
  const areaFilters = () => [{}, { area: street }, { area: community }]
  it('needs: every order, every filter of active needs, walks an index and counts from one', () => {
    let shapes = 0
    for (const sort of needs.SORTS) {
      for (const place of areaFilters()) {
        for (const filter of [{}, { category: 'venue' }, { urgency: 'high' as const }]) {
          const query = { sort, ...place, ...filter, page: 2 }
          const plans = plansOf(() => needs.list(db, query))
          const why = `${JSON.stringify(query)}\n${plans.join('\n')}`
          checkPage(plans, why)
          shapes++
        }
      }
    }
    expect(shapes).toBe(needs.SORTS.length * 9)
  })

  it('offers: every order, every filter of active offers, walks an index and counts from one', () => {
    for (const sort of offers.SORTS) {
      for (const place of areaFilters()) {
        for (const filter of [{}, { category: 'venue' }]) {
          const query = { sort, ...place, ...filter, page: 2 }
          const plans = plansOf(() => offers.list(db, query))
          const why = `${JSON.stringify(query)}\n${plans.join('\n')}`
          checkPage(plans, why)
        }
      }
    }
  })

  it('other statuses seek on status (a few percent of the rows, sorted), and the active count reads an index alone', () => {
    for (const status of ['met', 'closed', 'expired'] as const) {
      for (const plan of plansOf(() => needs.list(db, { status, sort: 'deadline' }))) expect(plan).not.toMatch(fullScan)
    }
    for (const status of ['closed', 'expired'] as const) {
      for (const plan of plansOf(() => offers.list(db, { status, sort: 'capacity' }))) expect(plan).not.toMatch(fullScan)
    }
    const [count] = plansOf(() => needs.countActive(db))
    expect(count).toMatch(/^SEARCH needs USING COVERING INDEX needs_active/)
  })
})
