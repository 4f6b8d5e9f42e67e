import type { Db } from '../db/client.js'
import { deliverOutbox, type MailSettings } from '../notifications/mailer.js'
import { runSome, type Handler } from '../jobs/jobs.js'
import { HANDLERS, startRound } from './handlers.js'

/**
 * A write's jobs (new-fit alerts above all) run within this long. Short rounds also spread a busy site's jobs evenly:
 * at 30 s, the alerts of a minute's writes came as one burst that a server near its limit was still catching up with
 * long after (the traffic bench's mixed row, p99 2–4× higher with the scheduler on).
 */
export const ROUND_MS = 2_000
/** Jobs run for this long at most before requests waiting are answered; then the round goes on. */
export const SLICE_MS = 20

export interface Scheduler {
  /** One round now, unless one is already running (then it resolves when that one ends). */
  round(): Promise<void>
  /** Stops the timer and waits for a running round, so the database is not closed under it. */
  stop(): Promise<void>
}

interface Logger {
  error(obj: unknown, msg?: string): void
}

/**
 * The web process's background loop: every ROUND_MS (and once at start) run due jobs, then hand the outbox to
 * SMTP. Rounds never overlap; a failed round is logged and the next one tries again; nothing here can take
 * the server down.
 */
export function startScheduler(
  db: Db,
  mail: MailSettings,
  log: Logger,
  opts: { intervalMs?: number; now?: () => Date; handlers?: Record<string, Handler> } = {},
): Scheduler {
  const now = opts.now ?? (() => new Date())
  let running: Promise<void> | undefined
  let stopped = false

  const work = async () => {
    const failed = (msg: string, err?: unknown) => log.error({ err }, msg)
    try {
      const at = now()
      const due = startRound(db, at)
      // A slice of jobs at a time, with the event loop's waiting requests answered between slices.
      while (due.length > 0 && !stopped) {
        runSome(db, opts.handlers ?? HANDLERS, due, at, failed, performance.now() + SLICE_MS)
        if (due.length > 0) await new Promise((resolve) => setImmediate(resolve))
      }
    } catch (err) {
      log.error({ err }, 'scheduled jobs failed')
    }
    try {
      await deliverOutbox(db, mail, now)
    } catch (err) {
      log.error({ err }, 'outbox delivery failed')
    }
  }

  const round = () => {
    if (stopped) return Promise.resolve()
    running ??= work().finally(() => {
      running = undefined
    })
    return running
  }

  const timer = setInterval(() => {
    void round()
  }, opts.intervalMs ?? ROUND_MS)
  // The loop alone never keeps the process alive: closing the server is what ends it.
  timer.unref()
  void round()

  return {
    round,
    async stop() {
      stopped = true
      clearInterval(timer)
      await running
    },
  }
}
