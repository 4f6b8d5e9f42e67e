import { describe, expect, it } from 'vitest'
import { addArea, appForTest } from '../../helpers/app.js'
import * as orgs from '../../../src/orgs/orgs.js'

// The directory's typo-tolerant name lookup keeps an index of names until an organization changes (orgs.ts). Two
// databases can agree on what that check reads (how many organizations, the latest change): each must still search its
// own names.
describe('the organization name index', () => {
  it('answers each database from its own names, however alike the two look', async () => {
    const at = '2026-12-01T08:00:00.000Z'
    const dbs = await Promise.all(
      [
        ['阳光舞蹈队', '夕阳红合唱团'],
        ['亲子阅读会', '邻里互助社'],
      ].map(async (names) => {
        const app = await appForTest()
        const area = addArea(app, '幸福社区')
        const add = app.sqlite.prepare(
          `INSERT INTO organizations (name, kind, area_id, created_at, updated_at) VALUES (?, 'community_group', ?, ?, ?)`,
        )
        for (const name of names) add.run(name, area.id, at, at)
        return app.db
      }),
    )
    const names = (db: (typeof dbs)[number], q: string) => orgs.list(db, { q }).items.map((o) => o.name)
    expect(names(dbs[0]!, '舞蹈队')).toEqual(['阳光舞蹈队'])
    expect(names(dbs[1]!, '阅读')).toEqual(['亲子阅读会'])
    expect(names(dbs[1]!, '舞蹈队')).toEqual([])
    expect(names(dbs[0]!, '阅读')).toEqual([])
  })
})
