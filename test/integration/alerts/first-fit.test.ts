import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generatedDistrict, type GeneratedDistrict } from '../../helpers/district.js'
import { prng } from '../../../bench/lib/generate.js'
import { ROOT } from '../../../src/config.js'
import { type Db, type Sqlite } from '../../../src/db/client.js'
import { openDb } from '../../../src/database.js'
import { countServing } from '../../../src/matching/serving-facts.js'
import { firstFitFor, fittingAmong, needsFitting, offersFitting } from '../../../src/matching/matching.js'

// The new-fit alerts tell a listing's group of the first fit it ever had. firstFitFor finds those listings by stopping at
// each counterpart's first other fit (the serving tally's witness when one is kept), where the alerts used to list every
// fit of every counterpart (12 s for one offer at 100k listings). Its answer must be what listing them all gives: on a
// connection that keeps nothing, on one whose tally is counted, and inside a transaction after writes it has not seen.
const now = new Date('2026-06-01T04:00:00Z')
let district: GeneratedDistrict, file: string, db: Db, sqlite: Sqlite

beforeAll(async () => {
  ;({ file, db, sqlite } = district = await generatedDistrict('first-fit', {
    listings: 1200,
    orgs: 30,
    matches: 150,
    seed: 17,
    now,
  }))
}, 60_000)
afterAll(() => district.remove())

type Side = 'need' | 'offer'
/**
 * Which listings were "there before": fixed pseudo-random sets, so that both answers see the same; most needs and a
 * quarter of the offers, so that a new offer is often a need's first fit and a new need seldom an offer's.
 */
const before = (side: Side, id: number) =>
  Math.imul(id, side === 'need' ? 0x9e3779b1 : 0x85ebca6b) >>> 29 < (side === 'need' ? 7 : 2)

/** The definition, listed out: every counterpart fitting the listing, kept only when no other `before` listing fits it. */
function listedOut(d: Db, side: Side, id: number): number[] {
  const other: Side = side === 'offer' ? 'need' : 'offer'
  const fits = side === 'offer' ? needsFitting(d, id, now) : offersFitting(d, id, now)
  return fits
    .filter((x) => before(other, x))
    .filter((x) =>
      (side === 'offer' ? offersFitting(d, x, now) : needsFitting(d, x, now)).every(
        (y) => y === id || !before(side, y),
      ),
    )
}

function sample(s: Sqlite, seed: number, n: number): [Side, number][] {
  const rand = prng(seed)
  const needIds = s
    .prepare("SELECT id FROM needs WHERE status IN ('open', 'partly_met') ORDER BY id")
    .pluck()
    .all() as number[]
  const offerIds = s.prepare("SELECT id FROM offers WHERE status = 'open' ORDER BY id").pluck().all() as number[]
  return Array.from({ length: n }, (_, i): [Side, number] =>
    i % 2
      ? ['need', needIds[Math.floor(rand() * needIds.length)]!]
      : ['offer', offerIds[Math.floor(rand() * offerIds.length)]!],
  )
}

describe('first fits for the new-fit alerts', () => {
  it('equal every fit listed out, on a connection that keeps nothing and on one whose tally is counted', () => {
    const picked = sample(sqlite, 5, 200)
    const expected = picked.map(([side, id]) => listedOut(db, side, id))
    // Some listings must be a first fit and some counterparts ruled out by another fit, or the comparison proves little.
    const firsts = expected.reduce((n, e) => n + e.length, 0)
    const counterparts = picked.reduce(
      (n, [side, id]) =>
        n +
        (side === 'offer' ? needsFitting(db, id, now) : offersFitting(db, id, now)).filter((x) =>
          before(side === 'offer' ? 'need' : 'offer', x),
        ).length,
      0,
    )
    expect(firsts).toBeGreaterThan(10)
    expect(counterparts).toBeGreaterThan(firsts + 10)

    const fresh = openDb(file, ROOT)
    try {
      expect(picked.map(([side, id]) => firstFitFor(fresh.db, side, id, before, now))).toEqual(expected)
    } finally {
      fresh.sqlite.close()
    }
    const counted = openDb(file, ROOT)
    try {
      countServing(counted.db, now)
      expect(picked.map(([side, id]) => firstFitFor(counted.db, side, id, before, now))).toEqual(expected)
    } finally {
      counted.sqlite.close()
    }
  })

  it('inside a transaction, after writes the kept views and the tally have not seen, as the alerts job runs it', () => {
    const other = openDb(file, ROOT)
    try {
      countServing(other.db, now)
      const rand = prng(11)
      const pick = (table: string) => {
        const all = sqlite
          .prepare(`SELECT id FROM ${table} WHERE status IN ('open', 'partly_met') ORDER BY id`)
          .pluck()
          .all() as number[]
        return all[Math.floor(rand() * all.length)]!
      }
      let firsts = 0
      for (let round = 0; round < 3; round++) {
        // Writes through the first connection, unseen by the other until it next reads: the witnesses they remove,
        // new listings that fit, closed and emptied ones.
        for (let w = 0; w < 25; w++) {
          const r = rand()
          if (r < 0.25) sqlite.prepare("UPDATE offers SET status = 'closed' WHERE id = ?").run(pick('offers'))
          else if (r < 0.45) sqlite.prepare('UPDATE offers SET remaining = 0 WHERE id = ?').run(pick('offers'))
          else if (r < 0.6) sqlite.prepare("UPDATE needs SET status = 'closed' WHERE id = ?").run(pick('needs'))
          else if (r < 0.8)
            sqlite
              .prepare(
                `INSERT INTO offers (org_id, category, title, description, quantity, unit, remaining, serves_area_id, min_trust, focus, status, topics, keywords, created_at, updated_at)
                 SELECT org_id, category, title || '（二）', description, quantity, unit, quantity, serves_area_id, 'self_declared', '[]', 'open', topics, keywords, created_at, updated_at FROM offers WHERE id = ?`,
              )
              .run(pick('offers'))
          else
            sqlite
              .prepare(
                `INSERT INTO needs (org_id, category, title, description, quantity, unit, remaining, area_id, place, urgency, status, topics, keywords, created_at, updated_at)
                 SELECT org_id, category, title || '（二）', description, quantity, unit, quantity, area_id, place, 'high', 'open', topics, keywords, created_at, updated_at FROM needs WHERE id = ?`,
              )
              .run(pick('needs'))
        }
        const picked = sample(sqlite, 100 + round, 80)
        const inTx = other.sqlite.transaction(() => ({
          found: picked.map(([side, id]) => firstFitFor(other.db, side, id, before, now)),
          listed: picked.map(([side, id]) => listedOut(other.db, side, id)),
        }))()
        expect(inTx.found).toEqual(inTx.listed)
        firsts += inTx.found.reduce((n, f) => n + f.length, 0)
        // And what a connection that keeps nothing lists out, outside any transaction.
        expect(inTx.found).toEqual(picked.map(([side, id]) => listedOut(db, side, id)))
        // The kept views catch up outside the transaction and still agree.
        expect(picked.map(([side, id]) => firstFitFor(other.db, side, id, before, now))).toEqual(inTx.listed)
      }
      expect(firsts).toBeGreaterThan(3)
    } finally {
      other.sqlite.close()
    }
  })
})

// A signed-in visitor's "what of ours could help" (share.ts help) asks which of their group's listings fit the page's
// listing, checking those few instead of listing every fit: the same answer as every fit kept to them.
describe('fits among a few listings', () => {
  it('equal every fit listed out and kept to those listings, on both sides, closed and other categories among them', () => {
    const rand = prng(23)
    const all = {
      need: sqlite.prepare('SELECT id FROM needs ORDER BY id').pluck().all() as number[],
      offer: sqlite.prepare('SELECT id FROM offers ORDER BY id').pluck().all() as number[],
    }
    let found = 0
    for (const [side, id] of sample(sqlite, 29, 60)) {
      const fits = side === 'offer' ? needsFitting(db, id, now) : offersFitting(db, id, now)
      const other = all[side === 'offer' ? 'need' : 'offer']
      // Half of them fits, half anything of the other side (any status, any category).
      const among = [
        ...fits.filter(() => rand() < 0.5),
        ...Array.from({ length: 12 }, () => other[Math.floor(rand() * other.length)]!),
      ].sort((a, b) => a - b)
      const fitting = fittingAmong(db, side, id, [...new Set(among)], now)
      expect(fitting).toEqual([...new Set(among)].filter((x) => fits.includes(x)))
      found += fitting.length
    }
    expect(found).toBeGreaterThan(20)
  })
})
