import Database from 'better-sqlite3'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { countMatches, ensureSearchIndex, indexDoc, removeDoc, searchPage } from '../../../src/search/fts.js'
import { compiled } from '../../../src/search/query.js'
import { relevanceLookups } from '../../../src/search/relevance.js'

// A small deterministic generator: the same listings and queries every run.
const random = (seed: number) => () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
const WORDS = [
  ...['garden', 'community', 'choir', 'piano', 'weekend', 'volunteers', 'repair', 'bicycle', 'books', 'kitchen'],
  ...['社区', '花园', '志愿者', '周末', '维修', '自行车', '图书', '捐赠', '寻找', '厨房'],
]

describe('a query counted from kept postings', () => {
  // Past 250k the largest id makes the totals counted in FTS5 unless every group's postings are kept (fts.ts).
  it.each([0, 300_000])(
    'has the total and page of the plain statements, through writes here and elsewhere (ids from %i)',
    (from) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fts-totals-'))
      const file = path.join(dir, 'search.sqlite')
      const here = new Database(file)
      const elsewhere = new Database(file)
      onTestFinished(() => {
        here.close()
        elsewhere.close()
        fs.rmSync(dir, { recursive: true, force: true })
      })
      ensureSearchIndex(here)
      const rand = random(16)
      const pick = (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ')
      // 提供 in most listings: its queries match more than a ranking window.
      const listing = (id: number) => ({
        kind: 'need' as const,
        id,
        category: 'other',
        title: pick(1 + Math.floor(rand() * 2)),
        body: `${rand() < 0.8 ? '提供 ' : ''}${pick(1 + Math.floor(rand() * 4))}`,
      })
      for (let id = from + 1; id <= from + 1400; id++) indexDoc(here, listing(id))
      const queries = Array.from({ length: 40 }, (_, k) =>
        k % 10 === 9 ? `提供 ${pick(1)}` : k % 10 === 8 ? `xylophone ${pick(1)}` : pick(1 + Math.floor(rand() * 7)),
      )
      const even = new Set(Array.from({ length: 800 }, (_, i) => from + 2 * i))

      // Strict when anything matches it, else loose; counted and ranked by FTS5 itself, as before postings were kept.
      const plain = (sqlite: Database.Database, q: string) => {
        const { strict, loose } = compiled(sqlite, 'need', q)!
        const rowids = (m: string) =>
          sqlite.prepare('SELECT rowid FROM search_needs WHERE search_needs MATCH ?').pluck().all(m) as number[]
        const match = rowids(strict).length > 0 ? strict : (loose ?? strict)
        const all = rowids(match)
        const ranked = sqlite
          .prepare(
            'SELECT rowid AS id FROM search_needs WHERE search_needs MATCH ? ' +
              'ORDER BY -bm25(search_needs, 4.0, 1.0) DESC, rowid DESC LIMIT 10',
          )
          .pluck()
          .all(match) as number[]
        return { total: all.length, inEven: all.filter((id) => even.has(id)).length, ranked }
      }
      const check = (sqlite: Database.Database) => {
        let loose = 0
        let windowed = 0
        for (const q of queries) {
          const expected = plain(sqlite, q)
          const page = searchPage(sqlite, 'need', q, { limit: 10 })
          expect([q, page.total]).toEqual([q, expected.total])
          if (expected.total <= 1000) expect([q, page.hits.map((h) => h.id)]).toEqual([q, expected.ranked])
          else windowed++
          expect([q, countMatches(sqlite, 'need', q, { ids: even })]).toEqual([q, expected.inEven])
          const { strict } = compiled(sqlite, 'need', q)!
          if (compiled(sqlite, 'need', q)!.match !== strict) loose++
        }
        return { loose, windowed }
      }

      const first = check(here)
      // Both cases are asked: a strict expression matching nothing, and a query matching more than a window.
      expect(first.loose).toBeGreaterThan(3)
      expect(first.windowed).toBeGreaterThan(1)
      for (let round = 0; round < 4; round++) {
        for (let k = 0; k < 25; k++) {
          const id = from + 1 + Math.floor(rand() * 1500)
          if (rand() < 0.3) removeDoc(here, 'need', id)
          else indexDoc(here, listing(id))
        }
        check(here)
        for (let k = 0; k < 25; k++) indexDoc(elsewhere, listing(from + 1 + Math.floor(rand() * 1500)))
        check(here)
      }
      // Inside a transaction, its own writes count, and are gone once it is rolled back.
      const q = queries[0]!
      const before = searchPage(here, 'need', q).total
      expect(() =>
        here.transaction(() => {
          indexDoc(here, { kind: 'need', id: from + 5000, category: 'other', title: q, body: q })
          expect(searchPage(here, 'need', q).total).toBe(plain(here, q).total)
          expect(searchPage(here, 'need', q).total).toBe(before + 1)
          throw new Error('rolled back')
        })(),
      ).toThrow('rolled back')
      expect(searchPage(here, 'need', q).total).toBe(before)
    },
  )
})

describe('a large index', () => {
  // Past 250k ids a group's postings are read only when a query names it again, two a query (matches.ts READ_AGAIN).
  it('reads a group named before, two a query, and counts from them once every group is kept', () => {
    const sqlite = new Database(':memory:')
    onTestFinished(() => void sqlite.close())
    ensureSearchIndex(sqlite)
    const rand = random(7)
    const words = WORDS.slice(0, 10)
    for (let id = 300_001; id <= 300_600; id++) {
      const pick = () => words[Math.floor(rand() * words.length)]
      indexDoc(sqlite, {
        kind: 'need',
        id,
        category: 'other',
        title: `${pick()} ${pick()}`,
        body: `${pick()} ${pick()}`,
      })
    }
    const count = (m: string) =>
      sqlite.prepare('SELECT count(*) FROM search_needs WHERE search_needs MATCH ?').pluck().get(m) as number
    const reads = () => relevanceLookups(sqlite, 'need').read
    const total = (q: string) => {
      const page = searchPage(sqlite, 'need', q, { limit: 5 })
      expect([q, page.total]).toEqual([q, count(compiled(sqlite, 'need', q)!.match!)])
      return page.total
    }

    // Named once: counted in FTS5, nothing read.
    for (const w of ['garden', 'community', 'choir', 'piano']) total(w)
    expect(reads()).toBe(0)
    // Named again (a new query, so not a cached total): read, and the next query naming it reads nothing.
    total('garden garden')
    expect(reads()).toBe(1)
    total('Garden')
    expect(reads()).toBe(1)
    // Four groups, three of them named before and not kept: two are read, the total still counted in FTS5.
    total('garden community choir piano')
    expect(reads()).toBe(3)
    total('choir community piano garden')
    expect(reads()).toBe(4)
    // Every group kept: nothing more is read, whatever the query asks.
    total('community piano garden choir')
    total('choir piano')
    expect(reads()).toBe(4)
  })
})
