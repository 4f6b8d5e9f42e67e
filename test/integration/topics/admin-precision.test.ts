import { describe, expect, it } from 'vitest'
import * as needs from '../../../src/needs/needs.js'
import * as offers from '../../../src/offers/offers.js'
import * as matches from '../../../src/brokering/matches.js'
import * as topics from '../../../src/topics/topics.js'
import { appForTest, fieldError, seedWorld, signedIn, tableCounts } from '../../helpers/app.js'
import { needRow } from '../listings/world.js'
import { addTestTopics } from './world.js'

describe('the admin vocabulary page', () => {
  it("lists each category's topics; an admin adds a topic and a synonym that inference uses at once, logged, and re-tags", async () => {
    const app = await appForTest()
    const w = await seedWorld(app)
    const admin = await signedIn(app, w.admin.email)
    const need = needs.post(app.db, w.member, {
      orgId: w.orgA.id,
      category: 'materials',
      title: '借一台小型釉烧炉',
      quantity: 1,
      areaId: w.communityA.id,
    })

    const page = await admin.get('/admin/topics')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('id="vocab-materials"')

    const added = await admin.post('/admin/topics', { category: 'materials', zh: '陶艺窑炉', en: 'Pottery kiln' })
    expect(added.statusCode).toBe(303)
    const code = topics.vocabulary(app.db).topics.find((t) => t.zh === '陶艺窑炉')!.code
    expect((await admin.get('/admin/topics')).body).toContain(`id="topic-${code}"`)

    // The new word is not known yet; once added as a synonym it counts for what is posted next…
    expect(topics.suggest(app.db, 'materials', '借一台小型釉烧炉', '').topics).not.toContain(code)
    expect((await admin.post('/admin/topics/synonyms', { topic: code, lang: 'zh', term: '釉烧炉' })).statusCode).toBe(
      303,
    )
    expect(topics.suggest(app.db, 'materials', '借一台小型釉烧炉', '').topics).toContain(code)
    // …and re-tagging brings listings already posted along.
    expect(needRow(app, need.id)!.topics).not.toContain(code)
    const retag = await admin.post('/admin/topics/retag')
    expect(retag.statusCode).toBe(303)
    expect(needRow(app, need.id)!.topics).toContain(code)

    const logged = app.sqlite
      .prepare("SELECT action FROM events WHERE subject_type = 'topic' ORDER BY id")
      .pluck()
      .all()
    expect(logged).toEqual(['topic.added', 'topic.synonym_added'])
  })

  it("tells the admin what to fix, in their language, and writes nothing; only admins, only with the form's token", async () => {
    const app = await appForTest()
    const w = await seedWorld(app)
    const { kiln } = addTestTopics(app, w)
    const admin = await signedIn(app, w.admin.email, undefined, { headers: { 'accept-language': 'en' } })
    const member = await signedIn(app, w.member.email)
    const before = tableCounts(app)
    const taken = await admin.post('/admin/topics/synonyms', { topic: kiln, lang: 'zh', term: '电窑' })
    expect(taken.statusCode).toBe(422)
    expect(fieldError(taken.body, 'term')).toContain('already used')
    const blank = await admin.post('/admin/topics', { category: 'materials', zh: '', en: 'Glaze' })
    expect(blank.statusCode).toBe(422)
    expect(fieldError(blank.body, 'zh')).toBeTruthy()
    const category = await admin.post('/admin/topics', { category: 'no_such', zh: '釉料', en: 'Glaze' })
    expect(category.statusCode).toBe(422)
    expect(
      (await admin.post('/admin/topics', { category: 'materials', zh: '釉料', en: 'Glaze' }, { csrf: null }))
        .statusCode,
    ).toBe(403)
    expect((await member.post('/admin/topics', { category: 'materials', zh: '釉料', en: 'Glaze' })).statusCode).toBe(
      403,
    )
    expect((await member.get('/admin/topics')).statusCode).toBe(403)
    expect(tableCounts(app)).toEqual(before)
  })
})

describe('learning from people: "not relevant"', () => {
  it("a leader declining as not relevant is counted on the broker's precision page, per category and topic", async () => {
    const app = await appForTest()
    const w = await seedWorld(app)
    addTestTopics(app, w)
    const need = needs.post(app.db, w.member, {
      orgId: w.orgA.id,
      category: 'materials',
      title: '借一台电窑',
      quantity: 2,
      areaId: w.communityA.id,
    })
    const kilns = [0, 1, 2].map((i) =>
      offers.post(app.db, w.other, {
        orgId: w.orgB.id,
        category: 'materials',
        title: `出借电窑${i + 1}号`,
        quantity: 1,
        servesAreaId: w.district.id,
      }),
    )
    const pledged = kilns.map((o) =>
      matches.open(app.db, w.other, 'pledge', { needId: need.id, offerId: o.id, quantity: 1 }),
    )

    const leader = await signedIn(app, w.member.email)
    const page = await leader.get(`/matches/${pledged[0]!.id}`)
    expect(page.body).toContain('value="not_relevant"')
    const declined = await leader.post(`/matches/${pledged[0]!.id}/transitions`, {
      event: 'decline',
      reason: 'not_relevant',
    })
    expect(declined.statusCode).toBe(303)
    // Another reason is not a judgement of relevance.
    await leader.post(`/matches/${pledged[1]!.id}/transitions`, { event: 'decline', reason: 'met_elsewhere' })
    expect(app.sqlite.prepare('SELECT need_id, offer_id, source, reason FROM fit_feedback').all()).toEqual([
      { need_id: need.id, offer_id: kilns[0]!.id, source: 'decline', reason: 'not_relevant' },
    ])

    const broker = await signedIn(app, w.broker.email, undefined, { headers: { 'accept-language': 'en' } })
    const precision = await broker.get('/desk/precision')
    expect(precision.statusCode).toBe(200)
    const section = precision.body.slice(precision.body.indexOf('id="precision-materials"'))
    expect(section).toContain('3 pairs put forward, 1 declined as not relevant; 67% relevant.')
    const row = section.slice(section.indexOf('Pottery kiln'))
    expect(row.slice(0, row.indexOf('</tr>')).match(/<td>([^<]*)<\/td>/g)).toEqual([
      '<td>3</td>',
      '<td>1</td>',
      '<td>67%</td>',
      '<td>0</td>',
    ])

    expect((await leader.get('/desk/precision')).statusCode).toBe(403)
  })
})
