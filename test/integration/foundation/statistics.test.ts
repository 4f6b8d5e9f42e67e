import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { refreshStatistics } from '../../../src/db/client.js'
import { openDb } from '../../../src/database.js'
import { seedDemo } from '../../../src/demo/seed.js'
import { ROOT } from '../../../src/config.js'

describe('planner statistics', () => {
  it('are taken when a table has grown past them, at open and on demand, and left alone otherwise', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ab-stats-'))
    const file = path.join(dir, 'db.sqlite')
    try {
      const first = openDb(file, ROOT)
      await seedDemo(first.db, { password: 'stats-demo-password' })
      // 42 demo needs become 1,000: far more than any statistics (there are none yet) describe.
      first.sqlite.exec(`WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 958)
        INSERT INTO needs (org_id, category, title, description, quantity, unit, remaining, area_id, place, urgency, status, created_at, updated_at, expires_at)
        SELECT org_id, category, title || i, description, quantity, unit, remaining, area_id, place, urgency, status, created_at, updated_at, expires_at FROM needs, k WHERE needs.id = 1`)
      first.sqlite.close()

      const second = openDb(file, ROOT)
      const stat = second.sqlite.prepare("SELECT stat FROM sqlite_stat1 WHERE tbl = 'needs' LIMIT 1").get() as {
        stat: string
      }
      expect(Number(stat.stat.split(' ')[0])).toBe(1000)
      expect(refreshStatistics(second.sqlite)).toEqual([])
      second.sqlite.close()
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
