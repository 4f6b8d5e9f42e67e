/**
 * Browse, search and match pages at 100k listings (50k needs, 50k offers on top of the demo district),
 * each beside a ceiling measured in the same run: bare Fastify + handlebars rendering the same templates
 * with the same items from memory (bench/lib/listings-ceiling.ts). Server in a child process, autocannon
 * (50 connections) here; ceiling and real page alternate so each ratio compares measurements seconds apart.
 *
 * Prints JSON lines: { bench: "page", name, listings, rps, p50_ms, p99_ms, errors, ratio_to_ceiling,
 * cpu_ms, bytes } where cpu_ms is the server process's CPU time per request (user + system): on a shared
 * machine it is what a page costs, while rps also depends on what else runs. Target (issue 3): the search
 * page at least half the ceiling's requests per second.
 *
 *   node --import tsx bench/listings.ts       BENCH_SECONDS=3 for a quick look (default 5); BENCH_LISTINGS=10000;
 *                                            BENCH_DB=file to reuse a database built by populateListings
 */
import fs from 'node:fs'
import path from 'node:path'
import autocannon from 'autocannon'
import { makeDatabase } from './lib/database.js'
import { populateListings, type ListingsBuild } from './lib/listings.js'
import { check, countOf } from './lib/load.js'
import { BENCH_ROOT, ROOT } from './lib/paths.js'
import { emit, note, round } from './lib/report.js'
import { startBuiltServer, startServer, type Running } from './lib/servers.js'
import { openDb } from '../src/database.js'
import * as matching from '../src/matching/matching.js'
import { generateListings } from './lib/listing-text.js'

const LISTINGS = Number(process.env.BENCH_LISTINGS ?? 100_000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const CONNECTIONS = 50
const lib = (f: string) => path.join(BENCH_ROOT, 'lib', f)

const started = Date.now()
let build: ListingsBuild | undefined
// BENCH_DB=file reuses a database an earlier run built (while working on the pages); it is left in place.
const db = process.env.BENCH_DB
  ? { file: process.env.BENCH_DB, remove: () => {} }
  : await makeDatabase({
      demo: true,
      populate: (d) => {
        build = populateListings(d, { listings: LISTINGS })
      },
    })
if (build)
  emit({
    bench: 'page',
    name: 'setup',
    listings: LISTINGS,
    ...build,
    build_ms: Date.now() - started,
    db_mb: round(fs.statSync(db.file).size / 1e6),
  })

// What to open: a street, and a typical community need (the median candidate count of recent ones).
const picked = (() => {
  const { db: d, sqlite } = openDb(db.file, ROOT)
  try {
    const one = <T>(sql: string) => sqlite.prepare(sql).get() as T
    const street = one<{ id: number }>("SELECT id FROM areas WHERE ref = 'HB-DH'").id
    const recent = sqlite
      .prepare(
        `SELECT needs.id FROM needs JOIN areas ON areas.id = needs.area_id
      WHERE areas.level = 'community' AND needs.status = 'open' ORDER BY needs.id DESC LIMIT 21`,
      )
      .pluck()
      .all() as number[]
    const sized = recent
      .map((id) => ({ id, total: matching.offersForNeed(d, id)!.total }))
      .sort((a, b) => a.total - b.total || a.id - b.id)
    const need = sized[sized.length >> 1]!
    const offer = one<{ id: number }>(`SELECT offers.id FROM offers JOIN areas ON areas.id = offers.serves_area_id
      WHERE areas.level = 'street' AND offers.status = 'open' AND offers.category = 'venue' ORDER BY offers.id DESC LIMIT 1`).id
    const offerTotal = matching.needsForOffer(d, offer)!.total
    return { street, need: need.id, needCandidates: need.total, offer, offerCandidates: offerTotal }
  } finally {
    sqlite.close()
  }
})()
note(
  `listings: street ${picked.street}, need ${picked.need} (${picked.needCandidates} feasible offers), offer ${picked.offer} (${picked.offerCandidates} feasible needs)`,
)

/** The server's CPU time so far (user + system, all threads), from /proc: Linux only, else NaN. */
function cpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) * 10 // USER_HZ is 100 on Linux
  } catch {
    return NaN
  }
}

type Figures = { rps: number; p50_ms: number; p99_ms: number; errors: number; cpu_ms: number; bytes: number }

/** Loads one URL, or with `paths` a different path on every request (each connection takes the next one). */
async function load(server: Running, url: string, paths?: () => string): Promise<Figures> {
  // autocannon's per-request hook; bench/lib/autocannon.d.ts declares only what the other benches use.
  const each = paths && { requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, path: paths() }) }] }
  const run = (duration: number, timeout?: number) =>
    autocannon({ url, connections: CONNECTIONS, duration, timeout, ...each } as Parameters<typeof autocannon>[0])
  await run(1)
  const before = cpuMs(server.pid)
  const r = await run(SECONDS, 10)
  const cpu = cpuMs(server.pid) - before
  const total = r.requests.total || 1
  return {
    rps: Math.round(r.requests.average),
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
    cpu_ms: round(cpu / total, 2),
    bytes: Math.round(r.throughput.total / total),
  }
}

interface Page {
  name: string
  path: string
  expect: (body: string) => string | undefined
}

const items =
  (n: number, marker = 'class="card listing"') =>
  (body: string) => {
    const found = countOf(body, marker)
    return found === n ? undefined : `expected ${n} list items, found ${found}`
  }
const pages: Page[] = [
  { name: '/needs', path: '/needs', expect: items(20) },
  {
    name: '/needs?category=venue&area=<street>',
    path: `/needs?category=venue&area=${picked.street}`,
    expect: items(20),
  },
  { name: '/needs?q=场地', path: `/needs?q=${encodeURIComponent('场地')}`, expect: items(20) },
  { name: '/search?q=音响', path: `/search?q=${encodeURIComponent('音响')}`, expect: items(20) },
  { name: '/search?q=rehearsal', path: '/search?q=rehearsal', expect: items(20) },
  { name: '/needs/:id (community need)', path: `/needs/${picked.need}`, expect: items(20, 'class="card fit"') },
  { name: '/offers/:id (street offer)', path: `/offers/${picked.offer}`, expect: items(20, 'class="card fit"') },
]

note(
  `ceiling: bare Fastify + handlebars, same templates and items, data in memory; real: demo district + ${LISTINGS} listings`,
)
const ceiling = await startServer(lib('listings-ceiling.ts'), { dbPath: db.file })
const real = await startBuiltServer(db.file)
try {
  let searchCeiling: Figures | undefined
  for (const p of pages) {
    const cBody = await check(`${ceiling.url}${p.path}`, p.expect)
    const rBody = await check(`${real.url}${p.path}`, p.expect)
    if (Math.abs(cBody.length - rBody.length) > 0.05 * rBody.length)
      note(`${p.name}: ceiling ${cBody.length} bytes vs real ${rBody.length}`)
    const c = await load(ceiling, `${ceiling.url}${p.path}`)
    if (p.path.startsWith('/search')) searchCeiling ??= c
    emit({ bench: 'page', name: `ceiling ${p.name}`, listings: LISTINGS, ...c })
    const r = await load(real, `${real.url}${p.path}`)
    emit({
      bench: 'page',
      name: p.name,
      listings: LISTINGS,
      rps: r.rps,
      p50_ms: r.p50_ms,
      p99_ms: r.p99_ms,
      errors: r.errors,
      ratio_to_ceiling: round(r.rps / c.rps, 2),
      cpu_ms: r.cpu_ms,
      bytes: r.bytes,
    })
  }

  // The pages above repeat one URL, which the app answers from memory until the database changes (src/db/memo.ts),
  // as it would a popular search. Here every request searches for something new: a listing's title, as people
  // type or paste them, none asked twice in the run. Compared with the ceiling's search page (10 + 10 items).
  const titles = [...new Set([...generateListings(40_000, 99)].map((l) => l.title))]
  let next = 0
  const firstVisit = () => `/search?q=${encodeURIComponent(titles[next++ % titles.length]!)}`
  await check(`${real.url}${firstVisit()}`, () => undefined)
  const r = await load(real, `${real.url}/search`, firstVisit)
  emit({
    bench: 'page',
    name: '/search?q=<a new title each request>',
    listings: LISTINGS,
    rps: r.rps,
    p50_ms: r.p50_ms,
    p99_ms: r.p99_ms,
    errors: r.errors,
    ratio_to_ceiling: round(r.rps / searchCeiling!.rps, 2),
    cpu_ms: r.cpu_ms,
    bytes: r.bytes,
    queries: titles.length,
    asked: next,
  })
} finally {
  await Promise.all([ceiling.close(), real.close()])
  db.remove()
}
