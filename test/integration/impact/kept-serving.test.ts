import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generatedDistrict, type GeneratedDistrict } from '../../helpers/district.js'
import { ROOT } from '../../../src/config.js'
import { type Db, type Sqlite } from '../../../src/db/client.js'
import { openDb } from '../../../src/database.js'
import { activeNeedText, availableOfferText, listingToday } from '../../../src/listings/listings.js'
import { prng } from '../../../bench/lib/generate.js'
import { countServing, servingFacts, type ServingFacts } from '../../../src/matching/serving-facts.js'
import * as mapPages from '../../../src/impact/map.pages.js'
import { IDLE_AFTER_DAYS } from '../../../src/impact/gaps.js'
import { idleOffers } from '../../../src/impact/idle.js'

// The map, the agenda and the desk ask who can serve whom (servingFacts) of counts kept beside the match pages'
// views and patched for each listing a write touches. After any mix of writes, from this connection or another
// process, the kept answer must equal the answer worked out afresh: by a connection that keeps nothing yet, and
// by the plain recomputation a transaction makes.
const now = new Date('2026-06-01T04:00:00Z')
const today = listingToday(now)
let district: GeneratedDistrict, file: string, db: Db, sqlite: Sqlite

beforeAll(async () => {
  ;({ file, db, sqlite } = district = await generatedDistrict('serving', {
    listings: 1400,
    orgs: 40,
    matches: 200,
    seed: 9,
    now,
  }))
}, 60_000)
afterAll(() => district.remove())

const sorted = (f: ServingFacts) => ({
  needs: [...f.needs].sort((a, b) => a.id - b.id),
  offers: [...f.offers].sort((a, b) => a.id - b.id),
})

function afresh(): { kept: ReturnType<typeof sorted>; recomputed: ReturnType<typeof sorted> } {
  const other = openDb(file, ROOT)
  try {
    return {
      kept: sorted(servingFacts(other.db, today)),
      recomputed: sorted(other.sqlite.transaction(() => servingFacts(other.db, today))()),
    }
  } finally {
    other.sqlite.close()
  }
}

describe('who can serve whom, kept across writes', () => {
  it('is counted before a server listens: the first map page answers from that count, equal to a fresh one', () => {
    const other = openDb(file, ROOT)
    try {
      const counted = countServing(other.db, now)
      expect(servingFacts(other.db, today)).toBe(counted)
      expect(sorted(counted)).toEqual(afresh().recomputed)
    } finally {
      other.sqlite.close()
    }
  })

  it('equals the answer worked out afresh, through random writes of every kind', () => {
    const rand = prng(31)
    const ids = (table: string) => {
      const all = sqlite.prepare(`SELECT id FROM ${table} ORDER BY id`).pluck().all() as number[]
      return all[Math.floor(rand() * all.length)]!
    }
    const served = (f: ServingFacts) => f.needs.filter((n) => n.served).map((n) => n.id)
    const writes: ((s: Sqlite) => void)[] = [
      (s) => s.prepare('UPDATE offers SET remaining = max(0, remaining - 1) WHERE id = ?').run(ids('offers')),
      (s) => s.prepare('UPDATE offers SET remaining = 0 WHERE id = ?').run(ids('offers')),
      (s) => s.prepare("UPDATE offers SET status = 'closed' WHERE id = ?").run(ids('offers')),
      (s) => s.prepare("UPDATE needs SET status = 'closed' WHERE id = ?").run(ids('needs')),
      (s) => s.prepare('UPDATE needs SET remaining = max(1, remaining / 2) WHERE id = ?').run(ids('needs')),
      (s) =>
        s
          .prepare(
            `INSERT INTO offers (org_id, category, title, description, quantity, unit, remaining, serves_area_id, min_trust, focus, status, topics, keywords, created_at, updated_at)
        SELECT org_id, category, title || '（二）', description, quantity, unit, quantity, serves_area_id, 'self_declared', '[]', 'open', topics, keywords, created_at, updated_at FROM offers WHERE id = ?`,
          )
          .run(ids('offers')),
      (s) =>
        s
          .prepare(
            `INSERT INTO needs (org_id, category, title, description, quantity, unit, remaining, area_id, place, urgency, status, topics, keywords, created_at, updated_at)
        SELECT org_id, category, title || '（二）', description, quantity, unit, quantity, area_id, place, 'high', 'open', topics, keywords, created_at, updated_at FROM needs WHERE id = ?`,
          )
          .run(ids('needs')),
      // What a listing is about, where it is or serves, when: the edits that move a pair in or out.
      (s) =>
        s
          .prepare(
            'UPDATE offers SET topics = (SELECT topics FROM needs WHERE id = ?), keywords = (SELECT keywords FROM needs WHERE id = ?) WHERE id = ?',
          )
          .run(...((from) => [from, from, ids('offers')])(ids('needs'))),
      (s) =>
        s
          .prepare(
            "UPDATE needs SET topics = CASE WHEN topics = '[]' THEN (SELECT topics FROM offers WHERE id = ?) ELSE '[]' END WHERE id = ?",
          )
          .run(ids('offers'), ids('needs')),
      (s) =>
        s
          .prepare('UPDATE offers SET serves_area_id = (SELECT area_id FROM needs WHERE id = ?) WHERE id = ?')
          .run(ids('needs'), ids('offers')),
      (s) =>
        s
          .prepare(
            "UPDATE offers SET serves_area_id = (SELECT id FROM areas WHERE level = 'district' LIMIT 1), category = (SELECT category FROM needs WHERE id = ?) WHERE id = ?",
          )
          .run(ids('needs'), ids('offers')),
      (s) =>
        s
          .prepare('UPDATE needs SET area_id = (SELECT area_id FROM needs WHERE id = ?) WHERE id = ?')
          .run(ids('needs'), ids('needs')),
      (s) =>
        s
          .prepare(
            'UPDATE needs SET schedule = (SELECT schedule FROM offers WHERE id = ?), from_date = NULL, until_date = NULL WHERE id = ?',
          )
          .run(ids('offers'), ids('needs')),
      (s) => s.prepare("UPDATE needs SET until_date = '2026-05-01' WHERE id = ?").run(ids('needs')),
      (s) => s.prepare("UPDATE offers SET min_trust = 'endorsed' WHERE id = ?").run(ids('offers')),
      (s) =>
        s
          .prepare('DELETE FROM needs WHERE id = ? AND NOT EXISTS (SELECT 1 FROM matches WHERE need_id = needs.id)')
          .run(ids('needs')),
      // An organization's trust and focus decide which offers its needs may take.
      (s) =>
        s
          .prepare(
            "UPDATE organizations SET trust = CASE trust WHEN 'endorsed' THEN 'self_declared' ELSE 'endorsed' END WHERE id = (SELECT org_id FROM needs WHERE id = ?)",
          )
          .run(ids('needs')),
      (s) =>
        s
          .prepare(
            `UPDATE organizations SET focus = CASE WHEN focus = '[]' THEN '["elderly"]' ELSE '[]' END WHERE id = (SELECT org_id FROM needs WHERE id = ?)`,
          )
          .run(ids('needs')),
      // Areas: a rename and a new community move no listing; a community moved to another street moves many.
      (s) =>
        s
          .prepare("UPDATE areas SET name = name || '·' WHERE id = (SELECT area_id FROM needs WHERE id = ?)")
          .run(ids('needs')),
      (s) =>
        s
          .prepare(
            `INSERT INTO areas (parent_id, level, name, path, created_at) SELECT id, 'community', '新社区' || abs(random() % 100000), path, created_at
        FROM areas WHERE level = 'street' LIMIT 1`,
          )
          .run(),
      // Rolled back: nothing of it may stay.
      (s) => {
        try {
          s.transaction(() => {
            s.prepare(
              "UPDATE offers SET status = 'closed' WHERE id IN (SELECT id FROM offers ORDER BY id LIMIT 60 OFFSET ?)",
            ).run(Math.floor(rand() * 500))
            s.prepare('UPDATE needs SET remaining = 1 WHERE id = ?').run(ids('needs'))
            throw new Error('rolled back')
          })()
        } catch {
          /* as intended */
        }
      },
      // The log lost entries this connection had not read (pruned while it was idle): everything is read again.
      (s) => {
        s.prepare("UPDATE offers SET status = 'closed' WHERE id = ?").run(ids('offers'))
        s.prepare('DELETE FROM listing_changes').run()
        s.prepare("UPDATE needs SET status = 'closed' WHERE id = ?").run(ids('needs'))
      },
    ]
    const other = openDb(file, ROOT)
    try {
      const first = sorted(servingFacts(db, today))
      expect(first).toEqual(afresh().kept)
      expect(first).toEqual(afresh().recomputed)
      const before = served(first)
      for (let round = 0; round < 14; round++) {
        for (let k = 0; k < 4; k++) writes[Math.floor(rand() * writes.length)]!(rand() < 0.5 ? sqlite : other.sqlite)
        const got = sorted(servingFacts(db, today))
        const want = afresh()
        expect(got, `round ${round}`).toEqual(want.kept)
        expect(got, `round ${round}`).toEqual(want.recomputed)
      }
      // The writes moved the answer, and both kinds of need were compared.
      const after = servingFacts(db, today)
      expect(served(after)).not.toEqual(before)
      expect(after.needs.filter((n) => n.served).length).toBeGreaterThan(50)
      expect(after.needs.filter((n) => !n.served).length).toBeGreaterThan(10)
    } finally {
      other.sqlite.close()
    }
  }, 120_000)

  it('on another day, drops the listings that ended and takes back those that had not yet, as a fresh connection does', () => {
    const active = (day: string) =>
      (sqlite.prepare(`SELECT count(*) FROM offers WHERE ${availableOfferText()}`).pluck().get(day) as number) +
      (sqlite.prepare(`SELECT count(*) FROM needs WHERE ${activeNeedText()}`).pluck().get(day) as number)
    const days = ['2026-06-20', '2026-08-15', '2026-07-01', today]
    // The days chosen do end listings (and the last one brings them back).
    expect(active(days[1]!)).toBeLessThan(active(days[0]!) - 20)
    servingFacts(db, today)
    for (const day of days) {
      const other = openDb(file, ROOT)
      try {
        expect(sorted(servingFacts(db, day)), day).toEqual(sorted(servingFacts(other.db, day)))
        expect(servingFacts(db, day).needs.length + servingFacts(db, day).offers.length, day).toBe(active(day))
      } finally {
        other.sqlite.close()
      }
    }
  })

  it("idle offers: the longest idle, the reader's own first, as the definition in plain SQL gives them", () => {
    // Some offers used lately, some long ago: an offer used long ago is idle again.
    sqlite
      .prepare(
        `UPDATE matches SET state = 'accepted', accepted_at = ?, delivered_at = NULL
      WHERE id IN (SELECT id FROM matches ORDER BY id LIMIT 60)`,
      )
      .run(new Date(now.getTime() - 2 * 86_400_000).toISOString())
    sqlite
      .prepare(
        `UPDATE matches SET state = 'delivered', delivered_at = '2025-01-01T00:00:00.000Z'
      WHERE id IN (SELECT id FROM matches ORDER BY id LIMIT 40 OFFSET 60)`,
      )
      .run()
    const cutoff = new Date(now.getTime() - IDLE_AFTER_DAYS * 86_400_000).toISOString()
    const since = `max(offers.created_at, coalesce((SELECT max(coalesce(matches.delivered_at, matches.accepted_at, matches.updated_at)) FROM matches
      WHERE matches.offer_id = offers.id AND matches.state IN ('accepted', 'delivered', 'reviewed')), offers.created_at))`
    const streets = sqlite
      .prepare("SELECT id FROM areas WHERE level IN ('street', 'community') ORDER BY id")
      .pluck()
      .all() as number[]
    for (const within of [[], streets.slice(0, 2), streets.slice(3, 6)]) {
      const mine = within.length ? `offers.serves_area_id IN (${within.join(', ')}) DESC, ` : ''
      const want = sqlite
        .prepare(
          `SELECT id FROM offers WHERE ${availableOfferText()} AND ${since} <= ? ORDER BY ${mine}${since} ASC, id ASC LIMIT 60`,
        )
        .pluck()
        .all(today, cutoff) as number[]
      const total = sqlite
        .prepare(`SELECT count(*) FROM offers WHERE ${availableOfferText()} AND ${since} <= ?`)
        .pluck()
        .get(today, cutoff) as number
      const got = idleOffers(db, now, within, 60)
      expect(got.total).toBe(total)
      // idle() orders the page by days idle; the set shown and each one's last use are the query's.
      expect(got.list.map((o) => o.id).sort((a, b) => a - b)).toEqual([...want].sort((a, b) => a - b))
      expect(idleOffers(db, now, [], 60, within.length ? within : undefined).total).toBe(
        within.length
          ? sqlite
              .prepare(
                `SELECT count(*) FROM offers WHERE ${availableOfferText()} AND ${since} <= ? AND serves_area_id IN (${within.join(', ')})`,
              )
              .pluck()
              .get(today, cutoff)
          : total,
      )
    }
    expect(
      sqlite
        .prepare(`SELECT count(*) FROM offers WHERE ${availableOfferText()} AND ${since} > ?`)
        .pluck()
        .get(today, cutoff),
    ).toBeGreaterThan(10)
  })

  it('a new area path, as an area moved to another street, is read again', () => {
    const community = sqlite
      .prepare("SELECT id, path FROM areas WHERE level = 'community' AND id IN (SELECT area_id FROM needs) LIMIT 1")
      .get() as { id: number; path: string }
    const street = sqlite
      .prepare("SELECT id, path FROM areas WHERE level = 'street' AND ? NOT LIKE path || '%' LIMIT 1")
      .get(community.path) as { id: number; path: string }
    servingFacts(db, today)
    sqlite
      .prepare('UPDATE areas SET parent_id = ?, path = ? WHERE id = ?')
      .run(street.id, `${street.path}${community.id}/`, community.id)
    expect(sorted(servingFacts(db, today))).toEqual(afresh().recomputed)
  })

  it('the map and the agenda after a write show what a connection that keeps nothing shows', () => {
    const pages = (d: Db) => ({
      map: mapPages.page(d, {}, 'zh-CN', now),
      venue: mapPages.page(d, { category: 'venue' }, 'en', now),
      agenda: mapPages.agenda(d, null, 'zh-CN', now),
    })
    pages(db)
    sqlite
      .prepare(
        "UPDATE offers SET status = 'closed' WHERE id IN (SELECT id FROM offers WHERE category = 'venue' ORDER BY id LIMIT 40)",
      )
      .run()
    sqlite
      .prepare(
        "UPDATE needs SET category = 'venue', unit = 'hours' WHERE id IN (SELECT id FROM needs WHERE category = 'training' ORDER BY id LIMIT 30)",
      )
      .run()
    const other = openDb(file, ROOT)
    try {
      expect(pages(db)).toEqual(pages(other.db))
    } finally {
      other.sqlite.close()
    }
  })
})
