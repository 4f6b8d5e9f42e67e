/**
 * A match page reads the versions of what it remembers once (matching.ts pageVersions), and its categories and
 * vocabulary are stamped from that read rather than each reading its own.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it, onTestFinished } from 'vitest'
import { openDb } from '../../../src/database.js'
import { ROOT } from '../../../src/config.js'
import { pageVersions } from '../../../src/matching/matching.js'
import { categoryNames } from '../../../src/listings/listings.js'
import { vocabulary } from '../../../src/topics/topics.js'

function tempDb() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-page-versions-'))
  const file = path.join(dir, 'page.sqlite')
  const { db, sqlite } = openDb(file, ROOT)
  const other = new Database(file)
  onTestFinished(() => {
    sqlite.close()
    other.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })
  return { db, other }
}

describe("a match page's versions", () => {
  it('cover the categories and the vocabulary, which answer as of that read', () => {
    const { db, other } = tempDb()
    const seen = pageVersions(db)
    expect([...seen.keys()]).toEqual(expect.arrayContaining(['categories', 'topic_terms']))
    const before = categoryNames(db, 'en', seen)
    const words = vocabulary(db, seen)
    // Another process adds a category and a term after the page read its versions.
    other
      .prepare(
        "INSERT INTO categories (code, name_zh, name_en, unit, position) VALUES ('boats', '船', 'Boats', 'items', 99)",
      )
      .run()
    other
      .prepare(
        "INSERT INTO topic_terms (category, topic, kind, lang, term, created_at) VALUES ('venue', 'activity_room', 'synonym', 'zh', '龙舟棚', 0)",
      )
      .run()
    // The page goes on with what it read; the next page (a new read, or none given) sees the change.
    expect(categoryNames(db, 'en', seen)).toEqual(before)
    expect(vocabulary(db, seen)).toBe(words)
    expect(categoryNames(db, 'en', pageVersions(db)).boats).toBe('Boats')
    expect(categoryNames(db, 'en').boats).toBe('Boats')
    expect(vocabulary(db, pageVersions(db))).not.toBe(words)
  })
})
