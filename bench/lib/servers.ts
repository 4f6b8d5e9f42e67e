import { fork } from 'node:child_process'
import path from 'node:path'
import { BENCH_ROOT } from './paths.js'

export interface Running {
  url: string
  pid: number
  close(): Promise<void>
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
  const close = () => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.once('exit', () => { clearTimeout(timer); resolve() })
    child.kill('SIGTERM')
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { void close(); reject(new Error(`${factoryModule} did not start within 60 s`)) }, 60_000)
    child.once('message', (m: { port?: number }) => {
      clearTimeout(timer)
      resolve({ url: `http://127.0.0.1:${m.port}`, pid: child.pid!, close })
    })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${factoryModule} exited with ${code} before listening`)) })
  })
}
