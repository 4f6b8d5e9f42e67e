import { beforeAll, afterAll, describe, expect, it, vi } from 'vitest'
import { generatedDistrict, type GeneratedDistrict } from '../../helpers/district.js'
import { ROOT } from '../../../src/config.js'
import { type Db, type Sqlite } from '../../../src/db/client.js'
import { openDb } from '../../../src/database.js'
import { prng } from '../../../bench/lib/generate.js'
import * as matching from '../../../src/matching/matching.js'
import { availableOfferText, listingToday } from '../../../src/listings/listings.js'

// Match pages read candidates, track records and matches received from answers remembered per connection
// (db/memo.ts) until what they were computed from changes. After any mix of writes, a page from a warm connection
// must equal the same page from a connection that remembers nothing; and the top 20 the page shows must be the
// first 20 of the full ranking.
const now = new Date('2026-06-01T04:00:00Z')
let district: GeneratedDistrict, file: string, db: Db, sqlite: Sqlite

beforeAll(async () => {
  ;({ file, db, sqlite } = district = await generatedDistrict('ranking', {
    listings: 1200,
    orgs: 40,
    matches: 400,
    seed: 5,
    now,
  }))
}, 60_000)
afterAll(() => district.remove())

function fresh<T>(read: (db: Db) => T): T {
  const other = openDb(file, ROOT)
  try {
    return read(other.db)
  } finally {
    other.sqlite.close()
  }
}

const ids = (table: string, n: number, rand: () => number) => {
  const all = sqlite.prepare(`SELECT id FROM ${table} ORDER BY id`).pluck().all() as number[]
  return Array.from({ length: n }, () => all[Math.floor(rand() * all.length)]!)
}

describe('match pages from remembered candidates', () => {
  it('equal the pages of a connection that remembers nothing, through random writes', () => {
    const rand = prng(17)
    // Listings with matches to rank, and some without (their why-not), found by a connection that is then closed.
    const ranked = fresh((d) => ({
      needs: ids('needs', 300, rand).filter((id) => (matching.offersForNeed(d, id, { now })?.total ?? 0) > 0),
      offers: ids('offers', 300, rand).filter((id) => (matching.needsForOffer(d, id, { now })?.total ?? 0) > 0),
    }))
    const needs = [...new Set([...ranked.needs.slice(0, 20), ...ids('needs', 10, rand)])]
    const offers = [...new Set([...ranked.offers.slice(0, 20), ...ids('offers', 10, rand)])]
    const pages = (d: Db) => ({
      needs: needs.map((id) => matching.offersForNeed(d, id, { now })),
      offers: offers.map((id) => matching.needsForOffer(d, id, { now })),
    })
    const writes: ((s: Sqlite) => void)[] = [
      (s) =>
        s.prepare('UPDATE offers SET remaining = max(0, remaining - 1) WHERE id = ?').run(ids('offers', 1, rand)[0]),
      (s) => s.prepare("UPDATE offers SET status = 'closed' WHERE id = ?").run(ids('offers', 1, rand)[0]),
      (s) => s.prepare("UPDATE needs SET status = 'closed' WHERE id = ?").run(ids('needs', 1, rand)[0]),
      (s) =>
        s
          .prepare(
            `INSERT INTO offers (org_id, category, title, description, quantity, unit, remaining, serves_area_id, min_trust, focus, status, created_at, updated_at)
        SELECT org_id, category, title || '（二）', description, quantity, unit, quantity, serves_area_id, 'self_declared', '[]', 'open', created_at, updated_at FROM offers WHERE id = ?`,
          )
          .run(ids('offers', 1, rand)[0]),
      (s) =>
        s
          .prepare(
            `INSERT INTO needs (org_id, category, title, description, quantity, unit, remaining, area_id, place, urgency, status, created_at, updated_at)
        SELECT org_id, category, title || '（二）', description, quantity, unit, quantity, area_id, place, 'high', 'open', created_at, updated_at FROM needs WHERE id = ?`,
          )
          .run(ids('needs', 1, rand)[0]),
      (s) =>
        s
          .prepare(
            "UPDATE organizations SET trust = CASE trust WHEN 'endorsed' THEN 'self_declared' ELSE 'endorsed' END WHERE id = (SELECT org_id FROM needs WHERE id = ?)",
          )
          .run(needs[Math.floor(rand() * needs.length)]),
      // A delivery and its rating move the holder's track record; a new acceptance the receiver's matches received.
      (s) =>
        s
          .prepare(
            "UPDATE matches SET state = 'delivered' WHERE id = (SELECT id FROM matches WHERE state = 'accepted' LIMIT 1 OFFSET ?)",
          )
          .run(Math.floor(rand() * 5)),
      (s) =>
        s
          .prepare(
            'UPDATE feedback SET rating = 1 + (rating % 5) WHERE id = (SELECT id FROM feedback LIMIT 1 OFFSET ?)',
          )
          .run(Math.floor(rand() * 5)),
      (s) =>
        s
          .prepare(
            "UPDATE matches SET state = 'accepted' WHERE id = (SELECT id FROM matches WHERE state = 'proposed' LIMIT 1 OFFSET ?)",
          )
          .run(Math.floor(rand() * 5)),
      // Edits the kept views are patched for (views.ts): what a listing is about, where it is, how much is left.
      (s) =>
        s
          .prepare(
            'UPDATE offers SET topics = (SELECT topics FROM offers WHERE id = ?), keywords = (SELECT keywords FROM offers WHERE id = ?) WHERE id = ?',
          )
          .run(...((from, to) => [from, from, to])(ids('offers', 1, rand)[0], ids('offers', 1, rand)[0])),
      (s) =>
        s
          .prepare(
            "UPDATE needs SET topics = CASE WHEN topics = '[]' THEN (SELECT topics FROM needs WHERE id = ?) ELSE '[]' END WHERE id = ?",
          )
          .run(ids('needs', 1, rand)[0], needs[Math.floor(rand() * needs.length)]),
      (s) =>
        s
          .prepare('UPDATE offers SET serves_area_id = (SELECT area_id FROM needs WHERE id = ?) WHERE id = ?')
          .run(needs[Math.floor(rand() * needs.length)], ids('offers', 1, rand)[0]),
      (s) =>
        s
          .prepare('UPDATE needs SET area_id = (SELECT area_id FROM needs WHERE id = ?) WHERE id = ?')
          .run(ids('needs', 1, rand)[0], needs[Math.floor(rand() * needs.length)]),
      (s) =>
        s
          .prepare('UPDATE needs SET remaining = max(1, remaining / 2) WHERE id = ?')
          .run(needs[Math.floor(rand() * needs.length)]),
      (s) =>
        s
          .prepare(
            `UPDATE organizations SET focus = CASE WHEN focus = '[]' THEN '["elderly"]' ELSE '[]' END WHERE id = (SELECT org_id FROM needs WHERE id = ?)`,
          )
          .run(needs[Math.floor(rand() * needs.length)]),
      // Paths: everything is read again.
      (s) =>
        s
          .prepare("UPDATE areas SET name = name || '' WHERE id = (SELECT area_id FROM needs WHERE id = ?)")
          .run(needs[Math.floor(rand() * needs.length)]),
      // Rolled back: nothing of it may show.
      (s) => {
        try {
          s.transaction(() => {
            s.prepare(
              "UPDATE offers SET status = 'closed' WHERE id IN (SELECT id FROM offers ORDER BY id LIMIT 50 OFFSET ?)",
            ).run(Math.floor(rand() * 500))
            throw new Error('rolled back')
          })()
        } catch {
          /* as intended */
        }
      },
      // The log lost entries this connection had not read (pruned while it was idle): read everything again.
      (s) => {
        s.prepare("UPDATE offers SET status = 'closed' WHERE id = ?").run(ids('offers', 1, rand)[0])
        s.prepare('DELETE FROM listing_changes').run()
        s.prepare("UPDATE needs SET status = 'closed' WHERE id = ?").run(ids('needs', 1, rand)[0])
      },
    ]
    // Names of the listings and groups a page shows, kept per kept view (rows.ts): an edit must show on the next page.
    // Drawn apart, so the writes above keep their sequence.
    const pick = prng(29)
    const renames: ((s: Sqlite) => void)[] = [
      (s) => {
        const shown = matching.offersForNeed(db, needs[Math.floor(pick() * needs.length)]!, { now })?.matches ?? []
        for (const m of shown.slice(0, 3))
          s.prepare("UPDATE offers SET title = title || '·' WHERE id = ?").run(m.offer.id)
      },
      (s) => {
        const shown = matching.needsForOffer(db, offers[Math.floor(pick() * offers.length)]!, { now })?.matches ?? []
        for (const m of shown.slice(0, 3))
          s.prepare("UPDATE needs SET title = title || '·' WHERE id = ?").run(m.need.id)
      },
      (s) => {
        const shown = matching.offersForNeed(db, needs[Math.floor(pick() * needs.length)]!, { now })?.matches ?? []
        if (shown[0]) s.prepare("UPDATE organizations SET name = name || '·' WHERE id = ?").run(shown[0].offer.orgId)
      },
    ]
    const named = (table: 'needs' | 'offers') =>
      sqlite.prepare(
        `SELECT ${table}.title, organizations.name FROM ${table} JOIN organizations ON organizations.id = ${table}.org_id WHERE ${table}.id = ?`,
      )
    // Names as the database has them now, whichever connection asked first.
    const namesAreCurrent = (shown: ReturnType<typeof pages>) => {
      let checked = 0
      for (const p of shown.needs)
        for (const m of p?.matches ?? []) {
          expect([m.offer.title, m.offer.orgName]).toEqual(Object.values(named('offers').get(m.offer.id)!))
          checked++
        }
      for (const p of shown.offers)
        for (const m of p?.matches ?? []) {
          expect([m.need.title, m.need.orgName]).toEqual(Object.values(named('needs').get(m.need.id)!))
          checked++
        }
      return checked
    }
    // A need page without matches counts the other categories' offers from the kept views: counted here in SQL.
    const today = listingToday(now)
    let whyNots = 0
    const countedOthers = (d: Db) => {
      for (const id of needs) {
        const page = matching.offersForNeed(d, id, { now })
        if (!page?.whyNot) continue
        whyNots++
        expect(page.whyNot.otherCategories, `need ${id}`).toBe(
          sqlite
            .prepare(`SELECT count(*) FROM offers WHERE category != ? AND ${availableOfferText('offers')}`)
            .pluck()
            .get(page.need.category, today),
        )
      }
    }
    const other = openDb(file, ROOT)
    try {
      expect(pages(db)).toEqual(fresh(pages))
      for (let round = 0; round < 16; round++) {
        // Through this connection or another process's, as a CLI import writes.
        for (let k = 0; k < 3; k++) writes[Math.floor(rand() * writes.length)]!(rand() < 0.5 ? sqlite : other.sqlite)
        renames[round % renames.length]!(pick() < 0.5 ? sqlite : other.sqlite)
        const warm = pages(db)
        expect(warm, `round ${round}`).toEqual(fresh(pages))
        expect(namesAreCurrent(warm)).toBeGreaterThan(0)
        countedOthers(db)
      }
    } finally {
      other.sqlite.close()
    }
    expect(whyNots).toBeGreaterThan(16)
    // The pages were not all empty: rankings were compared, not only why-nots.
    expect(pages(db).needs.filter((p) => p && p.matches.length > 0).length).toBeGreaterThan(5)
    expect(pages(db).offers.filter((p) => p && p.matches.length > 0).length).toBeGreaterThan(5)
  }, 120_000)

  it("inside a transaction, answer who fits from the kept views and the transaction's own writes, keeping none of them", () => {
    const rand = prng(23)
    const needs = [...new Set(ids('needs', 40, rand))],
      offers = [...new Set(ids('offers', 40, rand))]
    const fitting = (d: Db) => ({
      needs: needs.map((id) => matching.offersFitting(d, id, now)),
      offers: offers.map((id) => matching.needsFitting(d, id, now)),
    })
    const before = fitting(db) // views kept and current
    // Writes that move these answers: offers some of the needs fit, needs with fits, an organization with fits.
    const shown = [...new Set(before.needs.flat())]
    const withFits = needs.filter((_, i) => before.needs[i]!.length > 0)
    const [closed, copied, untopical, unfocused] = [shown[0], shown[1], withFits[0], withFits[1]]
    const writes = (s: Sqlite) => {
      s.prepare("UPDATE offers SET status = 'closed' WHERE id = ?").run(closed)
      s.prepare(
        `INSERT INTO offers (org_id, category, title, description, quantity, unit, remaining, serves_area_id, min_trust, focus, status, topics, keywords, created_at, updated_at)
        SELECT org_id, category, title, description, quantity, unit, quantity, serves_area_id, 'self_declared', '[]', 'open', topics, keywords, created_at, updated_at FROM offers WHERE id = ?`,
      ).run(copied)
      s.prepare("UPDATE needs SET topics = '[]' WHERE id = ?").run(untopical)
      s.prepare(
        "UPDATE organizations SET focus = '[]', trust = 'self_declared' WHERE id = (SELECT org_id FROM needs WHERE id = ?)",
      ).run(unfocused)
    }
    let inside: ReturnType<typeof fitting> | undefined
    try {
      sqlite.transaction(() => {
        writes(sqlite)
        inside = fitting(db)
        throw new Error('rolled back')
      })()
    } catch {
      /* as intended */
    }
    // Nothing of the rolled-back writes stayed in the kept views.
    expect(fitting(db)).toEqual(fresh(fitting))
    writes(sqlite)
    expect(inside).toEqual(fresh(fitting))
    expect(inside!.needs.flat().length).toBeGreaterThan(20)
    expect(inside!.needs.flat()).not.toContain(closed)
    expect(inside!.needs.filter((_, i) => needs[i] === untopical || needs[i] === unfocused)).not.toEqual(
      before.needs.filter((_, i) => needs[i] === untopical || needs[i] === unfocused),
    )
  })

  it('are invalidated by what changed: a no-op write, a ref or a touch logs nothing, an edit logs its row', () => {
    const count = () => sqlite.prepare('SELECT count(*) FROM listing_changes').pluck().get() as number
    const id = ids('offers', 1, prng(5))[0]
    const before = count()
    sqlite.prepare('UPDATE offers SET title = title, remaining = remaining WHERE id = ?').run(id)
    sqlite
      .prepare(
        "UPDATE offers SET ref = 'bench-ref-' || id, updated_at = '2026-06-02T00:00:00Z', version = version + 1 WHERE id = ?",
      )
      .run(id)
    expect(count()).toBe(before)
    sqlite.prepare('UPDATE offers SET remaining = remaining + 0, title = title || ? WHERE id = ?').run('（改）', id)
    expect(sqlite.prepare('SELECT kind, id FROM listing_changes ORDER BY seq DESC LIMIT 1').raw().get()).toEqual([
      'offer',
      id,
    ])
    expect(count()).toBe(before + 1)
  })

  it('ask the change log for its entries only once it moved: a page after no write reads its last number alone', () => {
    const statement = Object.getPrototypeOf(sqlite.prepare('SELECT 1')) as { all: (...a: unknown[]) => unknown }
    const all = vi.spyOn(statement, 'all')
    const entriesRead = () =>
      all.mock.contexts.filter((st) => (st as { source: string }).source.includes('FROM listing_changes WHERE seq >'))
        .length
    try {
      const [needId, offerId] = [ids('needs', 1, prng(8))[0]!, ids('offers', 1, prng(8))[0]!]
      matching.offersForNeed(db, needId, { now })
      all.mockClear()
      matching.offersForNeed(db, needId, { now })
      matching.needsForOffer(db, offerId, { now })
      expect(entriesRead()).toBe(0)
      // A logged edit: the next page reads the entry, and answers as a connection that remembers nothing.
      sqlite.prepare('UPDATE offers SET title = title || ? WHERE id = ?').run('（再改）', offerId)
      const page = matching.offersForNeed(db, needId, { now })
      expect(entriesRead()).toBe(1)
      expect(page).toEqual(fresh((d) => matching.offersForNeed(d, needId, { now })))
    } finally {
      all.mockRestore()
    }
  })

  it('show the first 20 of the full ranking', () => {
    const rand = prng(3)
    // Pages score in full only the candidates that could be shown (contenders.ts offerContenders): offers of groups nobody
    // answers for are ranked after the others, each part pruned for what is left of the page.
    let split = 0
    for (const id of new Set(ids('needs', 60, rand))) {
      const full = matching.offersForNeed(db, id, { now, limit: 1_000_000 })!
      for (const limit of [1, 7, 20]) {
        const shown = matching.offersForNeed(db, id, { now, limit })!
        expect(shown.matches).toEqual(full.matches.slice(0, limit))
        expect(shown.total).toBe(full.total)
      }
      const late = full.matches.findIndex((m) => m.offer.unanswered)
      if (late > 0 && late < 20) split++
    }
    expect(split).toBeGreaterThan(0)
    for (const id of new Set(ids('offers', 30, rand))) {
      const full = matching.needsForOffer(db, id, { now, limit: 1_000_000 })!
      for (const limit of [1, 7, 20]) {
        const shown = matching.needsForOffer(db, id, { now, limit })!
        expect(shown.matches).toEqual(full.matches.slice(0, limit))
        expect(shown.total).toBe(full.total)
      }
    }
  })
})
