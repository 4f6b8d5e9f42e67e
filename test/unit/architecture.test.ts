import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * The layers of src/ and the domains' dependencies, read from the imports (docs/architecture.md draws them).
 * A module may import its own layer and the layers below it, never one above; the domains (folders) below the
 * web layer import each other without cycles, so each can be read, tested and changed from the bottom up.
 */
const SRC = path.resolve(import.meta.dirname, '../../src')

/** Top to bottom. The first layer whose test holds a module (its path under src/) is its layer. */
const LAYERS: { name: string; holds: (file: string) => boolean }[] = [
  // Puts the app together: builds it, opens the database, loads the demo.
  { name: 'composition', holds: (f) => ['app.ts', 'server.ts', 'cli.ts'].includes(f) || f.startsWith('demo/') },
  // HTTP: routes, API, page view models, plugins, and the helpers that read requests or answer them.
  {
    name: 'web',
    holds: (f) =>
      /\.(routes|api|pages)\.ts$/.test(f) ||
      f.startsWith('plugins/') ||
      [
        'types.ts',
        'shared/forms.ts',
        'shared/http.ts',
        'listings/forms.ts',
        'accounts/lapse.ts',
        'notifications/unread.ts',
        'capacity/evidence-upload.ts',
        'interchange/upload.ts',
        'reports/nav.ts',
      ].includes(f),
  },
  // Domain services: (db, input) → data, no HTTP. The matcher's shell lives here with them, and database.ts, which
  // opens the store with the listings' search index.
  { name: 'services', holds: (f) => !f.startsWith('db/') && !isCore(f) && !isBase(f) },
  // Tables, the connection, the change log and the memo: no domain knowledge.
  { name: 'store', holds: (f) => f.startsWith('db/') },
  // The pure matcher: no database, no clock (src/matching/README.md).
  { name: 'matcher core', holds: isCore },
  // Plain helpers every layer may use: errors, time, words, text segmentation, configuration.
  { name: 'base', holds: isBase },
]
/**
 * The matching files that read the database (the shell and what it keeps) or the machine (the allocation's threads and
 * the load they are chosen by); every other one is the pure core.
 */
const MATCHING_SHELL = [
  'matching/matching.ts',
  'matching/rows.ts',
  'matching/page-listing.ts',
  'matching/org-records.ts',
  'matching/shown-names.ts',
  'matching/views.ts',
  'matching/kept-views.ts',
  'matching/first-fits.ts',
  'matching/view-rows.ts',
  'matching/present.ts',
  'matching/serving-facts.ts',
  'matching/warm.ts',
  'matching/allocations.ts',
  'matching/labels.ts',
  'matching/allocate-pool.ts',
  'matching/allocate.worker.ts',
]
function isCore(f: string): boolean {
  return f.startsWith('matching/') && !MATCHING_SHELL.includes(f)
}
function isBase(f: string): boolean {
  return (
    f.startsWith('i18n/') ||
    [
      'config.ts',
      'shared/errors.ts',
      'shared/format.ts',
      'shared/time.ts',
      'shared/text.ts',
      'shared/frozen.ts',
      'search/segment.ts',
      'search/highlight.ts',
      'search/typo.ts',
    ].includes(f)
  )
}
/** Packages that belong to one layer and the ones above it. */
const PACKAGE_LAYER: { test: RegExp; layer: string }[] = [
  { test: /^(fastify|@fastify\/|fastify-plugin)/, layer: 'web' },
  { test: /^(drizzle-orm|better-sqlite3)/, layer: 'store' },
]

type Edge = { from: string; to: string; typeOnly: boolean }

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : []
  })
}

const IMPORT =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g

/** Every import of every module under src/, as paths under src/ (or a package name). */
function readImports(): Edge[] {
  const edges: Edge[] = []
  for (const file of sourceFiles(SRC)) {
    const from = path.relative(SRC, file)
    for (const m of fs.readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = m[3] ?? m[4]
      const typeOnly = !!m[2]
      if (!spec.startsWith('.')) {
        edges.push({ from, to: spec, typeOnly })
        continue
      }
      const to = path.relative(SRC, path.resolve(path.dirname(file), spec)).replace(/\.js$/, '.ts')
      edges.push({ from, to: to.endsWith('.ts') ? to : `${to}.ts`, typeOnly })
    }
  }
  return edges
}

const layerOf = (f: string) => LAYERS.findIndex((l) => l.holds(f))
const isPackage = (to: string) => !to.endsWith('.ts')
/**
 * A domain is a folder's modules of one layer: the matcher core apart from the matcher's shell, search's
 * segmentation apart from its index. Imports between layers only go down (the test above), so a cycle between
 * domains can only run within one layer: this is where one would hide.
 */
const domainOf = (f: string) => {
  const folder = f.includes('/') ? f.slice(0, f.indexOf('/')) : f
  const layer = LAYERS[layerOf(f)]?.name
  return layer === 'services' ? folder : `${folder} (${layer})`
}

/** Strongly connected groups of more than one domain (Tarjan), each as the imports between its members. */
function cycles(edges: Edge[]): string[][] {
  const graph = new Map<string, Map<string, string[]>>()
  for (const e of edges) {
    const a = domainOf(e.from),
      b = domainOf(e.to)
    if (a === b) continue
    if (!graph.has(a)) graph.set(a, new Map())
    const out = graph.get(a)!
    out.set(b, [...(out.get(b) ?? []), `${e.from} → ${e.to}`])
    if (!graph.has(b)) graph.set(b, new Map())
  }
  let next = 0
  const index = new Map<string, number>(),
    low = new Map<string, number>(),
    stack: string[] = [],
    onStack = new Set<string>()
  const found: string[][] = []
  const visit = (v: string) => {
    index.set(v, next)
    low.set(v, next)
    next++
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v)!.keys()) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) !== index.get(v)) return
    const group: string[] = []
    let w: string
    do {
      w = stack.pop()!
      onStack.delete(w)
      group.push(w)
    } while (w !== v)
    if (group.length > 1) {
      found.push(
        group.sort().flatMap((a) => group.filter((b) => graph.get(a)!.has(b)).flatMap((b) => graph.get(a)!.get(b)!)),
      )
    }
  }
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v)
  return found
}

const edges = readImports()

describe('architecture', () => {
  it('places every module of src/ in a layer', () => {
    const unplaced = [...new Set(edges.map((e) => e.from))].filter((f) => layerOf(f) < 0)
    expect(unplaced, 'modules in no layer').toEqual([])
  })

  it('has no upward import: a layer imports only itself and the layers below it', () => {
    const upward: string[] = []
    for (const e of edges) {
      const from = layerOf(e.from)
      if (isPackage(e.to)) {
        const rule = PACKAGE_LAYER.find((p) => p.test.test(e.to))
        const to = rule ? LAYERS.findIndex((l) => l.name === rule.layer) : LAYERS.length
        if (to < from && !e.typeOnly) upward.push(`${e.from} (${LAYERS[from].name}) imports ${e.to} (${rule!.layer})`)
        continue
      }
      const to = layerOf(e.to)
      if (to < from) upward.push(`${e.from} (${LAYERS[from].name}) imports ${e.to} (${LAYERS[to].name})`)
    }
    expect(upward, `upward imports (move the code down, or pass a function in):\n${upward.join('\n')}`).toEqual([])
  })

  it('has no cycle between the domains below the web layer', () => {
    const web = LAYERS.findIndex((l) => l.name === 'web')
    const below = edges.filter((e) => !isPackage(e.to) && layerOf(e.from) > web && layerOf(e.to) > web)
    const found = cycles(below)
    expect(
      found,
      `cycles between domains, each by the imports that close it:\n${found.map((c) => c.join('\n  ')).join('\n\n')}`,
    ).toEqual([])
  })
})
