import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { eq } from 'drizzle-orm'
import { appForTest, makeApp, seedWorld } from '../../helpers/app.js'
import { fitFeedback, needs as needsTable } from '../../../src/db/schema.js'
import * as topics from '../../../src/topics/topics.js'
import { recordNotRelevant } from '../../../src/topics/feedback.js'
import { ValidationError } from '../../../src/shared/errors.js'
import { needRow, offerRow, postNeed, postOffer } from '../listings/world.js'

// Topics of their own (admins' additions), so the tests hold whatever the shipped vocabulary holds.
const KNITTING = { category: 'materials', zh: '毛线编织', en: 'Knitting yarn' }
const KILN = { category: 'materials', zh: '陶艺窑炉', en: 'Pottery kiln' }

describe('the topics service', () => {
  it('infers an admin-added topic from the text, takes confirmed ones instead, and names an unknown one', async () => {
    const app = await appForTest()
    const w = await seedWorld(app)
    const knitting = topics.addTopic(app.db, w.admin.id, KNITTING)
    const kiln = topics.addTopic(app.db, w.admin.id, KILN)
    expect(knitting).toBe('knitting_yarn')

    expect(topics.subjectFor(app.db, 'materials', '需要毛线编织材料', '给长者做围巾').topics).toContain(knitting)
    expect(topics.subjectFor(app.db, 'materials', '需要毛线编织材料', '').topicsConfirmed).toBe(false)
    // A topic of another category is not one of this listing's.
    expect(topics.subjectFor(app.db, 'venue', '需要毛线编织材料', '').topics).not.toContain(knitting)

    const confirmed = topics.subjectFor(app.db, 'materials', '需要毛线编织材料', '', [kiln, kiln])
    expect(confirmed).toMatchObject({ topics: [kiln], topicsConfirmed: true })

    let error: unknown
    try {
      topics.subjectFor(app.db, 'venue', '需要毛线编织材料', '', [knitting, 'no_such_topic'])
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).fields.topics).toEqual({
      key: 'validation.topic_unknown',
      params: { topic: `${knitting}, no_such_topic` },
    })
  })

  it('counts a synonym added by an admin at once, and logs it', async () => {
    const app = await appForTest()
    const w = await seedWorld(app)
    const kiln = topics.addTopic(app.db, w.admin.id, KILN)
    // Read once so the vocabulary is cached before the addition.
    expect(topics.subjectFor(app.db, 'materials', '借一台电窑', '').topics).not.toContain(kiln)
    topics.addSynonym(app.db, w.admin.id, { topic: kiln, lang: 'zh', term: '电窑' })
    expect(topics.subjectFor(app.db, 'materials', '借一台电窑', '').topics).toContain(kiln)

    const logged = app.sqlite
      .prepare("SELECT action, data FROM events WHERE subject_type = 'topic' ORDER BY id")
      .all() as { action: string; data: string }[]
    expect(logged.map((e) => e.action)).toEqual(['topic.added', 'topic.synonym_added'])
    expect(JSON.parse(logged[1]!.data)).toMatchObject({ code: kiln, lang: 'zh', term: '电窑' })
  })

  it('counts a term changed in place, where the row count and last id stay the same', async () => {
    const app = await appForTest()
    const w = await seedWorld(app)
    const kiln = topics.addTopic(app.db, w.admin.id, KILN)
    topics.addSynonym(app.db, w.admin.id, { topic: kiln, lang: 'zh', term: '电窑' })
    expect(topics.subjectFor(app.db, 'materials', '借一台气窑', '').topics).not.toContain(kiln)
    // As an import or a hand edit would: not through addSynonym.
    app.sqlite.prepare("UPDATE topic_terms SET term = '气窑' WHERE term = '电窑'").run()
    expect(topics.subjectFor(app.db, 'materials', '借一台气窑', '').topics).toContain(kiln)
    expect(topics.subjectFor(app.db, 'materials', '借一台电窑', '').topics).not.toContain(kiln)
  })

  it('refuses a name or synonym another topic of the category already uses', async () => {
    const app = await appForTest()
    const w = await seedWorld(app)
    const kiln = topics.addTopic(app.db, w.admin.id, KILN)
    expect(() => topics.addTopic(app.db, w.admin.id, { category: 'materials', zh: '陶艺窑炉', en: 'Kilns' })).toThrow(
      ValidationError,
    )
    expect(() => topics.addSynonym(app.db, w.admin.id, { topic: kiln, lang: 'en', term: 'pottery KILN' })).toThrow(
      ValidationError,
    )
    expect(() => topics.addSynonym(app.db, w.admin.id, { topic: 'no_such_topic', lang: 'en', term: 'x' })).toThrow(
      ValidationError,
    )
    // The same name in another category is another topic.
    expect(topics.addTopic(app.db, w.admin.id, { category: 'training', zh: '陶艺窑炉', en: 'Pottery kiln' })).toBe(
      'pottery_kiln_2',
    )
  })

  it('tags untagged rows, keeping topics already there, and re-tags all but confirmed ones after a vocabulary change', async () => {
    const app = await appForTest()
    const w = await seedWorld(app)
    const kiln = topics.addTopic(app.db, w.admin.id, KILN)
    const knitting = topics.addTopic(app.db, w.admin.id, KNITTING)
    const inferred = postNeed(app, w.member, {
      orgId: w.orgA.id,
      areaId: w.communityA.id,
      category: 'materials',
      title: '借一台电窑',
    })
    const confirmed = postNeed(app, w.member, {
      orgId: w.orgA.id,
      areaId: w.communityA.id,
      category: 'materials',
      title: '借一台电窑，也要毛线',
    })
    const offer = postOffer(app, w.other, {
      orgId: w.orgB.id,
      servesAreaId: w.streetB.id,
      category: 'materials',
      title: '出借陶艺窑炉',
    })
    app.sqlite.prepare('UPDATE needs SET topics = NULL, keywords = NULL').run()
    app.sqlite.prepare('UPDATE offers SET topics = NULL, keywords = NULL').run()
    app.sqlite
      .prepare('UPDATE needs SET topics = ?, topics_confirmed = 1 WHERE id = ?')
      .run(JSON.stringify([knitting]), confirmed.id)

    expect(topics.tagUntagged(app.db)).toBe(3)
    expect(needRow(app, inferred.id)).toMatchObject({ topics: [] })
    expect(needRow(app, inferred.id)!.keywords).toBeInstanceOf(Array)
    expect(needRow(app, confirmed.id)).toMatchObject({ topics: [knitting] })
    expect(offerRow(app, offer.id)!.topics).toContain(kiln)
    expect(topics.tagUntagged(app.db)).toBe(0)

    topics.addSynonym(app.db, w.admin.id, { topic: kiln, lang: 'zh', term: '电窑' })
    expect(topics.retagAll(app.db)).toBeGreaterThanOrEqual(1)
    expect(needRow(app, inferred.id)!.topics).toContain(kiln)
    expect(needRow(app, confirmed.id)).toMatchObject({ topics: [knitting], topicsConfirmed: true })
    // Tagging is not an edit: an open form of the need can still be saved.
    expect(needRow(app, inferred.id)!.version).toBe(1)
    expect(topics.retagAll(app.db)).toBe(0)
  })

  it('tags listings left untagged when the app starts on an existing database', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-topics-'))
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }))
    const dbPath = path.join(dir, 'data.sqlite')
    const first = await makeApp({ dbPath })
    const w = await seedWorld(first)
    const need = postNeed(first, w.member, { orgId: w.orgA.id, areaId: w.communityA.id, title: '需要场地排练' })
    first.sqlite.prepare('UPDATE needs SET topics = NULL, keywords = NULL').run()
    await first.close()

    const second = await makeApp({ dbPath })
    onTestFinished(() => second.close())
    const row = second.db.select().from(needsTable).where(eq(needsTable.id, need.id)).get()!
    expect(row.topics).toBeInstanceOf(Array)
    expect(row.keywords).toBeInstanceOf(Array)
  })

  it('records "not relevant" once per pair and source, with both sides\' topics', async () => {
    const app = await appForTest()
    const w = await seedWorld(app)
    const kiln = topics.addTopic(app.db, w.admin.id, KILN)
    const knitting = topics.addTopic(app.db, w.admin.id, KNITTING)
    const need = postNeed(app, w.member, {
      orgId: w.orgA.id,
      areaId: w.communityA.id,
      category: 'materials',
      title: '毛线编织材料',
    })
    const offer = postOffer(app, w.other, {
      orgId: w.orgB.id,
      servesAreaId: w.streetB.id,
      category: 'materials',
      title: '出借陶艺窑炉',
    })
    topics.tagUntagged(app.db)

    expect(
      recordNotRelevant(app.db, { needId: need.id, offerId: offer.id, source: 'decline', userId: w.member.id }),
    ).toBe(true)
    expect(
      recordNotRelevant(app.db, { needId: need.id, offerId: offer.id, source: 'decline', userId: w.member.id }),
    ).toBe(false)
    expect(
      recordNotRelevant(app.db, { needId: need.id, offerId: offer.id, source: 'allocation', userId: w.broker.id }),
    ).toBe(true)
    expect(
      recordNotRelevant(app.db, { needId: need.id, offerId: 9999, source: 'allocation', userId: w.broker.id }),
    ).toBe(false)

    const rows = app.db.select().from(fitFeedback).all()
    expect(rows).toHaveLength(2)
    expect(rows[0]).toMatchObject({
      needId: need.id,
      offerId: offer.id,
      category: 'materials',
      source: 'decline',
      reason: 'not_relevant',
      userId: w.member.id,
    })
    expect(rows[0]!.topics).toEqual(expect.arrayContaining([knitting, kiln]))
  })
})
