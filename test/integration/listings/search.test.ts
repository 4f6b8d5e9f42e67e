import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { seedDemo } from '../../../src/demo/seed.js'
import * as accounts from '../../../src/accounts/accounts.js'
import * as areas from '../../../src/areas/areas.js'
import { Browser, count, makeApp } from '../../helpers/app.js'
import { listedIds, postNeed, postOffer } from './world.js'

// The demo district (about forty needs and forty offers in Chinese) plus a few English listings, searched
// through the app the way a visitor does. Expectations come from reading the listings, not the code.
let app: FastifyInstance
const en: Record<string, number> = {}
beforeAll(async () => {
  app = await makeApp()
  await seedDemo(app.db, { password: 'demo-password-for-search-tests' })
  const leader = accounts.load(app.db, accounts.findByEmail(app.db, 'leader@demo.assetbridge.cn')!.id)!
  const lzw = areas.byRef(app.db, 'HB-DH-LZW')!.id
  const org = leader.orgIds[0]
  en.rehearsal = postNeed(app, leader, {
    orgId: org,
    areaId: lzw,
    title: 'Rehearsal room for the dance troupe',
    description: 'Tuesday evenings, music allowed.',
    quantity: 8,
  }).id
  en.kitchen = postNeed(app, leader, {
    orgId: org,
    areaId: lzw,
    category: 'volunteers',
    title: 'Volunteers for the community kitchen',
    description: 'Lunch delivery to elderly neighbours.',
    quantity: 40,
  }).id
  en.firstAid = postOffer(app, leader, {
    orgId: org,
    servesAreaId: lzw,
    category: 'training',
    title: 'First aid training for volunteers',
    description: 'Red Cross certified course, AED included.',
    quantity: 20,
  }).id
  en.script = postNeed(app, leader, { orgId: org, areaId: lzw, title: '<script>alert(1)</script>场地', quantity: 3 }).id
})
afterAll(() => app.close())

type Item = { id: number; ref: string | null; title: string; description?: string }
async function search(q: string): Promise<{ needs: Item[]; offers: Item[] }> {
  const res = await new Browser(app).get(`/api/v1/search?q=${encodeURIComponent(q)}`)
  expect(res.statusCode, q).toBe(200)
  return res.json()
}
const refs = (items: Item[]) => items.map((i) => i.ref ?? i.id)
const ids = (items: Item[]) => items.map((i) => i.id)

describe('Chinese two-character words', () => {
  it('场地: the four needs with it in their title come first; drafts and closed needs never', async () => {
    const { needs } = await search('场地')
    expect(new Set(refs(needs).slice(0, 5))).toEqual(new Set(['n-1', 'n-9', 'n-17', 'n-22', en.script]))
    expect(refs(needs)).toContain('n-29') // 布置场地, in the description, further down
    expect(refs(needs).indexOf('n-29')).toBeGreaterThan(4)
    expect(refs(needs)).not.toContain('n-41') // a draft
    expect(refs(needs)).not.toContain('n-42') // closed
  })

  it('舞蹈: the title match first, the dance troupe in a description after it; both offers', async () => {
    const { needs, offers } = await search('舞蹈')
    expect(refs(needs)[0]).toBe('n-4')
    expect(refs(needs)).toContain('n-3')
    expect(new Set(refs(offers))).toEqual(new Set(['o-14', 'o-31']))
  })

  it('培训: the training needs and offers by title first, a meeting room "for training" after them', async () => {
    const { needs, offers } = await search('培训')
    expect(new Set(refs(needs).slice(0, 4))).toEqual(new Set(['n-6', 'n-7', 'n-11', 'n-36']))
    expect(new Set(refs(offers).slice(0, 4))).toEqual(new Set(['o-17', 'o-18', 'o-19', 'o-21']))
    expect(refs(offers)).toContain('o-3')
  })

  it('志愿 finds 志愿者 and 志愿 alike, and nothing without it', async () => {
    const { needs, offers } = await search('志愿')
    expect(refs(needs)).toEqual(expect.arrayContaining(['n-5', 'n-21', 'n-25', 'n-31', 'n-34']))
    expect(refs(offers)).toEqual(expect.arrayContaining(['o-11', 'o-13', 'o-16']))
    for (const item of [...needs, ...offers]) {
      const full = await new Browser(app).get(`/api/v1/${needs.includes(item) ? 'needs' : 'offers'}/${item.id}`)
      const { title, description } = full.json() as Item
      expect(`${title}${description}`, item.title).toMatch(/志愿/)
    }
  })
})

describe('English, partial words, typos and mixed text', () => {
  it('finds a partial English word', async () => {
    expect(ids((await search('rehears')).needs)).toEqual([en.rehearsal])
    const volunt = await search('volunt')
    expect(ids(volunt.needs)).toEqual([en.kitchen])
    expect(ids(volunt.offers)).toEqual([en.firstAid])
  })

  it('forgives small typos', async () => {
    expect(ids((await search('rehersal')).needs)).toEqual([en.rehearsal])
    const volunters = await search('volunters')
    expect(ids(volunters.needs)).toEqual([en.kitchen])
    expect(ids(volunters.offers)).toEqual([en.firstAid])
  })

  it('is case-insensitive, wants every word, and settles for any word when no listing has them all', async () => {
    // The Chinese first-aid course is the same thing in other words, found after the words themselves.
    expect(refs((await search('FIRST AID')).offers)).toEqual([en.firstAid, 'o-19'])
    const both = await search('kitchen volunteers')
    expect(ids(both.needs)).toEqual([en.kitchen])
    // No offer is about both: any word will do, the training that says "volunteers" first, then the volunteers.
    expect(ids(both.offers)[0]).toBe(en.firstAid)
    expect(refs(both.offers)).toEqual(expect.arrayContaining(['o-11', 'o-16']))
  })

  it('finds Chinese and English listings for mixed text', async () => {
    const { needs } = await search('rehearsal 场地')
    expect(needs[0].id).toBe(en.rehearsal)
    expect(refs(needs)).toEqual(expect.arrayContaining(['n-1', 'n-9', 'n-17', 'n-22']))
    const aid = await search('AED 急救')
    expect(ids(aid.offers)).toContain(en.firstAid)
    expect(refs(aid.offers)).toContain('o-19')
  })
})

describe('results pages', () => {
  it('marks the matched words in titles, escaping everything around them', async () => {
    const needs = await new Browser(app).get(`/needs?q=${encodeURIComponent('场地')}`)
    expect(needs.body).toContain('雨季室内排练<mark>场地</mark>')
    expect(needs.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;<mark>场地</mark>')
    expect(needs.body).not.toContain('<script>alert(1)')
    const typo = await new Browser(app).get('/search?q=rehersal')
    expect(typo.body).toContain('<mark>Rehearsal</mark> room for the dance troupe')
    const offers = await new Browser(app).get('/offers?q=volunt')
    expect(offers.body).toContain('First aid training for <mark>volunteers</mark>')
  })

  it('/search shows both sides; for htmx just the results; links on to the full list', async () => {
    const page = await new Browser(app).get(`/search?q=${encodeURIComponent('志愿')}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toMatch(/^<!doctype html>/i)
    expect(page.body).toContain('<div id="search-results"')
    expect(listedIds(page.body, 'needs')).toHaveLength(10)
    expect(listedIds(page.body, 'offers').length).toBeGreaterThan(3)
    expect(page.body).toContain(`href="/needs?q=${encodeURIComponent('志愿')}"`)
    const fragment = await new Browser(app).get(`/search?q=${encodeURIComponent('志愿')}`, { 'hx-request': 'true' })
    expect(fragment.body).not.toMatch(/<html|id="search-results"/)
    expect(listedIds(fragment.body, 'needs')).toEqual(listedIds(page.body, 'needs'))
    expect(fragment.headers.vary).toMatch(/HX-Request/)
    const empty = await new Browser(app).get('/search')
    expect(empty.statusCode).toBe(200)
    expect(listedIds(empty.body, 'needs')).toEqual([])
  })

  it('combines text with the list filters', async () => {
    const ids = listedIds(
      (await new Browser(app).get(`/needs?q=${encodeURIComponent('场地')}&area=${areas.byRef(app.db, 'HB-NA')!.id}`))
        .body,
      'needs',
    )
    // n-22 says 场地; n-14 asks for an 活动室, a venue all the same.
    expect(ids.map((id) => app.sqlite.prepare('SELECT ref FROM needs WHERE id = ?').pluck().get(id))).toEqual([
      'n-22',
      'n-14',
    ])
  })

  it('/api/v1/search wants a q', async () => {
    const res = await new Browser(app).get('/api/v1/search')
    expect(res.statusCode).toBe(400)
    expect(res.json()).toEqual({ errors: [{ field: 'q', message: expect.any(String) }] })
  })
})

describe('search that understands the vocabulary', () => {
  it('finds a category by its word: 场地 finds the rooms, halls and courts whatever they are called', async () => {
    const { offers } = await search('场地')
    expect(refs(offers)).toEqual(expect.arrayContaining(['o-1', 'o-2', 'o-3', 'o-4', 'o-5', 'o-6', 'o-37']))
    expect(refs(offers)).not.toContain('o-23') // speakers are not a venue
    expect(new Set(refs((await search('venue')).offers))).toEqual(new Set(refs(offers)))
    const training = refs((await search('training')).offers)
    expect(training).toEqual(expect.arrayContaining(['o-17', 'o-18', 'o-19', 'o-20', 'o-21', 'o-32', en.firstAid]))
  })

  it('expands synonyms in both languages: 音箱 and "speakers" find 音响, 手机课 finds 智能手机培训', async () => {
    for (const q of ['音箱', 'speakers', '扩音器']) {
      const { needs, offers } = await search(q)
      expect(refs(offers), q).toContain('o-23')
      expect(refs(needs), q).toEqual(expect.arrayContaining(['n-2', 'n-18']))
      expect(refs(offers), q).not.toContain('o-22') // old phones
    }
    const phone = await search('手机课')
    expect(refs(phone.offers)).toEqual(expect.arrayContaining(['o-18', 'o-20']))
    expect(refs(phone.offers)).not.toContain('o-21') // finance training
    expect(refs(phone.needs)).toEqual(expect.arrayContaining(['n-7', 'n-33']))
    expect(refs((await search('smartphone lessons')).offers)).toEqual(expect.arrayContaining(['o-18', 'o-20']))
    expect(ids((await search('心肺复苏')).offers)).toContain(en.firstAid)
  })

  it('puts listings with a compound first, not those that only mention its parts apart', async () => {
    const leader = accounts.load(app.db, accounts.findByEmail(app.db, 'leader@demo.assetbridge.cn')!.id)!
    const org = leader.orgIds[0]
    const lzw = areas.byRef(app.db, 'HB-DH-LZW')!.id
    const apart = [
      postNeed(app, leader, {
        orgId: org,
        areaId: lzw,
        category: 'materials',
        title: '大号垃圾袋和收纳箱',
        description: '旧衣物分类整理后装箱。',
        quantity: 5,
      }).id,
      postNeed(app, leader, {
        orgId: org,
        areaId: lzw,
        category: 'volunteers',
        title: '清理楼道垃圾',
        description: '把杂物按大小分类堆放。',
        quantity: 6,
      }).id,
      postNeed(app, leader, {
        orgId: org,
        areaId: lzw,
        category: 'publicity',
        title: '分类招聘信息张贴',
        description: '顺便清走垃圾广告。',
        quantity: 3,
      }).id,
    ]
    const { needs } = await search('垃圾分类')
    const first = refs(needs).slice(0, 2)
    expect(new Set(first)).toEqual(new Set(['n-24', 'n-25'])) // 垃圾分类 in a title, then 投放点督导 (the same work)
    for (const id of apart) expect(ids(needs).slice(0, 5), String(id)).not.toContain(id)
    // The parts near each other still count: 垃圾的分类 is the same words.
    const near = postNeed(app, leader, {
      orgId: org,
      areaId: lzw,
      category: 'publicity',
      title: '楼道垃圾的分类指引',
      description: '贴在每层电梯口。',
      quantity: 20,
    }).id
    expect(ids((await search('垃圾分类')).needs)).toContain(near)
  })
})

describe('search syntax in the box is just text', () => {
  const NASTY = [
    '"',
    '""',
    '"场地',
    'AND',
    'OR',
    'NOT',
    'a AND',
    'AND OR NOT',
    '*',
    '场*',
    '**',
    'NEAR(',
    'NEAR(场地 志愿, 2)',
    "'; DROP TABLE needs; --",
    '"; DELETE FROM needs; --',
    'title:场地',
    '{title}: 场地',
    '^场地',
    '-场地',
    '(',
    ')',
    '()',
    '+',
    ':',
    '\\',
    '%',
    '_',
    "'",
    '场地 OR 1=1',
    '\u0000',
    '🙂',
    'x'.repeat(100),
  ]
  const URLS = ['/needs?q=', '/offers?q=', '/search?q=', '/api/v1/search?q=', '/api/v1/needs?q=', '/api/v1/offers?q=']
  it('never answers 500 and never touches the tables', async () => {
    const before = [count(app, 'needs'), count(app, 'offers')]
    for (const q of NASTY) {
      for (const url of URLS) {
        const res = await new Browser(app).get(url + encodeURIComponent(q))
        // A lone NUL is cleaned away like any control character in a text field: where q is required, it is missing.
        expect(res.statusCode, `${url}${q}`).toBe(q === '\u0000' && url === '/api/v1/search?q=' ? 400 : 200)
        if (url.startsWith('/api/')) expect(() => res.json(), `${url}${q}`).not.toThrow()
      }
    }
    expect([count(app, 'needs'), count(app, 'offers')]).toEqual(before)
  })

  it('still finds the words around the syntax', async () => {
    expect(refs((await search('"场地" AND')).needs)).toEqual(expect.arrayContaining(['n-1', 'n-9']))
    expect(ids((await search('rehearsal*')).needs)[0]).toBe(en.rehearsal)
  })
})
