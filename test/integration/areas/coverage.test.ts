import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as accounts from '../../../src/accounts/accounts.js'
import * as coverage from '../../../src/areas/coverage.js'
import { addUser, makeApp, seedWorld, type World } from '../../helpers/app.js'

/** The one home of "a broker covers this area", read from both sides: a broker's areas, and an area's brokers. */
let app: FastifyInstance
let w: World
beforeAll(async () => {
  app = await makeApp()
  w = await seedWorld(app)
})
afterAll(async () => {
  await app?.close()
})

describe('brokerCovers', () => {
  it("holds for the broker's street and the communities below it, not for the street beside it or above it", () => {
    expect(coverage.brokerCovers(app.db, w.broker, w.streetA.id), 'their street').toBe(true)
    expect(coverage.brokerCovers(app.db, w.broker, w.communityA.id), 'a community of their street').toBe(true)
    expect(coverage.brokerCovers(app.db, w.broker, w.streetB.id), 'another street').toBe(false)
    expect(coverage.brokerCovers(app.db, w.broker, w.communityB.id), 'a community of another street').toBe(false)
    expect(coverage.brokerCovers(app.db, w.broker, w.district.id), 'the district above').toBe(false)
    expect(coverage.brokerCovers(app.db, w.broker, 999_999), 'an area that does not exist').toBe(false)
  })

  it("is a broker's only: an admin or a member with the same areas covers nothing", () => {
    expect(coverage.brokerCovers(app.db, { ...w.admin, brokerAreaIds: [w.streetA.id] }, w.communityA.id)).toBe(false)
    expect(coverage.brokerCovers(app.db, { ...w.member, brokerAreaIds: [w.streetA.id] }, w.communityA.id)).toBe(false)
  })
})

describe('brokerReaches', () => {
  it("also holds for an area above one of the broker's: an offer serving the district is their business too", () => {
    expect(coverage.brokerReaches(app.db, w.broker, w.district.id)).toBe(true)
    expect(coverage.brokerReaches(app.db, w.broker, w.streetB.id)).toBe(false)
  })
})

describe('brokersCovering', () => {
  it('finds the brokers whose area is on the path, and leaves disabled ones out only when asked', async () => {
    const second = await addUser(app, { email: 'second-broker@example.cn', role: 'broker' })
    accounts.setBrokerAreas(app.db, w.admin.id, second.id, [w.communityA.id])
    expect(coverage.brokersCovering(app.db, w.communityA.path).sort()).toEqual([w.broker.id, second.id].sort())
    expect(coverage.brokersCovering(app.db, w.streetA.path), "a community's broker does not cover its street").toEqual([
      w.broker.id,
    ])
    expect(coverage.brokersCovering(app.db, w.communityB.path)).toEqual([])
    accounts.setDisabled(app.db, w.admin.id, second.id, true)
    expect(coverage.brokersCovering(app.db, w.communityA.path, { enabledOnly: true })).toEqual([w.broker.id])
    expect(coverage.brokersCovering(app.db, w.communityA.path)).toContain(second.id)
  })

  it('agrees with brokerCovers for every broker and area', async () => {
    for (const area of [w.district, w.streetA, w.streetB, w.communityA, w.communityB]) {
      const found = coverage.brokersCovering(app.db, area.path)
      expect(found.includes(w.broker.id), area.name).toBe(coverage.brokerCovers(app.db, w.broker, area.id))
    }
  })
})
