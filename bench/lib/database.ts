import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type Db } from '../../src/db/client.js'
import { openDb } from '../../src/database.js'
import { seedDemo } from '../../src/demo/seed.js'
import { ROOT } from './paths.js'

export interface BenchDb {
  file: string
  /** Removes the file and its directory. */
  remove(): void
}

/**
 * A throwaway SQLite file built the way the app builds one (migrations, pragmas), with the demo district
 * when asked and whatever `populate` adds. Closed before it is returned, so the server opens it cold
 * like a freshly started site.
 */
export async function makeDatabase(
  opts: { demo?: boolean; populate?: (db: Db) => void | Promise<void> } = {},
): Promise<BenchDb> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-bench-'))
  const file = path.join(dir, 'bench.sqlite')
  const { db, sqlite } = openDb(file, ROOT)
  try {
    if (opts.demo ?? true) await seedDemo(db, { password: 'bench-demo-password-1' })
    await opts.populate?.(db)
    sqlite.pragma('wal_checkpoint(TRUNCATE)')
    sqlite.exec('ANALYZE')
  } finally {
    sqlite.close()
  }
  return { file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) }
}

import { prng } from './prng.js'
export { prng }

export const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)]!
