/** `cli backup` copies a capacity assessment's evidence files beside the database copy (evidence.test.ts: the uploads). */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import * as capacity from '../../../src/capacity/capacity.js'
import { INDICATOR_CODES, type Scores } from '../../../src/capacity/indicators.js'
import { capacityEvidence } from '../../../src/db/schema.js'
import { localToday } from '../../../src/shared/time.js'
import { makeApp, signedIn } from '../../helpers/app.js'
import { runCli } from '../../helpers/cli.js'
import { multipart, MULTIPART, PDF, PNG } from '../../helpers/uploads.js'
import { brokerWorld, reload } from '../brokering/world.js'

const now = new Date()
const all = (score: number): Scores => Object.fromEntries(INDICATOR_CODES.map((c) => [c, score]))

describe('cli backup', { timeout: 90_000 }, () => {
  it('copies the evidence folder beside the backup file, every file the copied database lists', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-evidence-cli-'))
    try {
      const dbFile = path.join(work, 'data.sqlite')
      const fileApp = await makeApp({ dbPath: dbFile })
      let stored: string[]
      try {
        expect(fileApp.config.evidenceDir).toBe(path.join(work, 'data.evidence'))
        const fw = await brokerWorld(fileApp)
        const aid = capacity.record(
          fileApp.db,
          reload(fileApp, fw.broker),
          fw.orgA.id,
          { assessedOn: localToday(now), scores: all(2) },
          now,
        ).id
        const b = await signedIn(fileApp, fw.broker.email)
        await b.refreshCsrf(`/capacity/${aid}`)
        const res = await b.request('POST', `/capacity/${aid}/evidence`, {
          headers: { 'content-type': MULTIPART },
          payload: multipart(b.csrf!, [
            { filename: 'a.png', data: PNG },
            { filename: 'b.pdf', data: PDF },
          ]) as unknown as string,
        })
        expect(res.statusCode, res.body).toBe(303)
        stored = fileApp.db
          .select()
          .from(capacityEvidence)
          .all()
          .map((e) => e.storedName)
      } finally {
        await fileApp.close()
      }
      const out = path.join(work, 'backups', 'copy.sqlite')
      const result = await runCli(dbFile, ['backup', out])
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout).toContain('2 evidence file(s)')
      const copied = path.join(work, 'backups', 'copy.evidence')
      expect(fs.readdirSync(copied).sort()).toEqual([...stored].sort())
      expect(
        fs
          .readFileSync(
            path.join(
              copied,
              stored.find((s) => s.endsWith('.png'))!,
            ),
          )
          .equals(PNG),
      ).toBe(true)
      const copy = new Database(out, { readonly: true })
      try {
        expect(
          (copy.prepare('SELECT stored_name AS s FROM capacity_evidence').all() as { s: string }[])
            .map((r) => r.s)
            .sort(),
        ).toEqual([...stored].sort())
      } finally {
        copy.close()
      }
    } finally {
      fs.rmSync(work, { recursive: true, force: true })
    }
  })
})
