/**
 * Pages under traffic nobody asked for a moment ago (issue 16): every request a different need, offer, filter,
 * order or page, and one write to a listing per 20 reads (from another connection, as a second process or a CLI
 * import writes; it moves the memo's counters as an API write does). Each page beside the bare Fastify + handlebars
 * ceiling (bench/lib/listings-ceiling.ts: one such page's items rendered from memory) in the same run.
 *
 * Prints JSON lines { bench: "traffic", name, listings, rps, p50_ms, p99_ms, errors, cpu_ms, ratio_to_ceiling,
 * cpu_ratio, distinct, writes } where cpu_ms is the server's CPU time per request (user + system, from /proc): on a
 * shared machine it is what a page costs, while rps also depends on what else runs.
 *
 *   node --import tsx bench/traffic.ts     BENCH_LISTINGS=10000 (default 100000); BENCH_SECONDS (default 8);
 *                                         BENCH_DB=file to reuse a database built by populateListings
 */
import fs from 'node:fs'
import path from 'node:path'
import autocannon from 'autocannon'
import Database from 'better-sqlite3'
import { makeDatabase, pick, prng } from './lib/database.js'
import { populateListings, type ListingsBuild } from './lib/listings.js'
import { BENCH_ROOT } from './lib/paths.js'
import { emit, note, round } from './lib/report.js'
import { startServer, type Running } from './lib/servers.js'

const LISTINGS = Number(process.env.BENCH_LISTINGS ?? 100_000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const READS_PER_WRITE = 20
const lib = (f: string) => path.join(BENCH_ROOT, 'lib', f)

let build: ListingsBuild | undefined
const db = process.env.BENCH_DB
  ? { file: process.env.BENCH_DB, remove: () => {} }
  : await makeDatabase({ demo: true, populate: (d) => { build = populateListings(d, { listings: LISTINGS }) } })
if (build) emit({ bench: 'traffic', name: 'setup', listings: LISTINGS, ...build, db_mb: round(fs.statSync(db.file).size / 1e6) })

// What people open: active needs and offers (at least 300 of each), places, categories, orders, pages.
const writer = new Database(db.file)
writer.pragma('busy_timeout = 5000')
const ids = (sql: string) => writer.prepare(sql).pluck().all() as number[]
const needIds = ids("SELECT id FROM needs WHERE status IN ('open', 'partly_met') ORDER BY random() LIMIT 2000")
const offerIds = ids("SELECT id FROM offers WHERE status = 'open' ORDER BY random() LIMIT 2000")
const areaIds = ids('SELECT id FROM areas')
const categories = writer.prepare('SELECT code FROM categories').pluck().all() as string[]
const rand = prng(16)

function listPath(kind: 'needs' | 'offers'): string {
  const params = new URLSearchParams()
  if (rand() < 0.6) params.set('category', pick(rand, categories))
  if (rand() < 0.6) params.set('area', String(pick(rand, areaIds)))
  params.set('sort', pick(rand, kind === 'needs' ? ['newest', 'deadline', 'urgency'] : ['newest', 'deadline', 'capacity']))
  params.set('page', String(1 + Math.floor(rand() * 5)))
  return `/${kind}?${params}`
}

// The ceiling has no offers list: it renders the needs list for the same filters.
interface Traffic { name: string; next: () => string; ceiling?: () => string }
const traffics: Traffic[] = [
  { name: '/needs/:id', next: () => `/needs/${pick(rand, needIds)}` },
  { name: '/offers/:id', next: () => `/offers/${pick(rand, offerIds)}` },
  { name: '/needs?category&area&sort&page', next: () => listPath('needs') },
  { name: '/offers?category&area&sort&page', next: () => listPath('offers'), ceiling: () => listPath('needs') },
]

// A listing changes: the tables' counters move, so what was remembered from them is computed again.
const touchNeed = writer.prepare('UPDATE needs SET updated_at = ? WHERE id = ?')
const touchOffer = writer.prepare('UPDATE offers SET updated_at = ? WHERE id = ?')
let writes = 0
function write() {
  writes++
  if (writes % 2) touchNeed.run(new Date().toISOString(), pick(rand, needIds))
  else touchOffer.run(new Date().toISOString(), pick(rand, offerIds))
}

function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(f[11]) + Number(f[12])) * 10
}

async function load(server: Running, t: Traffic, withWrites: boolean) {
  const seen = new Set<string>()
  let reads = 0
  // The ceiling renders one page's items from memory (its own memo, per path): one path, asked again and again.
  const first = ((!withWrites && t.ceiling) || t.next)()
  const next = withWrites ? t.next : () => first
  const setupRequest = (req: Record<string, unknown>) => {
    const p = next()
    seen.add(p)
    if (withWrites && ++reads % READS_PER_WRITE === 0) write()
    return { ...req, path: p }
  }
  const run = (duration: number) => autocannon({ url: server.url, connections: CONNECTIONS, duration, timeout: 10, requests: [{ setupRequest }] } as Parameters<typeof autocannon>[0])
  await run(1)
  seen.clear()
  const writesBefore = writes, before = cpuMs(server.pid)
  const r = await run(SECONDS)
  const total = r.requests.total || 1
  return {
    rps: Math.round(r.requests.average), p50_ms: r.latency.p50, p99_ms: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx,
    cpu_ms: round((cpuMs(server.pid) - before) / total, 2), distinct: seen.size, writes: writes - writesBefore,
  }
}

note(`traffic: ${LISTINGS} listings, ${CONNECTIONS} connections, ${SECONDS} s a page, one write per ${READS_PER_WRITE} reads on the real app`)
const ceiling = await startServer(lib('listings-ceiling.ts'), { dbPath: db.file })
const real = await startServer(lib('real-app.ts'), { dbPath: db.file })
try {
  for (const t of traffics) {
    const c = await load(ceiling, t, false)
    emit({ bench: 'traffic', name: `ceiling ${t.name}`, listings: LISTINGS, ...c })
    const r = await load(real, t, true)
    emit({ bench: 'traffic', name: t.name, listings: LISTINGS, ...r, ratio_to_ceiling: round(r.rps / c.rps, 3), cpu_ratio: round(c.cpu_ms / r.cpu_ms, 3) })
  }
} finally {
  await Promise.all([ceiling.close(), real.close()])
  writer.close()
  db.remove()
}
