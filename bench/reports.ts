/**
 * Reports at 100k listings (50k needs, 50k offers on top of the demo district) with a year of match history:
 * requests and their answers in the event log, acceptances, deliveries and ratings. The real app in this
 * process (app.inject), signed in as the demo admin, so every hook, query and template a street office's
 * request goes through is timed.
 *
 * Prints JSON lines { bench: "report", name, runs, p50_ms, p95_ms, cpu_p50_ms, cpu_p95_ms, target_ms } and,
 * as the baseline measured in the same run, the plain browse page /needs. Target (issue 6): a report of a
 * 100k-listing database renders in under 1 s.
 *
 *   node --import tsx bench/reports.ts       BENCH_LISTINGS=10000; BENCH_DB=file to reuse a database
 */
import fs from 'node:fs'
import os from 'node:os'
import { buildApp } from '../src/app.js'
import { testConfig } from '../src/config.js'
import { addDays, isoDate } from '../src/shared/time.js'
import * as reports from '../src/reports/reports.js'
import { makeDatabase } from './lib/database.js'
import { addHistory } from './lib/history.js'
import { populateListings, type ListingsBuild } from './lib/listings.js'
import { ROOT } from './lib/paths.js'
import { emit, note, round } from './lib/report.js'
import { clock, figures, type Sample } from './lib/timing.js'

const LISTINGS = Number(process.env.BENCH_LISTINGS ?? 100_000)
const MATCHES = Math.round(LISTINGS / 5)
const PASSWORD = 'bench-demo-password-1'

const started = Date.now()
let build: ListingsBuild | undefined
const db = process.env.BENCH_DB
  ? { file: process.env.BENCH_DB, remove: () => {} }
  : await makeDatabase({
      demo: true,
      populate: (d) => {
        build = populateListings(d, { listings: LISTINGS, matches: MATCHES })
        addHistory(d)
      },
    })
if (build)
  emit({
    bench: 'report',
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
  // Sign in as the demo admin the way a browser does: the form's CSRF token, then the session cookie.
  const form = await app.inject({ url: '/signin' })
  const jar = new Map<string, string>()
  const keep = (res: Awaited<ReturnType<typeof app.inject>>) => {
    for (const c of res.cookies) jar.set(c.name, c.value)
  }
  keep(form)
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
  const csrf = form.body.match(/name="_csrf" value="([^"]+)"/)?.[1] ?? ''
  const signIn = await app.inject({
    method: 'POST',
    url: '/signin',
    headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: csrf, email: 'admin@demo.assetbridge.cn', password: PASSWORD }).toString(),
  })
  if (signIn.statusCode !== 303) throw new Error(`sign-in answered ${signIn.statusCode}`)
  keep(signIn)

  const sqlite = app.sqlite
  const district = sqlite.prepare("SELECT id, path FROM areas WHERE ref = 'HB'").get() as { id: number; path: string }
  const street = sqlite.prepare("SELECT id, path FROM areas WHERE ref = 'HB-DH'").get() as { id: number; path: string }
  const now = new Date()
  const year = { from: isoDate(addDays(now, -364)), to: isoDate(now) }
  const quarter = { from: isoDate(addDays(now, -89)), to: isoDate(now) }
  const counted = sqlite.prepare('SELECT count(*) FROM needs WHERE created_at >= ?').pluck()
  note(
    `reports: ${counted.get(`${year.from}T00:00:00.000Z`)} needs posted in the year, ${counted.get(`${quarter.from}T00:00:00.000Z`)} in the quarter`,
  )

  async function page(url: string) {
    const res = await app.inject({ url, headers: { cookie: cookie() } })
    if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}: ${res.body.slice(0, 200)}`)
    return res
  }
  const ROUNDS = 15
  async function series(name: string, fn: () => unknown, extra: Record<string, unknown> = {}) {
    const cold = await clock(fn)
    for (let i = 0; i < 3; i++) await fn()
    const samples: Sample[] = []
    for (let i = 0; i < ROUNDS; i++) samples.push(await clock(fn))
    emit({
      bench: 'report',
      name,
      listings: LISTINGS,
      cold_ms: round(cold.wall, 1),
      ...figures(samples),
      ...extra,
      loadavg: round(os.loadavg()[0]!),
    })
  }
  const q = (area: number, p: { from: string; to: string }) => `area=${area}&from=${p.from}&to=${p.to}`

  await series('baseline: /needs (browse page, same run)', () => page('/needs'))
  await series('rows and figures only: district, a year', () => reports.build(app.db, district.path, year, now))
  await series('/reports: district, a year', () => page(`/reports?${q(district.id, year)}`), { target_ms: 1000 })
  await series('/reports: street, a quarter', () => page(`/reports?${q(street.id, quarter)}`), { target_ms: 1000 })
  await series('/reports.xlsx: district, a year', () => page(`/reports.xlsx?${q(district.id, year)}`), {
    target_ms: 1000,
  })
  await series('/reports/demand.csv: district, a year', () => page(`/reports/demand.csv?${q(district.id, year)}`), {
    target_ms: 1000,
  })
} finally {
  await app.close()
  db.remove()
}
