/**
 * The allocation as the app runs it: the proposal and its first come, first served baseline, at city scale on a
 * small pool of threads.
 *
 * Categories never share a pair, so each is solved on its own (allocate-part.ts) by whichever thread is free,
 * largest first, and the parts are put back together in this thread (unless the machine is too crowded for a
 * second thread to help); the answer is allocate()'s whatever order the parts finish in. Threads are started per
 * run and stopped after it: a run is rare, and idle threads would hold memory.
 */
import { createRequire } from 'node:module'
import { availableParallelism, loadavg } from 'node:os'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { AllocateOptions } from './allocate.js'
import {
  proposeInThread,
  split,
  stitch,
  taskOf,
  type PartResult,
  type PartTask,
  type Proposal,
} from './allocate-part.js'
import type { NeedView, OfferView } from './types.js'

export type { Proposal } from './allocate-part.js'

export interface PoolOptions extends AllocateOptions {
  /**
   * Threads solving categories at once; 1 solves in this thread. Default: 2 unless the machine is crowded (a
   * 1-minute load of twice the cores or more), else 1. At 100k × 100k on this 2-core machine, shared: with the load
   * near 3, two threads took 41 s where one took 61-67 s; with it at 4.5-6.7, two threads took 96-105 s.
   */
  threads?: number
  /**
   * Listings (needs and offers) below which the run stays in this thread. A thread starts cold (its own copy of
   * the code to compile and optimize, about a second more when that code is TypeScript) and the parts are copied
   * to it, so at 20k × 20k two threads cost more than they save (compiled, 5.5-8.0 s against 2.5-2.9 s).
   */
  inThreadBelow?: number
}

export const IN_THREAD_BELOW = 50_000

export async function propose(
  allNeeds: readonly NeedView[],
  allOffers: readonly OfferView[],
  opts: PoolOptions = {},
): Promise<Proposal> {
  const { threads = crowded() ? 1 : 2, inThreadBelow = IN_THREAD_BELOW, ...solve } = opts
  const { needs, offers, parts } = split(allNeeds, allOffers)
  if (threads < 2 || parts.length < 2 || needs.length + offers.length < inThreadBelow)
    return proposeInThread(needs, offers, solve)
  const results = await inWorkers(
    parts.map((p) => () => taskOf(p, needs, offers, solve)),
    Math.min(threads, parts.length),
  )
  return stitch(needs, offers, parts, results)
}

function crowded(): boolean {
  const cores = availableParallelism()
  return cores < 2 || loadavg()[0] >= 2 * cores
}

/**
 * Tasks handed out in order to whichever worker is free; results kept by task. A task is made when it is handed
 * out, so only the parts being solved are copied at once.
 */
function inWorkers(tasks: (() => PartTask)[], threads: number): Promise<PartResult[]> {
  return new Promise((resolve, reject) => {
    const results: PartResult[] = new Array(tasks.length)
    const workers: Worker[] = []
    let next = 0,
      done = 0,
      over = false
    const finish = (error?: unknown) => {
      if (over) return
      over = true
      for (const w of workers) void w.terminate()
      if (error) reject(error instanceof Error ? error : new Error(String(error)))
      else resolve(results)
    }
    const give = (w: Worker) => {
      if (next === tasks.length) return
      const k = next++
      w.once('message', (r: PartResult) => {
        results[k] = r
        if (++done === tasks.length) finish()
        else give(w)
      })
      try {
        w.postMessage(tasks[k]())
      } catch (e) {
        finish(e)
      }
    }
    for (let t = 0; t < threads; t++) {
      const w = startWorker()
      workers.push(w)
      w.on('error', finish)
      w.on('exit', (code) => finish(new Error(`an allocation thread stopped (exit code ${code})`)))
      give(w)
    }
  })
}

function startWorker(): Worker {
  const here = import.meta.url
  if (here.endsWith('.js')) return new Worker(new URL('./allocate.worker.js', here))
  // Run from TypeScript (development, tests, benches): the thread registers tsx's loader before loading its module,
  // as a thread does not inherit the loader its parent was started with.
  const tsx = tsxLoader(here)
  const entry = new URL('./allocate.worker.ts', here).href
  return new Worker(
    `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}) })`,
    { eval: true },
  )
}

/** tsx's ESM entry for registering its loader, as its package's exports name it (a require() would find the CJS one). */
function tsxLoader(from: string): string {
  const require = createRequire(from)
  const manifest = require.resolve('tsx/package.json')
  const { exports } = require(manifest) as { exports: Record<string, { import: { default: string } }> }
  return new URL(exports['./esm/api'].import.default, pathToFileURL(manifest)).href
}
