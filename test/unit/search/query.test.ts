import Database from 'better-sqlite3'
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import {
  countMatches,
  ensureSearchIndex,
  indexDoc,
  removeDoc,
  search,
  searchPage,
  searchTerms,
  type Kind,
} from '../../../src/search/fts.js'
import { corpus, freshDb, ids } from './corpus.js'

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

describe('what a compiled query keeps', () => {
  it('a query of several words is counted once, and again after each write', () => {
    const sqlite = freshDb()
    const q = '折叠 桌椅'
    const total = () => searchPage(sqlite, 'need', q, { limit: 50 })
    const before = total()
    expect(before.total).toBeGreaterThan(0)
    expect(before.total).toBe(before.hits.length)
    indexDoc(sqlite, {
      kind: 'need',
      id: 990,
      category: 'materials',
      title: '借折叠桌椅',
      body: '要10张折叠桌和40把椅子',
    })
    const after = total()
    expect(after.total).toBe(before.total + 1)
    expect(ids(after.hits)).toContain(990)
    removeDoc(sqlite, 'need', 990)
    const removed = total()
    expect(removed.total).toBe(before.total)
    expect(ids(removed.hits)).toEqual(ids(before.hits))
    // Nothing matches both words: any of them is searched instead, and counted as such.
    const loose = searchPage(sqlite, 'need', '折叠 钢琴', { limit: 50 })
    expect(loose.total).toBe(loose.hits.length)
    expect(loose.total).toBeGreaterThan(0)
  })
})
