import Database from 'better-sqlite3'
import { describe, expect, it, onTestFinished } from 'vitest'
import { matchingAscending } from '../../../src/search/caches.js'
import { ensureSearchIndex, indexDoc, removeDoc } from '../../../src/search/fts.js'

const random = (seed: number) => () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
const WORDS = ['garden', 'choir', 'piano', 'weekend', 'volunteers', '社区', '花园', '志愿者', '周末', '维修']

describe('matchingAscending', () => {
  it('reads the rowids the plain statement reads, in ascending order, from an index of many segments', () => {
    const sqlite = new Database(':memory:')
    onTestFinished(() => {
      sqlite.close()
    })
    ensureSearchIndex(sqlite)
    const rand = random(7)
    const pick = (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ')
    // Ids written out of order, one transaction each (a segment each, merged only partly), some removed again: a scan
    // merging segments, whose order the JSON aggregate must keep.
    const ids = Array.from({ length: 600 }, (_, i) => i + 1).sort(() => rand() - 0.5)
    for (const id of ids) {
      indexDoc(sqlite, { kind: 'need', id: id * 37, category: 'other', title: pick(2), body: pick(4) })
      if (rand() < 0.1) removeDoc(sqlite, 'need', ids[Math.floor(rand() * ids.length)]! * 37)
    }
    const plain = (match: string) =>
      sqlite
        .prepare('SELECT rowid FROM search_needs WHERE search_needs MATCH ? ORDER BY rowid')
        .pluck()
        .all(match) as number[]
    for (const match of [
      '"garden"',
      '"volunt"*',
      '"志愿者" OR "周末"',
      '"社区" AND "花园"',
      '{title} : "piano"',
      '"xyz"',
    ]) {
      const got = matchingAscending(sqlite, 'need', match)
      expect(got, match).toEqual(plain(match))
      expect(got.every((id, i) => i === 0 || got[i - 1]! < id)).toBe(true)
    }
    expect(matchingAscending(sqlite, 'need', '"garden"').length).toBeGreaterThan(100)
  })
})
