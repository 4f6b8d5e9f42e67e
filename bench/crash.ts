/**
 * `npm run bench crash`: nothing acknowledged is lost when the server dies.
 *
 * Starts the real server as `npm start` does (compiled, `node dist/server.js`) on a throwaway database, signs in as the demo
 * leader and holder over HTTP, and streams acknowledged writes at it — offers, needs, requests, acceptances,
 * deliveries (some partial), cancellations — then SIGKILLs it at a random moment mid-stream. After each kill
 * it opens the file and checks: PRAGMA integrity_check is ok; every id the server acknowledged (a 303 to the
 * new resource) is there, and every acknowledged transition is still the match's state (or the one write that
 * was in flight); and for every offer and need, the reserved quantity (quantity − remaining) equals what its
 * matches hold: the full quantity of accepted ones, the delivered quantity of delivered and reviewed ones
 * (delivering less releases the rest; cancelling, declining and withdrawing hold nothing). The next round
 * restarts on the same file; after the last, the server must start once more.
 *
 * Prints one JSON line: { bench: "crash", rounds, acknowledged, lost, integrity, invariant_violations, … }.
 * CRASH_ROUNDS sets the number of rounds (default 10); CRASH_SIGNAL=SIGTERM stops the server as a supervisor does
 * instead (it must finish what it is answering and exit 0: `exits`, and `unanswered` must be 0).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { check, Ledger, type State } from './lib/crash-ledger.js'
import { ROOT } from './lib/paths.js'
import { buildServer } from './lib/build.js'
import { prng } from './lib/database.js'
import { emit, note } from './lib/report.js'
import { optionsOf, Session } from './lib/session.js'

const DEMO_PASSWORD = 'crash-bench-password-7'
const LEADER = 'leader@demo.assetbridge.cn'
const HOLDER = 'holder@demo.assetbridge.cn'

export interface CrashOptions {
  rounds: number
  /** The kill comes this long after the stream starts: uniformly between the two. */
  minKillMs?: number
  maxKillMs?: number
  /** Concurrent scenario loops (each: offer → need → request → accept → deliver/cancel/keep). */
  workers?: number
  seed?: number
  /** Keep the database directory (for a post-mortem) instead of removing it. */
  keep?: boolean
  log?: (message: string) => void
  /**
   * How the server is stopped: SIGKILL (a crash: nothing runs) or SIGTERM (a supervisor's stop: the server must
   * answer what it is handling, write it, and exit 0).
   */
  signal?: 'SIGKILL' | 'SIGTERM'
}

export interface CrashResult {
  bench: 'crash'
  rounds: number
  acknowledged: number
  lost: number
  integrity: string
  invariant_violations: number
  acknowledged_matches: number
  unexpected_answers: number
  restart_ms_max: number
  signal: 'SIGKILL' | 'SIGTERM'
  /** How each stopped server ended: an exit code, or the signal that ended it. */
  exits: (number | string)[]
  /** Writes sent before the signal that got no answer at all (expected after SIGKILL, not after SIGTERM). */
  unanswered: number
  ms: number
}

// ---- the server ----------------------------------------------------------------------------------------

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })
}

interface Server {
  child: ChildProcess
  base: string
  /** The exit code, or the signal's name. */
  exited: Promise<number | string>
}

async function startServer(serverArgs: string[], dbFile: string): Promise<Server> {
  const port = await freePort()
  const child = spawn(process.execPath, serverArgs, {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: dbFile,
      DEMO_DATA: '1',
      DEMO_PASSWORD,
      RATE_LIMITS: '0',
      SCHEDULER: '0',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'error',
      SMTP_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  )
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`server did not start within 60 s:\n${output}`))
    }, 60_000)
    const watch = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('AssetBridge is running')) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout!.on('data', watch)
    child.stderr!.on('data', (c: Buffer) => {
      output += c.toString()
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`server exited (${code ?? signal}) before listening:\n${output}`))
    })
  })
  return { child, base: `http://127.0.0.1:${port}`, exited }
}

// ---- one round ---------------------------------------------------------------------------------------

const idFrom = (location: string, pattern: RegExp) => Number(location.match(pattern)?.[1] ?? NaN)

async function stream(
  server: Server,
  ledger: Ledger,
  round: number,
  opts: Required<Pick<CrashOptions, 'minKillMs' | 'maxKillMs' | 'workers' | 'signal'>>,
  random: () => number,
) {
  const leader = new Session(server.base)
  const holder = new Session(server.base)
  await Promise.all([leader.signIn(LEADER, DEMO_PASSWORD), holder.signIn(HOLDER, DEMO_PASSWORD)])
  const needForm = await leader.get('/needs/new')
  const offerForm = await holder.get('/offers/new')
  const needOrg = optionsOf(needForm, 'orgId')[0]
  const offerOrg = optionsOf(offerForm, 'orgId')[0]
  const areas = optionsOf(needForm, 'areaId')
  // The first area is the district: an offer serving it serves every community, so every pair is feasible.
  const district = optionsOf(offerForm, 'servesAreaId')[0]
  const community = areas[areas.length - 1]
  if (!needOrg || !offerOrg || !district || !community) throw new Error('could not read the listing forms')

  let killed = false
  const killAt = opts.minKillMs + random() * (opts.maxKillMs - opts.minKillMs)
  const killer = new Promise<void>((resolve) =>
    setTimeout(() => {
      killed = true
      server.child.kill(opts.signal)
      resolve()
    }, killAt),
  )

  // One write at a time per scenario: a 303 is an acknowledgement; no answer (the server died) is not.
  const expect303 = async (send: () => Promise<{ status: number; location: string }>) => {
    if (killed) return undefined
    try {
      const res = await send()
      if (res.status === 303) return res.location
      if (!killed) ledger.unexpected++
      return undefined
    } catch {
      ledger.unanswered++
      return undefined
    }
  }

  const transition = async (session: Session, matchId: number, to: State, form: Record<string, string | number>) => {
    const m = ledger.matches.get(matchId)!
    m.inFlight = to
    const done = await expect303(() => session.post(`/matches/${matchId}/transitions`, { ...form, idem: randomUUID() }))
    if (!done) return false
    ledger.ackMatch(matchId, to)
    return true
  }

  const worker = async (w: number) => {
    for (let n = 0; !killed; n++) {
      const tag = `${round}-${w}-${n}`
      const offerAt = await expect303(() =>
        holder.post('/offers', {
          orgId: offerOrg,
          category: 'venue',
          title: `崩溃测试活动室 ${tag}`,
          quantity: 3,
          servesAreaId: district,
        }),
      )
      if (!offerAt) break
      const offerId = idFrom(offerAt, /^\/offers\/(\d+)/)
      ledger.ack('offer', offerId)
      const needAt = await expect303(() =>
        leader.post('/needs', {
          orgId: needOrg,
          category: 'venue',
          title: `崩溃测试排练场地 ${tag}`,
          quantity: 4,
          areaId: community,
        }),
      )
      if (!needAt) break
      const needId = idFrom(needAt, /^\/needs\/(\d+)/)
      ledger.ack('need', needId)
      const quantity = 1 + Math.floor(random() * 2)
      const matchAt = await expect303(() =>
        leader.post(`/needs/${needId}/requests`, { offerId, quantity, idem: randomUUID() }),
      )
      if (!matchAt) break
      const matchId = idFrom(matchAt, /^\/matches\/(\d+)/)
      if (!Number.isInteger(matchId)) {
        ledger.unexpected++
        continue
      }
      ledger.ackMatch(matchId, 'requested')
      if (!(await transition(holder, matchId, 'accepted', { event: 'accept' }))) break
      const fate = random()
      if (fate < 0.4) {
        if (
          !(await transition(leader, matchId, 'delivered', {
            event: 'deliver',
            quantity: Math.floor(random() * (quantity + 1)),
          }))
        )
          break
      } else if (fate < 0.6) {
        if (!(await transition(holder, matchId, 'cancelled', { event: 'cancel', reason: 'no_longer_needed' }))) break
      }
    }
  }

  await Promise.all([...Array.from({ length: opts.workers }, (_, w) => worker(w)), killer])
  return server.exited
}

export async function runCrash(options: CrashOptions): Promise<CrashResult> {
  const opts = {
    minKillMs: 300,
    maxKillMs: 2500,
    workers: 4,
    seed: Date.now() % 1e9,
    log: note,
    signal: 'SIGKILL' as const,
    ...options,
  }
  const random = prng(opts.seed)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assetbridge-crash-'))
  const dbFile = path.join(dir, 'crash.sqlite')
  const ledger = new Ledger()
  const started = Date.now()
  let lost = 0
  let violations = 0
  let integrity = 'ok'
  let restartMax = 0
  const exits: (number | string)[] = []
  const serverArgs = buildServer()
  try {
    for (let round = 1; round <= opts.rounds; round++) {
      const t = Date.now()
      const server = await startServer(serverArgs, dbFile)
      if (round > 1) restartMax = Math.max(restartMax, Date.now() - t)
      exits.push(await stream(server, ledger, round, opts, random))
      const c = check(dbFile, ledger, opts.log)
      if (c.integrity !== 'ok') integrity = c.integrity
      lost += c.lost
      violations += c.violations
      opts.log(
        `crash round ${round} (${opts.signal}, exit ${exits.at(-1)}): ${ledger.count} acknowledged so far, integrity ${c.integrity}, lost ${c.lost}, invariant violations ${c.violations}, unanswered ${ledger.unanswered}`,
      )
    }
    // After the last kill, the server must come back.
    const t = Date.now()
    const server = await startServer(serverArgs, dbFile)
    restartMax = Math.max(restartMax, Date.now() - t)
    const res = await fetch(`${server.base}/signin`)
    if (res.status !== 200) throw new Error(`the restarted server answered /signin with ${res.status}`)
    server.child.kill('SIGTERM')
    await server.exited
  } finally {
    if (!opts.keep) fs.rmSync(dir, { recursive: true, force: true })
  }
  return {
    bench: 'crash',
    rounds: opts.rounds,
    acknowledged: ledger.count,
    lost,
    integrity,
    invariant_violations: violations,
    acknowledged_matches: ledger.matches.size,
    unexpected_answers: ledger.unexpected,
    restart_ms_max: restartMax,
    signal: opts.signal,
    exits,
    unanswered: ledger.unanswered,
    ms: Date.now() - started,
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const rounds = Number(process.env.CRASH_ROUNDS ?? 10)
  const result = await runCrash({ rounds, signal: process.env.CRASH_SIGNAL === 'SIGTERM' ? 'SIGTERM' : 'SIGKILL' })
  emit(result as unknown as Record<string, unknown>)
  if (result.lost || result.integrity !== 'ok' || result.invariant_violations) process.exitCode = 1
}
