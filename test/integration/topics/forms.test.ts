import { describe, expect, it } from 'vitest'
import { appForTest, fieldError, tableCounts } from '../../helpers/app.js'
import { idFromLocation, listedIds, listingWorld, needForm, needRow, offerForm, offerRow } from '../listings/world.js'
import { addTestTopics } from './world.js'

const checked = (html: string, code: string) => new RegExp(`name="topics" value="${code}" checked`).test(html)
const offered = (html: string, code: string) => new RegExp(`name="topics" value="${code}"`).test(html)

describe('topics on the listing forms', () => {
  it("suggests topics as the poster types (a fragment of chips), and keeps the poster's ticks once they change one", async () => {
    const app = await appForTest()
    const w = await listingWorld(app)
    const { kiln, knitting } = addTestTopics(app, w)
    const hx = { 'hx-request': 'true' }

    const typing = await w.asMember.get(
      `/topics/suggest?category=materials&title=${encodeURIComponent('借一台电窑')}&description=${encodeURIComponent('烧制陶艺作品')}`,
      hx,
    )
    expect(typing.statusCode).toBe(200)
    expect(typing.body).not.toMatch(/<html/)
    expect(typing.body).toContain('id="topic-chips"')
    expect(typing.body).toContain('name="topicsFor" value="materials"')
    expect(checked(typing.body, kiln)).toBe(true)
    // The category's other topics are there to pick, unticked.
    expect(offered(typing.body, knitting) && !checked(typing.body, knitting)).toBe(true)

    // The poster unticked the suggestion and ticked another: typing on keeps their choice.
    const chosen = await w.asMember.get(
      `/topics/suggest?category=materials&title=${encodeURIComponent('借一台电窑')}&topicsFor=materials&topicsChosen=1&topics=${knitting}`,
      hx,
    )
    expect(checked(chosen.body, knitting)).toBe(true)
    expect(checked(chosen.body, kiln)).toBe(false)
    expect(chosen.body).toContain('name="topicsChosen" value="1"')

    // Chips drawn for another category are not this one's: the suggestion starts again.
    const moved = await w.asMember.get(
      `/topics/suggest?category=materials&title=${encodeURIComponent('借一台电窑')}&topicsFor=venue&topicsChosen=1`,
      hx,
    )
    expect(checked(moved.body, kiln)).toBe(true)

    // Without a category there is nothing to suggest yet; a visitor does not get the endpoint.
    expect((await w.asMember.get('/topics/suggest?title=x', hx)).body).not.toContain('name="topics"')
    expect((await app.inject({ url: '/topics/suggest?category=materials' })).statusCode).toBe(303)
  })

  it('asks for the chips from an element around them that their answers never replace', async () => {
    const app = await appForTest()
    const w = await listingWorld(app)
    const asker = /<div [^>]*hx-trigger="[^"]*from:#f-title[^"]*"[^>]*>/
    for (const form of ['/needs/new', '/offers/new']) {
      const body = (await w.asMember.get(form)).body
      // htmx listens on an element it swapped in only once it settles it, and a pause timer dies with the element it
      // ran on: text typed while an answer landed was never asked about when the chips listened themselves.
      const tag = asker.exec(body)?.[0] ?? ''
      expect(tag, form).toContain('hx-target="#topic-chips"')
      expect(tag).toContain('hx-sync="this:replace"')
      // A tick the moment the chips are redrawn reaches their own listener: it is attached in the same task.
      expect(tag).toContain('hx-swap="outerHTML settle:0ms"')
      expect(tag).not.toContain('id="topic-chips"')
      expect(body.slice(body.indexOf(tag) + tag.length)).toMatch(/^\s*<fieldset [^>]*id="topic-chips"/)
    }
    const answer = (await w.asMember.get('/topics/suggest?category=materials&title=x', { 'hx-request': 'true' })).body
    expect(answer).toMatch(/^<fieldset [^>]*id="topic-chips"/)
    expect(answer).not.toContain('from:#f-title')
    expect(answer).toContain(`hx-trigger="change" hx-vals='{"topicsChosen": "1"}'`)
  })

  it('stores the topics the poster confirmed on the chips, and says so on the page', async () => {
    const app = await appForTest()
    const w = await listingWorld(app)
    const { kiln, knitting } = addTestTopics(app, w)
    const res = await w.asMember.post(
      '/needs',
      needForm(w, {
        category: 'materials',
        title: '借一台电窑',
        description: '',
        quantity: 1,
        topicsFor: 'materials',
        topics: [knitting],
      }),
    )
    expect(res.statusCode, fieldError(res.body, 'topics')).toBe(303)
    const id = idFromLocation(res.headers.location, 'needs')
    expect(needRow(app, id)).toMatchObject({ topics: [knitting], topicsConfirmed: true })
    expect(needRow(app, id)!.keywords).toBeInstanceOf(Array)
    const page = await w.asMember.get(`/needs/${id}`)
    expect(page.body).toContain(`href="/needs?topic=${knitting}"`)
    expect(page.body).toContain('毛线编织')
    expect(page.body).not.toContain(`href="/needs?topic=${kiln}"`)
  })

  it('without JavaScript (no chips drawn for the category), stores the inferred topics and shows them as inferred', async () => {
    const app = await appForTest()
    const w = await listingWorld(app)
    const { kiln } = addTestTopics(app, w)
    const res = await w.asOther.post(
      '/offers',
      offerForm(w, { category: 'materials', title: '出借电窑一台', description: '可烧陶艺', quantity: 1 }),
    )
    expect(res.statusCode).toBe(303)
    const id = idFromLocation(res.headers.location, 'offers')
    expect(offerRow(app, id)!.topics).toContain(kiln)
    expect(offerRow(app, id)!.topicsConfirmed).toBe(false)
    const page = await w.asOther.get(`/offers/${id}`, { 'accept-language': 'en' })
    expect(page.body).toContain('Pottery kiln')
    expect(page.body).toContain('Tagged from the text')
  })

  it('re-draws the form with the suggested chips ticked when another field is wrong, so the next submit confirms them', async () => {
    const app = await appForTest()
    const w = await listingWorld(app)
    const { kiln } = addTestTopics(app, w)
    const before = tableCounts(app)
    const res = await w.asMember.post(
      '/needs',
      needForm(w, { category: 'materials', title: '借一台电窑', quantity: 0 }),
    )
    expect(res.statusCode).toBe(422)
    expect(checked(res.body, kiln)).toBe(true)
    expect(res.body).toContain('name="topicsFor" value="materials"')
    expect(tableCounts(app)).toEqual(before)
  })

  it("refuses a topic that is not of the listing's category, next to the chips, writing nothing", async () => {
    const app = await appForTest()
    const w = await listingWorld(app)
    addTestTopics(app, w)
    const before = tableCounts(app)
    const res = await w.asMember.post('/needs', needForm(w, { topicsFor: 'venue', topics: ['no_such_topic'] }))
    expect(res.statusCode).toBe(422)
    expect(fieldError(res.body, 'topics')).toContain('no_such_topic')
    expect(tableCounts(app)).toEqual(before)
  })

  it('edits start from the stored topics; unticking all stores none, open to a later re-tag', async () => {
    const app = await appForTest()
    const w = await listingWorld(app)
    const { kiln } = addTestTopics(app, w)
    const posted = await w.asMember.post(
      '/needs',
      needForm(w, { category: 'materials', title: '借一台电窑', quantity: 1, topicsFor: 'materials', topics: [kiln] }),
    )
    const id = idFromLocation(posted.headers.location, 'needs')
    const form = await w.asMember.get(`/needs/${id}/edit`)
    expect(checked(form.body, kiln)).toBe(true)
    expect(form.body).toContain('name="topicsChosen" value="1"')
    const saved = await w.asMember.post(
      `/needs/${id}`,
      needForm(w, { category: 'materials', title: '借一台电窑', quantity: 1, topicsFor: 'materials', version: 1 }),
    )
    expect(saved.statusCode).toBe(303)
    expect(needRow(app, id)).toMatchObject({ topics: [], topicsConfirmed: false })
  })

  it('filters the lists by topic, on the page and in the filter form', async () => {
    const app = await appForTest()
    const w = await listingWorld(app)
    const { kiln, knitting } = addTestTopics(app, w)
    const a = idFromLocation(
      (await w.asMember.post('/needs', needForm(w, { category: 'materials', title: '借一台电窑', quantity: 1 })))
        .headers.location,
      'needs',
    )
    const b = idFromLocation(
      (await w.asMember.post('/needs', needForm(w, { category: 'materials', title: '毛线编织材料', quantity: 1 })))
        .headers.location,
      'needs',
    )
    const list = await w.asMember.get(`/needs?topic=${kiln}`)
    expect(listedIds(list.body, 'needs')).toEqual([a])
    expect(list.body).toMatch(new RegExp(`<option value="${kiln}" selected>`))
    expect(listedIds((await w.asMember.get(`/needs?topic=${knitting}`)).body, 'needs')).toEqual([b])
    expect(listedIds((await w.asMember.get('/needs?category=materials')).body, 'needs').sort()).toEqual([a, b].sort())
    // The fragment htmx swaps carries the same filter.
    const fragment = await w.asMember.get(`/needs?topic=${kiln}`, { 'hx-request': 'true' })
    expect(listedIds(fragment.body, 'needs')).toEqual([a])
    expect(listedIds((await w.asMember.get('/offers?topic=no_such_topic')).body, 'offers')).toEqual([])
  })
})
