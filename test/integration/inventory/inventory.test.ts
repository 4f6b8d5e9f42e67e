import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import { areas, prospects } from '../../../src/db/schema.js'
import { decodeText, parseCsv } from '../../../src/interchange/csv.js'
import { addDays, localToday } from '../../../src/shared/time.js'
import { Browser, count, fieldError, makeApp, signedIn } from '../../helpers/app.js'
import { brokerWorld, type BrokerWorld } from '../brokering/world.js'

let app: FastifyInstance
let w: BrokerWorld
let broker: Browser, broker2: Browser, member: Browser, admin: Browser
const B = 'inventoryboundary'
const multipart = (token: string, csv: string) =>
  Buffer.concat([
    Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n`),
    Buffer.from(
      `--${B}\r\nContent-Disposition: form-data; name="file"; filename="assets.csv"\r\nContent-Type: text/csv\r\n\r\n`,
    ),
    Buffer.from(csv),
    Buffer.from(`\r\n--${B}--\r\n`),
  ])
async function upload(b: Browser, csv: string) {
  await b.refreshCsrf('/inventory')
  return b.request('POST', '/inventory/import', {
    headers: { 'content-type': `multipart/form-data; boundary=${B}` },
    payload: multipart(b.csrf!, csv) as unknown as string,
  })
}

beforeAll(async () => {
  app = await makeApp()
  w = await brokerWorld(app)
  app.db.update(areas).set({ ref: 'LZW' }).where(eq(areas.id, w.communityA.id)).run()
  app.db.update(areas).set({ ref: 'NA' }).where(eq(areas.id, w.communityB.id)).run()
  ;[broker, broker2, member, admin] = await Promise.all([
    signedIn(app, w.broker.email),
    signedIn(app, w.broker2.email),
    signedIn(app, w.member.email),
    signedIn(app, w.admin.email),
  ])
})
afterAll(() => app.close())

describe('the asset inventory', () => {
  it('a broker adds who could give in a community of theirs; the form says what to fix and keeps the rest', async () => {
    const bad = await broker.post('/inventory', {
      name: '花园记茶餐厅',
      kind: 'business',
      areaId: String(w.communityA.id),
      has: '厨房周一下午空着',
      lastContactedOn: localToday(addDays(new Date(), 2)),
    })
    expect(bad.statusCode).toBe(422)
    expect(fieldError(bad.body, 'lastContactedOn')).toContain('不能晚于今天')
    expect(bad.body).toContain('厨房周一下午空着')
    const ok = await broker.post('/inventory', {
      name: '花园记茶餐厅',
      kind: 'business',
      areaId: String(w.communityA.id),
      category: 'venue',
      has: '厨房周一下午空着',
      contact: '陈老板 13800000000',
      outcome: 'interested',
    })
    expect(ok.statusCode).toBe(303)
    const list = await broker.get('/inventory')
    expect(list.body).toContain('花园记茶餐厅')
    expect(list.body).toContain('陈老板 13800000000')
    // Another street's broker: not in theirs, and not theirs to add to.
    expect((await broker2.get('/inventory')).body).not.toContain('花园记茶餐厅')
    const id = app.db.select().from(prospects).get()!.id
    expect((await broker2.get(`/inventory/${id}`)).statusCode).toBe(404)
    expect(
      (await broker2.post('/inventory', { name: '越界', kind: 'person', areaId: String(w.communityA.id) })).statusCode,
    ).toBe(403)
    // A member never sees contacts kept here.
    expect((await member.get('/inventory')).statusCode).toBe(403)
    expect((await admin.get('/inventory')).body).toContain('花园记茶餐厅')
  })

  it('records the last contact and its outcome, and refuses an edit made on a stale page', async () => {
    const p = app.db.select().from(prospects).get()!
    const edit = {
      name: p.name,
      kind: p.kind,
      areaId: String(p.areaId),
      category: 'venue',
      has: p.has,
      contact: p.contact,
      lastContactedOn: localToday(new Date()),
      outcome: 'became_holder',
      version: String(p.version),
    }
    expect((await broker.post(`/inventory/${p.id}`, edit)).statusCode).toBe(303)
    expect(app.db.select().from(prospects).where(eq(prospects.id, p.id)).get()).toMatchObject({
      outcome: 'became_holder',
      lastContactedOn: localToday(new Date()),
      version: 2,
    })
    expect((await broker.post(`/inventory/${p.id}`, edit)).statusCode).toBe(409)
  })

  it('goes out to a spreadsheet and back in with the same columns', async () => {
    const csv = await broker.get('/inventory.csv')
    expect(csv.statusCode).toBe(200)
    expect(csv.headers['content-type']).toContain('text/csv')
    const rows = parseCsv(decodeText(csv.rawPayload)).rows.map((r) => r.cells)
    expect(rows[0]).toEqual([
      'name',
      'kind',
      'area',
      'category',
      'has',
      'place',
      'contact',
      'last_contacted_on',
      'outcome',
      'notes',
    ])
    expect(rows[1]).toEqual([
      '花园记茶餐厅',
      'business',
      'LZW',
      'venue',
      '厨房周一下午空着',
      '',
      '陈老板 13800000000',
      localToday(new Date()),
      'became_holder',
      '',
    ])

    const before = count(app, 'prospects')
    const good =
      'name,kind,area,category,has,contact\n王会计,person,LZW,expertise,退休会计，可以教记账,王阿姨\n荔湾小学,institution,LZW,venue,周末篮球场,\n'
    const res = await upload(broker, good)
    expect(res.statusCode).toBe(303)
    expect(count(app, 'prospects')).toBe(before + 2)
  })

  it('imports all or nothing, naming each line at fault', async () => {
    const before = count(app, 'prospects')
    const bad = 'name,kind,area\n李师傅,person,LZW\n,person,LZW\n张医生,doctor,LZW\n南岸书店,business,NA\n'
    const res = await upload(broker, bad)
    expect(res.statusCode).toBe(422)
    expect(res.body).toContain('第 3 行（name）')
    expect(res.body).toContain('第 4 行（kind）')
    // A community of another street is not this broker's to fill.
    expect(res.body).toContain('第 5 行（area）')
    expect(count(app, 'prospects')).toBe(before)
    const noHeader = await upload(broker, '王会计,person,LZW\n')
    expect(noHeader.statusCode).toBe(422)
    expect(noHeader.body).toContain('表头缺少这些列')
  })
})
