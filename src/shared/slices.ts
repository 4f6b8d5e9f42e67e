/** How work done in slices went, for the start-up log. */
export interface SliceFigures {
  /** From the first slice to the last. */
  wallMs: number
  /** CPU inside slices, all told (this process's, so a garbage collection's helpers too). */
  busyMs: number
  slices: number
  /** The most CPU one slice took. */
  longestMs: number
  /** Why it stopped before the end: what a slice threw, or `stop` said. */
  stopped?: string
}

/**
 * Work a server does after it listens, a slice at a time, each run when the event loop has nothing else to do, so
 * that requests are answered all the while. `step(deadline)` works until performance.now() passes the deadline and
 * says whether it is done; `stop()` names a reason to give up (the database closed) before each slice.
 */
export function inSlices(
  step: (deadline: number) => boolean,
  opts: { sliceMs?: number; stop?: () => string | undefined } = {},
): Promise<SliceFigures> {
  const sliceMs = opts.sliceMs ?? 20
  const figures: SliceFigures = { wallMs: 0, busyMs: 0, slices: 0, longestMs: 0 }
  const started = performance.now()
  return new Promise<SliceFigures>((resolve) => {
    const end = (stopped?: string) => {
      figures.wallMs = performance.now() - started
      resolve(stopped ? { ...figures, stopped } : figures)
    }
    const slice = () => {
      const stopped = opts.stop?.()
      if (stopped) return end(stopped)
      const cpu = process.cpuUsage()
      let finished: boolean
      try {
        finished = step(performance.now() + sliceMs)
      } catch (err) {
        return end(String(err))
      }
      const { user, system } = process.cpuUsage(cpu)
      const took = (user + system) / 1000
      figures.slices++
      figures.busyMs += took
      figures.longestMs = Math.max(figures.longestMs, took)
      if (finished) end()
      else setImmediate(slice)
    }
    setImmediate(slice)
  })
}
