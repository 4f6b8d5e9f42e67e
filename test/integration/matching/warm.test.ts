import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generatedDistrict, type GeneratedDistrict } from '../../helpers/district.js'
import { ROOT } from '../../../src/config.js'
import { type Db, type Sqlite } from '../../../src/db/client.js'
import { openDb } from '../../../src/database.js'
import { needsForOffer, offersForNeed } from '../../../src/matching/matching.js'
import { matchPagesWarmer } from '../../../src/matching/warm.js'
import { relevanceLookups } from '../../../src/search/relevance.js'

// A server warms the match pages after it listens (server.ts): it works out a sample of listings' matches, a listing at
// a time between requests, so that the first visitors after a restart do not each build what pages share (at 1M
// listings they waited seconds). Warming must build what other listings' pages read, and change no answer.
const now = new Date('2026-06-01T04:00:00Z')
let district: GeneratedDistrict, file: string, sqlite: Sqlite

beforeAll(async () => {
  ;({ file, sqlite } = district = await generatedDistrict('warm', {
    listings: 1500,
    orgs: 40,
    matches: 150,
    seed: 23,
    now,
  }))
}, 60_000)
afterAll(() => district.remove())

/**
 * `fn` on a connection of its own, which has kept nothing yet (as another process's), after warming it on `warmed`
 * needs and as many offers (none for 0); closed after.
 */
function onFresh<T>(warmed: number, fn: (c: { db: Db; sqlite: Sqlite }) => T): T {
  const c = openDb(file, ROOT)
  try {
    if (warmed) while (!matchPagesWarmer(c.db, { pages: warmed, now: () => now })(performance.now() + 60_000));
    return fn(c)
  } finally {
    c.sqlite.close()
  }
}

const ids = (s: Sqlite, sql: string) => s.prepare(sql).pluck().all() as number[]

describe('warming the match pages', () => {
  it('works out one listing per slice once the deadline has passed, and says when the sample is done', () => {
    onFresh(0, (c) => {
      const step = matchPagesWarmer(c.db, { pages: 30, now: () => now })
      let slices = 1
      while (!step(0)) slices++
      // 30 needs and 30 offers at evenly spaced ids, one per slice: a few ids may land on the same listing.
      expect(slices).toBeGreaterThan(50)
      expect(slices).toBeLessThanOrEqual(60)
      // With time to spare, the sample is done in one slice.
      expect(matchPagesWarmer(c.db, { pages: 30, now: () => now })(performance.now() + 60_000)).toBe(true)
    })
  })

  it("builds what other listings' pages read: a warmed connection reads far fewer postings for them", () => {
    const needs = ids(sqlite, "SELECT id FROM needs WHERE status = 'open' AND id % 7 = 3 ORDER BY id LIMIT 40")
    const offers = ids(sqlite, "SELECT id FROM offers WHERE status = 'open' AND id % 7 = 3 ORDER BY id LIMIT 40")
    const reads = (warm: number) =>
      onFresh(warm, (c) => {
        const before = relevanceLookups(c.sqlite, 'offer').read + relevanceLookups(c.sqlite, 'need').read
        for (const id of needs) offersForNeed(c.db, id, { now })
        for (const id of offers) needsForOffer(c.db, id, { now })
        return relevanceLookups(c.sqlite, 'offer').read + relevanceLookups(c.sqlite, 'need').read - before
      })
    const cold = reads(0)
    // Every other listing's words are words some of the sample's use, the commonest (the longest postings) first.
    const warmed = reads(400)
    expect(cold).toBeGreaterThan(100)
    expect(warmed).toBeLessThan(cold / 4)
  })

  it('changes no answer: pages on a warmed connection equal those on a cold one', () => {
    const needs = ids(sqlite, "SELECT id FROM needs WHERE status = 'open' AND id % 11 = 5 ORDER BY id LIMIT 30")
    const offers = ids(sqlite, "SELECT id FROM offers WHERE status = 'open' AND id % 11 = 5 ORDER BY id LIMIT 30")
    const pages = (warm: number) =>
      onFresh(warm, (c) => [
        needs.map((id) => offersForNeed(c.db, id, { now })),
        offers.map((id) => needsForOffer(c.db, id, { now })),
      ])
    const cold = pages(0)
    expect(cold[0]!.some((p) => p!.total > 0)).toBe(true)
    expect(pages(60)).toEqual(cold)
  })
})
