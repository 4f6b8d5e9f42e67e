import { beforeEach, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { and, eq } from 'drizzle-orm'
import { addOrg, appForTest, Browser, seedWorld, signedIn, tableCounts, type World } from '../../helpers/app.js'
import * as accounts from '../../../src/accounts/accounts.js'
import * as orgs from '../../../src/orgs/orgs.js'
import * as needs from '../../../src/needs/needs.js'
import * as needQueries from '../../../src/needs/need-queries.js'
import * as offers from '../../../src/offers/offers.js'
import * as reports from '../../../src/reports/reports.js'
import * as interchange from '../../../src/interchange/interchange.js'
import { events, needs as needsTable, organizations } from '../../../src/db/schema.js'
import type { Ledger } from '../../../src/interchange/interchange.js'

/**
 * One rule book for every door (issue 11): a ledger uploaded by a broker covering street A changes only what
 * that broker could change on the site. The outside test's four findings, each through the real upload.
 */

function multipart(csrf: string, files: { name: string; content: string }[]) {
  const boundary = '----AssetBridgeRightsBoundary'
  const parts = [`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`]
  for (const f of files)
    parts.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${f.name}"\r\nContent-Type: application/json\r\n\r\n${f.content}\r\n`,
    )
  return { payload: `${parts.join('')}--${boundary}--\r\n`, contentType: `multipart/form-data; boundary=${boundary}` }
}

async function upload(browser: Browser, ledger: Ledger) {
  await browser.get('/ledger')
  const body = multipart(browser.csrf!, [{ name: 'ledger.json', content: JSON.stringify(ledger) }])
  return browser.request('POST', '/ledger/import', {
    headers: { 'content-type': body.contentType },
    payload: body.payload,
  })
}

/** The problems table as `where: reason` lines. */
function problems(html: string): string[] {
  return [
    ...html.matchAll(
      /<tr><td>([^<]*)<\/td><td>(?:<code>([^<]*)<\/code>)?<\/td><td>(?:<code>([^<]*)<\/code>)?<\/td><td>([^<]*)<\/td><\/tr>/g,
    ),
  ].map((m) => `${m[1]}[${m[2] ?? ''}]${m[3] ? `.${m[3]}` : ''}: ${m[4].replaceAll('&quot;', '"')}`)
}

async function exported(browser: Browser): Promise<Ledger> {
  const res = await browser.get('/ledger/export.json')
  expect(res.statusCode).toBe(200)
  return JSON.parse(res.body) as Ledger
}

const refOf = (app: FastifyInstance, id: number) =>
  app.db.select({ ref: organizations.ref }).from(organizations).where(eq(organizations.id, id)).get()!.ref!
const orgRow = (app: FastifyInstance, id: number) =>
  app.db.select().from(organizations).where(eq(organizations.id, id)).get()!

let app: FastifyInstance
let world: World
let broker: Browser
beforeEach(async () => {
  app = await appForTest()
  world = await seedWorld(app)
  broker = await signedIn(app, world.broker.email, undefined, { headers: { 'accept-language': 'en' } })
})

describe("a broker's ledger goes through the site's rules", () => {
  it('cannot vouch for an organization outside their communities, and can for one inside', async () => {
    const ledger = await exported(broker)
    const before = tableCounts(app)
    const b = ledger.organizations!.find((o) => o.ref === refOf(app, world.orgB.id))!
    b.trust = 'vouched'
    const res = await upload(broker, ledger)
    expect(res.statusCode).toBe(422)
    expect(problems(res.body)).toEqual([
      `organizations[${b.ref}]: You can change only organizations in the communities you cover.`,
    ])
    expect(orgRow(app, world.orgB.id).trust).toBe('self_declared')
    expect(tableCounts(app)).toEqual(before)

    // On the site this broker may vouch for org A (community A, under street A): so may their file.
    b.trust = 'self_declared'
    ledger.organizations!.find((o) => o.ref === refOf(app, world.orgA.id))!.trust = 'vouched'
    expect((await upload(broker, ledger)).statusCode).toBe(200)
    expect(orgRow(app, world.orgA.id).trust).toBe('vouched')
  })

  it('cannot rewrite the need of an organization outside their communities, nor move a need to one', async () => {
    const theirs = needs.post(app.db, world.other, {
      orgId: world.orgB.id,
      category: 'venue',
      title: '南岸活动室',
      quantity: 4,
      areaId: world.communityB.id,
    })
    const ours = needs.post(app.db, world.member, {
      orgId: world.orgA.id,
      category: 'venue',
      title: '排练场地',
      quantity: 4,
      areaId: world.communityA.id,
    })
    const ledger = await exported(broker)
    const before = tableCounts(app)
    const find = (id: number) => ledger.needs!.find((n) => n.ref === `need-${id}`)!
    find(theirs.id).title = '改掉别人的需求'
    find(ours.id).org = refOf(app, world.orgB.id)
    const res = await upload(broker, ledger)
    expect(res.statusCode).toBe(422)
    expect(problems(res.body)).toEqual([
      `needs[need-${theirs.id}]: You can change only the needs and offers of organizations in the communities you cover.`,
      `needs[need-${ours.id}].org: The organization "${refOf(app, world.orgB.id)}" is outside the communities you cover.`,
    ])
    expect(
      app.db.select({ title: needsTable.title }).from(needsTable).where(eq(needsTable.id, theirs.id)).get()!.title,
    ).toBe('南岸活动室')
    expect(tableCounts(app)).toEqual(before)

    // A need of the group they look after is theirs to correct, as on the site.
    const fresh = await exported(broker)
    fresh.needs!.find((n) => n.ref === `need-${ours.id}`)!.title = '雨季排练场地'
    expect((await upload(broker, fresh)).statusCode).toBe(200)
    expect(needQueries.get(app.db, ours.id)!.title).toBe('雨季排练场地')
  })

  it('cannot create or change an area, which only an admin does on the site', async () => {
    const ledger = await exported(broker)
    const before = tableCounts(app)
    const streetA = ledger.areas!.find((a) => a.name === world.streetA.name)!
    ledger.areas!.push({ ref: 'NEW', name: '新社区', parent: streetA.ref })
    streetA.name = '改名街道'
    const res = await upload(broker, ledger)
    expect(res.statusCode).toBe(422)
    expect(problems(res.body)).toEqual([
      `areas[${streetA.ref}]: Only an admin can create or change areas.`,
      'areas[NEW]: Only an admin can create or change areas.',
    ])
    expect(tableCounts(app)).toEqual(before)

    const admin = await signedIn(app, world.admin.email)
    expect((await upload(admin, ledger)).statusCode).toBe(200)
  })

  it("cannot carry an endorsement along when moving a residents' committee up to the district", async () => {
    // The finding's broker covered the district; covering does not make them the street office.
    accounts.setBrokerAreas(app.db, world.admin.id, world.broker.id, [world.district.id])
    const committee = addOrg(app, world.member.id, {
      name: '荔枝湾居委会',
      kind: 'residents_committee',
      areaId: world.communityA.id,
    })
    orgs.endorse(app.db, world.admin, committee.id)
    const ledger = await exported(broker)
    const before = tableCounts(app)
    const record = ledger.organizations!.find((o) => o.ref === refOf(app, committee.id))!
    expect(record.trust).toBe('endorsed')
    record.area = ledger.areas!.find((a) => a.parent === null)!.ref
    const res = await upload(broker, ledger)
    expect(res.statusCode).toBe(422)
    expect(problems(res.body)).toEqual([
      `organizations[${record.ref}].trust: Only an admin (the street office) can give or take away "endorsed".`,
    ])
    expect(orgRow(app, committee.id)).toMatchObject({ areaId: world.communityA.id, trust: 'endorsed' })
    expect(tableCounts(app)).toEqual(before)

    // Without a trust level in the file, the move goes through and withdraws the endorsement, as the site's edit does:
    // the committee's member reads no district report.
    delete record.trust
    expect((await upload(broker, ledger)).statusCode).toBe(200)
    expect(orgRow(app, committee.id)).toMatchObject({ areaId: world.district.id, trust: 'self_declared' })
    const reset = app.db
      .select()
      .from(events)
      .where(and(eq(events.action, 'org.trust_reset'), eq(events.subjectId, committee.id)))
      .get()
    expect(reset).toMatchObject({ actorId: world.broker.id, data: { from: 'endorsed' } })
    expect(reports.reportableAreas(app.db, accounts.load(app.db, world.member.id)!)).toEqual([])
  })

  it("imports its own full export back unchanged, other communities' records included", async () => {
    needs.post(app.db, world.other, {
      orgId: world.orgB.id,
      category: 'venue',
      title: '南岸活动室',
      quantity: 4,
      areaId: world.communityB.id,
    })
    orgs.endorse(app.db, world.admin, world.orgB.id)
    const before = tableCounts(app)
    const res = await upload(broker, await exported(broker))
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('everything in it was already up to date')
    expect(tableCounts(app)).toEqual({ ...before, events: before.events + 1 })
  })
})

describe("an admin's or the operator's ledger", () => {
  it('may change anything and set any trust level; a move without one withdraws it, as on the site', async () => {
    const ledger = interchange.exportLedger(app.db, { by: 'operator' })
    const a = ledger.organizations!.find((o) => o.ref === refOf(app, world.orgA.id))!
    a.trust = 'endorsed'
    interchange.importLedger(app.db, ledger, { by: world.admin })
    expect(orgRow(app, world.orgA.id).trust).toBe('endorsed')
    delete a.trust
    a.kind = 'street_office'
    interchange.importLedger(app.db, ledger, { by: 'operator' })
    expect(orgRow(app, world.orgA.id)).toMatchObject({ kind: 'street_office', trust: 'self_declared' })
  })
})

describe('drafts stay with their organization', () => {
  it("are left out of a broker's export, web and CLI rights alike, and kept in an admin's", async () => {
    const draft = offers.post(app.db, world.member, {
      orgId: world.orgA.id,
      category: 'venue',
      title: '草稿资源',
      quantity: 5,
      servesAreaId: world.communityA.id,
      draft: true,
    })
    const needDraft = needs.post(app.db, world.member, {
      orgId: world.orgA.id,
      category: 'venue',
      title: '草稿需求',
      quantity: 5,
      areaId: world.communityA.id,
      draft: true,
    })
    const web = await broker.get('/ledger/export.json')
    expect(web.body).not.toMatch(/草稿/)
    expect(JSON.stringify(interchange.exportLedger(app.db, { by: world.broker }))).not.toMatch(/草稿/)
    const full = interchange.exportLedger(app.db, { by: world.admin })
    expect(full.offers!.map((o) => o.ref)).toContain(`offer-${draft.id}`)
    expect(full.needs!.map((n) => n.ref)).toContain(`need-${needDraft.id}`)
  })
})
