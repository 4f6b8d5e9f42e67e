import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Db, type Sqlite } from '../../../src/db/client.js'
import { openDb } from '../../../src/database.js'
import { users } from '../../../src/db/schema.js'
import * as topics from '../../../src/topics/topics.js'
import { ValidationError } from '../../../src/shared/errors.js'

// addTopic asks the database whether the category exists, so these tests open an empty in-memory database (its
// migrations bring the seven categories every district starts with) with one admin to log the additions against.
const ROOT = path.resolve(import.meta.dirname, '../../..')
let db: Db
let sqlite: Sqlite
let adminId: number
beforeAll(() => {
  ;({ db, sqlite } = openDb(':memory:', ROOT))
  adminId = db
    .insert(users)
    .values({
      email: 'admin@example.org',
      name: 'Admin',
      passwordHash: 'x',
      role: 'admin',
      createdAt: '2026-03-10T08:00:00Z',
    })
    .returning()
    .get().id
})
afterAll(() => sqlite.close())

const written = () => ({
  terms: (sqlite.prepare('SELECT count(*) AS n FROM topic_terms').get() as { n: number }).n,
  events: (sqlite.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n,
})

describe('adding a topic', () => {
  it('refuses a category that does not exist, on the category field, and writes nothing', () => {
    const before = written()
    let error: unknown
    try {
      topics.addTopic(db, adminId, { category: 'no_such_category', zh: '釉料', en: 'Glaze' })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).fields).toEqual({ category: { key: 'validation.choose' } })
    expect(written()).toEqual(before)
  })

  it('adds one to a category that exists: both names and the log entry', () => {
    const before = written()
    expect(topics.addTopic(db, adminId, { category: 'materials', zh: '釉料', en: 'Glaze' })).toBe('glaze')
    expect(written()).toEqual({ terms: before.terms + 2, events: before.events + 1 })
  })
})
