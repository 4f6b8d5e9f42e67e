import autocannon from 'autocannon'

export interface LoadOptions {
  connections?: number
  /** Seconds of measured load. */
  duration?: number
  /** Seconds of unmeasured load first: JIT, SQLite page cache, template caches. */
  warmup?: number
  headers?: Record<string, string>
}

export interface Figures {
  rps: number
  p50_ms: number
  p99_ms: number
  /** Socket errors, timeouts and non-2xx answers together: any of them means the figure is suspect. */
  errors: number
  /** Mean bytes on the wire per response (headers included): shows two pages being compared are alike. */
  bytes: number
}

/** Load from this process (the server runs in another), the same way for every page and every bench. */
export async function measure(url: string, opts: LoadOptions = {}): Promise<Figures> {
  const connections = opts.connections ?? 50
  if ((opts.warmup ?? 1) > 0) await autocannon({ url, connections, duration: opts.warmup ?? 1, headers: opts.headers })
  const r = await autocannon({ url, connections, duration: opts.duration ?? 8, headers: opts.headers, timeout: 10 })
  const total = r.requests.total || 1
  return {
    rps: Math.round(r.requests.average),
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
    bytes: Math.round(r.throughput.total / total),
  }
}

/**
 * One request before the load, so a bench never measures an error page at full speed: the page must
 * answer 200 and contain what it is supposed to show.
 */
export async function check(
  url: string,
  expect: (body: string) => string | undefined,
  headers: Record<string, string> = {},
) {
  const res = await fetch(url, { headers })
  const body = await res.text()
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${body.slice(0, 300)}`)
  const problem = expect(body)
  if (problem) throw new Error(`${url}: ${problem}`)
  return body
}

export const countOf = (body: string, needle: string) => body.split(needle).length - 1
