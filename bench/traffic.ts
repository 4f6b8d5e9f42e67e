/**
 * Pages under traffic nobody asked for a moment ago (issue 16), against the server as `npm start` runs it
 * (compiled dist/, plain node). Every request asks for a different need, offer, filter, order, page or search
 * query (drawn without replacement: `repeats` counts any path asked twice in a timed run), and one request in
 * 20 is a write through the API with a bearer token (posting a need or an offer, alternately), as a client would.
 * Each page runs beside its ceiling (bench/lib/listings-ceiling.ts): bare Fastify + handlebars rendering the same
 * kind of page from memory, every page it serves computed before it listens.
 *
 * Last, a mixed row at a fixed rate (autocannon overallRate, 300 requests a second): reads of every kind, posts and
 * closures through the API; after it, every write the server acknowledged is looked for in the database (`lost`).
 *
 * The scheduler runs, as on a site (SCHEDULER's default): each post queues a new-fit alerts job (src/alerts/), and the
 * rounds that run them (every 2 s, in slices between requests) land inside the timed rows, whose CPU and latency
 * count them, as a site's requests pay for them. Off (BENCH_SCHEDULER=0), a row leaves out that part of its writes'
 * cost; the difference is what the jobs cost.
 *
 * Prints JSON lines { bench: "traffic", name, listings, connections, rps, p50_ms, p99_ms, errors, cpu_ms,
 * ratio_to_ceiling, cpu_ratio, distinct, repeats, writes } (the match pages also ratio_to_plain: their rps over the plain
 * need page's, a met need's page, which ranks nothing, under the same load and writes) where cpu_ms is the server's CPU time per request (user +
 * system, from /proc): on a shared machine it is what a page costs, while rps also depends on what else runs.
 *
 *   node --import tsx bench/traffic.ts [--listings N]   or BENCH_LISTINGS=N (default 100000): the scale curve is
 *       this run at 10000, 100000 and 1000000 (generated once into bench/.cache/, copied for each run)
 *   BENCH_DISTRICTS=10: the listings spread over ten districts like the demo one (bench/lib/listings.ts), so 1M have
 *       as many a community as 100k in one district
 *   BENCH_SECONDS (default 8), BENCH_CONNECTIONS (default 50), BENCH_RATE (mixed row, default 300),
 *   BENCH_ONLY=search,lists,match,mixed (default all), BENCH_CPU_PROF=dir (server under --cpu-prof),
 *   BENCH_SCHEDULER=0 (the server without its scheduler)
 */
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import Database from 'better-sqlite3'
import { openDb } from '../src/database.js'
import * as tokens from '../src/accounts/tokens.js'
import { listingsDatabase } from './lib/cache.js'
import { pick, prng } from './lib/database.js'
import { BENCH_ROOT, ROOT } from './lib/paths.js'
import { emit, note, round } from './lib/report.js'
import { startBuiltServer, startServer, type Running } from './lib/servers.js'
import { generateListings } from './lib/listing-text.js'
import { QUERIES } from './search.js'

const { values: args } = parseArgs({ options: { listings: { type: 'string' } }, strict: false })
const LISTINGS = Number(args.listings ?? process.env.BENCH_LISTINGS ?? 100_000)
const DISTRICTS = Number(process.env.BENCH_DISTRICTS ?? 1)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const RATE = Number(process.env.BENCH_RATE ?? 300)
const ONLY = (process.env.BENCH_ONLY ?? 'match,lists,search,mixed').split(',')
const READS_PER_WRITE = 20
// Pages the ceiling computes before it listens, per kind (its cost per request does not depend on how many).
const CEILING_PAGES = 120

const started = Date.now()
const db = process.env.BENCH_DB
  ? { file: process.env.BENCH_DB, remove: () => {}, build: undefined, cached: true }
  : await listingsDatabase(LISTINGS, DISTRICTS)
emit({
  bench: 'traffic',
  name: 'setup',
  listings: LISTINGS,
  districts: DISTRICTS,
  cached: db.cached,
  ...db.build,
  setup_ms: Date.now() - started,
  db_mb: round(fs.statSync(db.file).size / 1e6),
})

// A client of the API: the demo leader with a token, writing for the group they lead.
const client = (() => {
  const { db: d, sqlite } = openDb(db.file, ROOT)
  try {
    const lead = sqlite
      .prepare(
        `SELECT u.id AS userId, o.id AS orgId, o.area_id AS areaId FROM users u JOIN memberships m ON m.user_id = u.id
      JOIN organizations o ON o.id = m.org_id WHERE u.email = 'leader@demo.assetbridge.cn' AND m.role = 'leader' ORDER BY o.id LIMIT 1`,
      )
      .get() as { userId: number; orgId: number; areaId: number }
    return { ...lead, token: tokens.issue(d, lead.userId, 'bench traffic') }
  } finally {
    sqlite.close()
  }
})()

const reader = new Database(db.file, { readonly: true })
const ids = (sql: string) => reader.prepare(sql).pluck().all() as number[]
const rand = prng(16)
const shuffled = <T>(xs: T[]): T[] => {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[xs[i], xs[j]] = [xs[j]!, xs[i]!]
  }
  return xs
}
const needIds = shuffled(ids("SELECT id FROM needs WHERE status IN ('open', 'partly_met')"))
const offerIds = shuffled(ids("SELECT id FROM offers WHERE status = 'open'"))
// Met needs: the same page with no matches to rank, the plain page issue 16 measures the match pages against.
const metIds = shuffled(ids("SELECT id FROM needs WHERE status = 'met'"))
const areaIds = ids('SELECT id FROM areas')
const categories = reader.prepare('SELECT code FROM categories ORDER BY position').pluck().all() as string[]
reader.close()

/**
 * What people type into a search box, each asked once: listing titles as people paste them, single words from
 * them, English titles with a typo, and the search box's own examples.
 */
const queries = (() => {
  const titles = [...new Set([...generateListings(60_000, 99)].map((l) => l.title))]
  const words = titles.flatMap((t) => t.split(/[\s，,、·/()（）]+/)).filter((w) => w.length >= 2)
  const typo = (t: string) => {
    const i = 1 + Math.floor(rand() * (t.length - 2))
    return t.slice(0, i) + t[i + 1] + t[i] + t.slice(i + 2)
  }
  const typos = titles.filter((t) => /^[A-Za-z ]{6,}$/.test(t)).map(typo)
  return shuffled([...new Set([...QUERIES, ...titles, ...words, ...typos])].filter((q) => q.length <= 100))
})()

/** Draws without replacement; after the pool runs out it starts again (counted as repeats). */
function drawer<T>(pool: readonly T[]) {
  let i = 0
  return () => pool[i++ % pool.length]!
}
const nextQuery = drawer(queries)

// Filters × orders × pages enumerated and shuffled, so no two requests of a run ask the same list page; some with a query.
function listPaths(kind: 'needs' | 'offers'): () => string {
  const statuses = kind === 'needs' ? ['', 'open', 'partly_met', 'active'] : ['', 'active']
  const sorts = kind === 'needs' ? ['newest', 'deadline', 'urgency'] : ['newest', 'deadline', 'capacity']
  const combos: URLSearchParams[] = []
  for (const category of ['', ...categories])
    for (const area of [0, ...areaIds])
      for (const status of statuses)
        for (const sort of sorts)
          for (let page = 1; page <= 5; page++) {
            const p = new URLSearchParams()
            if (category) p.set('category', category)
            if (area) p.set('area', String(area))
            if (status) p.set('status', status)
            p.set('sort', sort)
            if (page > 1) p.set('page', String(page))
            combos.push(p)
          }
  const next = drawer(shuffled(combos))
  return () => {
    const p = new URLSearchParams(next())
    if (rand() < 0.3) {
      p.set('q', nextQuery())
      p.delete('page')
    }
    return `/${kind}?${p}`
  }
}

interface Traffic {
  name: string
  group: string
  next: () => string
}
// The plain need page first: issue 16 asks each match page for half of its rps at least (ratio_to_plain).
const PLAIN = '/needs/:id met (plain: no matches)'
const traffics: Traffic[] = [
  { name: PLAIN, group: 'match', next: drawer(metIds.map((id) => `/needs/${id}`)) },
  { name: '/needs/:id', group: 'match', next: drawer(needIds.map((id) => `/needs/${id}`)) },
  { name: '/offers/:id', group: 'match', next: drawer(offerIds.map((id) => `/offers/${id}`)) },
  { name: '/needs?category&area&status&sort&page&q', group: 'lists', next: listPaths('needs') },
  { name: '/offers?category&area&status&sort&page&q', group: 'lists', next: listPaths('offers') },
  { name: '/search?q=', group: 'search', next: () => `/search?q=${encodeURIComponent(nextQuery())}` },
].filter((t) => ONLY.includes(t.group))

// ---- writes through the API ----------------------------------------------------------------------------------

const auth = { authorization: `Bearer ${client.token}`, 'content-type': 'application/json' }
const WRITE_TITLES = ['社区活动室借用', '周末志愿者招募', '长者智能手机培训', '音响设备借用', '折叠桌椅', '急救培训']
const acked = { need: new Set<number>(), offer: new Set<number>(), closed: new Set<string>() }
let writesSent = 0
function writeRequest(withClosures: boolean): Record<string, unknown> {
  const n = writesSent++
  const open = [...acked.need].filter(
    (id) => !acked.closed.has(`need ${id}`) && !acked.closed.has(`pending need ${id}`),
  )
  if (withClosures && n % 3 === 2 && open.length) {
    const id = open[0]!
    acked.closed.add(`pending need ${id}`)
    return {
      method: 'POST',
      path: `/api/v1/needs/${id}/closure`,
      headers: auth,
      body: JSON.stringify({ reason: 'met_elsewhere' }),
      closes: id,
    }
  }
  const category = pick(rand, categories)
  const common = {
    org_id: client.orgId,
    category,
    title: `${pick(rand, WRITE_TITLES)} ${n}`,
    description: '压测写入 bench write',
    quantity: 1 + (n % 9),
  }
  return n % 2
    ? {
        method: 'POST',
        path: '/api/v1/offers',
        headers: auth,
        body: JSON.stringify({ ...common, serves_area_id: client.areaId }),
      }
    : {
        method: 'POST',
        path: '/api/v1/needs',
        headers: auth,
        body: JSON.stringify({ ...common, area_id: client.areaId }),
      }
}
function onWriteResponse(status: number, body: string, req: { path?: string }) {
  if (req.path?.endsWith('/closure')) acked.closed.delete(`pending need ${Number(req.path.split('/')[4])}`)
  if (status === 201) {
    const id = (JSON.parse(body) as { id: number }).id
    ;(req.path === '/api/v1/needs' ? acked.need : acked.offer).add(id)
  } else if (status === 200 && req.path?.endsWith('/closure')) {
    acked.closed.add(`need ${Number(req.path.split('/')[4])}`)
  }
}

function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(f[11]) + Number(f[12])) * 10
}

interface LoadSpec {
  next: () => string
  writes: boolean
  closures?: boolean
  rate?: number
  seconds?: number
}
async function load(server: Running, spec: LoadSpec) {
  const seen = new Set<string>()
  let repeats = 0,
    reads = 0,
    writes = 0
  // Each connection keeps the request it sent last in its context, for onResponse to read the answer to a write.
  const setupRequest = (req: Record<string, unknown>, context: { sent?: Record<string, unknown> }) => {
    if (spec.writes && ++reads % READS_PER_WRITE === 0) {
      writes++
      return (context.sent = { ...req, ...writeRequest(spec.closures ?? false) })
    }
    const p = spec.next()
    if (seen.has(p)) repeats++
    else seen.add(p)
    return (context.sent = { ...req, method: 'GET', path: p, headers: {}, body: undefined })
  }
  const onResponse = (status: number, body: string, context: { sent?: { method?: string; path?: string } }) => {
    if (context.sent?.method === 'POST') onWriteResponse(status, body, context.sent)
  }
  const run = (duration: number) =>
    autocannon({
      url: server.url,
      connections: CONNECTIONS,
      duration,
      timeout: 10,
      ...(spec.rate ? { overallRate: spec.rate } : {}),
      requests: [{ setupRequest, ...(spec.writes ? { onResponse } : {}) }],
    } as Parameters<typeof autocannon>[0])
  // A few requests one at a time first: each must answer 200, and what the server builds once (its in-memory
  // indexes, compiled templates) is built before the clock starts, as on a site that has been up for a while.
  for (let k = 0; k < 3; k++) {
    const p = spec.next()
    const res = await fetch(server.url + p)
    await res.arrayBuffer()
    if (res.status !== 200) throw new Error(`${p} answered ${res.status}`)
  }
  await run(1)
  // The warm-up's connections close with up to one request each still queued at the server, which it works through
  // before anything else: a request answered after them, so the timed run's first requests do not start behind them
  // (they were its slowest 1%, waiting 300-500 ms for pages no one would read).
  await (await fetch(server.url + spec.next())).arrayBuffer()
  seen.clear()
  repeats = 0
  writes = 0
  const before = cpuMs(server.pid)
  const r = await run(spec.seconds ?? SECONDS)
  const total = r.requests.total || 1
  return {
    connections: CONNECTIONS,
    rps: Math.round(r.requests.average),
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
    cpu_ms: round((cpuMs(server.pid) - before) / total, 2),
    distinct: seen.size,
    repeats,
    writes,
  }
}

/** Every write the server acknowledged, looked for in the file: posted rows present, acknowledged closures closed. */
function lostWrites(file: string) {
  const check = new Database(file, { readonly: true })
  try {
    const has = (table: string) => {
      const q = check.prepare(`SELECT status FROM ${table} WHERE id = ?`).pluck()
      return (id: number) => q.get(id) as string | undefined
    }
    const need = has('needs'),
      offer = has('offers')
    let lost = 0
    for (const id of acked.need) if (!need(id)) lost++
    for (const id of acked.offer) if (!offer(id)) lost++
    const closed = [...acked.closed].filter((k) => k.startsWith('need '))
    for (const k of closed) if (need(Number(k.split(' ')[1])) !== 'closed') lost++
    return { acknowledged: acked.need.size + acked.offer.size + closed.length, lost }
  } finally {
    check.close()
  }
}

note(
  `traffic: ${LISTINGS} listings, ${CONNECTIONS} connections, ${SECONDS} s a page, one API write per ${READS_PER_WRITE} reads, on the built server (node dist/server.js)`,
)
// The ceiling computes its pages from the same generators (copies of their state would be simpler to keep
// in step, but the pages are drawn afresh for the real server anyway: only the kind of page matters).
const prepared = new Map(traffics.map((t) => [t.name, Array.from({ length: CEILING_PAGES }, t.next)]))
// BENCH_NO_CEILING=1: the real server's rows only (the ceiling computes its pages before it listens, which under a
// heavy machine load can outlast its start-up limit; the real rows' CPU per request still compares).
const ceiling = process.env.BENCH_NO_CEILING
  ? undefined
  : await startServer(path.join(BENCH_ROOT, 'lib', 'listings-ceiling.ts'), {
      dbPath: db.file,
      prepare: [...prepared.values()].flat(),
    })
const real = await startBuiltServer(db.file, { SCHEDULER: process.env.BENCH_SCHEDULER === '0' ? '0' : '1' })
emit({
  bench: 'traffic',
  name: 'start-up',
  listings: LISTINGS,
  scheduler: process.env.BENCH_SCHEDULER !== '0',
  ...real.startup,
})
try {
  let plain: number | undefined
  for (const t of traffics) {
    const c = ceiling && (await load(ceiling, { next: drawer(prepared.get(t.name)!), writes: false }))
    if (c) emit({ bench: 'traffic', name: `ceiling ${t.name}`, listings: LISTINGS, ...c })
    const r = await load(real, { next: t.next, writes: true })
    if (t.name === PLAIN) plain = r.rps
    emit({
      bench: 'traffic',
      name: t.name,
      listings: LISTINGS,
      ...r,
      ...(c ? { ratio_to_ceiling: round(r.rps / c.rps, 3), cpu_ratio: round(c.cpu_ms / r.cpu_ms, 3) } : {}),
      ...(t.group === 'match' && t.name !== PLAIN && plain ? { ratio_to_plain: round(r.rps / plain, 3) } : {}),
    })
  }
  if (ONLY.includes('mixed')) {
    // Every kind of read in turn, and one write in 20 (posts, and every third a closure of a need posted earlier).
    const kinds = [
      drawer(needIds.slice(-5000).map((id) => `/needs/${id}`)),
      drawer(offerIds.slice(-5000).map((id) => `/offers/${id}`)),
      listPaths('needs'),
      listPaths('offers'),
      () => `/search?q=${encodeURIComponent(nextQuery())}`,
    ]
    let k = 0
    acked.need.clear()
    acked.offer.clear()
    acked.closed.clear()
    const r = await load(real, { next: () => kinds[k++ % kinds.length]!(), writes: true, closures: true, rate: RATE })
    emit({
      bench: 'traffic',
      name: `mixed at ${RATE} requests/s`,
      listings: LISTINGS,
      rate: RATE,
      ...r,
      ...lostWrites(db.file),
    })
  }
} finally {
  await Promise.all([ceiling?.close(), real.close()])
  db.remove()
}
