import { describe, expect, it } from 'vitest'
import { appForTest, count, seedWorld, signedIn } from '../../helpers/app.js'

describe('anti-automation on posting', () => {
  it('lets a person post 30 needs a minute from one address and answers the 31st with 429, writing nothing', async () => {
    const app = await appForTest({ rateLimits: true })
    const w = await seedWorld(app)
    const leader = await signedIn(app, 'member@example.cn')
    const need = (i: number) => ({
      orgId: w.orgA.id,
      category: 'volunteers',
      title: `陪诊志愿者 ${i}`,
      quantity: 4,
      areaId: w.communityA.id,
    })
    for (let i = 0; i < 30; i++) expect((await leader.post('/needs', need(i))).statusCode).toBe(303)
    const refused = await leader.post('/needs', need(31))
    expect(refused.statusCode).toBe(429)
    expect(refused.headers['retry-after']).toBeDefined()
    expect(count(app, 'needs')).toBe(30)
  })
})
