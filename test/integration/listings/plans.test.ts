import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { populateListings } from '../../../bench/lib/listings.js'
import { ROOT } from '../../../src/config.js'
import { type Db, type Sqlite } from '../../../src/db/client.js'
import { openDb } from '../../../src/database.js'
import { seedDemo } from '../../../src/demo/seed.js'
import * as needQueries from '../../../src/needs/need-queries.js'
import * as offerQueries from '../../../src/offers/offer-queries.js'
import { listingToday } from '../../../src/listings/listings.js'
import { countServingSome } from '../../../src/matching/views.js'

// Every list page's queries as SQLite plans them on a district of some thousands of listings with statistics taken
// (as the server takes them). Filters and orders are decided in memory (listings/directory.ts), which reads each
// table once per connection and then only the listings the change log names; a page reads its rows by primary key.
// No other statement a list page prepares scans a table or sorts, whatever its order, filters or status.
let dir: string, file: string, db: Db, sqlite: Sqlite
let street: number, community: number

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-plans-'))
  file = path.join(dir, 'plans.sqlite')
  const first = openDb(file, ROOT)
  await seedDemo(first.db, { password: 'plans-test-password-1' })
  populateListings(first.db, { listings: 8000, orgs: 200, matches: 200 })
  first.sqlite.close()
  // Opened again as the server opens it: statistics are taken for the grown tables.
  ;({ db, sqlite } = openDb(file, ROOT))
  street = sqlite.prepare("SELECT id FROM areas WHERE level = 'street' ORDER BY id LIMIT 1").pluck().get() as number
  community = sqlite
    .prepare("SELECT id FROM areas WHERE level = 'community' ORDER BY id LIMIT 1")
    .pluck()
    .get() as number
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
  return [...new Set(texts)]
    .filter((t) => /^\s*select/i.test(t) && /\b(needs|offers)\b/.test(t) && !/memo_versions/.test(t))
    .map((text) => {
      const params: null[] = Array((text.match(/\?/g) ?? []).length).fill(null)
      return (prepare.call(sqlite, `EXPLAIN QUERY PLAN ${text}`).all(params) as { detail: string }[])
        .map((r) => r.detail)
        .join(' | ')
    })
}

const fullScan = /\bSCAN (needs|offers)(?! USING)/
const sorted = /USE TEMP B-TREE FOR ORDER BY/
// The directory's one read of each table per connection, a chunk of rows at a time by id (listings/directory.ts).
const build =
  /^\s*SELECT id, status, category, (area_id|serves_area_id), .* FROM (needs|offers) WHERE id > \? ORDER BY id LIMIT \?\s*$/

describe('list pages seek', () => {
  it('after the directory is read, every order, filter and status reads rows by primary key only, before and after writes', () => {
    const { db: fresh, sqlite: own } = openDb(file, ROOT)
    const texts: string[] = []
    const prepare = own.prepare
    own.prepare = ((text: string) => (texts.push(text), prepare.call(own, text))) as typeof own.prepare
    let shapes = 0
    try {
      const places = [{}, { area: street }, { area: community }]
      for (const round of [0, 1]) {
        for (const sort of needQueries.SORTS)
          for (const place of places)
            for (const filter of [
              {},
              { category: 'venue' },
              { urgency: 'high' as const },
              { status: 'met' as const },
              { status: 'expired' as const },
              { q: '场地' },
            ]) {
              needQueries.list(fresh, { sort, ...place, ...filter, page: 2 })
              shapes++
            }
        for (const sort of offerQueries.SORTS)
          for (const place of places)
            for (const filter of [{}, { category: 'venue' }, { status: 'closed' as const }, { q: '场地' }]) {
              offerQueries.list(fresh, { sort, ...place, ...filter, page: 2 })
              shapes++
            }
        // Another connection writes: the next pages re-read those listings alone.
        if (round === 0) {
          sqlite
            .prepare(
              'UPDATE needs SET remaining = remaining - 1 WHERE id = (SELECT max(id) FROM needs WHERE remaining > 1)',
            )
            .run()
          sqlite.prepare("UPDATE offers SET status = 'closed' WHERE id = (SELECT max(id) FROM offers)").run()
        }
      }
    } finally {
      own.prepare = prepare
    }
    const listed = [...new Set(texts)].filter(
      (t) => /^\s*select/i.test(t) && /\b(needs|offers)\b/.test(t) && !/memo_versions|search_/.test(t),
    )
    const plans = listed
      .filter((t) => !build.test(t))
      .map((text) => {
        const params: null[] = Array((text.match(/\?/g) ?? []).length).fill(null)
        return `${text}\n  ${(prepare.call(own, `EXPLAIN QUERY PLAN ${text}`).all(params) as { detail: string }[]).map((r) => r.detail).join(' | ')}`
      })
    const chunks = listed.filter((t) => build.test(t))
    expect(chunks).toHaveLength(2)
    for (const text of chunks)
      expect(
        (prepare.call(own, `EXPLAIN QUERY PLAN ${text}`).all([0, 10]) as { detail: string }[]).map((r) => r.detail),
      ).toEqual([expect.stringMatching(/^SEARCH (needs|offers) USING INTEGER PRIMARY KEY \(rowid>\?\)$/)])
    own.close()
    expect(shapes).toBe(2 * (needQueries.SORTS.length * 3 * 6 + offerQueries.SORTS.length * 3 * 4))
    // A few statements, prepared once, whatever the shape: the page's rows, and a changed listing.
    expect(plans.length).toBeGreaterThanOrEqual(3)
    expect(plans.length).toBeLessThanOrEqual(6)
    for (const plan of plans) {
      expect(plan).not.toMatch(fullScan)
      expect(plan).not.toMatch(sorted)
      expect(plan).toMatch(/SEARCH (needs|offers) USING INTEGER PRIMARY KEY/)
    }
  })

  it("the count of who can serve whom, made in slices after listening, seeks: by primary key, a category's rest by index", () => {
    const today = listingToday(new Date())
    let slices = 0
    const plans = plansOf(() => {
      while (!countServingSome(db, today, 0, 50)) slices++
    })
    expect(slices).toBeGreaterThan(20)
    const slicing = plans.filter((p) => p.includes('USING INTEGER PRIMARY KEY (rowid>?)'))
    // A slice's rows of each side, and each category's last few through the category's own read.
    expect(slicing).toHaveLength(2)
    expect(plans.length).toBeGreaterThan(2)
    for (const plan of plans) {
      expect(plan).not.toMatch(fullScan)
      expect(plan).not.toMatch(sorted)
    }
  })

  it('the active count reads an index alone', () => {
    const [count] = plansOf(() => needQueries.countActive(db))
    expect(count).toMatch(/^SEARCH needs USING COVERING INDEX needs_active/)
  })
})
