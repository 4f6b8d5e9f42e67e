/** The JSON API's reads of the demo district: lists, filters, pages, one listing, refused parameters (api-world.ts). */
import { describe, expect, it } from 'vitest'
import { get, needByRef, offerByRef, useDemoApi, type Item } from './api-world.js'

useDemoApi()

describe('reading', () => {
  it('lists open needs as { items, total } with the documented fields', async () => {
    const { status, body } = await get('/api/v1/needs?per_page=100')
    expect(status).toBe(200)
    expect(body.total).toBe(40) // n-1 … n-40; n-41 is a draft and n-42 closed
    expect(body.items).toHaveLength(40)
    for (const item of body.items as Item[]) {
      expect(item).toMatchObject({
        id: expect.any(Number),
        ref: expect.stringMatching(/^n-\d+$/),
        title: expect.any(String),
        category: expect.any(String),
        quantity: expect.any(Number),
        unit: expect.any(String),
        area: expect.stringMatching(/^HB/),
        status: expect.stringMatching(/^(open|partly_met)$/),
        org: { ref: expect.stringMatching(/^org-/), name: expect.any(String) },
      })
    }
    const n1 = (body.items as Item[]).find((i) => i.ref === 'n-1')!
    expect(n1).toMatchObject({
      title: '雨季室内排练场地',
      category: 'venue',
      quantity: 16,
      unit: 'hours',
      area: 'HB-DH-LZW',
      org: { ref: 'org-dance', name: '荔枝湾广场舞队' },
      status: 'open',
      urgency: 'high',
    })
  })

  it('lists open offers the same way, with what they serve', async () => {
    const { body } = await get('/api/v1/offers?per_page=100')
    expect(body.total).toBe(40)
    const o1 = (body.items as Item[]).find((i) => i.ref === 'o-1')!
    expect(o1).toMatchObject({
      id: expect.any(Number),
      title: '党群服务中心多功能室',
      category: 'venue',
      quantity: 60,
      unit: 'hours',
      serves: 'HB-DH',
      status: 'open',
      org: { ref: 'org-dh-office' },
    })
  })

  it('filters by category, by area ref (a street includes its communities), by text and by ref', async () => {
    const venues = (await get('/api/v1/needs?category=venue')).body
    expect(venues.total).toBe(5)
    expect((venues.items as Item[]).every((i) => i.category === 'venue')).toBe(true)

    const donghu = (await get('/api/v1/needs?area=HB-DH&per_page=100')).body
    expect((donghu.items as Item[]).every((i) => i.area.startsWith('HB-DH'))).toBe(true)
    expect((donghu.items as Item[]).map((i) => i.area)).toEqual(
      expect.arrayContaining(['HB-DH', 'HB-DH-LZW', 'HB-DH-DH', 'HB-DH-XG']),
    )
    const lychee = (await get('/api/v1/needs?area=HB-DH-LZW&per_page=100')).body
    expect(new Set((lychee.items as Item[]).map((i) => i.area))).toEqual(new Set(['HB-DH-LZW']))
    expect((await get('/api/v1/needs?area=NO-SUCH-AREA')).body).toMatchObject({ items: [], total: 0 })

    // An offer is available where it serves or anywhere below: the district's and the street's reach a community.
    const forLychee = (await get('/api/v1/offers?area=HB-DH-LZW&per_page=100')).body
    expect(new Set((forLychee.items as Item[]).map((i) => i.serves))).toEqual(new Set(['HB', 'HB-DH', 'HB-DH-LZW']))

    const text = (await get(`/api/v1/needs?q=${encodeURIComponent('场地')}`)).body
    expect((text.items as Item[]).slice(0, 4).every((i) => i.title.includes('场地'))).toBe(true)

    expect((await get('/api/v1/needs?ref=n-7')).body).toMatchObject({
      total: 1,
      items: [{ ref: 'n-7', title: '长者智能手机使用培训' }],
    })
    expect((await get('/api/v1/offers?ref=o-23')).body).toMatchObject({ total: 1, items: [{ ref: 'o-23' }] })
    expect((await get('/api/v1/needs?ref=n-42')).body.total).toBe(0) // closed
    expect((await get('/api/v1/needs?category=venue&area=HB-NA')).body.items.map((i: Item) => i.ref).sort()).toEqual([
      'n-14',
      'n-22',
    ])
  })

  it('pages: page 2 holds other listings', async () => {
    const p1 = (await get('/api/v1/needs?per_page=15')).body
    const p2 = (await get('/api/v1/needs?per_page=15&page=2')).body
    const p3 = (await get('/api/v1/needs?per_page=15&page=3')).body
    expect([p1.items.length, p2.items.length, p3.items.length]).toEqual([15, 15, 10])
    const all = [...p1.items, ...p2.items, ...p3.items].map((i: Item) => i.id)
    expect(new Set(all).size).toBe(40)
    expect(p2).toMatchObject({ page: 2, pages: 3, total: 40 })
  })

  it('answers one need or offer by id, with its description; 404 otherwise', async () => {
    const id = needByRef('n-1')
    const { status, body } = await get(`/api/v1/needs/${id}`)
    expect(status).toBe(200)
    expect(body).toMatchObject({
      id,
      ref: 'n-1',
      area: 'HB-DH-LZW',
      description: expect.stringContaining('雨季'),
      org: { ref: 'org-dance' },
    })
    expect((await get(`/api/v1/offers/${offerByRef('o-2')}`)).body).toMatchObject({ ref: 'o-2', serves: 'HB-DH-LZW' })
    expect((await get('/api/v1/needs/999999')).status).toBe(404)
    expect((await get('/api/v1/needs/abc')).status).toBe(400)
    expect((await get(`/api/v1/needs/${needByRef('n-41')}`)).status).toBe(404) // someone else's draft
  })

  it('refuses bad query parameters with JSON errors', async () => {
    const { status, body } = await get('/api/v1/needs?page=0&per_page=1000')
    expect(status).toBe(400)
    expect(body.errors.map((e: Item) => e.field).sort()).toEqual(['page', 'per_page'])
  })
})
