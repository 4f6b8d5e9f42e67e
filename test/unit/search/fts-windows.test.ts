/** Search pages: paging, candidate filters, and bm25 ranked window by window, filtered or not (fts.ts). */
import Database from 'better-sqlite3'
import { describe, expect, it, onTestFinished } from 'vitest'
import { countMatches, ensureSearchIndex, indexDoc, reindex, search, searchPage } from '../../../src/search/fts.js'
import { compiled } from '../../../src/search/query.js'
import { relevanceLookups } from '../../../src/search/relevance.js'
import { ids } from './corpus.js'

describe('pagination and filters', () => {
  function manyDb() {
    const sqlite = new Database(':memory:')
    onTestFinished(() => void sqlite.close())
    ensureSearchIndex(sqlite)
    for (let id = 1; id <= 45; id++) {
      const title = id % 3 === 0 ? '舞蹈排练场地 rehearsal venue' : '舞蹈 dance class'
      indexDoc(sqlite, { kind: 'offer', id, title, body: 'x'.repeat(id % 7) + ' 舞蹈'.repeat(id % 4) })
    }
    return sqlite
  }

  it('pages through all matches without overlap, best first', () => {
    const sqlite = manyDb()
    const total = countMatches(sqlite, 'offer', '舞蹈')
    expect(total).toBe(45)
    const seen: number[] = []
    let lastScore = Infinity
    for (let offset = 0; offset < total; offset += 10) {
      const page = search(sqlite, 'offer', '舞蹈', { limit: 10, offset })
      for (const h of page) {
        expect(h.score).toBeLessThanOrEqual(lastScore)
        lastScore = h.score
      }
      seen.push(...ids(page))
    }
    expect(new Set(seen).size).toBe(45)
  })

  it('restricts to candidate ids (the app filters first), for page and total alike', () => {
    const sqlite = manyDb()
    const open = [3, 4, 5, 6, 9, 100]
    expect(ids(search(sqlite, 'offer', 'rehearsal', { ids: open })).sort((a, b) => a - b)).toEqual([3, 6, 9])
    expect(countMatches(sqlite, 'offer', 'rehearsal', { ids: open })).toBe(3)
    expect(search(sqlite, 'offer', 'rehearsal', { ids: [] })).toEqual([])
    expect(countMatches(sqlite, 'offer', 'rehearsal', { ids: new Set([1, 2]) })).toBe(0)
    expect(search(sqlite, 'offer', 'rehearsal', { ids: open, limit: 2, offset: 2 })).toHaveLength(1)
  })

  it('gives the same answer for a large candidate set as for a small one', () => {
    const sqlite = manyDb()
    const big = Array.from({ length: 20_000 }, (_, i) => i + 1)
    expect(ids(search(sqlite, 'offer', '舞蹈', { ids: big, limit: 100 }))).toEqual(
      ids(search(sqlite, 'offer', '舞蹈', { limit: 100 })),
    )
    expect(countMatches(sqlite, 'offer', 'rehearsal', { ids: big })).toBe(15)
  })

  it('ranks a very common word window by window, newest first, and pages through every match once', () => {
    const sqlite = new Database(':memory:')
    onTestFinished(() => void sqlite.close())
    ensureSearchIndex(sqlite)
    const n = 2500 // more than two ranking windows
    reindex(
      sqlite,
      'offer',
      Array.from({ length: n }, (_, i) => ({
        id: i + 1,
        title: i % 10 === 0 ? '志愿者招募' : '社区活动',
        body: `志愿者 ${'活动 '.repeat(i % 5)}`,
      })),
    )
    expect(countMatches(sqlite, 'offer', '志愿者')).toBe(n)
    const first = search(sqlite, 'offer', '志愿者', { limit: 20 })
    // Best of the newest window: a title match, from the newest 1000 listings.
    expect(first[0].id).toBeGreaterThan(n - 1000)
    expect(first.every((h) => h.id % 10 === 1)).toBe(true)
    const seen = new Set<number>()
    for (let offset = 0; offset < n; offset += 700) {
      for (const h of search(sqlite, 'offer', '志愿者', { limit: 700, offset })) seen.add(h.id)
    }
    expect(seen.size).toBe(n)
    // The same with candidate ids: every other listing.
    const even = Array.from({ length: n / 2 }, (_, i) => 2 * (i + 1))
    const total = countMatches(sqlite, 'offer', '志愿者', { ids: even })
    expect(total).toBe(n / 2)
    const seenEven = new Set<number>()
    for (let offset = 0; offset < total; offset += 333) {
      for (const h of search(sqlite, 'offer', '志愿者', { ids: even, limit: 333, offset })) seenEven.add(h.id)
    }
    expect(seenEven.size).toBe(n / 2)
    expect([...seenEven].every((id) => id % 2 === 0)).toBe(true)
  })

  it('ranks each window exactly as bm25 over its own matches, pages crossing windows included', () => {
    const sqlite = windowsDb()
    for (const q of ['volunteer', 'weekend volunteers', 'tea volunteers']) {
      const expected = plainRanking(sqlite, q)
      expect(expected.length).toBeGreaterThan(1000)
      expect(countMatches(sqlite, 'offer', q)).toBe(expected.length)
      for (const [offset, limit] of [
        [0, 20],
        [7, 30],
        [990, 20],
        [1000, 15],
        [1995, 10],
        [0, 2500],
        [2001, 999],
      ]) {
        const got = search(sqlite, 'offer', q, { offset, limit }).map((h) => ({ id: h.id, score: h.score }))
        expect(got).toEqual(expected.slice(offset, offset + limit))
      }
    }
  })

  it('ranks a window with candidates as it ranks it without them', () => {
    // FTS5's bm25 of a row can depend on the rows its scan passed first: after the first of these two listings (寻找,
    // and 社区 … 花园 too far apart for NEAR), a scan in rowid order leaves one of the second's instances uncounted,
    // one newest first does not. A window ranked as a rowid range (the candidates' path) scored it 19.0, the list
    // without candidates 23.4.
    const sqlite = new Database(':memory:')
    onTestFinished(() => void sqlite.close())
    ensureSearchIndex(sqlite)
    for (let id = 1; id <= 1100; id++) {
      const title = id % 3 ? 'community garden' : 'garden tools for the community'
      indexDoc(sqlite, { kind: 'need', id, category: 'other', title, body: 'weekend' })
    }
    const doc = (id: number, title: string, body: string) =>
      indexDoc(sqlite, { kind: 'need', id, category: 'funds', title, body })
    doc(1101, '寻找陪同翻译出借', '陪同就医翻译。翻译社区通知。另外也需要排练场地。周五上午，地点在朝阳花园志愿者协会')
    doc(1102, '寻找社区花园（周末）', '需要锄头和种子。每周日上午劳动。每月中午，地点在中山社区281号')
    const q = '寻找社区花园 / community garden'
    const all = { has: () => true }
    const odd = { has: (id: number) => id % 2 === 1 || id === 1102 }
    for (const [offset, limit] of [
      [0, 10],
      [995, 10],
      [1090, 20],
    ]) {
      const plain = searchPage(sqlite, 'need', q, { offset, limit })
      expect(plain.total).toBe(1101)
      expect(searchPage(sqlite, 'need', q, { offset, limit, ids: all })).toEqual(plain)
    }
    const plain = search(sqlite, 'need', q, { limit: 1200 })
    expect(plain[0]!.id).toBe(1102)
    const expected = plain.filter((h) => odd.has(h.id))
    expect(search(sqlite, 'need', q, { limit: 1200, ids: odd })).toEqual(expected)
    expect(search(sqlite, 'need', q, { offset: 3, limit: 7, ids: odd })).toEqual(expected.slice(3, 10))
  })

  // Each window ranks only its candidates' span: sparse candidates, a window with none between two with some, and a
  // query found only loosely (counted by reading its rowids) come out as the plain ranking filtered to them.
  it('ranks candidates as the plain windows do, filtered to them, however sparse', () => {
    const sqlite = windowsDb()
    const matches = plainRanking(sqlite, 'volunteer')
      .map((r) => r.id)
      .sort((a, b) => b - a)
    // The newest 40 matches, one in 97 of the middle ones, the oldest 25, and none in the second window.
    const wanted = new Set(
      matches.filter((id, at) => at < 40 || at >= matches.length - 25 || (at > 2000 && id % 97 === 0)),
    )
    for (const q of ['volunteer', 'tea volunteers', 'volunteer zzzzqq']) {
      const expected = plainRanking(sqlite, q).filter((r) => wanted.has(r.id))
      expect(expected.length).toBeGreaterThan(30)
      for (const [offset, limit] of [
        [0, 20],
        [30, 20],
        [39, 5],
        [40, 3],
        [0, 500],
        [expected.length - 3, 20],
      ]) {
        const page = searchPage(sqlite, 'offer', q, { ids: { has: (id) => wanted.has(id) }, offset, limit })
        expect(page.total).toBe(expected.length)
        expect(page.hits.map((h) => ({ id: h.id, score: h.score }))).toEqual(expected.slice(offset, offset + limit))
      }
    }
  })

  it('ranks every window a filtered page needs in one bm25 statement', () => {
    // Each statement's bm25 first reads the whole doclist of every phrase in the query (at 1M listings 10-20 ms for a
    // pasted title): a sparse filter whose page spans many windows paid that once a window.
    const { sqlite, runs: ranks } = counting(windowsDb(), (sql) => sql.includes('bm25('))
    const matches = plainRanking(sqlite, 'volunteer')
      .map((r) => r.id)
      .sort((a, b) => b - a)
    // One candidate in each window but the second, so the first page spans them all.
    const wanted = new Set(matches.filter((_, at) => at % 1000 === 500 && at !== 1500))
    const expected = plainRanking(sqlite, 'volunteer').filter((r) => wanted.has(r.id))
    expect(expected.length).toBe(2)
    const before = ranks()
    const page = searchPage(sqlite, 'offer', 'volunteer', { ids: { has: (id) => wanted.has(id) }, limit: 20 })
    expect(page.hits.map((h) => ({ id: h.id, score: h.score }))).toEqual(expected)
    expect(ranks() - before).toBe(1)
  })

  it('finds a filtered page among the matches of its words kept postings, not by reading them from the index', () => {
    // Reading a common word's matches from FTS5 cost ~0.2 µs each (26 ms for 144k at 1M listings) on every list page
    // with a query and a filter; the groups' postings are kept across pages (relevance.ts). Both read every rowid of an
    // expression (caches.ts matchingAscending): the reads beyond the postings' own are the query's.
    const { sqlite, runs: reads } = counting(
      windowsDb(),
      (sql) => sql.includes(' MATCH ') && sql.includes('json_group_array(rowid)'),
    )
    const wanted = { has: (id: number) => id % 5 === 1 }
    for (const q of ['volunteer', 'tea volunteers', 'volunteer zzzzqq']) {
      const expected = plainRanking(sqlite, q).filter((r) => wanted.has(r.id))
      for (const offset of [0, 400]) {
        const page = searchPage(sqlite, 'offer', q, { ids: wanted, offset, limit: 20 })
        expect(page.total).toBe(expected.length)
        expect(page.hits.map((h) => ({ id: h.id, score: h.score }))).toEqual(expected.slice(offset, offset + 20))
      }
    }
    expect(reads()).toBe(relevanceLookups(sqlite, 'offer').read)
    expect(reads()).toBeGreaterThan(0)
  })

  it('tests each match against the candidates once, for the total and the windows alike', () => {
    // The test asks the list pages' directory; a common word matches 144k listings at 1M, 3-7 ms a pass over them.
    const sqlite = windowsDb()
    const everything = countMatches(sqlite, 'offer', 'volunteer')
    expect(everything).toBeGreaterThan(2000)
    for (const offset of [0, 150]) {
      let tests = 0
      const page = searchPage(sqlite, 'offer', 'volunteer', {
        ids: { has: (id) => (tests++, id % 7 === 3) },
        offset,
        limit: 20,
      })
      expect(page.hits).toHaveLength(20)
      expect(tests).toBe(everything)
    }
  })

  it('ranks a filtered query of at most a window of matches as the plain statement does, filtered', () => {
    // The plain statement scans in rowid order, and FTS5's bm25 of a row can depend on the rows its scan passed first
    // (see 'ranks a window with candidates as it ranks it without them'): scoring only the candidates keeps that scan.
    const sqlite = new Database(':memory:')
    onTestFinished(() => void sqlite.close())
    ensureSearchIndex(sqlite)
    for (let id = 1; id <= 600; id++) {
      const title = id % 3 ? 'community garden' : 'garden tools for the community'
      indexDoc(sqlite, { kind: 'need', id, category: 'other', title, body: 'weekend' })
    }
    const doc = (id: number, title: string, body: string) =>
      indexDoc(sqlite, { kind: 'need', id, category: 'funds', title, body })
    doc(601, '寻找陪同翻译出借', '陪同就医翻译。翻译社区通知。另外也需要排练场地。周五上午，地点在朝阳花园志愿者协会')
    doc(602, '寻找社区花园（周末）', '需要锄头和种子。每周日上午劳动。每月中午，地点在中山社区281号')
    const q = '寻找社区花园 / community garden'
    const plain = search(sqlite, 'need', q, { limit: 700 })
    expect(plain).toHaveLength(601)
    for (const keep of [(id: number) => id % 2 === 0, (id: number) => id > 590 || id % 50 === 0]) {
      const expected = plain.filter((h) => keep(h.id))
      expect(searchPage(sqlite, 'need', q, { limit: 700, ids: { has: keep } })).toEqual({
        hits: expected,
        total: expected.length,
        terms: plain[0]!.terms,
      })
      expect(search(sqlite, 'need', q, { offset: 2, limit: 5, ids: { has: keep } })).toEqual(expected.slice(2, 7))
    }
  })

  it('returns a page and the total in one call', () => {
    const sqlite = manyDb()
    const page = searchPage(sqlite, 'offer', 'rehearsal', { limit: 4, offset: 12 })
    expect(page.total).toBe(15)
    expect(page.hits).toHaveLength(3)
    expect(page.terms).toEqual(['rehearsal'])
    expect(searchPage(sqlite, 'offer', 'rehearsal', { offset: 99 })).toEqual({
      hits: [],
      total: 15,
      terms: ['rehearsal'],
    })
    expect(searchPage(sqlite, 'offer', '  ')).toEqual({ hits: [], total: 0, terms: [] })
  })

  it('orders ties deterministically', () => {
    const sqlite = manyDb()
    expect(search(sqlite, 'offer', 'venue', { limit: 50 })).toEqual(search(sqlite, 'offer', 'venue', { limit: 50 }))
  })
})

/** 2,700 listings whose words spread bm25's scores, with ties among identical ones; some match nothing. */
function windowsDb() {
  const sqlite = new Database(':memory:')
  onTestFinished(() => void sqlite.close())
  ensureSearchIndex(sqlite)
  const words = ['volunteer', 'volunteers', 'weekend', 'dance', 'class', 'choir']
  reindex(
    sqlite,
    'offer',
    Array.from({ length: 2700 }, (_, i) => ({
      id: 3 * i + 1 + (i % 2),
      title: i % 7 === 0 ? `${words[i % 6]} ${words[(i >> 3) % 6]}` : 'community room',
      body: `${words[(i * 5) % 6]} volunteer ${i % 2 ? 'weekend' : 'tea'} ${'and '.repeat(i % 9)}`,
    })),
  )
  return sqlite
}

/** The plain computation: every match newest first, cut into windows of 1000, each ranked by bm25 alone. */
function plainRanking(sqlite: Database.Database, q: string) {
  const query = compiled(sqlite, 'offer', q)!
  const ranked = (match: string) =>
    sqlite
      .prepare(
        `SELECT rowid AS id, -bm25(search_offers, 4.0, 1.0) AS score FROM search_offers WHERE search_offers MATCH ?`,
      )
      .all(match) as { id: number; score: number }[]
  const strict = ranked(query.strict)
  const rows = strict.length > 0 || query.loose === undefined ? strict : ranked(query.loose)
  rows.sort((a, b) => b.id - a.id)
  const out: { id: number; score: number }[] = []
  for (let w = 0; w < rows.length; w += 1000) {
    out.push(...rows.slice(w, w + 1000).sort((a, b) => b.score - a.score || b.id - a.id))
  }
  return out
}

/** The connection, counting the runs of statements whose SQL `counts` picks. */
function counting(db: Database.Database, counts: (sql: string) => boolean) {
  let runs = 0
  const counted = (st: Database.Statement): Database.Statement => {
    const proxy: Database.Statement = new Proxy(st, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          if (prop === 'all' || prop === 'get' || prop === 'iterate') runs++
          const result = value.apply(target, args) as unknown
          // pluck() and raw() answer the statement itself: still counted.
          return result === target ? proxy : result
        }
      },
    })
    return proxy
  }
  const sqlite = new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown
      if (prop === 'prepare') return (sql: string) => (counts(sql) ? counted(target.prepare(sql)) : target.prepare(sql))
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return { sqlite, runs: () => runs }
}
