import { execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCrash } from '../../../bench/crash.js'
import { buildServer } from '../../../bench/lib/build.js'

// The crash bench with the signal a supervisor sends (systemctl stop, a deploy): the real server, started as
// production starts it (compiled: node dist/server.js), gets SIGTERM mid-stream of writes twice. Each start costs a couple of seconds.
describe('SIGTERM during a stream of writes', () => {
  it('answers every write it had, keeps every acknowledged one, and exits 0', async () => {
    const lines: string[] = []
    const result = await runCrash({
      rounds: 2,
      minKillMs: 400,
      maxKillMs: 900,
      workers: 3,
      signal: 'SIGTERM',
      log: (m) => lines.push(m),
    })
    const why = [JSON.stringify(result), ...lines].join('\n')
    console.log(`SIGTERM run: ${JSON.stringify(result)}`)
    expect(result.exits, why).toEqual([0, 0])
    expect(result.integrity, why).toBe('ok')
    expect(result.lost, why).toBe(0)
    expect(result.invariant_violations, why).toBe(0)
    // Not asserted: `unanswered` counts writes the client had started when the signal came, including ones whose
    // connection was refused or whose idle keep-alive socket was being closed — they never reached a handler. A write
    // that did reach one was answered (or the server would not have exited 0 within its 10 s) and is checked above.
    expect(result.unexpected_answers, why).toBe(0)
    expect(result.acknowledged).toBeGreaterThan(0)
  }, 180_000)
})

// npm start is the README's whole set-up: it compiles (prestart) and runs plain JavaScript, with the views, static
// files, migrations and vendored data found from dist/ as from src/. Started through npm as a user would.
describe('npm start', () => {
  it('builds dist/ and serves from node dist/server.js, no TypeScript loader', async () => {
    const root = path.resolve(import.meta.dirname, '../../..')
    const scripts = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts
    // Node's own flags may come between (the young generation's size, README), never a loader.
    expect(scripts.start).toMatch(/^node (--max-semi-space-size=\d+ )?dist\/server\.js$/)
    expect(scripts.prestart).toBe('npm run build')
    expect(scripts.dev).toMatch(/tsx watch src\/server\.ts/)

    // Built first under the build lock (bench/lib/build.ts): another file may be building dist/ at this moment, and
    // npm's prestart build, which takes no lock, then finds nothing to write.
    buildServer()
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-start-'))
    const port = 20_000 + Math.floor(Math.random() * 20_000)
    // Its own process group, so the server npm starts is stopped with it.
    const npm = spawn('npm', ['start'], {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: path.join(dir, 'start.sqlite'),
        DEMO_DATA: '0',
        SCHEDULER: '0',
        LOG_LEVEL: 'warn',
      },
    })
    let output = ''
    npm.stdout!.on('data', (d) => {
      output += d
    })
    npm.stderr!.on('data', (d) => {
      output += d
    })
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`npm start did not listen within 90 s:\n${output}`)), 90_000)
        npm.stdout!.on('data', () => {
          if (output.includes('AssetBridge is running')) {
            clearTimeout(timer)
            resolve()
          }
        })
        npm.once('exit', (code) => {
          clearTimeout(timer)
          reject(new Error(`npm start exited ${code}:\n${output}`))
        })
      })
      expect(output).toContain(scripts.start)
      const base = `http://127.0.0.1:${port}`
      expect((await fetch(`${base}/signin`)).status).toBe(200)
      expect((await fetch(`${base}/public/app.css`)).status).toBe(200)
      expect((await fetch(`${base}/no-such-page`)).status).toBe(404)
      // The server process npm started runs dist/server.js with no --import of a loader.
      const server = execFileSync('pgrep', ['-a', '-g', String(npm.pid)], { encoding: 'utf8' })
        .split('\n')
        .find((l) => /^\d+ \S*node .*server\.js/.test(l))
      expect(server).toMatch(/node .*dist\/server\.js$/)
      expect(server).toContain(scripts.start.replace(/^node /, ''))
      expect(server).not.toMatch(/tsx|--import|--loader/)
    } finally {
      if (npm.exitCode === null) process.kill(-npm.pid!, 'SIGTERM')
      fs.rmSync(dir, { recursive: true, force: true })
    }
    // The breached-password list is vendored beside src/accounts; the compiled module finds it.
    const size = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('./dist/accounts/passwords.js'); console.log(m.commonPasswords().size)",
      ],
      { cwd: root, encoding: 'utf8' },
    )
    expect(Number(size)).toBeGreaterThan(100_000)
  }, 120_000)
})
