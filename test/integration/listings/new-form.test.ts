import { describe, expect, it } from 'vitest'
import { appForTest, seedWorld, signedIn } from '../../helpers/app.js'

describe('a new listing form', () => {
  it("starts at the organization's own area, for a need's place and an offer's area served", async () => {
    const app = await appForTest()
    const w = await seedWorld(app)
    const leader = await signedIn(app, 'member@example.cn')
    const need = (await leader.get('/needs/new')).body
    expect(need).toMatch(
      new RegExp(`<select id="f-areaId" name="areaId">[^]*?<option value="${w.communityA.id}" selected>`),
    )
    const offer = (await leader.get('/offers/new')).body
    expect(offer).toMatch(
      new RegExp(`<select id="f-servesAreaId" name="servesAreaId">[^]*?<option value="${w.communityA.id}" selected>`),
    )
  })
})
