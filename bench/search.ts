/**
 * Search latency at 1k, 10k and 100k listings, on a WAL SQLite file like the app's.
 *
 *   node --import tsx bench/search.ts [sizes…]      e.g. `… bench/search.ts 1000 10000`
 *
 * Prints one JSON line per measurement: index build time, then search (a result page: hits + total),
 * search restricted to a candidate set, and relevance() over 10k candidates as the matcher calls it.
 * The listings come from `generateListings` (bench/lib/listing-text.ts), deterministic for a seed, as the other benches' do.
 */
import Database from 'better-sqlite3'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { ensureSearchIndex, indexDoc, reindex, search, searchPage } from '../src/search/fts.js'
import { relevance } from '../src/search/relevance.js'
import { generateListings } from './lib/listing-text.js'

/**
 * What people type: two-character Chinese words, compounds, English words and prefixes, typos, mixed
 * text, several words, a name, and queries that match nothing.
 */
export const QUERIES = [
  '场地',
  '舞蹈',
  '培训',
  '音响',
  '志愿者',
  '送餐',
  '长者送餐',
  '排练场地',
  '急救培训',
  '基金',
  '轮椅',
  '义诊',
  '心理咨询',
  '舞',
  '英语角',
  'rehearsal',
  'rehears',
  'volunteers',
  'speakers',
  'first aid',
  'laptops',
  'wheelchair',
  'rehersal',
  'volunters',
  'tutorng',
  '音响 speakers',
  '舞蹈 dance class',
  'food bank 面包',
  'choir piano saturday',
  '王芳',
  'xylophone',
]

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}

function time(fn: () => unknown): number {
  const t = process.hrtime.bigint()
  fn()
  return Number(process.hrtime.bigint() - t) / 1e6
}

/** Wall and CPU milliseconds. On a shared two-core machine wall time includes waiting for a core; CPU time
 * is what the search itself costs. */
function clock(fn: () => unknown): { wall: number; cpu: number } {
  const c = process.cpuUsage()
  const wall = time(fn)
  const d = process.cpuUsage(c)
  return { wall, cpu: (d.user + d.system) / 1000 }
}

function percentiles(samples: { wall: number; cpu: number }[]) {
  const wall = samples.map((s) => s.wall).sort((a, b) => a - b)
  const cpu = samples.map((s) => s.cpu).sort((a, b) => a - b)
  return {
    p50_ms: round(quantile(wall, 0.5)),
    p95_ms: round(quantile(wall, 0.95)),
    cpu_p50_ms: round(quantile(cpu, 0.5)),
    cpu_p95_ms: round(quantile(cpu, 0.95)),
  }
}

const round = (ms: number) => Math.round(ms * 1000) / 1000

function benchSize(listings: number, rounds = 20): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-search-'))
  const sqlite = new Database(path.join(dir, 'bench.sqlite'))
  try {
    sqlite.pragma('journal_mode = WAL')
    sqlite.pragma('synchronous = FULL')
    ensureSearchIndex(sqlite)
    const all = [...generateListings(listings)]
    // All listings go into one kind's index: the worst case for a single search.
    const buildMs = time(() => reindex(sqlite, 'offer', all))
    sqlite.pragma('wal_checkpoint(TRUNCATE)')
    const bytes = fs.statSync(path.join(dir, 'bench.sqlite')).size
    const firstMs = time(() => search(sqlite, 'offer', 'volunters')) // loads the vocabulary
    console.log(
      JSON.stringify({
        bench: 'search-build',
        listings,
        build_ms: Math.round(buildMs),
        first_query_ms: round(firstMs),
        db_mb: Math.round(bytes / 1e5) / 10,
      }),
    )

    // A result page as the app shows it: hits plus the total for the pager. The first round pays for
    // segmenting, typo correction and counting; later rounds reuse the compiled query, as repeated searches
    // do until the next write.
    const warm: { wall: number; cpu: number }[] = []
    const cold: { wall: number; cpu: number }[] = []
    let hits = 0
    for (let r = 0; r < rounds; r++) {
      for (const q of QUERIES) {
        ;(r === 0 ? cold : warm).push(clock(() => (hits += searchPage(sqlite, 'offer', q, { limit: 20 }).hits.length)))
      }
    }
    const coldP = percentiles(cold)
    const load = os.loadavg()[0].toFixed(1)
    console.log(
      JSON.stringify({
        bench: 'search',
        listings,
        ...percentiles(warm),
        queries: QUERIES.length,
        runs: warm.length,
        cold_p95_ms: coldP.p95_ms,
        cold_cpu_p95_ms: coldP.cpu_p95_ms,
        mean_hits: Math.round(hits / (warm.length + cold.length)),
        loadavg: load,
      }),
    )

    // The app filtered first (say a third of the listings are open in the chosen area) and passes the ids.
    const candidates = new Set(all.filter((d) => d.id % 3 === 0).map((d) => d.id))
    const filtered: { wall: number; cpu: number }[] = []
    for (let r = 0; r < Math.max(1, rounds / 4); r++) {
      for (const q of QUERIES)
        filtered.push(clock(() => searchPage(sqlite, 'offer', q, { limit: 20, ids: candidates })))
    }
    console.log(
      JSON.stringify({
        bench: 'search-filtered',
        listings,
        candidates: candidates.size,
        ...percentiles(filtered),
        queries: QUERIES.length,
        runs: filtered.length,
      }),
    )

    // The matcher: one need's text against up to 10k candidate offers.
    const needs = all.filter((d) => d.kind === 'need').slice(0, 30)
    const offerIds = all
      .filter((d) => d.kind === 'offer')
      .slice(-10_000)
      .map((d) => d.id)
    const rel = needs.map((need) => clock(() => relevance(sqlite, 'offer', need, offerIds)))
    console.log(
      JSON.stringify({
        bench: 'relevance',
        listings,
        candidates: offerIds.length,
        ...percentiles(rel),
        needs: rel.length,
      }),
    )

    // Posting a listing: one upsert in its own transaction, on top of the built index.
    const extra = [...generateListings(500, 7)]
    const upserts = extra.map((d) =>
      time(() => sqlite.transaction(() => indexDoc(sqlite, { ...d, kind: 'offer', id: listings + d.id }))()),
    )
    upserts.sort((a, b) => a - b)
    console.log(
      JSON.stringify({
        bench: 'index-doc',
        listings,
        p50_ms: round(quantile(upserts, 0.5)),
        p95_ms: round(quantile(upserts, 0.95)),
        docs: upserts.length,
      }),
    )
  } finally {
    sqlite.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0)
  for (const n of sizes.length > 0 ? sizes : [1_000, 10_000, 100_000]) benchSize(n)
}
