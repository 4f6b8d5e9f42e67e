/**
 * Allocation benchmark: first come first served, the allocator, and the exact optimum of the same seeded
 * instances, at 1k, 5k and 20k needs × offers.
 *
 *   node --import tsx bench/allocation.ts                 all sizes and methods, one JSON line each
 *   node --import tsx bench/allocation.ts 1000 5000       chosen sizes
 *
 * Each (size, method) runs in its own child process, so peak memory is that method's alone and a solver
 * that runs too long can be stopped and reported instead of holding the rest hostage. The machine is
 * shared, so lines carry CPU time and the load average next to wall time.
 *
 * Methods:
 * Instances carry topics and keywords (generate.ts), and allocate() scores pairs with their keywords' relevance
 * through the ranker's subject factor, so relevance is included in every figure. Each line also gives the
 * fair-share score against first come, first served's and how many organizations it served got nothing here.
 *
 *   fcfs            needs in posting order, each taking offers in posting order (what happens without a broker)
 *   allocation      as the app runs it (allocate-pool.ts propose: from 50k listings on two threads, one category each
 *                   at a time): coverage and fairness proved optimal, scores polished 3 rounds
 *   exact           allocate() priced to full optimality, certified by potentials over every feasible pair
 *   exact_unpruned  allocate() with every feasible pair in the network from the start: a second, independent
 *                   route to the optimum (same objective, no pricing)
 *
 * and only when asked for, as in `node --import tsx bench/allocation.ts --one 100000 allocation_in_thread`:
 *   allocation_in_thread  allocate() in this thread, the answer the pool gives (a test holds them equal)
 */
import { spawnSync } from 'node:child_process'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { allocate } from '../src/matching/allocate.js'
import { propose } from '../src/matching/allocate-pool.js'
import { firstComeFirstServed, type Allocation } from '../src/matching/outcome.js'
import { generateInstance } from './lib/generate.js'

export { generateInstance, prng, CATEGORIES, type Instance, type InstanceOptions } from './lib/generate.js'

const METHODS = ['fcfs', 'allocation', 'exact', 'exact_unpruned'] as const
/** allocate() in one thread, for comparing with the pool (`--one SIZE allocation_in_thread`); not run by default. */
type Method = (typeof METHODS)[number] | 'allocation_in_thread'
const SIZES = [1000, 5000, 20_000]
const SEED = 2025
/** Wall-clock limit per child: the unpruned exact solve takes ~20 s at 20k here, so this only guards slower machines. */
const TIME_LIMIT_MS = 180_000

async function run(
  method: Method,
  needs: Parameters<typeof allocate>[0],
  offers: Parameters<typeof allocate>[1],
): Promise<{ a: Allocation; fcfs?: Allocation }> {
  switch (method) {
    case 'fcfs':
      return { a: firstComeFirstServed(needs, offers) }
    case 'allocation': {
      // The app's run brings its baseline along (firstComeFirstServed's answer, held equal by a test).
      const { proposal, baseline } = await propose(needs, offers)
      return { a: proposal, fcfs: baseline }
    }
    case 'allocation_in_thread':
      return { a: allocate(needs, offers) }
    case 'exact':
      return { a: allocate(needs, offers, { polishRounds: Infinity }) }
    case 'exact_unpruned':
      return { a: allocate(needs, offers, { strategy: 'full' }) }
  }
}

/** In the child: one method on one size, measured, as one JSON object on stdout. */
async function measureOne(size: number, method: Method): Promise<void> {
  // Warm the engine on a small instance first, as a long-running server would be.
  const warm = generateInstance({ needs: 200, offers: 200, seed: SEED + 1 })
  await run(method, warm.needs, warm.offers)
  const { needs, offers } = generateInstance({ needs: size, offers: size, seed: SEED })
  const baseline = process.memoryUsage().rss
  const cpu = process.cpuUsage()
  const started = performance.now()
  const { a, fcfs: given } = await run(method, needs, offers)
  const timeMs = performance.now() - started
  const used = process.cpuUsage(cpu)
  const despite = a.unserved.filter((u) => u.reason === 'capacity_exhausted').length
  // Beside the clock: first come, first served on the same instance, for the two promises made against it.
  const fcfs = method === 'fcfs' ? a : (given ?? firstComeFirstServed(needs, offers))
  const orgOf = new Map(needs.map((n) => [n.id, n.orgId]))
  const served = (x: Allocation) => new Set(x.assignments.map((s) => orgOf.get(s.needId)))
  const ours = served(a)
  const lost = [...served(fcfs)].filter((o) => !ours.has(o)).length
  process.stdout.write(
    JSON.stringify({
      time_ms: Math.round(timeMs),
      cpu_ms: Math.round((used.user + used.system) / 1000),
      peak_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      instance_mb: Math.round(baseline / 1048576),
      pairs: a.stats.pairs,
      arcs: a.stats.arcs,
      pivots: a.stats.pivots,
      pricing_rounds: a.stats.pricingRounds,
      scores_approximate: a.stats.scoresApproximate,
      demand: a.coverage.demand,
      allocated: a.coverage.allocated,
      coverage: round(a.coverage.allocated / a.coverage.demand, 6),
      organizations: a.fairness.organizations,
      organizations_with_nothing: a.fairness.organizationsWithNothing,
      organizations_with_nothing_despite_feasible_offer: despite,
      gini: a.fairness.gini,
      objective: a.objective,
      fair_share: a.fairness.fairShare,
      fair_share_fcfs: fcfs.fairness.fairShare,
      organizations_fcfs_served_left_with_nothing: lost,
      by_category: a.coverage.byCategory,
    }) + '\n',
  )
}

function round(x: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

/** In the parent: every method for every size, in child processes, printing lines as sizes finish. */
function main(sizes: number[]): void {
  const self = fileURLToPath(import.meta.url)
  for (const size of sizes) {
    const results = new Map<Method, Record<string, unknown>>()
    for (const method of METHODS) {
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', '--max-old-space-size=4096', self, '--one', String(size), method],
        {
          encoding: 'utf8',
          timeout: TIME_LIMIT_MS,
          maxBuffer: 1 << 20,
        },
      )
      const line = child.stdout?.trim().split('\n').pop()
      let result: Record<string, unknown>
      if (child.error || child.status !== 0 || !line) {
        const timedOut =
          (child.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT' || child.signal === 'SIGTERM'
        result = timedOut
          ? { status: 'did_not_finish', note: `stopped after ${TIME_LIMIT_MS / 1000} s` }
          : { status: 'failed', note: (child.stderr ?? String(child.error)).trim().split('\n').slice(-3).join(' | ') }
      } else {
        result = { status: 'ok', ...JSON.parse(line) }
      }
      results.set(method, result)
    }
    // Compare each method with the exact optimum of the same instance (either exact route that finished).
    const exact = [results.get('exact'), results.get('exact_unpruned')].find((r) => r?.status === 'ok') as
      { objective: Allocation['objective'] } | undefined
    for (const method of METHODS) {
      const r = results.get(method)!
      const o = r.objective as Allocation['objective'] | undefined
      const ex = exact as
        { objective: Allocation['objective']; by_category: Allocation['coverage']['byCategory'] } | undefined
      const mine = r.by_category as Allocation['coverage']['byCategory'] | undefined
      const vsExact =
        ex && o
          ? {
              coverage_vs_exact: round(o.covered / ex.objective.covered, 6),
              // Units differ between categories, so the sum above is dominated by yuan: the worst category says more.
              worst_category_coverage_vs_exact: mine
                ? round(
                    Math.min(
                      ...Object.entries(ex.by_category).map(([c, e]) =>
                        e.allocated ? (mine[c]?.allocated ?? 0) / e.allocated : 1,
                      ),
                    ),
                    6,
                  )
                : undefined,
              fairness_vs_exact: round(o.fairness / ex.objective.fairness, 6),
              score_vs_exact: round(o.score / ex.objective.score, 6),
            }
          : {}
      console.log(
        JSON.stringify({
          bench: 'allocation',
          size: `${size}x${size}`,
          method,
          seed: SEED,
          load: round(loadavg()[0], 2),
          ...r,
          ...vsExact,
        }),
      )
    }
  }
}

const args = process.argv.slice(2)
if (args[0] === '--one') await measureOne(Number(args[1]), args[2] as Method)
else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  main(args.length > 0 ? args.map(Number) : SIZES)
