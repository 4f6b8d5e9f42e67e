import { expect, it } from 'vitest'
import { eq, sql } from 'drizzle-orm'
import { sqliteOf } from '../../../src/db/client.js'
import { areas, needs, organizations } from '../../../src/db/schema.js'
import { rowsByIds } from '../../../src/listings/rows.js'
import { appForTest, seedWorld } from '../../helpers/app.js'
import { postNeed } from './world.js'

// Columns of every decoding the list pages read: JSON text, a boolean integer, nullable ones, a joined table's.
const columns = {
  id: needs.id,
  title: needs.title,
  topics: needs.topics,
  topicsConfirmed: needs.topicsConfirmed,
  beneficiaries: needs.beneficiaries,
  untilDate: needs.untilDate,
  orgName: organizations.name,
  areaNameEn: areas.nameEn,
}
const select = (db: Parameters<Parameters<typeof rowsByIds>[1]>[0]) =>
  db
    .select(columns)
    .from(needs)
    .innerJoin(organizations, eq(organizations.id, needs.orgId))
    .innerJoin(areas, eq(areas.id, needs.areaId))
    .where(sql`${needs.id} IN (SELECT value FROM json_each(${sql.placeholder('ids')}))`)

it('reads the rows drizzle reads, each column decoded as drizzle decodes it', async () => {
  const app = await appForTest()
  const w = await seedWorld(app)
  const tagged = postNeed(app, w.member, { orgId: w.orgA.id, areaId: w.communityA.id, beneficiaries: 30 }).id
  const plain = postNeed(app, w.member, { orgId: w.orgA.id, areaId: w.communityB.id, title: '没有话题的需求' }).id
  sqliteOf(app.db)
    .prepare(`UPDATE needs SET topics = '["rehearsal","stage"]', topics_confirmed = 1 WHERE id = ?`)
    .run(tagged)
  sqliteOf(app.db).prepare('UPDATE needs SET topics = NULL, beneficiaries = NULL WHERE id = ?').run(plain)
  const ids = [plain, tagged, 999_999]

  const rows = rowsByIds(columns, select)(app.db, ids)

  const byId = (xs: { id: number }[]) => [...xs].sort((a, b) => a.id - b.id)
  expect(byId(rows)).toEqual(byId(select(app.db).all({ ids: JSON.stringify(ids) })))
  expect(rows.find((r) => r.id === tagged)).toMatchObject({
    topics: ['rehearsal', 'stage'],
    topicsConfirmed: true,
    beneficiaries: 30,
  })
  expect(rows.find((r) => r.id === plain)).toMatchObject({ topics: null, topicsConfirmed: false, beneficiaries: null })
  expect(rowsByIds(columns, select)(app.db, [])).toEqual([])
})
