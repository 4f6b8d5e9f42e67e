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
import Database from 'better-sqlite3'
import { ROOT } from './lib/paths.js'
import { buildServer } from './lib/build.js'
import { prng } from './lib/database.js'
import { emit, note } from './lib/report.js'

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

type State = 'requested' | 'accepted' | 'delivered' | 'cancelled'

/** What the server told us, and what was in flight when it died. */
class Ledger {
  needs = new Set<number>()
  offers = new Set<number>()
  matches = new Map<number, { acked: State; inFlight?: State }>()
  count = 0
  unexpected = 0
  unanswered = 0

  ack(kind: 'need' | 'offer', id: number) {
    ;(kind === 'need' ? this.needs : this.offers).add(id)
    this.count++
  }

  ackMatch(id: number, state: State) {
    this.matches.set(id, { acked: state })
    this.count++
  }
}

// ---- a tiny HTTP client with a cookie jar and the CSRF token of the last form seen ----------------------

class Session {
  private jar = new Map<string, string>()
  csrf = ''

  constructor(private readonly base: string) {}

  private remember(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0]
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      if (value === '' || /max-age=0/i.test(line)) this.jar.delete(name)
      else this.jar.set(name, value)
    }
  }

  private get cookie() {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  async get(url: string): Promise<string> {
    const res = await fetch(this.base + url, { headers: { cookie: this.cookie }, redirect: 'manual' })
    this.remember(res)
    const html = await res.text()
    const token = html.match(/name="_csrf" value="([^"]+)"/)?.[1]
    if (token) this.csrf = token
    return html
  }

  async post(url: string, form: Record<string, string | number>): Promise<{ status: number; location: string }> {
    const body = new URLSearchParams({
      _csrf: this.csrf,
      ...Object.fromEntries(Object.entries(form).map(([k, v]) => [k, String(v)])),
    })
    const res = await fetch(this.base + url, {
      method: 'POST',
      body,
      redirect: 'manual',
      headers: { cookie: this.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    })
    this.remember(res)
    await res.arrayBuffer()
    return { status: res.status, location: res.headers.get('location') ?? '' }
  }

  async signIn(email: string) {
    await this.get('/signin')
    const res = await this.post('/signin', { email, password: DEMO_PASSWORD })
    if (res.status !== 303) throw new Error(`sign-in as ${email} answered ${res.status}`)
  }
}

const optionsOf = (html: string, name: string) => {
  const at = html.indexOf(`name="${name}"`)
  if (at < 0) return []
  const input = html.slice(at).match(/^name="[^"]+" value="(\d+)"/)
  if (input) return [Number(input[1])]
  const select = html.slice(at, html.indexOf('</select>', at))
  return [...select.matchAll(/value="(\d+)"/g)].map((m) => Number(m[1]))
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
  await Promise.all([leader.signIn(LEADER), holder.signIn(HOLDER)])
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

interface Check {
  integrity: string
  lost: number
  violations: number
}

const RESERVED_SQL = (table: 'offers' | 'needs', column: 'offer_id' | 'need_id') => `
  SELECT l.id, l.quantity - l.remaining AS reserved,
         COALESCE(SUM(CASE WHEN m.state = 'accepted' THEN m.quantity
                           WHEN m.state IN ('delivered', 'reviewed') THEN m.delivered_quantity
                           ELSE 0 END), 0) AS held
  FROM ${table} l LEFT JOIN matches m ON m.${column} = l.id
  GROUP BY l.id HAVING reserved <> held`

function check(dbFile: string, ledger: Ledger, log: (m: string) => void): Check {
  // Opening the file after a SIGKILL is what a restart does first: SQLite replays the WAL.
  const db = new Database(dbFile)
  try {
    const integrity = String(db.pragma('integrity_check', { simple: true }))
    let lost = 0
    const exists = (table: string) => db.prepare(`SELECT 1 FROM ${table} WHERE id = ?`)
    for (const [table, ids] of [
      ['needs', ledger.needs],
      ['offers', ledger.offers],
    ] as const) {
      const stmt = exists(table)
      for (const id of ids)
        if (!stmt.get(id)) {
          lost++
          log(`lost: ${table} #${id}`)
        }
    }
    const stateOf = db.prepare('SELECT state FROM matches WHERE id = ?')
    for (const [id, m] of ledger.matches) {
      const row = stateOf.get(id) as { state: string } | undefined
      if (!row) {
        lost++
        log(`lost: match #${id}`)
        continue
      }
      if (row.state !== m.acked && row.state !== m.inFlight) {
        lost++
        log(`lost: match #${id} acknowledged ${m.acked}, found ${row.state}`)
      }
      // Whatever was in flight is settled now: it happened or it did not.
      ledger.matches.set(id, { acked: row.state as State })
    }
    let violations = 0
    for (const [table, column] of [
      ['offers', 'offer_id'],
      ['needs', 'need_id'],
    ] as const) {
      for (const v of db.prepare(RESERVED_SQL(table, column)).all() as {
        id: number
        reserved: number
        held: number
      }[]) {
        violations++
        log(`invariant: ${table} #${v.id} reserves ${v.reserved}, its matches hold ${v.held}`)
      }
    }
    return { integrity, lost, violations }
  } finally {
    db.close()
  }
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
