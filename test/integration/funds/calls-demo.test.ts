import { describe, expect, it } from 'vitest'
import { seedDemo } from '../../../src/demo/seed.js'
import { appForTest, Browser, signedIn } from '../../helpers/app.js'

describe('the demo district', () => {
  it('has an open call of 东湖街道 with two submitted plans waiting for the social worker, who reviews it', async () => {
    const app = await appForTest()
    await seedDemo(app.db, { password: 'demo-calls-password' })
    const list = await new Browser(app).get('/calls')
    expect(list.body).toContain('东湖街道 2027 年社区微创投')
    expect(list.body).toContain('¥20,000.00')
    const callId = app.sqlite
      .prepare("SELECT id FROM fund_calls WHERE title = '东湖街道 2027 年社区微创投'")
      .pluck()
      .get() as number
    expect(
      app.sqlite
        .prepare("SELECT count(*) FROM fund_applications WHERE call_id = ? AND status = 'submitted'")
        .pluck()
        .get(callId),
    ).toBe(2)
    const broker = await signedIn(app, 'broker@demo.assetbridge.cn', 'demo-calls-password')
    const page = await broker.get(`/calls/${callId}`)
    expect(page.body).toContain('id="review-queue"')
    expect(page.body.match(/待评审/g)?.length).toBe(2)
  })
})
