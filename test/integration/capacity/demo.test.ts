import { describe, expect, it } from 'vitest'
import { seedDemo } from '../../../src/demo/seed.js'
import { appForTest, Browser, signedIn } from '../../helpers/app.js'

describe('the demo district', () => {
  it('shows a broker, on a first visit, community groups that grew between two assessments, with the help they received', async () => {
    const app = await appForTest()
    await seedDemo(app.db, { password: 'demo-capacity-password' })
    const counts = app.sqlite.prepare(`SELECT o.ref, count(*) AS n FROM capacity_assessments a JOIN organizations o ON o.id = a.org_id
      JOIN users u ON u.id = a.assessor_id WHERE u.email = 'broker@demo.assetbridge.cn' GROUP BY o.ref ORDER BY o.ref`).all()
    expect(counts).toEqual([{ ref: 'org-dance', n: 3 }, { ref: 'org-disability', n: 2 }, { ref: 'org-elder-help', n: 2 }])
    expect(app.sqlite.prepare("SELECT count(*) FROM events WHERE action = 'capacity.recorded'").pluck().get()).toBe(7)

    const dance = app.sqlite.prepare("SELECT id FROM organizations WHERE ref = 'org-dance'").pluck().get() as number
    const broker = await signedIn(app, 'broker@demo.assetbridge.cn', 'demo-capacity-password')
    const page = (await broker.get(`/orgs/${dance}`)).body
    expect(page).toContain('<svg class="cap-chart"')
    // Every dimension grew from the first visit to the latest.
    const changes = [...page.slice(page.indexOf('id="capacity-table"')).matchAll(/id="cap-row-\w+">[\s\S]*?cap-change cap-(\w+)">([^<]+)</g)].map((m) => m[1])
    expect(changes).toEqual(['up', 'up', 'up', 'up'])
    // The demo's accepted and delivered arrangements fall between the two visits.
    const received = page.slice(page.indexOf('id="capacity-received"'), page.indexOf('id="capacity-list"'))
    expect(received.match(/id="cap-match-\d+"/g)?.length).toBeGreaterThanOrEqual(1)
    expect(page).toContain('id="cap-before"')

    // The leader sees her group's record; a visitor does not.
    const leader = await signedIn(app, 'leader@demo.assetbridge.cn', 'demo-capacity-password')
    expect((await leader.get(`/orgs/${dance}`)).body).toContain('id="capacity"')
    expect((await new Browser(app).get(`/orgs/${dance}`)).body).not.toContain('id="capacity"')
  })
})
