import { describe, expect, it } from 'vitest'
import { runCrash } from '../../../bench/crash.js'

// The bench (bench/crash.ts, 10 rounds) in small: the real server, started as production starts it, killed
// with SIGKILL mid-stream three times. Each start costs a couple of seconds, and the build before them (npm run
// build, incremental) up to a minute on a loaded machine; the streams are kept short.
describe('nothing acknowledged is lost when the server is killed', () => {
  it('three SIGKILLs mid-stream: integrity ok, every acknowledged write there, reservations equal to matches', async () => {
    const lines: string[] = []
    const result = await runCrash({ rounds: 3, minKillMs: 250, maxKillMs: 900, workers: 3, log: (m) => lines.push(m) })
    expect(result.integrity, lines.join('\n')).toBe('ok')
    expect(result.lost, lines.join('\n')).toBe(0)
    expect(result.invariant_violations, lines.join('\n')).toBe(0)
    expect(result.unexpected_answers, lines.join('\n')).toBe(0)
    expect(result.acknowledged).toBeGreaterThan(0)
  }, 300_000)
})
