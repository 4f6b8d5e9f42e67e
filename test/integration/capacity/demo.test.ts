import { describe, expect, it } from 'vitest'
import { seedDemo } from '../../../src/demo/seed.js'
import * as accounts from '../../../src/accounts/accounts.js'
import * as capacity from '../../../src/capacity/capacity.js'
import { localToday } from '../../../src/shared/time.js'
import { appForTest, Browser, signedIn } from '../../helpers/app.js'

const DAY = 86_400_000

describe('the demo district', () => {
  it('shows a broker, on a first visit, community groups that grew between two assessments, with the help they received', async () => {
    const app = await appForTest()
    const now = new Date()
    await seedDemo(app.db, { password: 'demo-capacity-password', now })
    const daysAgo = (n: number) => localToday(new Date(now.getTime() - n * DAY))
    const counts = app.sqlite
      .prepare(
        `SELECT o.ref, count(*) AS n FROM capacity_assessments a JOIN organizations o ON o.id = a.org_id
      JOIN users u ON u.id = a.assessor_id WHERE u.email = 'broker@demo.assetbridge.cn' GROUP BY o.ref ORDER BY o.ref`,
      )
      .all()
    expect(counts).toEqual([
      { ref: 'org-dance', n: 3 },
      { ref: 'org-disability', n: 2 },
      { ref: 'org-elder-help', n: 2 },
    ])
    expect(app.sqlite.prepare("SELECT count(*) FROM events WHERE action = 'capacity.recorded'").pluck().get()).toBe(7)

    const orgId = (ref: string) =>
      app.sqlite.prepare('SELECT id FROM organizations WHERE ref = ?').pluck().get(ref) as number
    const dance = orgId('org-dance')
    const broker = await signedIn(app, 'broker@demo.assetbridge.cn', 'demo-capacity-password')
    const page = (await broker.get(`/orgs/${dance}`)).body
    expect(page).toContain('<svg class="cap-chart"')
    // The dance team's first visit (180 days ago) against its latest (7 days ago), dimension by dimension, as the
    // table shows them: each a mean of the demo's three indicator scores, to one decimal.
    const table = page.slice(
      page.indexOf('id="capacity-table"'),
      page.indexOf('</table>', page.indexOf('id="capacity-table"')),
    )
    const rows = [
      ...table.matchAll(
        /<tr (?:id="cap-row-(\w+)"|class="cap-overall")>[\s\S]*?<td class="num">([^<]+)<\/td>\s*<td class="num">([^<]+)<\/td>\s*<td class="num cap-change cap-(\w+)">([^<]+)</g,
      ),
    ].map((m) => [m[1] ?? 'overall', m[2], m[3], m[5], m[4]])
    expect(rows).toEqual([
      ['resource_integration', '2.0', '3.7', '+1.7', 'up'],
      ['specialization', '1.3', '3.0', '+1.7', 'up'],
      ['public_service', '2.7', '4.0', '+1.3', 'up'],
      ['sustainability', '1.7', '2.7', '+1.0', 'up'],
      ['overall', '1.9', '3.4', '+1.5', 'up'],
    ])
    // Between the two visits: the demo's accepted arrangement (21 days ago); the request nobody has answered yet is not
    // help received.
    const received = page.slice(page.indexOf('id="capacity-received"'), page.indexOf('id="capacity-list"'))
    const shown = [
      ...received.matchAll(/id="cap-match-\d+">\s*<td><a[^>]*>([^<]+)<\/a>[\s\S]*?class="tag mstate-(\w+)"/g),
    ].map((m) => [m[1], m[2]])
    expect(shown).toEqual([['区广场舞比赛报名和服装费', 'accepted']])
    expect(received).not.toContain('广场舞便携音响')
    const user = accounts.load(app.db, accounts.findByEmail(app.db, 'broker@demo.assetbridge.cn')!.id)!
    const section = capacity.section(app.db, user, dance)!
    expect(section.empty).toBe(false)
    if (section.empty) return
    expect(section.window).toEqual({ from: daysAgo(180), to: daysAgo(7) })
    expect(section.received.map((m) => m.quantity)).toEqual([1500])
    // Three visits, so the comparison form offers the middle one (95 days ago, overall 2.4).
    expect(section.assessments.map((a) => [a.assessedOn, a.overallText])).toEqual([
      [daysAgo(180), '1.9'],
      [daysAgo(95), '2.4'],
      [daysAgo(7), '3.4'],
    ])
    expect(page).toContain('id="cap-before"')

    // The other two groups grew too: the mutual-aid team with the demo's delivered arrangement in its window (the
    // dance team has no on-topic choreography offer in its street), the disability group with none.
    const figures = (ref: string) => {
      const s = capacity.section(app.db, user, orgId(ref))!
      if (s.empty) return undefined
      return {
        dims: s.dimensions.map((d) => `${d.beforeText}→${d.afterText}`),
        overall: s.overall.changeText,
        received: s.received.length,
        window: s.window,
      }
    }
    expect(figures('org-elder-help')).toEqual({
      dims: ['1.7→3.0', '1.3→2.7', '2.7→3.3', '1.3→2.3'],
      overall: '+1.0',
      received: 1,
      window: { from: daysAgo(170), to: daysAgo(10) },
    })
    expect(figures('org-disability')).toEqual({
      dims: ['2.0→3.0', '1.7→2.7', '2.3→3.3', '2.0→2.7'],
      overall: '+0.9',
      received: 0,
      window: { from: daysAgo(160), to: daysAgo(14) },
    })

    // The leader sees her group's record; a visitor does not.
    const leader = await signedIn(app, 'leader@demo.assetbridge.cn', 'demo-capacity-password')
    expect((await leader.get(`/orgs/${dance}`)).body).toContain('id="capacity"')
    expect((await new Browser(app).get(`/orgs/${dance}`)).body).not.toContain('id="capacity"')
  })
})
