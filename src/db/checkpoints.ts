/**
 * WAL checkpoints in a thread of their own. SQLite copies the WAL back into the database file when a commit finds it
 * past 1000 pages (about 35 listing writes at 100k listings): that commit then writes those pages and syncs the file,
 * 5–11 ms there, during which every request waits (better-sqlite3 is synchronous). The web process leaves that to a
 * worker thread on its own connection instead: it looks at the WAL a few times a second and checkpoints at the same
 * 1000 pages (so the file is synced as often as before, and no more: each sync competes with the commits' own),
 * PASSIVE, so it neither waits for the writer or a reader nor makes them wait. Durability is unchanged: each commit
 * still syncs the WAL (synchronous=FULL). Should the thread stop, the connection checkpoints on commit again.
 */
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type { Sqlite } from './client.js'

const EVERY_MS = 200
/** SQLite's own default: the thread's threshold, and the connection's again when the thread stops. */
const AUTOCHECKPOINT_PAGES = 1000

/** What one checkpoint did, as `PRAGMA wal_checkpoint` answers: frames in the WAL, and copied back. */
export type Checkpoint = { busy: number; log: number; checkpointed: number }

export interface Checkpointer {
  /** A checkpoint now, whatever the WAL holds, answered when done (tests ask it). */
  now(): Promise<Checkpoint>
  /** Ends the thread (its connection closed) and gives the connection its own checkpoints back. */
  stop(): Promise<void>
}

// Plain JavaScript evaluated in the thread (no module of the app to load, so it runs alike from src/ and dist/).
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.file)
db.pragma('synchronous = FULL')
const pass = () => {
  try {
    return db.pragma('wal_checkpoint(PASSIVE)')[0]
  } catch (err) {
    // Busy or locked for a moment (a recovery, another process's checkpoint): the next round tries again.
    return { busy: 1, log: -1, checkpointed: -1, error: String(err) }
  }
}
// NOOP only reads how many frames the WAL holds and how many were copied back.
const due = () => {
  try {
    const [w] = db.pragma('wal_checkpoint(NOOP)')
    return w.log - w.checkpointed >= workerData.pages
  } catch {
    return false
  }
}
const timer = setInterval(() => {
  if (due()) pass()
}, workerData.everyMs)
parentPort.on('message', (m) => {
  if (m === 'now') parentPort.postMessage(pass())
  else if (m === 'stop') {
    clearInterval(timer)
    db.close()
    parentPort.close()
  }
})
`

/** Hands `sqlite`'s checkpoints (a file database in WAL mode) to a thread; `file` is its path. */
export function checkpointInBackground(
  sqlite: Sqlite,
  file: string,
  { everyMs = EVERY_MS, pages = AUTOCHECKPOINT_PAGES } = {},
): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3')
  const worker = new Worker(THREAD, { eval: true, workerData: { driver, file, everyMs, pages } })
  // The thread never keeps the process alive: closing the app is what ends it.
  worker.unref()
  sqlite.pragma('wal_autocheckpoint = 0')
  const waiting: ((c: Checkpoint) => void)[] = []
  const none: Checkpoint = { busy: 1, log: -1, checkpointed: -1 }
  let running = true
  worker.on('message', (c: Checkpoint) => waiting.shift()?.(c))
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', () => {
      running = false
      if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`)
      for (const w of waiting.splice(0)) w(none)
      resolve()
    })
  })
  // An error ends the thread (exit follows): the connection checkpoints by itself again.
  worker.on('error', () => {})
  return {
    now: () =>
      new Promise<Checkpoint>((resolve) => {
        if (!running) return resolve(none)
        waiting.push(resolve)
        worker.postMessage('now')
      }),
    async stop() {
      worker.postMessage('stop')
      await exited
    },
  }
}
