import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generatedDistrict, type GeneratedDistrict } from '../../helpers/district.js'
import { prng } from '../../../bench/lib/generate.js'
import { buildApp } from '../../../src/app.js'
import { ROOT, testConfig } from '../../../src/config.js'
import { type Sqlite } from '../../../src/db/client.js'
import { openDb } from '../../../src/database.js'
import { listingToday } from '../../../src/listings/listings.js'
import {
  countServingInSlices,
  servingCounted,
  servingFacts,
  type ServingFacts,
} from '../../../src/matching/serving-facts.js'
import { countServingSome, needIndex, offerIndex } from '../../../src/matching/views.js'
import * as mapPages from '../../../src/impact/map.pages.js'

// A server counts who can serve whom after it listens, a slice at a time between requests (server.ts). Whatever
// is written between slices, the finished count must equal one made afresh, and a page asked before the count is
// done must answer as it does after.
const now = new Date('2026-06-01T04:00:00Z')
const today = listingToday(now)
let district: GeneratedDistrict, dir: string, file: string, sqlite: Sqlite

beforeAll(async () => {
  ;({ dir, file, sqlite } = district = await generatedDistrict('slices', {
    listings: 1200,
    orgs: 40,
    matches: 100,
    seed: 13,
    now,
  }))
}, 60_000)
afterAll(() => district.remove())

const sorted = (f: ServingFacts) => ({
  needs: [...f.needs].sort((a, b) => a.id - b.id),
  offers: [...f.offers].sort((a, b) => a.id - b.id),
})

/** The count made afresh: by a connection that keeps nothing yet, and by the plain recomputation in a transaction. */
function afresh(of = file) {
  const other = openDb(of, ROOT)
  try {
    const kept = sorted(servingFacts(other.db, today))
    const recomputed = sorted(other.sqlite.transaction(() => servingFacts(other.db, today))())
    expect(kept).toEqual(recomputed)
    return kept
  } finally {
    other.sqlite.close()
  }
}

/** Writes of every kind that move a pair in or out, on either connection. */
function writer(seed: number) {
  const rand = prng(seed)
  const id = (s: Sqlite, table: string) => {
    const all = s.prepare(`SELECT id FROM ${table} ORDER BY id`).pluck().all() as number[]
    return all[Math.floor(rand() * all.length)]!
  }
  const writes: ((s: Sqlite) => void)[] = [
    (s) => s.prepare('UPDATE offers SET remaining = 0 WHERE id = ?').run(id(s, 'offers')),
    (s) => s.prepare("UPDATE offers SET status = 'closed' WHERE id = ?").run(id(s, 'offers')),
    (s) => s.prepare("UPDATE needs SET status = 'closed' WHERE id = ?").run(id(s, 'needs')),
    (s) =>
      s
        .prepare(
          `INSERT INTO offers (org_id, category, title, description, quantity, unit, remaining, serves_area_id, min_trust, focus, status, topics, keywords, created_at, updated_at)
      SELECT org_id, category, title || '（二）', description, quantity, unit, quantity, serves_area_id, 'self_declared', '[]', 'open', topics, keywords, created_at, updated_at FROM offers WHERE id = ?`,
        )
        .run(id(s, 'offers')),
    (s) =>
      s
        .prepare(
          `INSERT INTO needs (org_id, category, title, description, quantity, unit, remaining, area_id, place, urgency, status, topics, keywords, created_at, updated_at)
      SELECT org_id, category, title || '（二）', description, quantity, unit, quantity, area_id, place, 'high', 'open', topics, keywords, created_at, updated_at FROM needs WHERE id = ?`,
        )
        .run(id(s, 'needs')),
    (s) =>
      s
        .prepare(
          'UPDATE offers SET topics = (SELECT topics FROM needs WHERE id = ?), keywords = (SELECT keywords FROM needs WHERE id = ?) WHERE id = ?',
        )
        .run(...((from) => [from, from, id(s, 'offers')])(id(s, 'needs'))),
    (s) =>
      s
        .prepare(
          "UPDATE offers SET serves_area_id = (SELECT id FROM areas WHERE level = 'district' LIMIT 1), category = (SELECT category FROM needs WHERE id = ?) WHERE id = ?",
        )
        .run(id(s, 'needs'), id(s, 'offers')),
    (s) =>
      s
        .prepare('UPDATE needs SET area_id = (SELECT area_id FROM needs WHERE id = ?) WHERE id = ?')
        .run(id(s, 'needs'), id(s, 'needs')),
    (s) =>
      s
        .prepare(
          `UPDATE organizations SET focus = CASE WHEN focus = '[]' THEN '["elderly"]' ELSE '["a focus nobody had"]' END WHERE id = (SELECT org_id FROM needs WHERE id = ?)`,
        )
        .run(id(s, 'needs')),
    (s) =>
      s
        .prepare(
          "UPDATE organizations SET trust = CASE trust WHEN 'endorsed' THEN 'self_declared' ELSE 'endorsed' END WHERE id = (SELECT org_id FROM needs WHERE id = ?)",
        )
        .run(id(s, 'needs')),
  ]
  return (...on: Sqlite[]) => writes[Math.floor(rand() * writes.length)]!(on[Math.floor(rand() * on.length)]!)
}

describe('who can serve whom, counted in slices after listening', () => {
  it('through writes between slices, ends equal to a count made afresh', () => {
    // On a copy: this test ends by closing listings.
    sqlite.pragma('wal_checkpoint(TRUNCATE)')
    const copy = path.join(dir, 'copy.sqlite')
    fs.copyFileSync(file, copy)
    const write = writer(5)
    const own = openDb(copy, ROOT),
      other = openDb(copy, ROOT)
    const firstHalf = "('venue', 'funds', 'materials')"
    // Pairs that fit, posted again while the count goes on: the need's copy and the offer's copy fit each other.
    const probe = openDb(copy, ROOT)
    const pairs: [number, number][] = []
    for (const category of ['venue', 'funds', 'materials', 'expertise', 'publicity', 'training', 'volunteers']) {
      const offers = offerIndex(probe.db, category, today)
      for (const n of needIndex(probe.db, category, today).all().slice(0, 30)) {
        const o = offers.fitting(n)[0]
        if (o) pairs.push([n.id, o.id])
      }
    }
    probe.sqlite.close()
    expect(pairs.length).toBeGreaterThan(40)
    const postAgain = (k: number) => {
      const [need, offer] = pairs[(k * 7) % pairs.length]!
      own.sqlite
        .prepare(
          `INSERT INTO needs (org_id, category, title, description, quantity, unit, remaining, area_id, place, urgency, status, topics, keywords, schedule, from_date, until_date, created_at, updated_at)
        SELECT org_id, category, title, description, quantity, unit, remaining, area_id, place, urgency, status, topics, keywords, schedule, from_date, until_date, created_at, updated_at FROM needs WHERE id = ?`,
        )
        .run(need)
      other.sqlite
        .prepare(
          `INSERT INTO offers (org_id, category, title, description, quantity, unit, remaining, serves_area_id, min_trust, focus, status, topics, keywords, schedule, from_date, until_date, created_at, updated_at)
        SELECT org_id, category, title, description, quantity, unit, remaining, serves_area_id, min_trust, focus, status, topics, keywords, schedule, from_date, until_date, created_at, updated_at FROM offers WHERE id = ?`,
        )
        .run(offer)
    }
    try {
      let slices = 0
      // A deadline already past: each slice does the least it can (a few rows read, a few needs counted).
      while (!countServingSome(own.db, today, 0, 7)) {
        if (++slices % 9 === 0) write(own.sqlite, other.sqlite)
        if (slices % 4 === 0) postAgain(slices / 4)
      }
      // Reading and counting took many slices, and writes fell between them while both went on.
      expect(slices).toBeGreaterThan(300)
      expect(sorted(servingFacts(own.db, today))).toEqual(afresh(copy))
      // After the count, writes patch it as before.
      for (let k = 0; k < 8; k++) write(own.sqlite, other.sqlite)
      expect(sorted(servingFacts(own.db, today))).toEqual(afresh(copy))
      // Every pair counted once: with every offer of some categories closed, and every need of the others, no
      // need is left served nor any offer with a place (a pair counted twice would outlive its offer or need).
      own.sqlite.prepare(`UPDATE offers SET status = 'closed' WHERE category IN ${firstHalf}`).run()
      own.sqlite.prepare(`UPDATE needs SET status = 'closed' WHERE category NOT IN ${firstHalf}`).run()
      const after = servingFacts(own.db, today)
      expect(after.needs.length).toBeGreaterThan(50)
      expect(after.offers.length).toBeGreaterThan(50)
      expect(after.needs.filter((n) => n.served)).toEqual([])
      expect(after.offers.filter((o) => o.places.length > 0)).toEqual([])
    } finally {
      own.sqlite.close()
      other.sqlite.close()
    }
  }, 120_000)

  it('a page that asks before the count is done counts what is left and answers as after it', () => {
    const write = writer(8)
    const early = openDb(file, ROOT),
      late = openDb(file, ROOT)
    try {
      for (let k = 0; k < 40; k++) countServingSome(early.db, today, 0, 7)
      for (let k = 0; k < 25; k++) countServingSome(late.db, today, 0, 7)
      write(sqlite)
      write(early.sqlite)
      // Half read, half counted: the map page asks now on one connection; the other finishes in slices first.
      const during = mapPages.page(early.db, {}, 'en', now)
      while (!countServingSome(late.db, today, 0, 7));
      expect(during).toEqual(mapPages.page(late.db, {}, 'en', now))
      expect(sorted(servingFacts(early.db, today))).toEqual(afresh())
    } finally {
      early.sqlite.close()
      late.sqlite.close()
    }
  }, 120_000)

  it('the map and agenda pages wait for a count under way and show what they show after it', async () => {
    const app = await buildApp(testConfig({ dbPath: file }))
    try {
      await app.ready()
      const pages = ['/map', '/map?category=venue', '/map/agenda']
      const counting = countServingInSlices(app.db, { sliceMs: 0, rows: 7 })
      let settled = false
      void counting.then(() => (settled = true))
      const answeredAfterCount: boolean[] = []
      const during = await Promise.all(
        pages.map((url) => app.inject(url).then((res) => (answeredAfterCount.push(settled), res))),
      )
      const figures = await counting
      // The pages were asked at once and answered only once the count, many slices long, was done.
      expect(figures.slices).toBeGreaterThan(20)
      expect(figures.stopped).toBeUndefined()
      expect(answeredAfterCount).toEqual([true, true, true])
      await servingCounted(app.db)
      const after = await Promise.all(pages.map((url) => app.inject(url)))
      for (const [k, url] of pages.entries()) {
        expect(during[k]!.statusCode, url).toBe(200)
        expect(during[k]!.body, url).toBe(after[k]!.body)
      }
      expect(during[0]!.body).toMatch(/class="[^"]*map/)
    } finally {
      await app.close()
    }
  }, 120_000)

  it('stops when the database closes', async () => {
    const own = openDb(file, ROOT)
    const counting = countServingInSlices(own.db, { sliceMs: 0, rows: 7, now: () => now })
    await new Promise((resolve) => setImmediate(resolve))
    own.sqlite.close()
    const figures = await counting
    expect(figures.stopped).toBe('the database closed')
    expect(figures.slices).toBeGreaterThan(0)
  })
})
