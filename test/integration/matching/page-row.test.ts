/**
 * A match page reads its own listing once: the row its page read (need-queries.ts / offer-queries.ts get) makes the
 * matcher's view, which must be the view the matcher reads itself (rows.ts pageNeed, pageOffer), field for field.
 */
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { makeApp } from '../../helpers/app.js'
import { matcherWorld } from './scenario.js'
import { needs, offers, organizations } from '../../../src/db/schema.js'
import * as needQueries from '../../../src/needs/need-queries.js'
import * as offerQueries from '../../../src/offers/offer-queries.js'
import { needOf, offerOf, pageNeed, pageOffer } from '../../../src/matching/page-listing.js'
import { needsForOffer, offersForNeed, pageVersions } from '../../../src/matching/matching.js'

let app: FastifyInstance
beforeAll(async () => {
  app = await makeApp()
  await matcherWorld(app)
  // What only the matcher reads of a listing, set apart from its defaults: keywords, an organization's focus and size.
  app.db.run(sql`UPDATE ${needs} SET keywords = '["排练","音响"]' WHERE id % 2 = 0`)
  app.db.run(sql`UPDATE ${offers} SET keywords = '["场地"]', focus = '["elderly"]' WHERE id % 2 = 1`)
  app.db.run(sql`UPDATE ${organizations} SET focus = '["children","elderly"]', members = 12 WHERE id % 2 = 0`)
})
afterAll(async () => {
  await app?.close()
})

describe("a match page's own listing, from the row its page read", () => {
  it("makes the need's view the matcher reads, and the same page", () => {
    const ids = app.db.select({ id: needs.id }).from(needs).all()
    expect(ids.length).toBeGreaterThan(3)
    for (const { id } of ids) {
      const seen = pageVersions(app.db)
      const row = needQueries.get(app.db, id)!
      expect(needOf(app.db, row, seen), `need ${id}`).toEqual(pageNeed(app.db, id, seen))
      expect(offersForNeed(app.db, id, { seen, row }), `need ${id}`).toEqual(offersForNeed(app.db, id, { seen }))
    }
  })

  it("makes the offer's view the matcher reads, and the same page", () => {
    const ids = app.db.select({ id: offers.id }).from(offers).all()
    expect(ids.length).toBeGreaterThan(3)
    for (const { id } of ids) {
      const seen = pageVersions(app.db)
      const row = offerQueries.get(app.db, id)!
      expect(offerOf(app.db, row, seen), `offer ${id}`).toEqual(pageOffer(app.db, id, seen))
      expect(needsForOffer(app.db, id, { seen, row }), `offer ${id}`).toEqual(needsForOffer(app.db, id, { seen }))
    }
  })

  it("is not taken for another listing's", () => {
    const [a, b] = app.db.select({ id: needs.id }).from(needs).limit(2).all()
    const row = needQueries.get(app.db, a!.id)!
    expect(offersForNeed(app.db, b!.id, { row })!.need.id).toBe(b!.id)
  })
})
