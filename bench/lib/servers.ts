import { fork, spawn } from 'node:child_process'
import path from 'node:path'
import readline from 'node:readline'
import { buildServer } from './build.js'
import { BENCH_ROOT, ROOT } from './paths.js'

export interface Running {
  url: string
  pid: number
  close(): Promise<void>
  /**
   * The built server's: ms from spawning it to its listening, to its count of who can serve whom being done, and to
   * its match pages being warmed (server.ts), after which a timed run starts.
   */
  startup?: { listening_ms: number; counted_ms: number; warmed_ms: number }
}

/**
 * Starts `factoryModule` (default export: opts → FastifyInstance) in its own process and resolves once it
 * listens. Server and load generator are separate processes, as a real deployment's clients would be.
 */
export function startServer(factoryModule: string, opts: Record<string, unknown> = {}): Promise<Running> {
  const child = fork(path.join(BENCH_ROOT, 'lib', 'serve.ts'), [path.resolve(factoryModule), JSON.stringify(opts)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  const close = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      child.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      child.kill('SIGTERM')
    })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void close()
      reject(new Error(`${factoryModule} did not start within 180 s`))
    }, 180_000)
    child.once('message', (m: { port?: number }) => {
      clearTimeout(timer)
      resolve({ url: `http://127.0.0.1:${m.port}`, pid: child.pid!, close })
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${factoryModule} exited with ${code} before listening`))
    })
  })
}

/**
 * The app as `npm start` runs it: `dist/` brought up to date (the `prestart` step), then `node dist/server.js` with
 * the environment a site sets — no TypeScript loader, no demo data, no rate limits (one client address sends all
 * the load), no scheduler unless `env` asks for it (its rounds land inside timed runs: traffic.ts, whose writes queue
 * jobs a site pays for, runs it). `node` is the process whose CPU is counted.
 * BENCH_NODE_ARGS: more flags for it (e.g. `--import` a preload that watches the event loop's delay).
 */
export function startBuiltServer(dbPath: string, env: Record<string, string> = {}): Promise<Running> {
  const args = buildServer()
  const entry = args.at(-1)!
  const child = spawn(
    process.execPath,
    [
      ...args.slice(0, -1),
      ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      entry,
    ],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: '0',
        DATABASE_URL: dbPath,
        DEMO_DATA: '0',
        RATE_LIMITS: '0',
        SCHEDULER: '0',
        LOG_LEVEL: 'warn',
        SESSION_SECRET: 'bench-session-secret-bench-session-secret',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const close = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      child.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      child.kill('SIGTERM')
    })
  // The server listens first and then counts who can serve whom and warms the match pages in slices between requests
  // (minutes of CPU at 1M listings): a timed run starts once that start-up work is done, so its CPU is not charged to
  // the pages.
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void close()
      reject(new Error(`${entry} did not start and count within 30 minutes`))
    }, 1_800_000)
    const spawned = performance.now()
    let url: string | undefined,
      listening = 0,
      counted = 0
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      const address = line.match(/running at (http:\/\/\S+)/)?.[1]
      if (address) {
        url = address.replace('0.0.0.0', '127.0.0.1')
        listening = performance.now() - spawned
      }
      if (url && /(Counted|Stopped counting) who can serve whom/.test(line)) counted = performance.now() - spawned
      if (!url || !/(Warmed|Stopped warming) the match pages/.test(line)) return
      clearTimeout(timer)
      const startup = {
        listening_ms: Math.round(listening),
        counted_ms: Math.round(counted),
        warmed_ms: Math.round(performance.now() - spawned),
      }
      resolve({ url, pid: child.pid!, close, startup })
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${entry} exited with ${code} before listening`))
    })
  })
}
