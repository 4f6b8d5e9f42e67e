import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { populateListings, type ListingsOptions } from '../../bench/lib/listings.js'
import { ROOT } from '../../src/config.js'
import { type Db, type Sqlite } from '../../src/db/client.js'
import { openDb } from '../../src/database.js'
import { seedDemo } from '../../src/demo/seed.js'

export interface GeneratedDistrict {
  dir: string
  file: string
  db: Db
  sqlite: Sqlite
  /** Closes the connection and deletes the folder. */
  remove(): void
}

/**
 * The demo district with generated listings (bench/lib/listings.ts) in a file of its own, in a folder of its own:
 * for tests of what a connection keeps across writes, which open the file again as another process would.
 */
export async function generatedDistrict(name: string, listings: ListingsOptions): Promise<GeneratedDistrict> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `assetbridge-${name}-`))
  const file = path.join(dir, `${name}.sqlite`)
  const { db, sqlite } = openDb(file, ROOT)
  await seedDemo(db, { password: `${name}-test-password-1` })
  populateListings(db, listings)
  return {
    dir,
    file,
    db,
    sqlite,
    remove() {
      sqlite.close()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
