/**
 * A worker of allocate-pool.ts: one category's needs and offers in, its pairs, groups and flows out as typed arrays
 * handed over rather than copied (allocate-part.ts solvePart, which solves as allocate() does in one thread).
 */
import { parentPort } from 'node:worker_threads'
import { solvePart, type PartTask } from './allocate-part.js'

parentPort!.on('message', (task: PartTask) => {
  const { result, transfer } = solvePart(task)
  parentPort!.postMessage(result, transfer)
})
