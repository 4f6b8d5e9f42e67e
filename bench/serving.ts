/**
 * Who can serve whom (matching/serving.ts), counted in this process the way a server counts it after it listens:
 * every category read into the kept views, then counted in ~20 ms slices (views.ts countServingSome) until done.
 *
 *   BENCH_DB=<a copy of a bench/.cache listings file> node --import tsx bench/serving.ts
 *                                       BENCH_PROFILE=dir: a CPU profile of the count, as dir/serving-count.cpuprofile
 *
 * Prints one JSON line { bench: "serving", listings, needs, offers, unserved, read_ms, read_cpu_ms, count_ms,
 * count_cpu_ms, slices, longest_ms, rss_mb, digest } (digest: a hash of every need's served and every offer's
 * places, the same for two builds that answer the same). The real server's figure is its start-up log line
 * ("Counted who can serve whom …").
 */
import crypto from 'node:crypto'
import os from 'node:os'
import { openDb } from '../src/database.js'
import { listingToday } from '../src/listings/listings.js'
import { servingFacts } from '../src/matching/serving-facts.js'
import { countServingSome, needIndex, offerIndex } from '../src/matching/views.js'
import { ROOT } from './lib/paths.js'
import { profileFrom } from './lib/profile.js'
import { emit, round } from './lib/report.js'

const file = process.env.BENCH_DB
if (!file) throw new Error('BENCH_DB=<a copy of a cached listings database> is required')
const { db, sqlite } = openDb(file, ROOT)
const today = listingToday(new Date())
const cpuMs = (from: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(from)
  return (user + system) / 1000
}

let cpu = process.cpuUsage(),
  started = performance.now()
for (const category of sqlite.prepare('SELECT code FROM categories ORDER BY code').pluck().all() as string[]) {
  offerIndex(db, category, today)
  needIndex(db, category, today)
}
const read = { ms: performance.now() - started, cpu: cpuMs(cpu) }

const profile = await profileFrom(process.env.BENCH_PROFILE)
cpu = process.cpuUsage()
started = performance.now()
let slices = 0,
  longest = 0
for (;;) {
  const slice = process.cpuUsage()
  const done = countServingSome(db, today, performance.now() + 20)
  slices++
  longest = Math.max(longest, cpuMs(slice))
  if (done) break
}
const count = { ms: performance.now() - started, cpu: cpuMs(cpu) }
await profile?.stop('serving-count')

const facts = servingFacts(db, today)
const hash = crypto.createHash('sha256')
for (const n of [...facts.needs].sort((a, b) => a.id - b.id)) hash.update(`n${n.id}:${n.served ? 1 : 0};`)
for (const o of [...facts.offers].sort((a, b) => a.id - b.id)) hash.update(`o${o.id}:${o.places.join(',')};`)
emit({
  bench: 'serving',
  listings: facts.needs.length + facts.offers.length,
  needs: facts.needs.length,
  offers: facts.offers.length,
  unserved: facts.needs.filter((n) => !n.served).length,
  read_ms: round(read.ms),
  read_cpu_ms: round(read.cpu),
  count_ms: round(count.ms),
  count_cpu_ms: round(count.cpu),
  slices,
  longest_ms: round(longest),
  rss_mb: round(process.memoryUsage().rss / 1e6),
  loadavg: round(os.loadavg()[0]!),
  digest: hash.digest('hex').slice(0, 16),
})
sqlite.close()
