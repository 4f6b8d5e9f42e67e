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

/** Brings dist/ up to date with src/ (a few seconds when nothing changed) and returns node's arguments: start flags, then the entry point. */
export function buildServer(): string[] {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
  const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' })
  if (run.status !== 0)
    throw new Error(`npm run build failed (${run.status ?? run.signal}):\n${run.stdout}${run.stderr}`)
  return [...startFlags(), SERVER_JS]
}
