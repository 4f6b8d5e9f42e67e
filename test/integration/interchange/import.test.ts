import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { eq } from 'drizzle-orm'
import { addUser, appForTest, tableCounts } from '../../helpers/app.js'
import * as accounts from '../../../src/accounts/accounts.js'
import * as interchange from '../../../src/interchange/interchange.js'
import * as needQueries from '../../../src/needs/need-queries.js'
import * as offerQueries from '../../../src/offers/offer-queries.js'
import * as areasSvc from '../../../src/areas/areas.js'
import { seedDemo } from '../../../src/demo/seed.js'
import { areas, events, needs as needsTable, offers as offersTable, organizations } from '../../../src/db/schema.js'
import type { Ledger, LedgerProblem } from '../../../src/interchange/interchange.js'

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/interchange')
const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as Ledger
const T1 = new Date('2026-11-20T08:00:00Z')
const T2 = new Date('2026-11-21T08:00:00Z')

function rejected(fn: () => unknown): LedgerProblem[] {
  try {
    fn()
  } catch (err) {
    if (err instanceof interchange.LedgerRejected) return err.problems
    throw err
  }
  throw new Error('expected the ledger to be rejected')
}
const where = (ps: LedgerProblem[]) => ps.map((p) => `${interchange.locate(p)} ${p.message.key}`)

/** Everything an import could touch, for "nothing changed" comparisons. */
function snapshot(app: FastifyInstance) {
  return {
    areas: app.db.select().from(areas).all(),
    orgs: app.db.select().from(organizations).all(),
    needs: app.db.select().from(needsTable).all(),
    offers: app.db.select().from(offersTable).all(),
    index: app.sqlite
      .prepare(
        "SELECT 'need' AS kind, id, sz FROM search_needs_docsize UNION ALL SELECT 'offer', id, sz FROM search_offers_docsize ORDER BY 1, 2",
      )
      .all(),
  }
}
const eventCount = (app: FastifyInstance) => app.db.select().from(events).all().length

describe('importing a ledger', () => {
  it('creates every record of the contract example, in tree order with materialised paths', async () => {
    const app = await appForTest()
    const counts = interchange.importLedger(app.db, fixture('ledger.json'), { by: 'operator', now: T1 })
    expect(counts).toEqual({
      areas: { created: 3, updated: 0, unchanged: 0 },
      organizations: { created: 2, updated: 0, unchanged: 0 },
      needs: { created: 2, updated: 0, unchanged: 0 },
      offers: { created: 1, updated: 0, unchanged: 0 },
    })
    const community = areasSvc.byRef(app.db, 'H-DH-LZW')!
    const street = areasSvc.byRef(app.db, 'H-DH')!
    expect(community.level).toBe('community')
    expect(community.path).toBe(`${street.path}${community.id}/`)
    const need = app.db.select().from(needsTable).where(eq(needsTable.ref, 'n-2')).get()!
    // No unit given: the category's; no expiry given: the default lifetime from the import day.
    expect(need).toMatchObject({
      unit: 'items',
      remaining: 1,
      status: 'open',
      urgency: 'normal',
      expiresAt: '2027-01-19',
    })
  })

  it('changes nothing when the same file is imported twice: no version, updated_at or per-record event', async () => {
    const app = await appForTest()
    interchange.importLedger(app.db, fixture('ledger.json'), { by: 'operator', now: T1 })
    const before = snapshot(app)
    const eventsBefore = eventCount(app)
    const counts = interchange.importLedger(app.db, fixture('ledger.json'), { by: 'operator', now: T2 })
    expect(counts).toEqual({
      areas: { created: 0, updated: 0, unchanged: 3 },
      organizations: { created: 0, updated: 0, unchanged: 2 },
      needs: { created: 0, updated: 0, unchanged: 2 },
      offers: { created: 0, updated: 0, unchanged: 1 },
    })
    expect(snapshot(app)).toEqual(before)
    // Only the import itself is recorded.
    expect(eventCount(app)).toBe(eventsBefore + 1)
    const last = app.db.select().from(events).all().at(-1)!
    expect(last).toMatchObject({ action: 'ledger.imported', subjectType: 'ledger', data: { counts } })
  })

  it('updates a corrected record in place, and the search index with it', async () => {
    const app = await appForTest()
    interchange.importLedger(app.db, fixture('ledger.json'), { by: 'operator', now: T1 })
    const ledger = fixture('ledger.json')
    ledger.needs![0].title = '雨季室内排练场地（可放音乐）'
    ledger.needs![0].description = '需要一个粤剧排练也能用的大厅'
    const admin = await addUser(app, { email: 'admin@example.cn', role: 'admin' })
    const counts = interchange.importLedger(app.db, ledger, { by: admin, now: T2 })
    expect(counts.needs).toEqual({ created: 0, updated: 1, unchanged: 1 })
    const row = app.db.select().from(needsTable).where(eq(needsTable.ref, 'n-1')).get()!
    expect(row).toMatchObject({ version: 2, updatedAt: T2.toISOString(), createdAt: T1.toISOString() })
    expect(needQueries.list(app.db, { q: '粤剧' }, T1).items.map((n) => n.ref)).toEqual(['n-1'])
    const updated = app.db.select().from(events).where(eq(events.action, 'need.imported')).all().at(-1)!
    expect(updated).toMatchObject({ actorId: admin.id, subjectId: row.id, data: { ref: 'n-1', change: 'updated' } })
  })

  it('makes imported needs findable by a Chinese word', async () => {
    const app = await appForTest()
    await seedDemo(app.db, { password: 'demo-password-long-enough', now: T1 })
    const found = needQueries.list(app.db, { q: '场地' }, T1).items.map((n) => n.title)
    expect(found).toContain('雨季室内排练场地')
    expect(found).toContain('周末亲子阅读活动场地')
    // The draft and the closed need are not in the index.
    expect(found).not.toContain('暑期亲子营场地（草稿）')
    expect(found).not.toContain('春节联欢排练场地')
    expect(
      offerQueries
        .list(app.db, { q: '音响' }, T1)
        .items.map((o) => o.ref)
        .sort(),
    ).toEqual(['o-1', 'o-23', 'o-5'].sort())
  })

  it('keeps remaining = quantity − reserved when the quantity changes, and refuses a quantity below what is reserved', async () => {
    const app = await appForTest()
    interchange.importLedger(app.db, fixture('ledger.json'), { by: 'operator', now: T1 })
    // Accepted matches reserve 10 of the need's 16 hours and 50 of the offer's 60.
    app.sqlite.prepare("UPDATE needs SET remaining = remaining - 10 WHERE ref = 'n-1'").run()
    app.sqlite.prepare("UPDATE offers SET remaining = remaining - 50 WHERE ref = 'o-1'").run()
    const ledger = fixture('ledger.json')
    ledger.needs![0].quantity = 20
    ledger.offers![0].quantity = 55
    interchange.importLedger(app.db, ledger, { by: 'operator', now: T2 })
    expect(app.db.select().from(needsTable).where(eq(needsTable.ref, 'n-1')).get()).toMatchObject({
      quantity: 20,
      remaining: 10,
      status: 'partly_met',
    })
    expect(app.db.select().from(offersTable).where(eq(offersTable.ref, 'o-1')).get()).toMatchObject({
      quantity: 55,
      remaining: 5,
    })

    ledger.needs![0].quantity = 9
    ledger.offers![0].quantity = 49
    const before = snapshot(app)
    expect(
      rejected(() => interchange.importLedger(app.db, ledger, { by: 'operator', now: T2 })).map((p) => [
        interchange.describe(p),
      ]),
    ).toEqual([
      ['needs[n-1].quantity: 10 is already reserved by matches; the quantity cannot be less'],
      ['offers[o-1].quantity: 50 is already reserved by matches; the quantity cannot be less'],
    ])
    expect(snapshot(app)).toEqual(before)
  })

  it('rejects a bad file whole, listing every problem, and writes nothing at all', async () => {
    const app = await appForTest()
    interchange.importLedger(app.db, fixture('ledger.json'), { by: 'operator', now: T1 })
    const bad = fixture('bad.json')
    const rowsBefore = tableCounts(app)
    const before = snapshot(app)
    const problems = rejected(() => interchange.importLedger(app.db, bad, { by: 'operator', now: T2 }))
    expect(where(problems).sort()).toEqual(
      [
        'areas[H-X].parent ledger.unknown_area',
        'needs[n-7].unit validation.unit',
        'needs[n-8].category ledger.unknown_category',
        'needs[n-8].org ledger.unknown_org',
        'needs[n-8].quanity ledger.unknown_field',
        'needs[n-8].quantity ledger.not_integer',
        'needs[n-8].quantity ledger.range',
        'needs[n-8].ref ledger.duplicate_ref',
        'needs[n-8].schedule ledger.schedule',
        'needs[n-8].until ledger.window',
        'needs[n-8].urgency ledger.enum',
        'offers[o-1].close_reason ledger.close_reason_status',
        'offers[o-1].conditions.min_trust ledger.enum',
        'organizations[org-a].focus ledger.enum',
        'organizations[org-a].kind ledger.enum',
      ].sort(),
    )
    expect(problems.map((p) => interchange.describe(p))).toContain(
      'needs[n-7].unit: "yuan" is not the unit of category "venue" (hours)',
    )
    expect(tableCounts(app)).toEqual(rowsBefore)
    expect(snapshot(app)).toEqual(before)
  })

  it('writes nothing when only one record of many is wrong', async () => {
    const app = await appForTest()
    const ledger = fixture('ledger.json')
    ledger.offers![0].serves = 'H-NOWHERE'
    const rowsBefore = tableCounts(app)
    expect(where(rejected(() => interchange.importLedger(app.db, ledger, { by: 'operator', now: T1 })))).toEqual([
      'offers[o-1].serves ledger.unknown_area',
    ])
    expect(tableCounts(app)).toEqual(rowsBefore)
    expect(app.sqlite.prepare('SELECT count(*) AS n FROM search_needs_docsize').get()).toEqual({ n: 0 })
  })

  it('resolves refs to records already in the database', async () => {
    const app = await appForTest()
    interchange.importLedger(app.db, fixture('ledger.json'), { by: 'operator', now: T1 })
    const counts = interchange.importLedger(
      app.db,
      {
        format: 'assetbridge/v1',
        needs: [
          {
            ref: 'n-9',
            org: 'org-dance',
            category: 'volunteers',
            title: '送餐志愿者',
            quantity: 40,
            unit: 'person_hours',
            area: 'H-DH-LZW',
          },
        ],
      },
      { by: 'operator', now: T2 },
    )
    expect(counts.needs).toEqual({ created: 1, updated: 0, unchanged: 0 })
  })

  it('keeps closed and draft listings out of the search index, and a file without status leaves the status alone', async () => {
    const app = await appForTest()
    const ledger = fixture('ledger.json')
    ledger.needs![0] = { ...ledger.needs![0], status: 'closed', close_reason: 'met_elsewhere' }
    interchange.importLedger(app.db, ledger, { by: 'operator', now: T1 })
    expect(needQueries.list(app.db, { q: '排练' }, T1).items).toEqual([])
    // A spreadsheet without a status column does not reopen what was closed.
    interchange.importLedger(app.db, fixture('ledger.json'), { by: 'operator', now: T2 })
    expect(app.db.select().from(needsTable).where(eq(needsTable.ref, 'n-1')).get()).toMatchObject({
      status: 'closed',
      closeReason: 'met_elsewhere',
    })
    ledger.needs![0] = { ...fixture('ledger.json').needs![0], status: 'open' }
    interchange.importLedger(app.db, ledger, { by: 'operator', now: T2 })
    expect(app.db.select().from(needsTable).where(eq(needsTable.ref, 'n-1')).get()).toMatchObject({
      status: 'open',
      closeReason: null,
    })
    expect(needQueries.list(app.db, { q: '排练' }, T1).items.map((n) => n.ref)).toEqual(['n-1'])
  })

  it('moves an area within its level, rewriting the paths below it, and refuses level changes, loops and a fourth level', async () => {
    const app = await appForTest()
    const tree = {
      format: 'assetbridge/v1',
      areas: [
        { ref: 'D', name: '区', parent: null },
        { ref: 'S1', name: '街道一', parent: 'D' },
        { ref: 'S2', name: '街道二', parent: 'D' },
        { ref: 'C', name: '社区', parent: 'S1' },
      ],
    } as Ledger
    interchange.importLedger(app.db, tree, { by: 'operator', now: T1 })
    tree.areas![3].parent = 'S2'
    expect(interchange.importLedger(app.db, tree, { by: 'operator', now: T2 }).areas).toEqual({
      created: 0,
      updated: 1,
      unchanged: 3,
    })
    const s2 = areasSvc.byRef(app.db, 'S2')!
    expect(areasSvc.byRef(app.db, 'C')!.path).toBe(`${s2.path}${areasSvc.byRef(app.db, 'C')!.id}/`)

    const problems = rejected(() =>
      interchange.importLedger(
        app.db,
        {
          format: 'assetbridge/v1',
          areas: [
            { ref: 'C', name: '社区', parent: 'D' },
            { ref: 'X', name: '小区', parent: 'S1-C' },
            { ref: 'S1-C', name: '社区二', parent: 'S1' },
            { ref: 'L1', name: '圈一', parent: 'L2' },
            { ref: 'L2', name: '圈二', parent: 'L1' },
            { ref: 'SELF', name: '自己', parent: 'SELF' },
          ],
        },
        { by: 'operator', now: T2 },
      ),
    )
    expect(where(problems)).toEqual([
      'areas[C].parent ledger.level_change',
      'areas[X].parent ledger.too_deep',
      'areas[L1].parent ledger.parent_cycle',
      'areas[L2].parent ledger.parent_cycle',
      'areas[SELF].parent ledger.parent_self',
    ])
  })

  it('lets only an admin give or take away "endorsed", and keeps trust when the file has none', async () => {
    const app = await appForTest()
    const ledger = fixture('ledger.json')
    interchange.importLedger(app.db, { format: ledger.format, areas: ledger.areas }, { by: 'operator', now: T1 })
    const [admin, broker] = await Promise.all([
      addUser(app, { email: 'admin@example.cn', role: 'admin' }),
      addUser(app, { email: 'broker@example.cn', role: 'broker' }),
    ])
    accounts.setBrokerAreas(app.db, admin.id, broker.id, [areasSvc.byRef(app.db, 'H')!.id])
    const coveringAll = accounts.load(app.db, broker.id)!
    expect(where(rejected(() => interchange.importLedger(app.db, ledger, { by: coveringAll, now: T1 })))).toEqual([
      'organizations[org-dh-office].trust ledger.endorse_admin',
    ])
    interchange.importLedger(app.db, ledger, { by: admin, now: T1 })
    for (const o of ledger.organizations!) delete o.trust
    expect(interchange.importLedger(app.db, ledger, { by: coveringAll, now: T2 }).organizations).toEqual({
      created: 0,
      updated: 0,
      unchanged: 2,
    })
    expect(app.db.select().from(organizations).where(eq(organizations.ref, 'org-dh-office')).get()!.trust).toBe(
      'endorsed',
    )
  })
})

describe('exporting a ledger', () => {
  it('round-trips byte for byte: export, import into an empty database, export again', async () => {
    const source = await appForTest()
    await seedDemo(source.db, { password: 'demo-password-long-enough', now: T1 })
    // Records made in the app have no ref: the export gives them one and keeps it.
    const street = areasSvc.byRef(source.db, 'HB-DH')!
    const plain = areasSvc.create(source.db, null, { name: '新社区', parentId: street.id }, T1)
    // (As the app stores one: posting always sets an expiry. See src/interchange/README.md on listings without one.)
    source.sqlite
      .prepare(
        `INSERT INTO needs (org_id, category, title, quantity, unit, remaining, area_id, status, expires_at, created_at, updated_at)
      VALUES (1, 'venue', '没有 ref 的需求', 5, 'hours', 5, ?, 'open', '2027-01-01', ?, ?)`,
      )
      .run(plain.id, T1.toISOString(), T1.toISOString())
    const first = interchange.toJson(interchange.exportLedger(source.db, { by: 'operator' }))
    expect(first).toContain(`"ref": "area-${plain.id}"`)
    expect(first).toMatch(/"ref": "need-\d+"/)
    expect(interchange.toJson(interchange.exportLedger(source.db, { by: 'operator' }))).toBe(first)

    const copy = await appForTest()
    interchange.importLedger(copy.db, JSON.parse(first), { by: 'operator', now: T2 })
    expect(interchange.toJson(interchange.exportLedger(copy.db, { by: 'operator' }))).toBe(first)
    // And back into the source: the generated refs name the same records, so nothing changes.
    const again = interchange.importLedger(source.db, JSON.parse(first), { by: 'operator', now: T2 })
    expect(interchange.totalChanged(again)).toBe(0)
  })

  it('sorts deterministically, omits empty optional fields and never exports contact details', async () => {
    const app = await appForTest()
    await seedDemo(app.db, { password: 'demo-password-long-enough', now: T1 })
    const ledger = interchange.exportLedger(app.db, { by: 'operator' })
    expect(ledger.areas!.slice(0, 3).map((a) => a.ref)).toEqual(['HB', 'HB-DH', 'HB-DH-DH'])
    expect(ledger.needs!.slice(0, 3).map((n) => n.ref)).toEqual(['n-1', 'n-2', 'n-3'])
    expect(ledger.needs!.at(-1)!.ref).toBe('n-42')
    const json = interchange.toJson(ledger)
    expect(json).not.toMatch(/contact|1380000|@demo\.assetbridge\.cn/)
    expect(ledger.needs!.find((n) => n.ref === 'n-2')).not.toHaveProperty('schedule')
    expect(ledger.needs!.find((n) => n.ref === 'n-1')).not.toHaveProperty('status')
    expect(ledger.needs!.find((n) => n.ref === 'n-42')).toMatchObject({
      status: 'closed',
      close_reason: 'met_elsewhere',
    })
    expect(ledger.needs!.find((n) => n.ref === 'n-41')).toMatchObject({ status: 'draft' })
    expect(ledger.areas![0]).toEqual({ ref: 'HB', name: '河滨区', name_en: 'Hebin District', parent: null })
  })

  it('gives CSV files that import into the same ledger', async () => {
    const source = await appForTest()
    await seedDemo(source.db, { password: 'demo-password-long-enough', now: T1 })
    const json = interchange.toJson(interchange.exportLedger(source.db, { by: 'operator' }))
    const files = Object.entries(interchange.toCsv(interchange.exportLedger(source.db, { by: 'operator' }))).map(
      ([name, data]) => ({ name, data }),
    )
    const copy = await appForTest()
    interchange.importLedger(copy.db, interchange.readFiles(files), { by: 'operator', now: T2 })
    expect(interchange.toJson(interchange.exportLedger(copy.db, { by: 'operator' }))).toBe(json)
  })
})
