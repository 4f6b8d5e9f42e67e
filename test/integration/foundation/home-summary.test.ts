import { describe, expect, it } from 'vitest'
import * as home from '../../../src/home/home.js'
import { addDays } from '../../../src/shared/time.js'
import { appForTest } from '../../helpers/app.js'
import { brokerWorld } from '../brokering/world.js'

// The front page's figures are remembered under the day of the `now` they were asked for; every figure must be
// counted for that same day, not for the real clock's.
describe('front page summary', () => {
  it('counts active needs and offers as of the `now` passed in, not the clock', async () => {
    const app = await appForTest()
    const posted = new Date('2026-03-02T04:00:00Z')
    await brokerWorld(app, { now: posted })
    // A year on, the need and the offer posted with their default lifetime have expired.
    const yearOn = home.summary(app.db, addDays(posted, 365))
    expect(yearOn.stats).toMatchObject({ needs: 0, offers: 0 })
    expect(yearOn.urgent).toEqual([])
    // On the day they were posted they are active.
    expect(home.summary(app.db, posted).stats).toMatchObject({ needs: 1, offers: 1 })
    // And the remembered figures for the later day do not change when asked again.
    expect(home.summary(app.db, addDays(posted, 365)).stats).toMatchObject({ needs: 0, offers: 0 })
  })
})
