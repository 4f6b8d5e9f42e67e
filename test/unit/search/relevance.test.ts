import Database from 'better-sqlite3'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { ensureSearchIndex, indexDoc, removeDoc } from '../../../src/search/fts.js'
import { relevance, relevanceLookups, wordsAnalysed } from '../../../src/search/relevance.js'
import { ensureChangeLog } from '../../../src/db/changes.js'
import { corpus, freshDb } from './corpus.js'

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

  it('reads a word from its text once: a second text with the same words asks jieba nothing, and scores the same', () => {
    const sqlite = freshDb()
    const first = relevance(sqlite, 'offer', need(101), offerIds)
    const before = wordsAnalysed()
    // Another connection, so nothing kept per connection (postings, counts) answers for it.
    const again = relevance(freshDb(), 'offer', need(101), offerIds)
    expect(wordsAnalysed()).toBe(before)
    expect(again).toEqual(first)
    // The words read are kept for the process, which later test files share (vitest.config.ts): one word no text
    // can have held before, letters only (a word with digits is no English word here), makes this text new.
    const unheard = Array.from(process.hrtime.bigint().toString(), (d) => String.fromCharCode(97 + Number(d))).join('')
    relevance(sqlite, 'offer', `社区花园 community garden zq${unheard}`, offerIds)
    expect(wordsAnalysed()).toBeGreaterThan(before)
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

  it("keeps each word's document count across writes, as a fresh connection and a transaction count it", () => {
    const { a, full } = twoConnections(false)
    const before = relevance(a, 'offer', need, offerIds)
    const { read } = relevanceLookups(a, 'offer')
    // 长者 and 送餐 become common: their weights, and so every score sharing them, change.
    for (let id = 301; id <= 306; id++) edit(a, id, `长者活动 ${id}`, '为长者送餐和陪伴', false)
    edit(a, 302, '英语角', '退休老师', false)
    removeDoc(a, 'offer', 303)
    const after = relevance(a, 'offer', need, offerIds)
    expect(after.get(6)!.score0to1).not.toBe(before.get(6)!.score0to1)
    expect(after).toEqual(full())
    expect(a.transaction(() => relevance(a, 'offer', need, offerIds))()).toEqual(after)
    expect(relevanceLookups(a, 'offer').read).toBe(read)
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

  it("keeps a word's postings through hundreds of this connection's writes, checking each written listing", () => {
    const { a, full } = twoConnections(false)
    relevance(a, 'offer', need, offerIds)
    const { read } = relevanceLookups(a, 'offer')
    // More writes than the 256 after which every kept list used to be forgotten (and read again, 10-25 ms a common
    // word at 1M listings); the last ones make 14 about something else, then about meals for elders again.
    for (let k = 0; k < 300; k++) edit(a, 400 + (k % 40), `英语角 ${k}`, '退休老师教英语', false)
    edit(a, 14, '英语角志愿者老师', '退休英语老师', false)
    expect(relevance(a, 'offer', need, offerIds).get(14)?.terms ?? []).not.toContain('送餐')
    edit(a, 14, '长者送餐志愿者', '周末为独居长者送餐', false)
    expect(relevance(a, 'offer', need, offerIds)).toEqual(full())
    expect(relevance(a, 'offer', need, offerIds).get(14)?.terms).toEqual(expect.arrayContaining(['送餐', '长者']))
    expect(relevanceLookups(a, 'offer').read).toBe(read)
  })

  it("asks this connection's copies of what it wrote only about words they hold, and still finds them there", () => {
    const { a, full } = twoConnections(false)
    relevance(a, 'offer', need, offerIds)
    const { read, copies } = relevanceLookups(a, 'offer')
    // None of the need's words: its kept postings are brought up to date without asking the copies.
    edit(a, 21, 'Dance teacher for kids', 'Gentle dance classes.', false)
    expect(relevance(a, 'offer', need, offerIds)).toEqual(full())
    expect(relevanceLookups(a, 'offer').copies).toBe(copies)
    edit(a, 14, '长者送餐志愿者', '周末为独居长者送餐', false)
    expect(relevance(a, 'offer', need, offerIds).get(14)?.terms).toEqual(expect.arrayContaining(['送餐', '长者']))
    expect(relevanceLookups(a, 'offer').copies).toBeGreaterThan(copies)
    expect(relevance(a, 'offer', need, offerIds)).toEqual(full())
    // Rewritten about something else and rolled back: the copy about meals for elders is the one that counts.
    expect(() =>
      a.transaction(() => {
        indexDoc(a, { kind: 'offer', id: 14, category: 'volunteers', title: '英语角', body: '退休老师' })
        throw new Error('rolled back')
      })(),
    ).toThrow('rolled back')
    expect(relevance(a, 'offer', need, offerIds).get(14)?.terms).toEqual(expect.arrayContaining(['送餐', '长者']))
    expect(relevance(a, 'offer', need, offerIds)).toEqual(full())
    expect(relevanceLookups(a, 'offer').read).toBe(read)
  })

  it("reads a word's postings again, rather than checking each, after many listings another connection wrote", () => {
    const { a, b, full } = twoConnections(true)
    relevance(a, 'offer', need, offerIds)
    const { read } = relevanceLookups(a, 'offer')
    for (let k = 0; k < 100; k++) edit(b, offerIds[k % offerIds.length]!, `长者送餐 ${k}`, '周末为独居长者送餐', true)
    expect(relevance(a, 'offer', need, offerIds)).toEqual(full())
    expect(relevanceLookups(a, 'offer').read).toBeGreaterThan(read)
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
