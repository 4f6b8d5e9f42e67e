/**
 * An organization's page shows its capacity over time: two assessments as a chart and a table, the help received in
 * between, and any two of them compared on request. Recording and editing assessments, and who may, are
 * capacity.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import * as capacity from '../../../src/capacity/capacity.js'
import * as needs from '../../../src/needs/needs.js'
import * as matches from '../../../src/brokering/matches.js'
import { INDICATOR_CODES, type Scores } from '../../../src/capacity/indicators.js'
import { addDays, localToday } from '../../../src/shared/time.js'
import { addOrg, makeApp, signedIn, type Browser } from '../../helpers/app.js'
import { brokerWorld, reload, type BrokerWorld } from '../brokering/world.js'

// One district for the file (brokering/world.ts): org A's leader `member`, `broker` covering street A. Each test
// assesses an organization of its own, so no other test's assessments count.
let app: FastifyInstance
let w: BrokerWorld
let member: Browser
let broker: Browser
const now = new Date()
const day = (offset: number) => localToday(addDays(now, offset))

beforeAll(async () => {
  app = await makeApp()
  w = await brokerWorld(app)
  ;[member, broker] = await Promise.all([signedIn(app, w.member.email), signedIn(app, w.broker.email)])
})
afterAll(() => app.close())

const all = (score: number): Scores => Object.fromEntries(INDICATOR_CODES.map((c) => [c, score]))

describe('the organization page', () => {
  it('shows before and after as an SVG chart with a title and description, the same figures as a table, and the help received in between', async () => {
    // A fresh organization of org A's leader in the same community, so earlier tests' assessments do not count.
    const grown = addOrg(app, w.member.id, { name: '荔枝湾夕阳红合唱团', areaId: w.communityA.id })
    const leader = reload(app, w.member)
    const brokerUser = reload(app, w.broker)
    capacity.record(
      app.db,
      brokerUser,
      grown.id,
      { assessedOn: day(-100), scores: { ...all(2), reach: 1 }, withLeader: true },
      now,
    )
    capacity.record(
      app.db,
      brokerUser,
      grown.id,
      { assessedOn: day(-5), scores: { ...all(3), reach: 4, funding: 2 }, withLeader: true },
      now,
    )

    // Help: one match accepted 60 days ago and delivered 40 days ago (inside), one accepted before the first assessment (outside).
    const inside = needs.post(
      app.db,
      leader,
      { orgId: grown.id, category: 'venue', title: '合唱排练室', quantity: 6, areaId: w.communityA.id },
      now,
    )
    const outside = needs.post(
      app.db,
      leader,
      { orgId: grown.id, category: 'venue', title: '很久以前的排练场地', quantity: 2, areaId: w.communityA.id },
      now,
    )
    const holder = reload(app, w.other)
    const m1 = matches.open(
      app.db,
      leader,
      'request',
      { needId: inside.id, offerId: w.offer.id, quantity: 4 },
      addDays(now, -62),
    )
    matches.fire(app.db, holder, m1.id, 'accept', {}, addDays(now, -60))
    matches.fire(app.db, holder, m1.id, 'deliver', { quantity: 4 }, addDays(now, -40))
    const m2 = matches.open(
      app.db,
      leader,
      'request',
      { needId: outside.id, offerId: w.offer.id, quantity: 1 },
      addDays(now, -130),
    )
    matches.fire(app.db, holder, m2.id, 'accept', {}, addDays(now, -120))

    const page = await broker.get(`/orgs/${grown.id}`)
    expect(page.statusCode).toBe(200)
    const body = page.body
    expect(body).toContain('id="capacity"')
    expect(body).toMatch(/<svg class="cap-chart"[^>]*role="img"[^>]*aria-labelledby="cap-chart-title cap-chart-desc"/)
    expect(body).toMatch(/<title id="cap-chart-title">荔枝湾夕阳红合唱团的四项能力：/)
    // Public service went from (1+2+2)/3 = 1.7 to (4+3+3)/3 = 3.3: said in the description, drawn, and tabled. The change is
    // that of the figures shown (+1.6), so the table adds up for its reader.
    expect(body).toMatch(/<desc id="cap-chart-desc">[^<]*公共服务能力：1\.7 → 3\.3（\+1\.6）/)
    expect(body).toMatch(/<rect class="cap-bar cap-bar-before"[^>]*data-value="1\.7"/)
    expect(body).toMatch(/<rect class="cap-bar cap-bar-after"[^>]*data-value="3\.3"/)
    const table = body.slice(
      body.indexOf('id="capacity-table"'),
      body.indexOf('</table>', body.indexOf('id="capacity-table"')),
    )
    expect(table).toMatch(/id="cap-row-public_service">[\s\S]*?1\.7[\s\S]*?3\.3[\s\S]*?\+1\.6/)
    expect(table).toMatch(/id="cap-row-sustainability">[\s\S]*?2\.0[\s\S]*?2\.7[\s\S]*?\+0\.7/)
    const received = body.slice(body.indexOf('id="capacity-received"'), body.indexOf('id="capacity-list"'))
    expect(received).toContain('合唱排练室')
    expect(received).toContain(w.offer.title)
    expect(received).toContain('已完成')
    expect(received).not.toContain('很久以前的排练场地')
    expect(body).toContain('这是组织发展的内部记录')
    // No inline style anywhere in the section (the CSP forbids it); the chart is drawn with classes.
    expect(body.slice(body.indexOf('id="capacity"'))).not.toMatch(/\sstyle=/)

    // The organization's own leader sees it too, in English with English labels.
    const en = await member.get(`/orgs/${grown.id}`, { 'accept-language': 'en' })
    expect(en.body).toContain('<title id="cap-chart-title">')
    expect(en.body).toMatch(/Public service: 1\.7 → 3\.3 \(\+1\.6\)/)
    expect(en.body).toContain('>Service</text>')
    expect(en.body).toContain('Help received in between')
  })

  it('compares any two chosen assessments (earlier first) without JavaScript, and as an htmx fragment', async () => {
    const grown = addOrg(app, w.member.id, { name: '荔枝湾太极队', areaId: w.communityA.id })
    const by = reload(app, w.broker)
    const first = capacity.record(app.db, by, grown.id, { assessedOn: day(-200), scores: all(1) }, now)
    const middle = capacity.record(app.db, by, grown.id, { assessedOn: day(-100), scores: all(3) }, now)
    capacity.record(app.db, by, grown.id, { assessedOn: day(-1), scores: all(5) }, now)

    const page = await broker.get(`/orgs/${grown.id}`)
    expect(page.body).toContain('id="cap-before"')
    expect(page.body).toMatch(/id="cap-row-public_service">[\s\S]*?1\.0[\s\S]*?5\.0[\s\S]*?\+4\.0/)

    const chosen = await broker.get(`/orgs/${grown.id}/capacity?before=${middle.id}&after=${first.id}`)
    expect(chosen.statusCode).toBe(200)
    expect(chosen.body).toMatch(/<html/)
    expect(chosen.body).toMatch(/id="cap-row-public_service">[\s\S]*?1\.0[\s\S]*?3\.0[\s\S]*?\+2\.0/)
    const fragment = await broker.get(`/orgs/${grown.id}/capacity?before=${first.id}&after=${middle.id}`, {
      'hx-request': 'true',
    })
    expect(fragment.statusCode).toBe(200)
    expect(fragment.body).not.toMatch(/<html/)
    expect(fragment.body).toMatch(/^<section class="card capacity" id="capacity">/)
    expect(fragment.headers.vary).toMatch(/HX-Request/)
    // A history restore needs the whole page again.
    const restore = await broker.get(`/orgs/${grown.id}/capacity?before=${first.id}&after=${middle.id}`, {
      'hx-request': 'true',
      'hx-history-restore-request': 'true',
    })
    expect(restore.body).toMatch(/<html/)
  })

  it("a choice it cannot compare (another organization's, unknown, not a number, the same twice) is said plainly, never a 500", async () => {
    const grown = addOrg(app, w.member.id, { name: '荔枝湾书法社', areaId: w.communityA.id })
    const by = reload(app, w.broker)
    const first = capacity.record(app.db, by, grown.id, { assessedOn: day(-200), scores: all(1) }, now)
    const middle = capacity.record(app.db, by, grown.id, { assessedOn: day(-100), scores: all(3) }, now)
    capacity.record(app.db, by, grown.id, { assessedOn: day(-1), scores: all(5) }, now)
    // Another organization's assessment, which this broker may even see: its figures must not leak into this page.
    const foreign = capacity.record(
      app.db,
      reload(app, w.admin),
      w.orgA.id,
      { assessedOn: day(-3), scores: all(2) },
      now,
    )
    const firstAndLatest = /id="cap-row-public_service">[\s\S]*?1\.0[\s\S]*?5\.0[\s\S]*?\+4\.0/
    const cases: [string, string][] = [
      [`before=${foreign.id}`, '所选的评估不存在或不属于这个组织'],
      [`before=${first.id}&after=999999`, '所选的评估不存在或不属于这个组织'],
      ['before=abc', '所选的评估不存在或不属于这个组织'],
      ['before=0', '所选的评估不存在或不属于这个组织'],
      ['after=99999999999', '所选的评估不存在或不属于这个组织'],
      [`before=${middle.id}&before=${first.id}`, '所选的评估不存在或不属于这个组织'],
      [`before=${middle.id}&after=${middle.id}`, '请选择两次不同的评估来对比'],
    ]
    for (const [query, message] of cases) {
      const res = await broker.get(`/orgs/${grown.id}/capacity?${query}`)
      expect(res.statusCode, query).toBe(422)
      expect(res.body, query).toMatch(new RegExp(`id="capacity-compare-problem">${message}`))
      expect(res.body, query).toMatch(firstAndLatest)
      // The form is still there to choose again.
      expect(res.body, query).toContain('id="cap-before"')
    }
    const en = await broker.get(`/orgs/${grown.id}/capacity?before=${middle.id}&after=${middle.id}`, {
      'accept-language': 'en',
    })
    expect(en.body).toContain('Choose two different assessments to compare')
    // htmx swaps the section, reason and all, in place.
    const fragment = await broker.get(`/orgs/${grown.id}/capacity?before=${foreign.id}`, { 'hx-request': 'true' })
    expect(fragment.statusCode).toBe(422)
    expect(fragment.body).toMatch(/^<section class="card capacity" id="capacity">/)
    expect(fragment.body).toContain('id="capacity-compare-problem"')
    // A good choice carries no notice; an organization that is not there, or not a number, is not found.
    expect((await broker.get(`/orgs/${grown.id}/capacity?before=${first.id}&after=${middle.id}`)).body).not.toContain(
      'capacity-compare-problem',
    )
    // Only one chosen, the latest as "before": compared with the first, not refused as "the same one twice".
    const latest = capacity.record(app.db, by, grown.id, { assessedOn: day(0), scores: all(4) }, now)
    const single = await broker.get(`/orgs/${grown.id}/capacity?before=${latest.id}`)
    expect(single.statusCode).toBe(200)
    expect(single.body).not.toContain('capacity-compare-problem')
    expect(single.body).toMatch(/id="cap-row-public_service">[\s\S]*?1\.0[\s\S]*?4\.0[\s\S]*?\+3\.0/)
    expect((await broker.get('/orgs/999999/capacity?before=1')).statusCode).toBe(404)
    expect((await broker.get('/orgs/abc/capacity')).statusCode).toBe(404)
  })

  it('with one assessment, shows it alone and invites a second; with none, says so', async () => {
    const grown = addOrg(app, w.member.id, { name: '荔枝湾象棋社', areaId: w.communityA.id })
    const none = await broker.get(`/orgs/${grown.id}`)
    expect(none.body).toContain('id="capacity-empty"')
    expect(none.body).toContain(`href="/orgs/${grown.id}/capacity/new"`)
    // The leader sees the section but is not offered the form.
    expect((await member.get(`/orgs/${grown.id}`)).body).not.toContain(`/orgs/${grown.id}/capacity/new`)
    // Asking to compare where there is nothing to compare is answered, not ignored.
    const asked = await broker.get(`/orgs/${grown.id}/capacity?before=1&after=2`)
    expect(asked.statusCode).toBe(422)
    expect(asked.body).toContain('id="capacity-compare-problem"')
    expect(asked.body).toContain('id="capacity-empty"')
    capacity.record(app.db, reload(app, w.broker), grown.id, { assessedOn: day(-3), scores: all(2) }, now)
    const one = await broker.get(`/orgs/${grown.id}`)
    expect(one.body).toContain('目前只有一次评估')
    expect(one.body).toContain('cap-bar-only')
    expect(one.body).not.toContain('cap-bar-before')
  })
})
