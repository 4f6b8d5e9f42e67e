/**
 * The asset map and the broker's agenda (issue 6) at 100k listings (50k needs, 50k offers, 5k past matches on
 * top of the demo district), end to end through the real app in this process (app.inject).
 *
 *   node --import tsx bench/map.ts      BENCH_LISTINGS=10000 for a smaller district; BENCH_DB=file to reuse a
 *                                       database built by bench/lib/listings.ts populateListings
 *
 * Prints JSON lines { bench: "map", name, listings, runs, p50_ms, p95_ms, cpu_p50_ms, cpu_p95_ms, target_ms }.
 * "cold": the database changed just before each request, so nothing is remembered (db/memo.ts) and every
 * figure is recomputed from the tables — what the first visitor after a new listing waits. "warm": repeated
 * with no change in between — what everyone else waits. Target: under 1 s (1000 ms) for every page, cold.
 */
import fs from 'node:fs'
import os from 'node:os'
import { buildApp } from '../src/app.js'
import { testConfig } from '../src/config.js'
import { makeDatabase } from './lib/database.js'
import { populateListings, type ListingsBuild } from './lib/listings.js'
import { ROOT } from './lib/paths.js'
import { emit, note, round } from './lib/report.js'
import { clock, figures, type Sample } from './lib/timing.js'

const LISTINGS = Number(process.env.BENCH_LISTINGS ?? 100_000)
const TARGET_MS = 1000
const RUNS = 15


const started = Date.now()
let build: ListingsBuild | undefined
const db = process.env.BENCH_DB
  ? { file: process.env.BENCH_DB, remove: () => {} }
  : await makeDatabase({ demo: true, populate: (d) => { build = populateListings(d, { listings: LISTINGS }) } })
if (build) emit({ bench: 'map', name: 'setup', listings: LISTINGS, ...build, build_ms: Date.now() - started, db_mb: round(fs.statSync(db.file).size / 1e6) })

const app = await buildApp(testConfig({ dbPath: db.file, root: ROOT, logLevel: 'silent', rateLimits: false, scheduler: false }))
try {
  const community = app.sqlite.prepare("SELECT id FROM areas WHERE level = 'community' ORDER BY id LIMIT 1").pluck().get() as number
  // A write that changes nothing a page shows but moves total_changes(), so every remembered answer is dropped.
  const touch = app.sqlite.prepare('UPDATE areas SET name = name WHERE id = ?')
  const pages = [
    { name: '/map (all categories)', url: '/map', marker: 'id="map-table"' },
    { name: '/map?category=training', url: '/map?category=training', marker: 'id="map-table"' },
    { name: '/map?category=venue&area=<community>&sort=-gap', url: `/map?category=venue&area=${community}&sort=-gap`, marker: 'id="map-panel"' },
    { name: '/map (htmx fragment)', url: '/map?category=venue', marker: 'id="map-table"', headers: { 'hx-request': 'true' } },
    { name: '/map/agenda', url: '/map/agenda', marker: 'id="agenda-idle"' },
  ]
  const once = (p: (typeof pages)[number]) => clock(async () => {
    const res = await app.inject({ url: p.url, headers: p.headers })
    if (res.statusCode !== 200 || !res.body.includes(p.marker)) throw new Error(`${p.url} answered ${res.statusCode} without ${p.marker}`)
  })
  const common = { listings: LISTINGS, loadavg: round(os.loadavg()[0]!) }
  for (const p of pages) {
    await once(p) // JIT, page cache, compiled statements
    const cold: Sample[] = []
    for (let i = 0; i < RUNS; i++) { touch.run(community); cold.push(await once(p)) }
    emit({ bench: 'map', name: `${p.name} cold`, ...common, ...figures(cold), target_ms: TARGET_MS })
    const warm: Sample[] = []
    for (let i = 0; i < RUNS; i++) warm.push(await once(p))
    emit({ bench: 'map', name: `${p.name} warm`, ...common, ...figures(warm), target_ms: TARGET_MS })
  }
  const body = (await app.inject({ url: '/map/agenda' })).body
  note(`map: agenda lists ${body.match(/id="agenda-unmet-title">[^<]*<span class="badge">(\d+)/)?.[1]} unmet groups, ${body.match(/id="agenda-idle-title">[^<]*<span class="badge">(\d+)/)?.[1]} idle offers`)
} finally {
  await app.close()
  db.remove()
}
