/**
 * The listing writes run statements prepared once per connection (db/client.ts preparedOn) instead of building and
 * preparing them on every write: each is still part of its write's transaction, never used on another connection,
 * and not kept past its database's close; and what they store is what the one-off statements stored.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import * as accounts from '../../../src/accounts/accounts.js'
import { preparedOn } from '../../../src/db/client.js'
import * as events from '../../../src/events/events.js'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import { addOrg, appForTest, count, makeApp, seedWorld, tableCounts } from '../../helpers/app.js'
import { indexedIds, needRow, offerRow, postNeed, postOffer } from './world.js'

describe('a statement prepared once per connection', () => {
  it('is the one of its db for a transaction on it, and another connection has its own', async () => {
    const [a, b] = await Promise.all([appForTest(), appForTest()])
    const query = preparedOn(() => ({}))
    a.db.transaction((tx) => {
      expect(query(tx)).toBe(query(a.db))
    })
    expect(query(b.db)).not.toBe(query(a.db))
  })

  it('runs inside the write: a post or a closure failing at its last step leaves nothing behind', async () => {
    const app = await appForTest()
    const w = await seedWorld(app)
    // The statements exist already: a first post and closure of each kind prepared them.
    needs.close(
      app.db,
      w.member,
      postNeed(app, w.member, { orgId: w.orgA.id, areaId: w.communityA.id }).id,
      'met_elsewhere',
    )
    offers.close(
      app.db,
      w.other,
      postOffer(app, w.other, { orgId: w.orgB.id, servesAreaId: w.streetB.id }).id,
      'met_elsewhere',
    )
    const need = postNeed(app, w.member, { orgId: w.orgA.id, areaId: w.communityA.id })
    const offer = postOffer(app, w.other, { orgId: w.orgB.id, servesAreaId: w.streetB.id })
    const before = tableCounts(app)
    const indexed = { need: indexedIds(app, 'need'), offer: indexedIds(app, 'offer') }
    const changes = app.sqlite.prepare('SELECT max(seq) FROM listing_changes').pluck().get()

    // The alert job is queued last in a post, the event recorded last in a closure.
    app.sqlite.exec("CREATE TRIGGER refuse_jobs BEFORE INSERT ON jobs BEGIN SELECT RAISE(ABORT, 'refused'); END")
    app.sqlite.exec("CREATE TRIGGER refuse_events BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'refused'); END")
    expect(() => postNeed(app, w.member, { orgId: w.orgA.id, areaId: w.communityA.id, title: '半途' })).toThrow(
      /refused/,
    )
    expect(() => postOffer(app, w.other, { orgId: w.orgB.id, servesAreaId: w.streetB.id, title: '半途' })).toThrow(
      /refused/,
    )
    expect(() => needs.close(app.db, w.member, need.id, 'met_elsewhere')).toThrow(/refused/)
    expect(() => offers.close(app.db, w.other, offer.id, 'met_elsewhere')).toThrow(/refused/)

    expect(tableCounts(app)).toEqual(before)
    expect({ need: indexedIds(app, 'need'), offer: indexedIds(app, 'offer') }).toEqual(indexed)
    expect(app.sqlite.prepare('SELECT max(seq) FROM listing_changes').pluck().get()).toBe(changes)
    expect(needRow(app, need.id)).toEqual(need)
    expect(offerRow(app, offer.id)).toEqual(offer)

    // The same statements serve the next writes once nothing refuses them.
    app.sqlite.exec('DROP TRIGGER refuse_jobs; DROP TRIGGER refuse_events')
    const again = postNeed(app, w.member, { orgId: w.orgA.id, areaId: w.communityA.id, title: '再来' })
    expect(needRow(app, again.id)).toMatchObject({ title: '再来', status: 'open' })
    expect(indexedIds(app, 'need')).toContain(again.id)
    expect(needs.close(app.db, w.member, need.id, 'met_elsewhere')).toMatchObject({
      status: 'closed',
      closeReason: 'met_elsewhere',
    })
    expect(indexedIds(app, 'need')).not.toContain(need.id)
  })

  it('is not used on another database, nor once its database is closed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-prepared-'))
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }))
    const file = path.join(dir, 'a.sqlite')
    const first = await makeApp({ dbPath: file })
    const w = await seedWorld(first)
    postNeed(first, w.member, { orgId: w.orgA.id, areaId: w.communityA.id, title: '第一个' })

    const other = await appForTest()
    const o = await seedWorld(other)
    postNeed(other, o.member, { orgId: o.orgA.id, areaId: o.communityA.id, title: '别处' })
    expect(count(first, 'needs')).toBe(1)
    expect(count(other, 'needs')).toBe(1)
    await first.close()

    const reopened = await makeApp({ dbPath: file })
    onTestFinished(() => reopened.close())
    const member = accounts.load(reopened.db, w.member.id)!
    const need = postNeed(reopened, member, { orgId: w.orgA.id, areaId: w.communityA.id, title: '第二个' })
    expect(needs.findEditable(reopened.db, member, need.id)).toMatchObject({ title: '第二个' })
    expect(reopened.sqlite.prepare('SELECT title FROM needs ORDER BY id').pluck().all()).toEqual(['第一个', '第二个'])
    expect(count(other, 'needs')).toBe(1)
  })
})

describe('what the prepared writes store', () => {
  it("an event without data stores NULL, not the text 'null'; one with data, its JSON", async () => {
    const app = await appForTest()
    events.record(app.db, { actorId: null, action: 'test.bare', subjectType: 'test' })
    events.record(app.db, { actorId: 7, action: 'test.data', subjectType: 'test', subjectId: 3, data: { a: [1] } })
    expect(
      app.sqlite.prepare('SELECT actor_id, subject_id, data, typeof(data) AS t FROM events ORDER BY id').all(),
    ).toEqual([
      { actor_id: null, subject_id: null, data: null, t: 'null' },
      { actor_id: 7, subject_id: 3, data: '{"a":[1]}', t: 'text' },
    ])
    expect(events.recent(app.db, { subjectType: 'test' }).map((e) => e.data)).toEqual([{ a: [1] }, null])
  })

  it('finds a listing to edit among every organization its leader acts for, and no other', async () => {
    const app = await appForTest()
    const w = await seedWorld(app)
    const orgC = addOrg(app, w.member.id, { name: '第三个组织', areaId: w.communityA.id })
    const leader = accounts.load(app.db, w.member.id)!
    expect(leader.orgIds).toEqual([w.orgA.id, orgC.id])
    const [a, c] = [w.orgA.id, orgC.id].map((orgId) => postNeed(app, leader, { orgId, areaId: w.communityA.id }))
    const b = postNeed(app, w.other, { orgId: w.orgB.id, areaId: w.communityB.id })
    const offerC = postOffer(app, leader, { orgId: orgC.id, servesAreaId: w.streetA.id })
    const offerB = postOffer(app, w.other, { orgId: w.orgB.id, servesAreaId: w.streetB.id })

    expect([a!, c!, b].map((n) => needs.findEditable(app.db, leader, n.id)?.id)).toEqual([a!.id, c!.id, undefined])
    expect([offerC, offerB].map((o) => offers.findEditable(app.db, leader, o.id)?.id)).toEqual([offerC.id, undefined])
    expect(needs.findEditable(app.db, w.other, b.id)?.id).toBe(b.id)
    expect(needs.findEditable(app.db, w.broker, a!.id)).toBeUndefined()
  })
})
