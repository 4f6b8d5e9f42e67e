/**
 * The asset map and the broker's agenda (issue 6) at 100k listings (50k needs, 50k offers, 5k past matches on
 * top of the demo district), end to end through the real app in this process (app.inject).
 *
 *   node --import tsx bench/map.ts      BENCH_LISTINGS=10000 for a smaller district; BENCH_DB=file to reuse a
 *                                       database built by bench/lib/listings.ts populateListings
 *
 * Prints JSON lines { bench: "map", name, after?, listings, runs, p50_ms, p95_ms, cpu_p50_ms, cpu_p95_ms, target_ms }
 * (cpu: this process's CPU per page, the figure to trust on a shared machine). "cold" after "a listing edited":
 * one need's or offer's quantity left moved just before each request — what the first visitor after a post or a
 * request waits; after "the memo emptied": a write nothing shown depends on. "warm": repeated with no change in
 * between. "first page of the process": who serves whom worked out for the whole district, once per process.
 * Target: under 1 s (1000 ms) for every page, cold. The district is built once into bench/.cache (lib/cache.ts).
 */
import fs from 'node:fs'
import os from 'node:os'
import { buildApp } from '../src/app.js'
import { testConfig } from '../src/config.js'
import { listingsDatabase } from './lib/cache.js'
import { ROOT } from './lib/paths.js'
import { emit, note, round } from './lib/report.js'
import { clock, figures, type Sample } from './lib/timing.js'

const LISTINGS = Number(process.env.BENCH_LISTINGS ?? 100_000)
const TARGET_MS = 1000
const RUNS = Number(process.env.BENCH_RUNS ?? 15)

const started = Date.now()
const db = process.env.BENCH_DB
  ? { file: process.env.BENCH_DB, remove: () => {}, build: undefined }
  : await listingsDatabase(LISTINGS)
const build = db.build
if (build)
  emit({
    bench: 'map',
    name: 'setup',
    listings: LISTINGS,
    ...build,
    build_ms: Date.now() - started,
    db_mb: round(fs.statSync(db.file).size / 1e6),
  })

const app = await buildApp(
  testConfig({ dbPath: db.file, root: ROOT, logLevel: 'silent', rateLimits: false, scheduler: false }),
)
try {
  const community = app.sqlite
    .prepare("SELECT id FROM areas WHERE level = 'community' ORDER BY id LIMIT 1")
    .pluck()
    .get() as number
  // A write that changes nothing a page shows but moves the memo's counters (db/memo.ts): a remembered answer that
  // names no table, or areas, is computed again.
  const touch = app.sqlite.prepare('UPDATE areas SET name = name WHERE id = ?')
  // A listing edited, as a post, a request or a closure does: one need's or one offer's quantity left moves by one,
  // a different listing each time, so what the map counts and who fits whom really change.
  const needIds = app.sqlite.prepare('SELECT id FROM needs WHERE remaining > 1 ORDER BY id').pluck().all() as number[]
  const offerIds = app.sqlite.prepare('SELECT id FROM offers WHERE remaining > 1 ORDER BY id').pluck().all() as number[]
  const editNeed = app.sqlite.prepare('UPDATE needs SET remaining = remaining - 1 WHERE id = ?')
  const editOffer = app.sqlite.prepare('UPDATE offers SET remaining = remaining - 1 WHERE id = ?')
  let edits = 0
  const edit = () => {
    const k = edits++
    if (k % 2 === 0) editNeed.run(needIds[(k * 7919) % needIds.length])
    else editOffer.run(offerIds[(k * 7919) % offerIds.length])
  }
  const pages = [
    { name: '/map (all categories)', url: '/map', marker: 'id="map-table"' },
    { name: '/map?category=training', url: '/map?category=training', marker: 'id="map-table"' },
    {
      name: '/map?category=venue&area=<community>&sort=-gap',
      url: `/map?category=venue&area=${community}&sort=-gap`,
      marker: 'id="map-panel"',
    },
    {
      name: '/map (htmx fragment)',
      url: '/map?category=venue',
      marker: 'id="map-table"',
      headers: { 'hx-request': 'true' },
    },
    { name: '/map/agenda', url: '/map/agenda', marker: 'id="agenda-idle"' },
  ]
  const once = (p: (typeof pages)[number]) =>
    clock(async () => {
      const res = await app.inject({ url: p.url, headers: p.headers })
      if (res.statusCode !== 200 || !res.body.includes(p.marker))
        throw new Error(`${p.url} answered ${res.statusCode} without ${p.marker}`)
    })
  const common = { listings: LISTINGS, loadavg: round(os.loadavg()[0]!) }
  const first = await once(pages[0]!)
  // The first page of the process: every category read and who serves whom worked out once (after a restart or a new day).
  emit({ bench: 'map', name: '/map first page of the process', ...common, ...figures([first]), target_ms: TARGET_MS })
  for (const p of pages) {
    await once(p) // JIT, page cache, compiled statements
    const written: Sample[] = []
    for (let i = 0; i < RUNS; i++) {
      edit()
      written.push(await once(p))
    }
    emit({
      bench: 'map',
      name: `${p.name} cold`,
      after: 'a listing edited',
      ...common,
      ...figures(written),
      target_ms: TARGET_MS,
    })
    const touched: Sample[] = []
    for (let i = 0; i < RUNS; i++) {
      touch.run(community)
      touched.push(await once(p))
    }
    emit({
      bench: 'map',
      name: `${p.name} cold`,
      after: 'the memo emptied',
      ...common,
      ...figures(touched),
      target_ms: TARGET_MS,
    })
    const warm: Sample[] = []
    for (let i = 0; i < RUNS; i++) warm.push(await once(p))
    emit({ bench: 'map', name: `${p.name} warm`, ...common, ...figures(warm), target_ms: TARGET_MS })
  }
  const body = (await app.inject({ url: '/map/agenda' })).body
  note(
    `map: agenda lists ${body.match(/id="agenda-unmet-title">[^<]*<span class="badge">(\d+)/)?.[1]} unmet groups, ${body.match(/id="agenda-idle-title">[^<]*<span class="badge">(\d+)/)?.[1]} idle offers`,
  )
} finally {
  await app.close()
  db.remove()
}
