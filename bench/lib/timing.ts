import { round } from './report.js'

/** One timed call: wall time, and this process's CPU time (what it costs, whatever else the machine runs). */
export type Sample = { wall: number; cpu: number }

export async function clock(fn: () => unknown): Promise<Sample> {
  const cpu = process.cpuUsage()
  const started = performance.now()
  await fn()
  const wall = performance.now() - started
  const used = process.cpuUsage(cpu)
  return { wall, cpu: (used.user + used.system) / 1000 }
}

/** p50 and p95 of wall and CPU time, in milliseconds. */
export function figures(samples: Sample[], digits = 1) {
  const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!
  const wall = samples.map((s) => s.wall).sort((a, b) => a - b)
  const cpu = samples.map((s) => s.cpu).sort((a, b) => a - b)
  return {
    runs: samples.length,
    p50_ms: round(q(wall, 0.5), digits),
    p95_ms: round(q(wall, 0.95), digits),
    cpu_p50_ms: round(q(cpu, 0.5), digits),
    cpu_p95_ms: round(q(cpu, 0.95), digits),
  }
}
