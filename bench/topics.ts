/**
 * Topic inference: time per listing, precision and recall on the labelled fixtures, and re-tagging 100k
 * listings in a SQLite file, each beside plain jieba segmentation of the same texts (the floor any
 * inference built on it pays).
 *
 *   node --import tsx bench/topics.ts [listings]      e.g. `… bench/topics.ts 10000`  (default 100000)
 *
 * One JSON line per figure: topics-infer (µs per listing), topics-quality, topics-retag (seconds).
 */
import Database from 'better-sqlite3'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { buildVocabulary, describe } from '../src/matching/topics.js'
import { TOPICS } from '../src/matching/vocabulary.js'
import { cutWords } from '../src/search/segment.js'
import { emit, note, round } from './lib/report.js'
import { ROOT } from './lib/paths.js'
import { generateListings } from './lib/listing-text.js'

type Labelled = { category: string; title: string; description: string; topics: string[] }

const CATEGORIES = ['venue', 'funds', 'volunteers', 'training', 'materials', 'expertise', 'publicity']
const vocab = buildVocabulary(TOPICS)
const fixturesDir = path.join(ROOT, 'test/fixtures/topics')
const labelled: Labelled[] = fs
  .readdirSync(fixturesDir)
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) => JSON.parse(fs.readFileSync(path.join(fixturesDir, f), 'utf8')) as Labelled[])
const text = (l: { title: string; description: string }) => `${l.title}\n${l.description}`

/** The baseline: jieba's words of the same text, which inference also computes for the keywords. */
function segmentOnly(t: string): number {
  let n = 0
  for (const run of t.match(/\p{sc=Han}+/gu) ?? []) n += cutWords(run).length
  return n
}

function microseconds(fn: (t: string) => unknown, texts: string[], rounds: number) {
  const samples: number[] = []
  for (let r = 0; r < rounds; r++) {
    for (const t of texts) {
      const started = process.hrtime.bigint()
      fn(t)
      samples.push(Number(process.hrtime.bigint() - started) / 1000)
    }
  }
  samples.sort((a, b) => a - b)
  const q = (p: number) => round(samples[Math.min(samples.length - 1, Math.floor(p * samples.length))], 1)
  return { p50_us: q(0.5), p95_us: q(0.95), runs: samples.length }
}

// Warm both up (jieba's dictionary, the compiled vocabulary) outside the timings.
describe(vocab, 'venue', '活动室 warm-up')
segmentOnly('热身')

// 1. Per listing, on the labelled texts (what people write), category by category.
const texts = labelled.map(text)
const byCategory = new Map(labelled.map((l) => [text(l), l.category]))
const infer = microseconds((t) => describe(vocab, byCategory.get(t)!, t), texts, 20)
const base = microseconds(segmentOnly, texts, 20)
emit({
  bench: 'topics-infer',
  listings: texts.length,
  ...infer,
  baseline_jieba_p50_us: base.p50_us,
  baseline_jieba_p95_us: base.p95_us,
})

// 2. Quality on the same listings: micro-averaged over topic labels.
let [hits, predicted, expected, exact] = [0, 0, 0, 0]
for (const l of labelled) {
  const got = describe(vocab, l.category, text(l)).topics
  const h = got.filter((t) => l.topics.includes(t)).length
  ;[hits, predicted, expected] = [hits + h, predicted + got.length, expected + l.topics.length]
  if (h === got.length && h === l.topics.length) exact++
}
emit({
  bench: 'topics-quality',
  listings: labelled.length,
  topics: TOPICS.length,
  precision: round(hits / predicted, 3),
  recall: round(hits / expected, 3),
  exact_listings: exact,
})

// 3. Re-tagging an imported district: read every listing, infer, write topics and keywords, one transaction.
const size = Number(process.argv[2]) > 0 ? Number(process.argv[2]) : 100_000
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-topics-'))
const sqlite = new Database(path.join(dir, 'bench.sqlite'))
try {
  sqlite.pragma('journal_mode = WAL')
  sqlite.exec(
    'CREATE TABLE listings (id INTEGER PRIMARY KEY, category TEXT NOT NULL, title TEXT NOT NULL, description TEXT NOT NULL, topics TEXT, keywords TEXT)',
  )
  const insert = sqlite.prepare('INSERT INTO listings (id, category, title, description) VALUES (?, ?, ?, ?)')
  sqlite.transaction(() => {
    for (const l of generateListings(size)) insert.run(l.id, CATEGORIES[l.id % CATEGORIES.length], l.title, l.body)
  })()
  const rows = () =>
    sqlite.prepare('SELECT id, category, title, description FROM listings').iterate() as Iterable<{
      id: number
      category: string
      title: string
      description: string
    }>

  // Wall seconds, and this process's CPU seconds: on a shared machine the wall clock includes waiting for a core.
  const cpuSeconds = (since: NodeJS.CpuUsage) => {
    const d = process.cpuUsage(since)
    return (d.user + d.system) / 1e6
  }
  let started = performance.now()
  let cpu = process.cpuUsage()
  let words = 0
  for (const r of rows()) words += segmentOnly(`${r.title}\n${r.description}`)
  const baselineSeconds = (performance.now() - started) / 1000
  const baselineCpu = cpuSeconds(cpu)

  const update = sqlite.prepare('UPDATE listings SET topics = ?, keywords = ? WHERE id = ?')
  let tagged = 0
  started = performance.now()
  cpu = process.cpuUsage()
  const all = [...rows()] // read before writing: an open iterator blocks writes on its connection
  sqlite.transaction(() => {
    for (const r of all) {
      const s = describe(vocab, r.category, `${r.title}\n${r.description}`)
      update.run(JSON.stringify(s.topics), JSON.stringify(s.keywords), r.id)
      if (s.topics.length > 0) tagged++
    }
  })()
  const seconds = (performance.now() - started) / 1000
  const retagCpu = cpuSeconds(cpu)
  // Generated listings get their category round-robin, not from their words, so most have no topic of it.
  emit({
    bench: 'topics-retag',
    listings: size,
    seconds: round(seconds, 2),
    cpu_seconds: round(retagCpu, 2),
    with_topic: tagged,
    baseline_jieba_seconds: round(baselineSeconds, 2),
    baseline_jieba_cpu_seconds: round(baselineCpu, 2),
    jieba_words: words,
    loadavg: round(os.loadavg()[0], 1),
  })
} finally {
  sqlite.close()
  fs.rmSync(dir, { recursive: true, force: true })
}
note(`topics: ${TOPICS.length} topics, ${labelled.length} labelled listings`)
