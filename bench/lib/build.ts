/**
 * The server as `npm start` runs it: compiled by `npm run build` (tsc, incremental) into dist/, started with plain
 * node — no TypeScript loader in the process. Harnesses that start "the real server" start this one.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { ROOT } from './paths.js'

export const SERVER_JS = path.join(ROOT, 'dist', 'server.js')

/**
 * The node flags `npm start` gives the server (package.json's start script is where they are chosen; the deploy unit
 * is held to the same by a test), so harnesses measure and test the process a site runs.
 */
export function startFlags(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
  const words = pkg.scripts.start.split(/\s+/)
  if (words[0] !== 'node' || words.at(-1) !== 'dist/server.js')
    throw new Error(`package.json's start script is not "node [flags] dist/server.js": ${pkg.scripts.start}`)
  return words.slice(1, -1)
}

/**
 * Brings dist/ up to date with src/ (a few seconds when nothing changed) and returns node's arguments: start flags, then
 * the entry point. One build at a time across processes: the test suite's workers start real servers from two files at
 * once, and two tsc runs emitting into dist/ together could let a server read a file half written. A build with nothing
 * to do writes nothing, so whoever comes second waits, then finds dist/ current.
 */
export function buildServer(): string[] {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
  const run = oneAtATime(BUILD_LOCK, () =>
    spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' }),
  )
  if (run.status !== 0)
    throw new Error(`npm run build failed (${run.status ?? run.signal}):\n${run.stdout}${run.stderr}`)
  return [...startFlags(), SERVER_JS]
}

const BUILD_LOCK = path.join(ROOT, '.build.lock')
/** A lock older than this was left by a process that died mid-build: a cold build takes about a minute on a busy machine. */
const STALE_LOCK_MS = 5 * 60_000

/** Runs `work` holding a lock directory (mkdir is atomic), waiting for another process's hold to end. */
export function oneAtATime<T>(lock: string, work: () => T): T {
  const pause = new Int32Array(new SharedArrayBuffer(4))
  for (;;) {
    try {
      fs.mkdirSync(lock)
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now())
      if (age > STALE_LOCK_MS) fs.rmSync(lock, { recursive: true, force: true })
      // Synchronous, like the build it waits for (spawnSync): callers expect dist/ ready when this returns.
      else Atomics.wait(pause, 0, 0, 200)
    }
  }
  try {
    return work()
  } finally {
    fs.rmSync(lock, { recursive: true, force: true })
  }
}
