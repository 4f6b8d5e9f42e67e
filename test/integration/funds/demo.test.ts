import { describe, expect, it } from 'vitest'
import { seedDemo } from '../../../src/demo/seed.js'
import { appForTest, Browser, signedIn } from '../../helpers/app.js'

describe("the demo district's community fund", () => {
  it('has a decided call whose notice stands, a released tranche per award and a late milestone', async () => {
    const app = await appForTest()
    await seedDemo(app.db, { password: 'demo-funds-password' })
    const callId = app.sqlite
      .prepare("SELECT id FROM fund_calls WHERE title LIKE '东湖街道2026年社区微创投%'")
      .pluck()
      .get() as number
    const visitor = await new Browser(app).get(`/calls/${callId}/notice`)
    expect(visitor.statusCode).toBe(200)
    expect(visitor.body).toContain('公示期满')
    expect(visitor.body).toContain('长者结对探访与陪诊')
    expect(visitor.body).toContain('广场舞进社区公益演出')
    expect(visitor.body).not.toContain('周末绘本故事会')
    expect(
      app.sqlite
        .prepare(
          `SELECT o.ref, r.amount_fen FROM fund_releases r JOIN fund_awards a ON a.id = r.award_id JOIN organizations o ON o.id = a.org_id ORDER BY o.ref`,
        )
        .all(),
    ).toEqual([
      { ref: 'org-dance', amount_fen: 240_000 },
      { ref: 'org-elder-help', amount_fen: 500_000 },
    ])
    const leader = await signedIn(app, 'leader@demo.assetbridge.cn', 'demo-funds-password')
    const danceAward = app.sqlite
      .prepare("SELECT a.id FROM fund_awards a JOIN organizations o ON o.id = a.org_id WHERE o.ref = 'org-dance'")
      .pluck()
      .get()
    const page = await leader.get(`/awards/${danceAward}`)
    expect(page.body).toContain('id="award-late"')
    expect(page.body).toContain('id="report-form"')
    const broker = await signedIn(app, 'broker@demo.assetbridge.cn', 'demo-funds-password')
    const report = await broker.get('/reports/funds?from=2000-01-01&to=2100-12-31')
    expect(report.statusCode).toBe(200)
    expect(report.body).toContain('¥18,000.00')
  })
})
