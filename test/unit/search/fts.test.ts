import Database from 'better-sqlite3'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import {
  countMatches,
  ensureSearchIndex,
  indexDoc,
  type Kind,
  relevance,
  relevanceLookups,
  reindex,
  removeDoc,
  search,
  searchPage,
  searchTerms,
} from '../../../src/search/fts.js'
import { ensureChangeLog } from '../../../src/db/changes.js'
import { corpus } from './corpus.js'

function freshDb(): Database.Database {
  const sqlite = new Database(':memory:')
  onTestFinished(() => void sqlite.close())
  ensureSearchIndex(sqlite)
  for (const doc of corpus) indexDoc(sqlite, doc)
  return sqlite
}

const ids = (hits: { id: number }[]) => hits.map((h) => h.id)

/**
 * Each query: `best` must come first (either of two when both are as good), every id in `found` must be among the hits, and with `only` no hit
 * may fall outside `found` (full precision). Judged by reading the corpus, not by running the code.
 */
type Case = { kind: Kind; q: string; best: number | number[]; found: number[]; only?: boolean; why: string }
const cases: Case[] = [
  {
    kind: 'need',
    q: '场地',
    best: 114,
    found: [101, 114, 102],
    only: true,
    why: 'two-character Chinese word, inside 排练场地 too; a category word',
  },
  {
    kind: 'offer',
    q: '场地',
    best: 16,
    found: [16, 1, 2, 3, 17],
    only: true,
    why: 'two-character word in a title, then the other venues',
  },
  {
    kind: 'offer',
    q: '舞蹈',
    best: 3,
    found: [3, 1, 21],
    only: true,
    why: 'title match outranks body match; dance is the same word',
  },
  { kind: 'need', q: '舞蹈', best: 101, found: [101], only: true, why: 'jieba cut 舞蹈队; bigrams still find 舞蹈' },
  { kind: 'offer', q: '培训', best: 8, found: [8, 16, 9], only: true, why: 'two-character word; a category word' },
  {
    kind: 'need',
    q: '培训',
    best: 107,
    found: [107, 108],
    only: true,
    why: 'two-character word in 急救培训; a category word',
  },
  { kind: 'offer', q: '送餐', best: 6, found: [6, 7], only: true, why: 'HMM word; meal delivery is the same thing' },
  {
    kind: 'need',
    q: '长者送餐',
    best: 103,
    found: [103, 104],
    only: true,
    why: 'several Chinese words, all required, or their English',
  },
  {
    kind: 'need',
    q: '排练场地',
    best: 101,
    found: [101, 102, 114],
    only: true,
    why: 'jieba cuts it 排练场 + 地; other rooms after',
  },
  {
    kind: 'offer',
    q: '活动中心',
    best: 1,
    found: [1, 2, 3, 16, 17],
    only: true,
    why: 'compound word; the other rooms after',
  },
  { kind: 'offer', q: '舞蹈队', best: 3, found: [3, 1], only: true, why: 'compound finds its part 舞蹈' },
  { kind: 'offer', q: '急救', best: 8, found: [8, 9], only: true, why: 'Chinese text first, then the English for it' },
  { kind: 'offer', q: '基金', best: 10, found: [10, 11], only: true, why: 'two-character word; a category word' },
  { kind: 'offer', q: '舞', best: 3, found: [3, 1], why: 'one character matches as a word prefix' },
  { kind: 'offer', q: 'rehears', best: 2, found: [2], only: true, why: 'partial English word' },
  {
    kind: 'need',
    q: 'rehearsal',
    best: 102,
    found: [102, 101, 114],
    only: true,
    why: 'singular finds plural; 排练 and other rooms after',
  },
  { kind: 'offer', q: 'rehersal', best: 2, found: [2], only: true, why: 'typo: missing letter' },
  { kind: 'need', q: 'volunters', best: [104, 108], found: [104, 108, 115], why: 'typo in a plural' },
  {
    kind: 'offer',
    q: 'volunteers',
    best: [7, 9],
    found: [7, 9, 15, 23, 6, 14, 20],
    only: true,
    why: 'plural finds singular; a category word',
  },
  { kind: 'offer', q: 'speaker', best: 5, found: [4, 5], only: true, why: 'singular finds plural' },
  { kind: 'offer', q: 'speakers', best: [4, 5], found: [4, 5], only: true, why: 'plural in both titles' },
  {
    kind: 'offer',
    q: 'First Aid',
    best: 9,
    found: [9, 8],
    only: true,
    why: 'case-insensitive, all words required, or 急救',
  },
  { kind: 'offer', q: 'dancing', best: 21, found: [21], only: true, why: 'stem prefix: dancing → danc*' },
  { kind: 'offer', q: 'laptop', best: 19, found: [19, 18], only: true, why: 'prefix finds plural; 笔记本电脑 after' },
  { kind: 'need', q: 'meal delivery', best: 104, found: [104, 103], only: true, why: 'two English words, or 送餐' },
  { kind: 'offer', q: 'meeting room projector', best: 17, found: [17], only: true, why: 'three words' },
  { kind: 'offer', q: 'grants', best: 11, found: [11, 10], only: true, why: 'plural; a category word' },
  { kind: 'offer', q: 'trainng', best: 9, found: [9], only: true, why: 'typo: missing letter in a short word' },
  {
    kind: 'offer',
    q: '音响 speakers',
    best: 4,
    found: [4, 5],
    only: true,
    why: 'mixed text: the bilingual listing first',
  },
  {
    kind: 'need',
    q: '音响 speakers',
    best: 113,
    found: [113, 105, 106],
    only: true,
    why: 'mixed: either language matches',
  },
  {
    kind: 'need',
    q: '舞蹈 rehearsal',
    best: [101, 102],
    found: [101, 102, 114],
    only: true,
    why: 'mixed: Chinese or English',
  },
  { kind: 'offer', q: 'elderly 送餐', best: [6, 7], found: [6, 7], why: 'mixed: each language finds its own' },
  { kind: 'need', q: 'xyzzy plugh', best: -1, found: [], only: true, why: 'nothing matches either word' },
  {
    kind: 'need',
    q: 'hall xyzzy',
    best: [101, 102, 114],
    found: [101, 102, 114],
    only: true,
    why: 'no listing says hall: the rooms it means',
  },
  {
    kind: 'offer',
    q: 'piano xyzzy',
    best: 2,
    found: [2],
    only: true,
    why: 'no listing has both: fall back to any word',
  },
  { kind: 'offer', q: 'ＰＩＡＮＯ', best: 2, found: [2], only: true, why: 'full-width letters fold' },
]

describe('search that understands the topic vocabulary', () => {
  const docs = [
    { kind: 'offer' as const, id: 1, category: 'materials', title: '可借用的户外音响', body: '两套带话筒的音响。' },
    { kind: 'offer' as const, id: 2, category: 'materials', title: '捐赠旧智能手机', body: '已清除数据。' },
    { kind: 'offer' as const, id: 3, category: 'venue', title: '居民活动室', body: '有桌椅和空调。' },
    { kind: 'offer' as const, id: 4, category: 'training', title: '长者智能手机培训班', body: '教用微信和视频通话。' },
    { kind: 'offer' as const, id: 5, category: 'training', title: '社区骨干财务规范培训', body: '报销和台账。' },
    { kind: 'need' as const, id: 11, category: 'publicity', title: '垃圾分类宣传海报', body: '贴在投放点。' },
    { kind: 'need' as const, id: 12, category: 'materials', title: '大号垃圾袋', body: '旧衣物分类整理后装箱。' },
    {
      kind: 'need' as const,
      id: 13,
      category: 'volunteers',
      title: '早晚投放点督导志愿者',
      body: '督导居民分类投放。',
    },
    { kind: 'need' as const, id: 14, category: 'volunteers', title: '清理楼道', body: '楼道里的垃圾要按大小分类。' },
  ]
  const db = () => {
    const sqlite = new Database(':memory:')
    onTestFinished(() => void sqlite.close())
    ensureSearchIndex(sqlite)
    for (const d of docs) indexDoc(sqlite, d)
    return sqlite
  }

  it('expands a term to its synonyms in both languages, and not to words that only look alike', () => {
    const sqlite = db()
    for (const q of ['音箱', '扩音器', 'speakers', 'PA system']) expect(ids(search(sqlite, 'offer', q)), q).toEqual([1])
    // 手机课 is a smartphone class first; the old phones only share the word 手机, after it.
    expect(ids(search(sqlite, 'offer', '手机课'))[0]).toBe(4)
    expect(ids(search(sqlite, 'offer', '手机课'))).not.toContain(5)
    expect(ids(search(sqlite, 'offer', 'smartphone lessons'))).toEqual([4])
  })

  it('finds a category by its word, in either language', () => {
    const sqlite = db()
    expect(ids(search(sqlite, 'offer', '场地'))).toEqual([3])
    expect(ids(search(sqlite, 'offer', 'venue'))).toEqual([3])
    expect(ids(search(sqlite, 'offer', 'training')).sort()).toEqual([4, 5])
    expect(ids(search(sqlite, 'offer', '物资')).sort()).toEqual([1, 2])
  })

  it('ranks a compound as written first, then its synonyms; its parts far apart do not count', () => {
    const hits = ids(search(db(), 'need', '垃圾分类'))
    expect(hits.slice(0, 2)).toEqual([11, 13])
    expect(hits).not.toContain(12) // 垃圾 in the title, 分类 in the body
  })

  it('reads the category from the listing row when the caller leaves it out', () => {
    const sqlite = db()
    sqlite.exec('CREATE TABLE offers (id INTEGER PRIMARY KEY, category TEXT NOT NULL)')
    sqlite.prepare('INSERT INTO offers (id, category) VALUES (?, ?)').run(9, 'venue')
    indexDoc(sqlite, { kind: 'offer', id: 9, title: '街道礼堂', body: '可容纳200人。' })
    expect(ids(search(sqlite, 'offer', '场地')).sort()).toEqual([3, 9])
  })
})

describe('search over the fixed corpus', () => {
  let sqlite: Database.Database
  beforeAll(() => {
    sqlite = new Database(':memory:')
    ensureSearchIndex(sqlite)
    for (const doc of corpus) indexDoc(sqlite, doc)
    return () => sqlite.close()
  })

  it.each(cases)('$kind "$q": $why', ({ kind, q, best, found, only }) => {
    const hits = search(sqlite, kind, q, { limit: 50 })
    if (best === -1) expect(hits).toEqual([])
    else expect([best].flat()).toContain(hits[0]?.id)
    expect(ids(hits)).toEqual(expect.arrayContaining(found))
    if (only) expect(ids(hits).sort()).toEqual([...found].sort())
    expect(countMatches(sqlite, kind, q)).toBe(hits.length)
  })

  it('keeps mean precision at 10 above 0.9 over the query set', () => {
    const precisions = cases
      .filter((c) => c.found.length > 0)
      .map((c) => {
        const top = ids(search(sqlite, c.kind, c.q, { limit: 10 }))
        return top.filter((id) => c.found.includes(id)).length / Math.max(1, top.length)
      })
    expect(precisions.reduce((a, b) => a + b, 0) / precisions.length).toBeGreaterThan(0.9)
  })

  it('ranks a title match above a body match', () => {
    const hits = search(sqlite, 'offer', '舞蹈').filter((h) => h.id !== 21) // 21 says dance, in English
    expect(ids(hits)).toEqual([3, 1])
    expect(hits[0].score).toBeGreaterThan(hits[1].score)
  })

  it('hands back the words to highlight with each hit', () => {
    const hits = search(sqlite, 'need', '音响 speakers')
    for (const h of hits) expect(h.terms).toEqual(['音响', 'speakers'])
  })

  it('reports the corrected word next to the typed one', () => {
    expect(search(sqlite, 'offer', 'rehersal')[0].terms).toEqual(['rehersal', 'rehearsal'])
    expect(searchTerms(sqlite, 'need', 'volunters')).toEqual(['volunters', 'volunteers'])
  })

  it('does not correct a word that is in the index', () => {
    expect(searchTerms(sqlite, 'offer', 'piano')).toEqual(['piano'])
  })
})

describe('hostile and empty input', () => {
  const hostile = [
    '"',
    'AND',
    '*',
    '(',
    ')',
    'NEAR',
    'NEAR(',
    "'; DROP",
    "'; DROP TABLE search_needs; --",
    'OR',
    'NOT',
    '^',
    'title:',
    '{title}:',
    '"unterminated',
    'a AND',
    'AND speakers',
    'speakers OR',
    '-',
    '+',
    '\\',
    '\u0000',
    '😀',
  ]
  it.each(hostile)('treats %j as text, never as FTS syntax', (q) => {
    const sqlite = freshDb()
    expect(() => search(sqlite, 'offer', q)).not.toThrow()
    expect(() => countMatches(sqlite, 'offer', q)).not.toThrow()
    expect(search(sqlite, 'offer', q).length).toBe(countMatches(sqlite, 'offer', q))
    expect(sqlite.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'search_needs'").get()).toEqual({
      n: 1,
    })
  })

  it('finds nothing for operators alone, instead of everything', () => {
    const sqlite = freshDb()
    for (const q of ['AND', 'OR', 'NOT', 'NEAR', '*', '"', '(']) expect(search(sqlite, 'offer', q)).toEqual([])
  })

  it('searches the words around operators as plain words', () => {
    const sqlite = freshDb()
    expect(ids(search(sqlite, 'offer', 'speakers AND'))).toEqual(ids(search(sqlite, 'offer', 'speakers')))
    expect(ids(search(sqlite, 'offer', '"piano" OR (choir*'))[0]).toBe(2)
    expect(ids(search(sqlite, 'offer', 'NEAR(piano choirs)'))).toEqual([2])
  })

  it('finds nothing for empty, blank and stop-word-only queries', () => {
    const sqlite = freshDb()
    for (const q of ['', '   ', '\n\t', '，。！', 'the and of', '的 了']) {
      expect(search(sqlite, 'need', q)).toEqual([])
      expect(countMatches(sqlite, 'need', q)).toBe(0)
    }
  })

  it('survives a very long query', () => {
    const sqlite = freshDb()
    expect(() => search(sqlite, 'offer', 'speakers 音响 '.repeat(2000))).not.toThrow()
  })
})

describe('keeping the index current', () => {
  it('replaces a listing on upsert', () => {
    const sqlite = freshDb()
    indexDoc(sqlite, { kind: 'offer', id: 4, title: 'Bicycle repair workshop', body: '自行车维修' })
    expect(ids(search(sqlite, 'offer', '音响'))).not.toContain(4)
    expect(ids(search(sqlite, 'offer', 'bicycle'))).toEqual([4])
    expect(ids(search(sqlite, 'offer', '自行车'))).toEqual([4])
  })

  it('forgets a removed listing, and removing twice is harmless', () => {
    const sqlite = freshDb()
    removeDoc(sqlite, 'offer', 2)
    removeDoc(sqlite, 'offer', 2)
    removeDoc(sqlite, 'offer', 9999)
    expect(ids(search(sqlite, 'offer', 'rehearsal'))).not.toContain(2)
    expect(countMatches(sqlite, 'offer', 'piano')).toBe(0)
  })

  it('keeps needs and offers apart', () => {
    const sqlite = freshDb()
    expect(ids(search(sqlite, 'offer', 'choir'))).toEqual([2])
    expect(ids(search(sqlite, 'need', 'choir'))).toEqual([102])
    removeDoc(sqlite, 'need', 102)
    expect(ids(search(sqlite, 'offer', 'choir'))).toEqual([2])
  })

  it('sees words added after the first search, for prefixes and corrections', () => {
    const sqlite = freshDb()
    expect(search(sqlite, 'offer', 'wheelchair')).toEqual([])
    expect(search(sqlite, 'offer', 'wheelchiar')).toEqual([])
    indexDoc(sqlite, { kind: 'offer', id: 50, title: 'Wheelchairs to lend', body: 'Two folding wheelchairs' })
    indexDoc(sqlite, { kind: 'offer', id: 51, title: 'Wheelchair ramp', body: 'Portable ramp' })
    expect(ids(search(sqlite, 'offer', 'wheelchair'))).toEqual(expect.arrayContaining([50, 51]))
    expect(ids(search(sqlite, 'offer', 'wheelch'))).toHaveLength(2)
    expect(ids(search(sqlite, 'offer', 'wheelchiar'))).toHaveLength(2)
  })

  it('notices writes made by another connection', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fts-'))
    const file = path.join(dir, 'search.sqlite')
    const a = new Database(file)
    const b = new Database(file)
    onTestFinished(() => {
      a.close()
      b.close()
      fs.rmSync(dir, { recursive: true, force: true })
    })
    a.pragma('journal_mode = WAL')
    ensureSearchIndex(a)
    indexDoc(a, { kind: 'need', id: 1, title: 'Accordion lessons', body: '' })
    expect(searchTerms(a, 'need', 'acordion')).toEqual(['acordion', 'accordion'])
    ensureSearchIndex(b)
    indexDoc(b, { kind: 'need', id: 2, title: 'Acordion player', body: 'spelled this way by many people' })
    indexDoc(b, { kind: 'need', id: 3, title: 'Acordion repair', body: '' })
    indexDoc(b, { kind: 'need', id: 4, title: 'Acordion case', body: '' })
    // Now the "typo" is a common word in the index and is searched as typed.
    expect(searchTerms(a, 'need', 'acordion')).toEqual(['acordion'])
    expect(ids(search(a, 'need', 'acordion')).sort()).toEqual([2, 3, 4])
  })

  it('reindex replaces the whole index of one kind', () => {
    const sqlite = freshDb()
    const n = reindex(sqlite, 'offer', [
      { id: 7, title: 'Cello for loan', body: '' },
      { id: 8, title: '大提琴出借', body: '' },
    ])
    expect(n).toBe(2)
    expect(countMatches(sqlite, 'offer', 'speakers')).toBe(0)
    expect(ids(search(sqlite, 'offer', 'cello'))).toEqual([7])
    expect(ids(search(sqlite, 'offer', '大提琴'))).toEqual([8])
    expect(countMatches(sqlite, 'need', 'choir')).toBe(1)
  })
})

describe('ensureSearchIndex', () => {
  it('creates the tables once and reports them as new', () => {
    const sqlite = new Database(':memory:')
    onTestFinished(() => void sqlite.close())
    expect(ensureSearchIndex(sqlite)).toEqual({ created: ['need', 'offer'] })
    indexDoc(sqlite, { kind: 'need', id: 1, title: 'Choir', body: '' })
    expect(ensureSearchIndex(sqlite)).toEqual({ created: [] })
    expect(countMatches(sqlite, 'need', 'choir')).toBe(1)
  })

  it('fills a newly created index from the loader, once', () => {
    const sqlite = new Database(':memory:')
    onTestFinished(() => void sqlite.close())
    const listings = { need: [{ id: 1, title: '合唱团排练', body: '' }], offer: [{ id: 2, title: 'Piano', body: '' }] }
    let loads = 0
    const load = (kind: Kind) => (loads++, listings[kind])
    expect(ensureSearchIndex(sqlite, load)).toEqual({ created: ['need', 'offer'] })
    expect(ensureSearchIndex(sqlite, load)).toEqual({ created: [] })
    expect(loads).toBe(2)
    expect(ids(search(sqlite, 'need', '排练'))).toEqual([1])
    expect(ids(search(sqlite, 'offer', 'piano'))).toEqual([2])
  })

  it('rebuilds an index made by another tokenization version', () => {
    const sqlite = new Database(':memory:')
    onTestFinished(() => void sqlite.close())
    ensureSearchIndex(sqlite)
    indexDoc(sqlite, { kind: 'need', id: 1, title: 'Choir', body: '' })
    sqlite.prepare("UPDATE search_meta SET version = 0 WHERE name = 'search_needs'").run()
    expect(ensureSearchIndex(sqlite)).toEqual({ created: ['need'] })
    expect(countMatches(sqlite, 'need', 'choir')).toBe(0)
  })
})

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

describe('relevance of a need to candidate offers', () => {
  const offerIds = corpus.filter((d) => d.kind === 'offer').map((d) => d.id)
  const need = (id: number) => corpus.find((d) => d.id === id)!
  const ranked = (m: Map<number, { score0to1: number }>) =>
    [...m].sort((a, b) => b[1].score0to1 - a[1].score0to1 || a[0] - b[0]).map(([id]) => id)

  it.each([
    [101, [1, 3]], // 舞蹈队需要排练场地 → 多功能厅 (mirrors, 舞蹈排练), 舞蹈室
    [102, [2]], // rehearsal room for choir → church hall
    [103, [6]], // 长者送餐志愿者 → 协助长者送餐
    [104, [7]], // meal delivery volunteers → volunteer drivers for meals
    [105, [4]], // 户外演出需要音响 → 音响设备出借
    [107, [8]], // 志愿者急救培训 → 急救培训课程
    [110, [11]], // funding for community garden → small grants fund
    [116, [12]], // 折叠桌椅 → 折叠桌椅出借
  ])('need %i puts the fitting offers first', (needId, best) => {
    const sqlite = freshDb()
    const scores = relevance(sqlite, 'offer', need(needId), offerIds)
    expect(ranked(scores).slice(0, best.length).sort()).toEqual([...best].sort())
    for (const [, r] of scores) {
      expect(r.score0to1).toBeGreaterThan(0)
      expect(r.score0to1).toBeLessThanOrEqual(1)
    }
  })

  it('only scores the candidates it was given, and explains with shared words', () => {
    const sqlite = freshDb()
    const scores = relevance(sqlite, 'offer', need(103), [6, 14, 99])
    expect([...scores.keys()].every((id) => id === 6 || id === 14)).toBe(true)
    expect(scores.get(6)?.terms).toEqual(expect.arrayContaining(['送餐', '长者']))
    expect(scores.get(6)!.score0to1).toBeGreaterThan(scores.get(14)?.score0to1 ?? 0)
  })

  it('accepts plain text, and returns nothing for no candidates or no words', () => {
    const sqlite = freshDb()
    expect(ranked(relevance(sqlite, 'offer', 'Need JBL speakers and 音响 for a fair', offerIds))[0]).toBe(4)
    expect(relevance(sqlite, 'offer', 'speakers', []).size).toBe(0)
    expect(relevance(sqlite, 'offer', '   ', offerIds).size).toBe(0)
    expect(relevance(sqlite, 'offer', '"; DROP AND NEAR(', offerIds).size).toBe(0)
  })
})

describe('relevance kept across writes', () => {
  const offerIds = corpus.filter((d) => d.kind === 'offer').map((d) => d.id)
  const need = corpus.find((d) => d.id === 103)! // 长者送餐志愿者
  /** Two connections to one file, the corpus indexed, with an offers table and the change log when `logged`. */
  function twoConnections(logged: boolean) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fts-kept-'))
    const file = path.join(dir, 'search.sqlite')
    const a = new Database(file)
    a.pragma('journal_mode = WAL')
    if (logged) {
      a.exec('CREATE TABLE offers (id INTEGER PRIMARY KEY, title TEXT NOT NULL)')
      ensureChangeLog(a)
    }
    ensureSearchIndex(a)
    for (const doc of corpus) indexDoc(a, doc)
    if (logged) for (const id of offerIds) a.prepare('INSERT INTO offers (id, title) VALUES (?, ?)').run(id, 'x')
    const b = new Database(file)
    onTestFinished(() => {
      a.close()
      b.close()
      fs.rmSync(dir, { recursive: true, force: true })
    })
    /** relevance() as a connection with nothing kept computes it: the full computation. */
    const full = () => {
      const c = new Database(file, { readonly: true })
      try {
        return relevance(c, 'offer', need, offerIds)
      } finally {
        c.close()
      }
    }
    return { a, b, full }
  }
  const edit = (sqlite: Database.Database, id: number, title: string, body: string, logged: boolean) =>
    sqlite.transaction(() => {
      if (logged) sqlite.prepare('UPDATE offers SET title = ? WHERE id = ?').run(title, id)
      indexDoc(sqlite, { kind: 'offer', id, category: 'volunteers', title, body })
    })()

  it("reuses a word's postings after this connection writes a listing, and sees the listing's new words", () => {
    const { a, full } = twoConnections(false)
    expect(relevance(a, 'offer', need, offerIds)).toEqual(full())
    const read = relevanceLookups(a, 'offer').read
    expect(read).toBeGreaterThan(0)

    edit(a, 21, 'Dance teacher for kids', 'Gentle dance classes.', false)
    expect(relevance(a, 'offer', need, offerIds)).toEqual(full())
    expect(relevanceLookups(a, 'offer').read).toBe(read)

    expect(relevance(a, 'offer', need, offerIds).get(14)?.terms).not.toContain('送餐')
    edit(a, 14, '长者送餐志愿者', '周末为独居长者送餐', false)
    const after = relevance(a, 'offer', need, offerIds)
    expect(after.get(14)?.terms).toEqual(expect.arrayContaining(['送餐', '长者']))
    expect(after).toEqual(full())
    expect(relevanceLookups(a, 'offer').read).toBe(read)

    expect(() =>
      a.transaction(() => {
        indexDoc(a, { kind: 'offer', id: 7, category: 'volunteers', title: '长者送餐', body: '' })
        removeDoc(a, 'offer', 14)
        throw new Error('rolled back')
      })(),
    ).toThrow('rolled back')
    expect(relevance(a, 'offer', need, offerIds)).toEqual(full())
    expect(relevance(a, 'offer', need, offerIds).get(14)?.terms).toContain('送餐')

    removeDoc(a, 'offer', 6)
    expect(relevance(a, 'offer', need, offerIds).has(6)).toBe(false)
    expect(relevance(a, 'offer', need, offerIds)).toEqual(full())
  })

  it('rechecks only the listings another connection changed, by the change log', () => {
    const { a, b, full } = twoConnections(true)
    relevance(a, 'offer', need, offerIds)
    const { read, rechecked } = relevanceLookups(a, 'offer')
    edit(b, 14, '长者送餐志愿者', '周末为独居长者送餐', true)
    const after = relevance(a, 'offer', need, offerIds)
    expect(after.get(14)?.terms).toEqual(expect.arrayContaining(['送餐', '长者']))
    expect(after).toEqual(full())
    expect(relevanceLookups(a, 'offer').read).toBe(read)
    expect(relevanceLookups(a, 'offer').rechecked).toBeGreaterThan(rechecked)

    edit(b, 14, '英语角志愿者老师', '退休英语老师', true)
    expect(relevance(a, 'offer', need, offerIds).get(14)?.terms).not.toContain('送餐')
    expect(relevance(a, 'offer', need, offerIds)).toEqual(full())
    expect(relevanceLookups(a, 'offer').read).toBe(read)
  })

  it('reads every postings again after another connection wrote where there is no change log', () => {
    const { a, b, full } = twoConnections(false)
    relevance(a, 'offer', need, offerIds)
    const { read } = relevanceLookups(a, 'offer')
    edit(b, 14, '长者送餐志愿者', '周末为独居长者送餐', false)
    expect(relevance(a, 'offer', need, offerIds)).toEqual(full())
    expect(relevance(a, 'offer', need, offerIds).get(14)?.terms).toEqual(expect.arrayContaining(['送餐']))
    expect(relevanceLookups(a, 'offer').read).toBeGreaterThan(read)
  })
})
