/**
 * The server as `npm start` runs it: compiled by `npm run build` (tsc, incremental) into dist/, started with plain
 * node — no TypeScript loader in the process. Harnesses that start "the real server" start this one.
 */
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { ROOT } from './paths.js'

export const SERVER_JS = path.join(ROOT, 'dist', 'server.js')

/** Brings dist/ up to date with src/ (a few seconds when nothing changed) and returns the entry point. */
export function buildServer(): string {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
  const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' })
  if (run.status !== 0)
    throw new Error(`npm run build failed (${run.status ?? run.signal}):\n${run.stdout}${run.stderr}`)
  return SERVER_JS
}
