import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedDemo } from '../../../src/demo/seed.js'
import * as accounts from '../../../src/accounts/accounts.js'
import * as allocations from '../../../src/matching/allocations.js'
import { makeApp } from '../../helpers/app.js'

let app: FastifyInstance
beforeAll(async () => {
  app = await makeApp()
  await seedDemo(app.db, { password: 'alloc-demo-password-1' })
})
afterAll(async () => {
  await app?.close()
})

/** The issue found the demo's allocation less fair than first come, first served by the figure it showed. */
describe('allocation on the demo district', () => {
  it('is never less fair than first come, first served by the figure the page shows, covers as much, and leaves no organization FCFS served with nothing', async () => {
    const brokerId = app.sqlite
      .prepare("SELECT id FROM users WHERE role = 'broker' ORDER BY id LIMIT 1")
      .pluck()
      .get() as number
    const broker = accounts.load(app.db, brokerId)!
    const district = app.sqlite.prepare("SELECT id FROM areas WHERE level = 'district'").pluck().all() as number[]
    const run = await allocations.runAllocation(
      app.db,
      { ...broker, brokerAreaIds: district },
      { areaIds: district, category: null },
    )
    const { proposal, baseline } = run
    expect(proposal.assignments.length).toBeGreaterThan(0)
    expect(proposal.fairness.fairShare).toBeGreaterThanOrEqual(baseline.fairness.fairShare)
    for (const [category, c] of Object.entries(proposal.coverage.byCategory)) {
      expect(c.allocated, category).toBeGreaterThanOrEqual(baseline.coverage.byCategory[category]!.allocated)
    }
    expect(proposal.fairness.organizationsWithNothing).toBeLessThanOrEqual(baseline.fairness.organizationsWithNothing)
    // Organization by organization: everyone this proposal leaves with nothing, first come, first served left with nothing too.
    const fcfsLeft = new Set(baseline.unservedOrgIds)
    for (const u of proposal.unserved) expect(fcfsLeft.has(u.orgId), `organization ${u.orgId}`).toBe(true)
  })
})
