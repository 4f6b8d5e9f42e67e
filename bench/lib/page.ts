import { check, measure, type Figures, type LoadOptions } from './load.js'
import { emit, round } from './report.js'

export interface PageBench {
  /** The `bench` field of the JSON line: `page`, `search`, `match`… */
  bench?: string
  name: string
  url: string
  headers?: Record<string, string>
  /** Says what is wrong with a response body, or nothing when it is the page meant to be measured. */
  expect?: (body: string) => string | undefined
  /** The same page's ceiling figures, measured earlier in the same run. */
  ceiling?: Figures
  load?: LoadOptions
}

/** Checks a page once, loads it, prints one JSON line and returns the figures (to serve as a ceiling). */
export async function benchPage(p: PageBench): Promise<Figures> {
  await check(p.url, p.expect ?? (() => undefined), p.headers)
  const f = await measure(p.url, { ...p.load, headers: p.headers })
  emit({
    bench: p.bench ?? 'page',
    name: p.name,
    rps: f.rps,
    p50_ms: f.p50_ms,
    p99_ms: f.p99_ms,
    errors: f.errors,
    ...(p.ceiling ? { ratio_to_ceiling: round(f.rps / p.ceiling.rps, 2) } : {}),
    bytes: f.bytes,
  })
  return f
}
