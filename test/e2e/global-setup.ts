import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { DEMO_PASSWORD } from './browser.js'
import { buildServer } from '../../bench/lib/build.js'

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string
    dbPath: string
  }
}

const ROOT = path.resolve(import.meta.dirname, '../..')

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
  })
}

async function waitUntilUp(url: string, child: ChildProcess, output: () => string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before answering:\n${output()}`)
    try {
      const res = await fetch(url)
      if (res.ok) return
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 150))
  }
  throw new Error(`server did not answer ${url} within ${timeoutMs} ms:\n${output()}`)
}

/**
 * One real server for the whole browser suite, started the way `npm start` does it (built, then node with its flags on `dist/server.js`)
 * but on a throwaway database. Node directly, not npm: killing npm would leave the server holding the port.
 */
export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-e2e-'))
  const port = await freePort()
  const child = spawn(process.execPath, buildServer(), {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: path.join(dir, 'e2e.sqlite'),
      DEMO_DATA: '1',
      DEMO_PASSWORD,
      RATE_LIMITS: '0',
      SCHEDULER: '0',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  child.stdout!.on('data', (d) => {
    log += d
  })
  child.stderr!.on('data', (d) => {
    log += d
  })
  const baseURL = `http://127.0.0.1:${port}`
  try {
    await waitUntilUp(baseURL, child, () => log)
  } catch (err) {
    child.kill('SIGKILL')
    throw err
  }
  project.provide('baseURL', baseURL)
  // The server's database, for what a journey reads from an email (the outbox: no SMTP here).
  project.provide('dbPath', path.join(dir, 'e2e.sqlite'))

  return async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
    // Server-side errors (5xx, crashes) would otherwise pass silently behind a rendered error page.
    if (/"level":50|Error:/.test(log)) console.warn(`server log had errors:\n${log}`)
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
