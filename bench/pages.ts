/**
 * Page throughput: the home page and the organization list (20 a page of 1,000+ organizations) on the
 * real app, next to a ceiling — bare Fastify + handlebars rendering the same templates from memory —
 * measured in the same run on the same machine. Server in a child process, autocannon (50 connections)
 * here. Prints JSON lines: { bench: "page", name, rps, p50_ms, p99_ms, errors, ratio_to_ceiling, bytes }.
 *
 *   node --import tsx bench/pages.ts        BENCH_SECONDS=3 for a quick look (default 8)
 */
import path from 'node:path'
import { makeDatabase } from './lib/database.js'
import { generateOrgs, insertOrgs } from './lib/orgs.js'
import { countOf } from './lib/load.js'
import { benchPage } from './lib/page.js'
import { BENCH_ROOT } from './lib/paths.js'
import { emit, note } from './lib/report.js'
import { startBuiltServer, startServer } from './lib/servers.js'

const ORGS = 1000
const PER_PAGE = 20
const load = { connections: 50, duration: Number(process.env.BENCH_SECONDS ?? 8), warmup: 1 }
const lib = (f: string) => path.join(BENCH_ROOT, 'lib', f)

const started = Date.now()
const db = await makeDatabase({ demo: true, populate: (d) => insertOrgs(d, generateOrgs(ORGS)) })
emit({ bench: 'page', name: 'setup', orgs: ORGS, build_ms: Date.now() - started })

const cards = (n: number) => (body: string) => {
  const found = countOf(body, 'class="card org"')
  return found === n ? undefined : `expected ${n} organization cards, found ${found}`
}
const fullPage = (body: string) => (body.includes('<html') ? undefined : 'expected a full page')

// Both servers stay up and the pages alternate ceiling, real, ceiling, real…: on a shared machine each
// ratio then compares two measurements taken seconds apart, not minutes.
note('ceiling: bare Fastify + handlebars, same templates, data in memory; real: demo district + 1,000 organizations')
const ceiling = await startServer(lib('ceiling-app.ts'), { perPage: PER_PAGE, total: ORGS })
const real = await startBuiltServer(db.file)
try {
  const homeCeiling = await benchPage({ name: 'ceiling /', url: `${ceiling.url}/`, expect: fullPage, load })
  await benchPage({ name: '/', url: `${real.url}/`, expect: fullPage, ceiling: homeCeiling, load })
  const listCeiling = await benchPage({
    name: 'ceiling /orgs',
    url: `${ceiling.url}/orgs`,
    expect: cards(PER_PAGE),
    load,
  })
  await benchPage({ name: '/orgs', url: `${real.url}/orgs`, expect: cards(PER_PAGE), ceiling: listCeiling, load })
  await benchPage({
    name: '/orgs?q=广场舞',
    url: `${real.url}/orgs?q=${encodeURIComponent('广场舞')}`,
    ceiling: listCeiling,
    load,
    expect: (b) => (countOf(b, 'class="card org"') > 0 ? undefined : 'the search found nothing'),
  })
  await benchPage({
    name: '/orgs?page=2 (htmx fragment)',
    url: `${real.url}/orgs?page=2`,
    headers: { 'HX-Request': 'true' },
    ceiling: listCeiling,
    load,
    expect: (b) => (b.includes('<html') ? 'expected the list partial, got a full page' : cards(PER_PAGE)(b)),
  })
} finally {
  await Promise.all([ceiling.close(), real.close()])
  db.remove()
}
