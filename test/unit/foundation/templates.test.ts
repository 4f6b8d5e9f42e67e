import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from '../../../src/config.js'
import { catalogue, LOCALES, type Catalogue } from '../../../src/i18n/i18n.js'
import {
  CLOSE_REASONS,
  FOCUS_GROUPS,
  NEED_STATUSES,
  OFFER_STATUSES,
  ORG_KINDS,
  TRUST_LEVELS,
  URGENCIES,
  areas,
  users,
} from '../../../src/db/schema.js'
import { ROLES } from '../../../src/accounts/accounts.js'

function filesUnder(dir: string, ext: string): string[] {
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => path.join(e.parentPath, e.name))
}

const rel = (f: string) => path.relative(ROOT, f)
const views = filesUnder(path.join(ROOT, 'views'), '.hbs').map((f) => ({
  file: rel(f),
  text: fs.readFileSync(f, 'utf8'),
}))
const sources = filesUnder(path.join(ROOT, 'src'), '.ts').map((f) => ({
  file: rel(f),
  text: fs.readFileSync(f, 'utf8'),
}))

describe('templates and code that could open an injection', () => {
  it('found the views and sources', () => {
    expect(views.map((v) => v.file)).toContain(path.join('views', 'layouts', 'main.hbs'))
    expect(sources.map((s) => s.file)).toContain(path.join('src', 'app.ts'))
  })

  it('uses no triple-stash except {{{body}}} in the layout', () => {
    const found = views.flatMap(({ file, text }) =>
      [...text.matchAll(/\{\{~?\{[^}]*\}/g)].map((m) => `${file}: ${m[0]}`),
    )
    expect(found.sort()).toEqual([`${path.join('views', 'layouts', 'main.hbs')}: {{{body}`])
    // The raw-block form {{{{ }}}} is a triple-stash too.
    expect(views.filter((v) => v.text.includes('{{{{')).map((v) => v.file)).toEqual([])
  })

  it('never puts template data inside an event handler or a JS-evaluated htmx attribute', () => {
    const risky = views.flatMap(({ file, text }) =>
      [...text.matchAll(/\s(on\w+|hx-on[:\w-]*|hx-vals|hx-trigger)=["'][^"']*\{\{/gi)].map(
        (m) => `${file}: ${m[0].trim()}`,
      ),
    )
    expect(risky).toEqual([])
  })

  it('never uses sql.raw in src', () => {
    expect(sources.filter((s) => /sql\s*\.\s*raw\s*\(/.test(s.text)).map((s) => s.file)).toEqual([])
  })

  it('compiles templates only in the view loader (from the files under views/), and never marks text as safe HTML', () => {
    expect(sources.filter((s) => /\.compile\s*\(|precompile\s*\(/.test(s.text)).map((s) => s.file)).toEqual([
      path.join('src', 'plugins', 'view.ts'),
    ])
    expect(sources.filter((s) => /SafeString/.test(s.text)).map((s) => s.file)).toEqual([])
    expect(sources.filter((s) => /\beval\s*\(|new Function\s*\(/.test(s.text)).map((s) => s.file)).toEqual([])
  })
})

describe('message keys used by the views exist', () => {
  let catalogues: Record<string, Catalogue>
  beforeAll(async () => {
    // Loading the app loads every slice, so words a slice registers with addMessages are counted too.
    await import('../../../src/app.js')
    catalogues = Object.fromEntries(LOCALES.map((l) => [l, catalogue(l)]))
  })

  it('every locale has the same keys, including those added by slices', () => {
    const zh = Object.keys(catalogues['zh-CN']).sort()
    for (const locale of LOCALES) expect(Object.keys(catalogues[locale]).sort(), locale).toEqual(zh)
  })

  it('every literal {{t "key"}}, field label and hint is in the catalogue', () => {
    const used = new Map<string, string>()
    for (const { file, text } of views) {
      for (const m of text.matchAll(/[{(]t\s+"([^"]+)"/g)) used.set(m[1], file)
      for (const call of text.matchAll(/\{\{>\s*shared\/field\b[^}]*\}\}/g)) {
        for (const m of call[0].matchAll(/\b(label|hint)="([^"{]+)"/g)) used.set(m[2], file)
      }
    }
    expect(used.size).toBeGreaterThan(50)
    const missing = [...used].filter(([key]) => !(key in catalogues['zh-CN'])).map(([key, file]) => `${file}: ${key}`)
    expect(missing).toEqual([])
  })

  it('every value an enum can take has a {{tk "prefix." value}} key', () => {
    const enums: Record<string, readonly string[]> = {
      'kind.': ORG_KINDS,
      'trust.': TRUST_LEVELS,
      'trust.explain.': TRUST_LEVELS,
      'focus.': FOCUS_GROUPS,
      'level.': areas.level.enumValues,
      'role.': ROLES,
      'notify.': users.notify.enumValues,
      'lang.': LOCALES,
      'urgency.': URGENCIES,
      'close_reason.': CLOSE_REASONS,
      'status.': [...new Set([...NEED_STATUSES, ...OFFER_STATUSES])],
    }
    const prefixes = new Map<string, string>()
    for (const { file, text } of views) for (const m of text.matchAll(/[{(]tk\s+"([^"]+)"/g)) prefixes.set(m[1], file)
    expect([...prefixes.keys()]).toEqual(
      expect.arrayContaining(['kind.', 'trust.', 'focus.', 'level.', 'role.', 'notify.', 'lang.']),
    )
    const missing: string[] = []
    for (const [prefix, file] of prefixes) {
      const values = enums[prefix]
      if (values) {
        for (const v of values) if (!(`${prefix}${v}` in catalogues['zh-CN'])) missing.push(`${file}: ${prefix}${v}`)
      } else if (!Object.keys(catalogues['zh-CN']).some((k) => k.startsWith(prefix))) {
        // A prefix over values this test does not know: at least some keys must exist.
        missing.push(`${file}: ${prefix}*`)
      }
    }
    expect(missing).toEqual([])
  })

  it('every literal message key in the foundation code is in the catalogue', () => {
    const foundation = sources.filter((s) =>
      /^src[\\/](accounts|orgs|areas|admin|home|plugins|shared)[\\/]/.test(s.file),
    )
    const used = new Map<string, string>()
    for (const { file, text } of foundation) {
      for (const m of text.matchAll(
        /(?:\bt\(|\.t\(|translate\([^,]+,\s*|flash\(|key:\s*)'([a-z_]+(?:\.[a-z0-9_]+)+)'/g,
      ))
        used.set(m[1], file)
    }
    expect(used.size).toBeGreaterThan(15)
    expect([...used].filter(([k]) => !(k in catalogues['zh-CN'])).map(([k, f]) => `${f}: ${k}`)).toEqual([])
  })
})
