/**
 * `npm run bench`: runs every bench this file knows that exists, each in its own process, and passes
 * their JSON lines through. Stdout carries JSON lines only; anything else a bench prints goes to stderr.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import { BENCH_ROOT, ROOT } from './lib/paths.js'
import { emit, note } from './lib/report.js'

const KNOWN = [
  'pages.ts',
  'search.ts',
  'topics.ts',
  'listings.ts',
  'traffic.ts',
  'matching.ts',
  'allocation.ts',
  'map.ts',
  'reports.ts',
  'funds.ts',
  'crash.ts',
]
// `--listings N` sizes the benches that take BENCH_LISTINGS (the scale curve); the other arguments pick benches.
const argv = process.argv.slice(2)
const at = argv.indexOf('--listings')
const listings = at >= 0 ? argv.splice(at, 2)[1] : undefined
const only = argv

function run(file: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('bench', file)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: listings ? { ...process.env, BENCH_LISTINGS: listings } : process.env,
    })
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        JSON.parse(line)
        process.stdout.write(`${line}\n`)
      } catch {
        note(`${file}: ${line}`)
      }
    })
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)))
  })
}

let failed = 0
for (const file of KNOWN) {
  if (only.length && !only.some((o) => file.startsWith(o))) continue
  if (!fs.existsSync(path.join(BENCH_ROOT, file))) continue
  const started = Date.now()
  const code = await run(file)
  if (code !== 0) {
    failed++
    emit({ bench: 'run', file, error: `exited with ${code}` })
  }
  note(`${file}: ${((Date.now() - started) / 1000).toFixed(0)} s`)
}
process.exitCode = failed ? 1 : 0
