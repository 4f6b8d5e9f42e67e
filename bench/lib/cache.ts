import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openDb } from '../../src/database.js'
import { tagUntagged } from '../../src/topics/topics.js'
import { makeDatabase, type BenchDb } from './database.js'
import { populateListings, type ListingsBuild } from './listings.js'
import { BENCH_ROOT, ROOT } from './paths.js'
import { note } from './report.js'

/**
 * A district of `listings` generated listings (bench/lib/listings.ts on the demo district, topics tagged as the app
 * tags them on start-up), built once into bench/.cache/ (gitignored) and copied for each run: a run writes to its
 * copy, and 1M listings take minutes to generate. The file name carries a hash of the files that shape the rows
 * (shapeHash below), so a change there builds a new one (pruneStale says what the old ones become).
 */
export async function listingsDatabase(
  listings: number,
  districts = 1,
): Promise<BenchDb & { build?: ListingsBuild; cached: boolean }> {
  const dir = path.join(BENCH_ROOT, '.cache')
  const size = districts > 1 ? `${listings}-d${districts}` : `${listings}`
  const cached = path.join(dir, `listings-${size}-${shapeHash()}.sqlite`)
  let build: ListingsBuild | undefined
  const wasCached = fs.existsSync(cached)
  if (!wasCached) {
    note(`generating ${listings} listings in ${districts} district(s) into ${path.relative(ROOT, cached)} (once)`)
    const made = await makeDatabase({
      demo: true,
      populate: (db) => {
        build = populateListings(db, { listings, districts })
        tagUntagged(db)
      },
    })
    fs.mkdirSync(dir, { recursive: true })
    fs.copyFileSync(made.file, `${cached}.partial`)
    fs.renameSync(`${cached}.partial`, cached)
    made.remove()
    pruneStale(dir, size, cached)
  }
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-bench-'))
  const file = path.join(runDir, 'bench.sqlite')
  fs.copyFileSync(cached, file)
  // Opened once here so a migration main gained since the cache was built is applied before any server starts.
  openDb(file, ROOT).sqlite.close()
  return { file, build, cached: wasCached, remove: () => fs.rmSync(runDir, { recursive: true, force: true }) }
}

/**
 * After `fresh` is built, the other entries for that many listings are stale. A built file that a symlink in this
 * folder names stays, with the symlink: someone kept it under a later name because its rows were still the same, and
 * other caches (worktrees') may link to it; the run says so, for a person to remove. A built file nothing here names
 * goes, with its -wal/-shm and any .partial of an interrupted build, and then the symlinks left pointing nowhere.
 */
export function pruneStale(dir: string, size: number | string, fresh: string) {
  const buildOf = (p: string) => p.replace(/(-wal|-shm|\.partial)$/, '')
  const entries = fs
    .readdirSync(dir)
    .map((f) => ({ p: path.join(dir, f), link: fs.lstatSync(path.join(dir, f)).isSymbolicLink() }))
  const linked = new Set(entries.filter((e) => e.link).map((e) => path.resolve(dir, fs.readlinkSync(e.p))))
  // listings-100000-<hash> is not listings-100000-d10-<hash>: another size, kept.
  const ofSize = (p: string) =>
    path.basename(p).startsWith(`listings-${size}-`) &&
    !/^d\d+-/.test(path.basename(p).slice(`listings-${size}-`.length))
  const stale = entries.filter((e) => ofSize(e.p) && buildOf(e.p) !== fresh)
  for (const { p } of stale.filter((e) => !e.link)) {
    if (!linked.has(buildOf(p))) fs.rmSync(p)
    else if (buildOf(p) === p) note(`kept ${path.basename(p)}: a symlink in ${dir} names it (remove both when unused)`)
  }
  for (const { p } of stale.filter((e) => e.link)) if (!fs.existsSync(p)) fs.rmSync(p)
}

/**
 * What the rows are made by, and nothing else, so that a change elsewhere keeps the cache (1M listings take ~20
 * minutes): the generators (populateListings and what it draws from), the demo district seedDemo loads, and the
 * vocabulary and tagging tagUntagged runs (src/topics/topics.ts holds tag() and the vocabulary's admin additions;
 * the pure core and the shipped topics are in src/matching, the word cutting in src/search/segment.ts). Not the
 * migrations: a copy is migrated when it is opened, as a live database is. Not the search index, which openDb
 * rebuilds when its tokenization changes.
 */
const SHAPES = [
  'bench/lib/database.ts',
  'bench/lib/listing-text.ts',
  'bench/lib/listings.ts',
  'bench/lib/orgs.ts',
  'bench/lib/prng.ts',
  'src/matching/text-units.ts',
  'src/matching/topics.ts',
  'src/matching/vocabulary.ts',
  'src/search/segment.ts',
  'src/topics/topics.ts',
]

function shapeHash(): string {
  const h = crypto.createHash('sha256')
  const files = [...SHAPES, ...fs.readdirSync(path.join(ROOT, 'src/demo')).map((f) => `src/demo/${f}`)].sort()
  for (const f of files)
    if (fs.statSync(path.join(ROOT, f)).isFile()) h.update(f).update(fs.readFileSync(path.join(ROOT, f)))
  return h.digest('hex').slice(0, 12)
}
