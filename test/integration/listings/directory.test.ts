import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { populateListings } from '../../../bench/lib/listings.js'
import { ROOT } from '../../../src/config.js'
import { type Db, type Sqlite } from '../../../src/db/client.js'
import { openDb } from '../../../src/database.js'
import { seedDemo } from '../../../src/demo/seed.js'
import { prng } from '../../../bench/lib/generate.js'
import { listingToday } from '../../../src/listings/listings.js'
import * as needQueries from '../../../src/needs/need-queries.js'
import * as offerQueries from '../../../src/offers/offer-queries.js'
import * as directory from '../../../src/listings/directory.js'
import { Tally } from '../../../src/listings/tally.js'

// The list pages filter and sort in memory (listings/directory.ts), patched from the change log. Here every page is
// held to what plain SQL says on the same file — the rules of listings.ts written out as a WHERE and the orders as an
// ORDER BY — on random filters, before and after another connection posts, edits, closes, expires and deletes rows.
let dir: string, file: string, db: Db, sqlite: Sqlite, writer: Database.Database
let areaIds: number[], categories: string[], topicCodes: string[]

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-directory-'))
  file = path.join(dir, 'directory.sqlite')
  const first = openDb(file, ROOT)
  await seedDemo(first.db, { password: 'directory-test-password-1' })
  populateListings(first.db, { listings: 3000, orgs: 100, matches: 50 })
  first.sqlite.close()
  ;({ db, sqlite } = openDb(file, ROOT))
  writer = new Database(file)
  writer.pragma('busy_timeout = 5000')
  areaIds = sqlite.prepare('SELECT id FROM areas ORDER BY id').pluck().all() as number[]
  categories = sqlite.prepare('SELECT code FROM categories ORDER BY code').pluck().all() as string[]
  // Topics on some rows (the generated ones have none), so the topic filter has something to find.
  const rand = prng(3)
  topicCodes = ['t_one', 't_two', 't_three']
  const tag = writer.prepare('UPDATE needs SET topics = ? WHERE id = ?')
  const tagOffer = writer.prepare('UPDATE offers SET topics = ? WHERE id = ?')
  writer.transaction(() => {
    for (const id of writer.prepare('SELECT id FROM needs').pluck().all() as number[])
      if (rand() < 0.3) tag.run(JSON.stringify([topicCodes[Math.floor(rand() * 3)]]), id)
    for (const id of writer.prepare('SELECT id FROM offers').pluck().all() as number[])
      if (rand() < 0.3) tagOffer.run(JSON.stringify([topicCodes[Math.floor(rand() * 3)]]), id)
  })()
}, 120_000)
afterAll(() => {
  writer?.close()
  sqlite?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const subtree = (id: number) =>
  sqlite
    .prepare("SELECT id FROM areas WHERE path LIKE (SELECT path FROM areas WHERE id = ?) || '%'")
    .pluck()
    .all(id) as number[]
const ancestors = (id: number) =>
  (sqlite.prepare('SELECT path FROM areas WHERE id = ?').pluck().get(id) as string)
    .split('/')
    .filter(Boolean)
    .map(Number)

/** The page by plain SQL: WHERE from the rules, ORDER BY the list's order. */
function expected(kind: 'need' | 'offer', q: Record<string, any>, today: string) {
  const t = kind === 'need' ? 'needs' : 'offers'
  const area = kind === 'need' ? 'area_id' : 'serves_area_id'
  const cur = `(expires_at IS NULL OR expires_at >= '${today}') AND (until_date IS NULL OR until_date >= '${today}')`
  const active =
    kind === 'need' ? `status IN ('open', 'partly_met') AND remaining > 0 AND ${cur}` : `status = 'open' AND ${cur}`
  const status = q.status ?? 'active'
  const where = [
    status === 'active'
      ? active
      : status === 'expired'
        ? `(status = 'expired' OR (status IN (${kind === 'need' ? "'open', 'partly_met'" : "'open'"}) AND expires_at < '${today}'))`
        : kind === 'need' && (status === 'open' || status === 'partly_met')
          ? `status = '${status}' AND ${cur}`
          : `status = '${status}'`,
  ]
  if (q.category) where.push(`category = '${q.category}'`)
  if (q.area)
    where.push(
      `${area} IN (${[...new Set([...subtree(q.area), ...(kind === 'offer' ? ancestors(q.area) : [])])].join(',') || 'NULL'})`,
    )
  if (q.urgency) where.push(`urgency = '${q.urgency}'`)
  if (q.topic) where.push(`EXISTS (SELECT 1 FROM json_each(${t}.topics) WHERE value = '${q.topic}')`)
  const order: Record<string, string> = {
    newest: 'created_at DESC, id DESC',
    deadline: 'expires_at IS NULL, expires_at ASC, id ASC',
    urgency: "CASE urgency WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END DESC, created_at DESC, id DESC",
    capacity: 'remaining DESC, id DESC',
  }
  const sql = `FROM ${t} WHERE ${where.join(' AND ')}`
  const page = q.page ?? 1
  return {
    ids: sqlite
      .prepare(`SELECT id ${sql} ORDER BY ${order[q.sort ?? 'newest']} LIMIT 20 OFFSET ${(page - 1) * 20}`)
      .pluck()
      .all() as number[],
    total: sqlite.prepare(`SELECT count(*) ${sql}`).pluck().get() as number,
  }
}

function randomQuery(rand: () => number, kind: 'need' | 'offer') {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!
  const q: Record<string, any> = {
    sort: pick(kind === 'need' ? needQueries.SORTS : offerQueries.SORTS),
    page: 1 + Math.floor(rand() * 4),
  }
  if (rand() < 0.5) q.category = pick(categories)
  if (rand() < 0.5) q.area = pick(areaIds)
  if (rand() < 0.3) q.status = pick(kind === 'need' ? needQueries.STATUS_FILTERS : offerQueries.STATUS_FILTERS)
  if (kind === 'need' && rand() < 0.2) q.urgency = pick(['high', 'normal', 'low'])
  if (rand() < 0.15) q.topic = pick(topicCodes)
  return q
}

function compareMany(seed: number, n: number) {
  const rand = prng(seed)
  const today = listingToday(new Date())
  for (let k = 0; k < n; k++) {
    const kind = k % 2 ? 'offer' : 'need'
    const q = randomQuery(rand, kind)
    const got = kind === 'need' ? needQueries.list(db, q) : offerQueries.list(db, q)
    const want = expected(kind, q, today)
    expect({ ids: got.items.map((i) => i.id), total: got.total }, `${kind} ${JSON.stringify(q)}`).toEqual(want)
  }
}

/** `count` writes of every kind another connection makes: posts, edits, closes, expiries and deletions. */
function randomWrites(rand: () => number, count: number) {
  const today = listingToday(new Date())
  const yesterday = listingToday(new Date(Date.now() - 86_400_000))
  const needIds = () => writer.prepare('SELECT id FROM needs').pluck().all() as number[]
  const offerIds = () => writer.prepare('SELECT id FROM offers').pluck().all() as number[]
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!
  writer.transaction(() => {
    for (let w = 0; w < count; w++) {
      const id = pick(needIds()),
        oid = pick(offerIds())
      switch (w % 8) {
        case 0:
          writer
            .prepare(
              "UPDATE needs SET remaining = max(0, remaining - 1), status = CASE WHEN remaining <= 1 THEN 'met' ELSE status END WHERE id = ?",
            )
            .run(id)
          break
        case 1:
          writer.prepare("UPDATE needs SET status = 'closed' WHERE id = ?").run(id)
          break
        case 2:
          writer.prepare('UPDATE needs SET expires_at = ? WHERE id = ?').run(rand() < 0.5 ? yesterday : null, id)
          break
        case 3:
          writer
            .prepare('UPDATE needs SET category = ?, urgency = ?, area_id = ? WHERE id = ?')
            .run(pick(categories), pick(['high', 'low']), pick(areaIds.slice(1)), id)
          break
        case 4:
          writer
            .prepare(
              `INSERT INTO needs (org_id, category, title, description, quantity, unit, remaining, area_id, place, urgency, expires_at, status, created_at, updated_at, topics)
          SELECT org_id, category, title || ' again', description, quantity, unit, quantity, area_id, place, 'high', ?, 'open', ?, ?, ? FROM needs WHERE id = ?`,
            )
            .run(
              today,
              new Date(Date.now() + w).toISOString(),
              new Date().toISOString(),
              JSON.stringify([pick(topicCodes)]),
              id,
            )
          break
        case 5:
          writer
            .prepare('UPDATE offers SET remaining = min(quantity, ?), serves_area_id = ? WHERE id = ?')
            .run(1 + Math.floor(rand() * 50), pick(areaIds), oid)
          break
        case 6:
          writer
            .prepare("UPDATE offers SET status = 'closed', closed_at = ? WHERE id = ?")
            .run(new Date().toISOString(), oid)
          break
        case 7: {
          const free = writer
            .prepare('SELECT id FROM offers WHERE id NOT IN (SELECT offer_id FROM matches) ORDER BY random() LIMIT 1')
            .pluck()
            .get() as number | undefined
          if (free) writer.prepare('DELETE FROM offers WHERE id = ?').run(free)
          break
        }
      }
    }
  })()
}

describe('list pages from the directory', () => {
  it('equal plain SQL on random filters, orders, statuses and pages', () => {
    compareMany(1, 300)
  })

  it('still equal after another connection posts, edits, closes, expires and deletes listings', () => {
    const rand = prng(9)
    const today = listingToday(new Date())
    // The same filters every round, so their kept totals (adjusted by each write, never counted again) are held to SQL.
    const again = prng(5)
    const fixed = Array.from(
      { length: 40 },
      (_, k) => [k % 2 ? 'offer' : 'need', randomQuery(again, k % 2 ? 'offer' : 'need')] as const,
    )
    for (let round = 0; round < 6; round++) {
      randomWrites(rand, 15)
      compareMany(100 + round, 60)
      for (const [kind, q] of fixed) {
        const got = kind === 'need' ? needQueries.list(db, q) : offerQueries.list(db, q)
        expect({ ids: got.items.map((i) => i.id), total: got.total }, `${kind} ${JSON.stringify(q)}`).toEqual(
          expected(kind, q, today),
        )
      }
      // A ref given alone (an export naming rows) is not in the change log: a ref filter still finds the row.
      const named = writer
        .prepare(
          "SELECT id FROM needs WHERE status = 'open' AND remaining > 0 AND (expires_at IS NULL OR expires_at >= ?) AND (until_date IS NULL OR until_date >= ?) ORDER BY id LIMIT 1 OFFSET ?",
        )
        .pluck()
        .get(today, today, round) as number
      writer.prepare('UPDATE needs SET ref = ? WHERE id = ?').run(`directory-ref-${round}`, named)
      expect(needQueries.list(db, { ref: `directory-ref-${round}` }).items.map((i) => i.id)).toEqual([named])
    }
  })

  // Totals are summed from each listing's sort as of a day (tally.ts): a later day, and needs still open with nothing
  // remaining, must come out as SQL says.
  it('still equal on a later day, with listings expiring before it and open needs with nothing remaining', () => {
    const today = listingToday(new Date())
    const later = new Date(Date.now() + 3 * 86_400_000)
    writer.transaction(() => {
      const open = writer.prepare("SELECT id FROM needs WHERE status = 'open' ORDER BY id LIMIT 90").pluck().all()
      for (const [k, id] of open.entries()) {
        if (k % 2) writer.prepare('UPDATE needs SET remaining = 0 WHERE id = ?').run(id)
        else writer.prepare('UPDATE needs SET expires_at = ? WHERE id = ?').run(today, id)
      }
      writer
        .prepare("UPDATE offers SET expires_at = ? WHERE id IN (SELECT id FROM offers WHERE status = 'open' LIMIT 60)")
        .run(today)
    })()
    const rand = prng(41)
    for (const when of [new Date(), later, new Date()]) {
      for (let k = 0; k < 80; k++) {
        const kind = k % 2 ? 'offer' : 'need'
        const q = randomQuery(rand, kind)
        const got = kind === 'need' ? needQueries.list(db, q, when) : offerQueries.list(db, q, when)
        expect({ ids: got.items.map((i) => i.id), total: got.total }, `${kind} ${JSON.stringify(q)}`).toEqual(
          expected(kind, q, listingToday(when)),
        )
      }
    }
  })

  // keeps (a list page with a query tests each listing its words match) finds slots by id in an array up to 2^23, in
  // the Map beyond.
  it('keeps tests listings by id, small or beyond the id array, as they come and go', () => {
    const today = listingToday(new Date())
    const copy = writer.prepare(
      `INSERT INTO needs (id, org_id, category, title, description, quantity, unit, remaining, area_id, place, urgency, expires_at, status, created_at, updated_at)
       SELECT ?, org_id, category, title, description, quantity, unit, quantity, area_id, place, urgency, NULL, 'open', created_at, updated_at FROM needs WHERE id = ?`,
    )
    const model = writer
      .prepare(
        "SELECT id FROM needs WHERE status = 'open' AND remaining > 0 AND (until_date IS NULL OR until_date >= ?) LIMIT 1",
      )
      .pluck()
      .get(today) as number
    const near = (writer.prepare('SELECT max(id) FROM needs').pluck().get() as number) + 1
    const far = 9_000_001
    for (const id of [near, far, far + 1]) copy.run(id, model)
    const active = (id: number) => directory.keeps(sqlite, 'need', { today })(id)
    expect([near, far, far + 1, far + 2, model, 8_388_607].map(active)).toEqual([true, true, true, false, true, false])
    writer.prepare("UPDATE needs SET status = 'closed' WHERE id IN (?, ?)").run(far, model)
    writer.prepare('DELETE FROM needs WHERE id IN (?, ?)').run(near, far + 1)
    expect([near, far, far + 1, model].map(active)).toEqual([false, false, false, false])
  })

  it('read in slices with writes between them, as a server warms it after listening, still equals plain SQL', () => {
    const rand = prng(21)
    directory.forget(sqlite)
    let slices = 0
    // A deadline already past: one chunk of 97 rows (or one order's sort) per slice.
    while (!directory.warmSome(sqlite, 0, 97)) if (++slices % 4 === 0) randomWrites(rand, 3)
    expect(slices).toBeGreaterThan(30)
    randomWrites(rand, 8)
    compareMany(300, 120)

    // A page asked before the directory is whole reads the rest itself.
    directory.forget(sqlite)
    for (let k = 0; k < 12; k++) expect(directory.warmSome(sqlite, 0, 97)).toBe(false)
    randomWrites(rand, 8)
    compareMany(301, 60)
    expect(directory.warmSome(sqlite, 0, 97)).toBe(true)
  })

  it("makes the day's tallies while warming, so the first list pages after a restart count nothing", () => {
    directory.forget(sqlite)
    while (!directory.warmSome(sqlite, 0, 5000));
    const added = vi.spyOn(Tally.prototype, 'add')
    try {
      for (const q of [{}, { category: categories[0] }, { area: areaIds[1], status: 'open' as const }])
        expect(needQueries.list(db, q).total).toBe(expected('need', q, listingToday(new Date())).total)
      expect(offerQueries.list(db, { sort: 'capacity' }).total).toBe(
        expected('offer', {}, listingToday(new Date())).total,
      )
      expect(added).not.toHaveBeenCalled()
    } finally {
      added.mockRestore()
    }
  })
})
