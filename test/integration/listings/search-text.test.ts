import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as fts from '../../../src/search/fts.js'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import { indexedListings } from '../../../src/listings/search-text.js'
import { makeApp, seedWorld, type World } from '../../helpers/app.js'

/** The index written listing by listing holds what a rebuilt index holds: one text, one set of indexed statuses. */
let app: FastifyInstance
let w: World
beforeAll(async () => {
  app = await makeApp()
  w = await seedWorld(app)
})
afterAll(async () => {
  await app?.close()
})

const found = (kind: fts.Kind, q: string) =>
  fts
    .search(app.sqlite, kind, q)
    .map((h) => h.id)
    .sort((a, b) => a - b)

describe('the search index', () => {
  it('finds a need by the place it names and an offer by its description, and drops them when closed', () => {
    const need = needs.post(app.db, w.member, {
      orgId: w.orgA.id,
      category: 'venue',
      title: '排练场地',
      description: '每周二晚上',
      quantity: 4,
      areaId: w.communityA.id,
      place: '榕树头广场',
    })
    const kept = needs.post(app.db, w.member, {
      orgId: w.orgA.id,
      category: 'venue',
      title: '合唱排练',
      description: '周末',
      quantity: 2,
      areaId: w.communityA.id,
      place: '榕树头广场',
    })
    const offer = offers.post(app.db, w.other, {
      orgId: w.orgB.id,
      category: 'venue',
      title: '活动室',
      description: '配有钢琴的活动室',
      quantity: 10,
      servesAreaId: w.district.id,
    })
    expect(found('need', '榕树头')).toEqual([need.id, kept.id])
    expect(found('offer', '钢琴')).toEqual([offer.id])
    needs.close(app.db, w.member, need.id, 'no_longer_needed')
    offers.close(app.db, w.other, offer.id, 'no_longer_needed')
    expect(found('need', '榕树头')).toEqual([kept.id])
    expect(found('offer', '钢琴')).toEqual([])
  })

  it('holds, once rebuilt from the listings, exactly what the writes put in it', () => {
    const queries = { need: ['榕树头', '排练', '周末', '场地'], offer: ['钢琴', '活动室'] } as const
    for (const kind of ['need', 'offer'] as const) {
      const before = queries[kind].map((q) => found(kind, q))
      fts.reindex(app.sqlite, kind, indexedListings(app.sqlite, kind))
      expect(
        queries[kind].map((q) => found(kind, q)),
        kind,
      ).toEqual(before)
    }
  })
})
