import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { oneAtATime } from '../../../bench/lib/build.js'

const BUILD = path.resolve(import.meta.dirname, '../../../bench/lib/build.ts')
let dir: string | undefined
afterEach(() => dir && fs.rmSync(dir, { recursive: true, force: true }))

/** Another process taking the lock: prints when it got it (ms since the epoch) and exits. */
function contender(lock: string): Promise<number> {
  const code = `const { oneAtATime } = await import(${JSON.stringify(BUILD)}); oneAtATime(${JSON.stringify(lock)}, () => console.log(Date.now()))`
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  return new Promise((resolve, reject) =>
    child.once('exit', (status) => (status === 0 ? resolve(Number(out.trim())) : reject(new Error(`exit ${status}`)))),
  )
}

// Two test files start real servers from dist/ at once; their builds must not emit into it together (build.ts).
describe('one build at a time', () => {
  it('waits while another process holds the lock, and takes it once released', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'build-lock-'))
    const lock = path.join(dir, 'lock')
    fs.mkdirSync(lock)
    const got = contender(lock)
    await new Promise((r) => setTimeout(r, 2_500))
    const released = Date.now()
    fs.rmSync(lock, { recursive: true })
    expect(await got).toBeGreaterThanOrEqual(released)
    expect(fs.existsSync(lock)).toBe(false)
  }, 30_000)

  it('takes over a lock left by a process that died mid-build', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'build-lock-'))
    const lock = path.join(dir, 'lock')
    fs.mkdirSync(lock)
    const hourAgo = new Date(Date.now() - 3_600_000)
    fs.utimesSync(lock, hourAgo, hourAgo)
    expect(oneAtATime(lock, () => 'built')).toBe('built')
    expect(fs.existsSync(lock)).toBe(false)
  })

  it('releases the lock when the work throws', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'build-lock-'))
    const lock = path.join(dir, 'lock')
    expect(() =>
      oneAtATime(lock, () => {
        throw new Error('tsc failed')
      }),
    ).toThrow('tsc failed')
    expect(fs.existsSync(lock)).toBe(false)
  })
})
